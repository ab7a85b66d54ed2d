// UploadStream: writes one object sequentially, uploading parts while the
// file is still being written.
//
// State machine:
//   kOpen  --Append fills part 1--> CreateMultipartUpload, then each full part
//          goes to the IoExecutor as UploadPart; up to max_parallel_parts in
//          flight, Append waits when that many are out.
//   Finish: never reached one part -> one PutObject of what was written (also
//          for empty files); otherwise upload the last part, wait for all,
//          CompleteMultipartUpload. -> kFinished.
//   Any part failure is remembered; the next Append or Finish returns it and
//   the upload is aborted. Abort(), and the destructor of an unfinished
//   stream, wait for parts in flight and AbortMultipartUpload, so a failed or
//   abandoned write leaves no multipart upload (and no budget) behind.
//
// Part sizes grow with the part number so 10,000 parts reach 5 TiB:
//   size(n) = initial_part_size << ((n - 1) / parts_per_size_step), capped at
//   5 GiB; with 8 MiB and 1000 parts per step the sum reaches 5 TiB at part
//   ~9,300 (1000 parts each of 8, 16, ..., 2048 MiB, then 4 GiB parts), while
//   files under 7.8 GiB use plain 8 MiB parts. A file that would need more
//   than 10,000 parts fails Append with kResourceExhausted.
//
// Memory: every byte buffered is budget held. Part 1 reserves budget as it
// fills (64 KiB, doubling), so small files reserve little; later parts reserve
// their whole size when they start. Append blocks in MemoryBudget::Acquire
// (backpressure) until parts in flight finish or the page cache gives memory
// back. A part larger than the whole budget is admitted when nothing else
// holds budget. Part buffers come from mmap (BlockBuffer), so freed parts
// return to the OS. Known limit: part 1 grows its reservation while holding
// what it has, so if the whole budget were held by streams in the middle of
// their first part (budget / part size of them at once, e.g. 64 writers with
// a 512 MiB budget and 8 MiB parts) and the page cache had nothing left to
// give, those writers would wait on each other.
//
// Ownership: the stream keeps references to the client and the budget (and
// the executor, when one is given), which must outlive it.
//
// Thread-safety: one writer; Append/Finish/Abort must not be called
// concurrently with each other. size() may be read from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "base/status.h"
#include "fs/block_buffer.h"
#include "fs/io_executor.h"
#include "fs/memory_budget.h"
#include "s3/object_client.h"

namespace objfs::fs {

struct UploadOptions {
  uint64_t initial_part_size = 8ull << 20;
  int max_parallel_parts = 8;
  // Parts per doubling of the part size (see the header comment).
  int parts_per_size_step = 1000;
  // A shared executor (e.g. FsCore's); when null the stream starts its own
  // max_parallel_parts threads when the first part goes out.
  IoExecutor* executor = nullptr;
};

class UploadStream {
 public:
  UploadStream(s3::ObjectClient& client, std::string bucket, std::string key, s3::PutOptions put_options,
               MemoryBudget& budget, UploadOptions options = {});
  // Aborts an unfinished upload.
  ~UploadStream();
  UploadStream(const UploadStream&) = delete;
  UploadStream& operator=(const UploadStream&) = delete;

  // Buffers `data`, sending full parts; blocks for budget or part slots.
  // Returns the first part failure (the upload is then aborted).
  Status Append(std::span<const char> data);
  uint64_t size() const { return size_.load(std::memory_order_relaxed); }
  // Waits for every part and completes; returns the object's ETag. A stream
  // that never reached one part goes up as one PutObject, with `latest`
  // options when given (metadata changed while writing) instead of those it
  // was made with; multipart_started() says which were used.
  Result<std::string> Finish(const s3::PutOptions* latest = nullptr);
  bool multipart_started() const { return !upload_id_.empty(); }
  void Abort();

  // Size of part `part_number` (1-based) under `options`.
  static uint64_t PartSize(const UploadOptions& options, int part_number);

 private:
  enum class State { kOpen, kFinished, kFailed, kAborted };

  Status StartMultipart();
  Status SendCurrentPart();
  void WaitForParts(int max_in_flight);
  Status FirstError();
  void AbortUpload();
  IoExecutor& Executor();

  s3::ObjectClient& client_;
  const std::string bucket_;
  const std::string key_;
  const s3::PutOptions put_options_;
  MemoryBudget& budget_;
  const UploadOptions options_;

  // Writer-thread state.
  State state_ = State::kOpen;
  std::string upload_id_;
  int part_number_ = 1;          // number of the part being filled
  BlockBuffer part_;             // part being filled
  uint64_t part_fill_ = 0;
  std::atomic<uint64_t> size_{0};

  // Shared with part tasks.
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;                          // guarded by mu_
  std::map<int, std::string> part_etags_;      // guarded by mu_
  Status first_error_;                         // guarded by mu_

  // Declared last: drained first on destruction.
  std::unique_ptr<IoExecutor> own_executor_;
};

}  // namespace objfs::fs
