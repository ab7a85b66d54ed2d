// FileContent: the data of one regular file while it has open handles — the
// write state machine between "what S3 holds" and "what the handles wrote".
//
//   kClean   S3 holds the content (`base`); reads go through the PageCache.
//   kStream  written strictly sequentially from offset 0 (a new or truncated
//            file): bytes go straight into an UploadStream that uploads parts
//            while the file is still being written.
//   kStaged  anything else (random write, overwrite, append to an existing
//            object, truncate to a size > 0): the whole content lives in an
//            unlinked local file in FsConfig.staging_dir; reads and writes use
//            it, Commit uploads it with UploadFile, reusing unchanged ranges of
//            the old object with UploadPartCopy.
//
// Transitions:
//   kClean  --write at 0 of an empty file--------------------> kStream
//   kClean  --other write / truncate > 0---------------------> kStaged
//            (the old object is downloaded up front, If-Match its ETag)
//   kStream --write at the end------------------------------> kStream
//   kStream --other write / truncate / read-------------------> Commit, then kStaged
//   any     --Commit----------------------------------------> kClean (kStaged keeps
//            its file as a clean local copy until the last handle closes)
//   Truncate(0) drops everything local: kClean with `dirty` and size 0; a new
//   file (no object yet) starts in that state.
// `dirty` is true while the content differs from the object; Commit with
// nothing dirty does nothing. A failed Commit leaves staged data dirty (the
// next commit point retries); a failed stream loses its data and reports it.
//
// Ownership: owned by the Inode (shared_ptr) and by each open handle; owns its
// stream and staging fd. Refers to the DataContext members, which FsCore owns
// and which outlive it.
// Thread-safety: every method except io_mu() requires io_mu() held. io_mu
// serializes the data operations of this one file and is held across the S3
// calls of writes and commits — deliberately: it orders writes against
// commits of the same file, and nothing but this file's own I/O waits on it.
// Lock order: io_mu before FsCore's metadata mutex, never the reverse.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "fs/io_executor.h"
#include "fs/memory_budget.h"
#include "fs/page_cache.h"
#include "fs/upload_stream.h"
#include "s3/object_client.h"

namespace objfs::fs {

struct DataContext {
  s3::ObjectClient* client = nullptr;
  std::string bucket;
  MemoryBudget* budget = nullptr;
  IoExecutor* executor = nullptr;
  std::string staging_dir;
  int max_parallel_parts = 8;
  // Hands out a fresh content generation (PageCache key) for a new version.
  std::function<uint64_t()> next_generation;
};

class FileContent {
 public:
  enum class Mode { kClean, kStream, kStaged };

  // `base` is the committed object (etag empty when there is none yet).
  // `is_new`: no object exists yet (a file just created): the content starts
  // dirty and empty, so the first commit point creates the object.
  FileContent(const DataContext& ctx, ObjectVersion base, bool is_new = false);
  ~FileContent();  // aborts a stream, closes the staging file
  FileContent(const FileContent&) = delete;
  FileContent& operator=(const FileContent&) = delete;

  std::mutex& io_mu() { return io_mu_; }

  Mode mode() const { return mode_; }
  // dirty() and size() may also be read without io_mu as hints (atomics).
  bool dirty() const { return dirty_.load(std::memory_order_relaxed); }
  uint64_t size() const { return size_.load(std::memory_order_relaxed); }
  // Bumped by RebaseExternal: another client replaced the object.
  uint64_t external_changes() const { return external_changes_.load(std::memory_order_relaxed); }
  const ObjectVersion& base() const { return base_; }
  // Points the clean content at a new object version (after a rename or a
  // metadata copy); only valid when !dirty().
  void Rebase(ObjectVersion base);
  // As Rebase, for a new version written by someone else: handles opened
  // before it fail their reads with ESTALE instead of mixing versions.
  void RebaseExternal(ObjectVersion base);

  // True when reads must be served by ReadLocal instead of the PageCache.
  bool reads_local() const { return mode_ == Mode::kStaged; }
  Result<size_t> ReadLocal(uint64_t offset, std::span<char> out);

  // `key`/`put` name the object a stream would create (used only when the
  // write starts a stream). `may_stream`: the handle allows streaming.
  Status Write(uint64_t offset, std::span<const char> data, const std::string& key, const s3::PutOptions& put,
               bool may_stream);
  Status Truncate(uint64_t size, const std::string& key, const s3::PutOptions& put);

  struct Committed {
    bool uploaded = false;    // false: nothing was dirty
    bool streamed = false;    // the object was written by a stream
    s3::Metadata stream_metadata;  // what a stream wrote (fixed when it began)
  };
  // Uploads dirty content to `key` with `put` (a stream finishes with the
  // options it started with). On success base() is the new version, with a
  // new generation. A stream that failed earlier reports its error here once.
  Result<Committed> Commit(const std::string& key, const s3::PutOptions& put);
  // Forgets unsaved data (the file was unlinked).
  void Discard();

 private:
  Status EnsureStaged(const std::string& key, const s3::PutOptions& put);
  Status Download(int fd);
  void MarkDirty(uint64_t offset, uint64_t length);
  std::vector<std::pair<uint64_t, uint64_t>> UnchangedRanges() const;
  void CloseStaging();

  const DataContext ctx_;
  std::mutex io_mu_;

  // Everything below is guarded by io_mu_.
  Mode mode_ = Mode::kClean;
  ObjectVersion base_;
  std::atomic<bool> dirty_{false};
  std::atomic<uint64_t> size_{0};
  std::atomic<uint64_t> external_changes_{0};
  std::unique_ptr<UploadStream> stream_;
  s3::Metadata stream_metadata_;
  Status stream_failure_;  // a failed stream's error, reported by the next Commit
  int staging_fd_ = -1;
  // Staged: ranges written since staging began (merged, sorted), and the
  // prefix of the file still equal to `base_` as far as truncation goes.
  std::vector<std::pair<uint64_t, uint64_t>> dirty_ranges_;
  uint64_t clean_limit_ = 0;
};

}  // namespace objfs::fs
