// FsCoreImpl: the state and logic behind FsCore (fs/fs_core.h). Private to
// src/fs; FsCore forwards every call here. Split by topic over
// fs_core_names.cc (lookup, attributes, create/remove), fs_core_dirs.cc
// (rename, directory listing) and fs_core_files.cc (open files, reads,
// writes, commits, setattr, statfs, sync).
//
// Locking (what each mutex guards, and the order):
//   mu_                 the metadata: inodes_ (every Inode field except
//                       Inode::content's insides), dir_cache_, negative_,
//                       pending_deletes_, handles_, dir_handles_, next_fh_.
//                       Held only for short in-memory sections: never across
//                       an S3 call, the page cache, a staging-file syscall or
//                       a reply.
//   FileContent::io_mu  one open file's data state (see file_content.h); held
//                       across that file's uploads and downloads.
//   FileHandle::reader_mu   the handle's reader pointer (swap only).
//   Order: io_mu -> mu_ -> reader_mu. Never take io_mu while holding mu_.
// Counters (used bytes, bytes read/written, failures) are atomics.
//
// Pattern for S3 work: copy what is needed under mu_, drop it, call S3, take
// mu_ again and look the inode up by number (it may be gone).
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "fs/counting_client.h"
#include "fs/dir_listing.h"
#include "fs/file_content.h"
#include "fs/fs_core.h"
#include "fs/inode_table.h"
#include "fs/io_executor.h"
#include "fs/memory_budget.h"
#include "fs/meta_codec.h"
#include "fs/page_cache.h"

namespace objfs::fs {

// File times are wall-clock times.
inline struct timespec WallClockNow() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

inline ErrnoStatus Err(int e) { return ErrnoStatus::Error(e); }

class FsCoreImpl {
 public:
  using Clock = std::chrono::steady_clock;

  FsCoreImpl(FsConfig config, std::shared_ptr<s3::ObjectClient> client);
  ~FsCoreImpl();

  Status Init();
  Status SyncAll();
  FsStats Stats() const;
  // A capacity set after Init starts the starting-usage count then.
  void SetCapacity(uint64_t capacity_bytes);
  const FsConfig& config() const { return config_; }

  ErrnoOr<Entry> Lookup(uint64_t parent, std::string_view name);
  void Forget(uint64_t ino, uint64_t nlookup);
  ErrnoOr<AttrReply> GetAttr(uint64_t ino);
  ErrnoOr<AttrReply> SetAttr(uint64_t ino, const SetAttrRequest& req, std::optional<uint64_t> fh);
  Status PersistMetaOrDefer(uint64_t ino);
  ErrnoOr<std::string> ReadLink(uint64_t ino);
  ErrnoOr<Entry> Mknod(uint64_t parent, std::string_view name, mode_t mode, const RequestContext& ctx);
  ErrnoOr<Entry> Mkdir(uint64_t parent, std::string_view name, mode_t mode, const RequestContext& ctx);
  ErrnoOr<Entry> Symlink(std::string_view target, uint64_t parent, std::string_view name,
                         const RequestContext& ctx);
  ErrnoStatus Unlink(uint64_t parent, std::string_view name);
  ErrnoStatus Rmdir(uint64_t parent, std::string_view name);
  ErrnoStatus Rename(uint64_t parent, std::string_view name, uint64_t new_parent, std::string_view new_name,
                     unsigned flags);

  ErrnoOr<OpenReply> Open(uint64_t ino, int flags);
  ErrnoOr<CreateReply> Create(uint64_t parent, std::string_view name, mode_t mode, int flags,
                              const RequestContext& ctx);
  ErrnoOr<size_t> Read(uint64_t ino, uint64_t fh, uint64_t offset, std::span<char> out);
  ErrnoOr<size_t> ReadSlices(uint64_t ino, uint64_t fh, uint64_t offset, size_t size, std::vector<ReadSlice>* slices);
  ErrnoOr<size_t> Write(uint64_t ino, uint64_t fh, uint64_t offset, std::span<const char> data);
  ErrnoStatus Flush(uint64_t ino, uint64_t fh);
  ErrnoStatus Release(uint64_t ino, uint64_t fh);

  ErrnoOr<uint64_t> OpenDir(uint64_t ino);
  ErrnoStatus ReadDir(uint64_t ino, uint64_t dh, uint64_t offset, const DirFiller& filler, bool plus);
  ErrnoStatus ReleaseDir(uint64_t dh);
  ErrnoOr<struct statvfs> StatFs();

 private:
  // What an S3 probe learned about one name.
  struct Probe {
    bool exists = false;
    ObjectKind kind = ObjectKind::kFile;
    FileMeta meta;
    bool meta_known = false;
    bool dir_marker = false;
    uint64_t size = 0;
    std::string etag;
    std::time_t last_modified = 0;
    // When S3 was asked: older than a local change means stale.
    Clock::time_point observed_at = Clock::now();
  };
  struct FileHandle {
    uint64_t ino = 0;
    bool writable = false;
    std::shared_ptr<FileContent> content;
    std::mutex reader_mu;
    std::shared_ptr<ObjectReader> reader;  // guarded by reader_mu
    uint64_t reader_generation = 0;        // guarded by reader_mu
    uint64_t external_seen = 0;  // content->external_changes() at open
  };
  struct DirHandle {
    uint64_t ino = 0;
    std::mutex mu;  // guards listing (a handle may be read by two threads)
    std::shared_ptr<const DirListing> listing;
  };
  // Stat-ahead in one directory: how far along its listing probes were started.
  struct StatAheadCursor {
    std::shared_ptr<const DirListing> listing;
    uint64_t until = 0;  // entries below this index were considered
  };

  // --- helpers; "Locked" ones require mu_ held ---
  std::string KeyOfLocked(const Inode& inode) const;      // file key, or dir prefix ending in '/'
  std::string ChildKeyLocked(const Inode& parent, std::string_view name, bool dir) const;
  struct stat StatOfLocked(const Inode& inode) const;
  Entry EntryOfLocked(Inode& inode, bool count);
  double ttl() const { return config_.metadata_ttl_seconds; }
  Clock::time_point Expiry() const;
  // The cached listing of dir_ino if younger than the TTL; with
  // `current_epoch`, only if nothing changed in the directory here since.
  std::shared_ptr<const DirListing> FreshListingLocked(uint64_t dir_ino, bool current_epoch);
  // Caches `listing` as dir_ino's, fetched at `epoch` (bounded cache).
  void CacheListingLocked(uint64_t dir_ino, std::shared_ptr<const DirListing> listing, uint64_t epoch);
  void InvalidateDirLocked(uint64_t dir_ino);
  bool NegativeLocked(uint64_t parent, std::string_view name);
  void AddNegativeLocked(uint64_t parent, std::string_view name);
  void EraseNegativeLocked(uint64_t parent, std::string_view name);
  Inode& UpsertLocked(uint64_t parent, std::string_view name, const Probe& probe);
  void ApplyProbeLocked(Inode& inode, const Probe& probe);
  void SetContentVersionLocked(Inode& inode, const std::string& etag, uint64_t size);
  // The page-cache generation of object version (key, etag): the same number
  // for as long as it is remembered, so cached blocks outlive the inode (the
  // kernel forgets inodes; a later lookup makes a new one). Empty etag: new.
  uint64_t GenerationForLocked(const std::string& key, const std::string& etag);
  void RememberGenerationLocked(const std::string& key, const std::string& etag, uint64_t generation);
  s3::PutOptions PutOptionsLocked(const Inode& inode) const;
  FileMeta NewMeta(mode_t type_and_mode, const RequestContext& ctx) const;

  // S3 probes (no lock held).
  Result<Probe> ProbeFile(const std::string& key);
  Result<Probe> ProbeDirMarker(const std::string& dir_key);
  Result<Probe> ProbeName(const std::string& key, std::optional<ObjectKind> known_kind);
  // ProbeName's second half: a one-key LIST of "key/" (a directory there
  // wins), else what `file_probe` (the HEAD of "key", maybe still running)
  // says.
  Result<Probe> ProbeBelow(const std::string& key, const std::function<Result<Probe>()>& file_probe);
  // For a name in a directory without a fresh listing: lists the directory
  // (one page) while the name's HEAD runs, caches the listing when it is
  // complete and answers from it, so the next lookups there — above all of
  // names that do not exist, as when creating files — cost nothing for a TTL.
  // A directory of more than one page falls back to ProbeName.
  // Revalidates known directory `dir_ino` (key without the '/') with one
  // listing page of its own contents: that proves it still exists, its
  // marker's ETag says whether its metadata changed (only then a HEAD), and a
  // complete page is cached as its listing, so the lookups that usually
  // follow inside it cost nothing.
  Result<Probe> ProbeDirByListing(uint64_t dir_ino, const std::string& key);
  Result<Probe> ProbeNameListingDir(uint64_t dir_ino, uint64_t epoch, const std::string& dir_key,
                                    std::string_view name);

  // Resolves (parent, name) to an inode, from caches or S3; counts a lookup
  // when `count`. Returns the inode number.
  ErrnoOr<uint64_t> Resolve(uint64_t parent, std::string_view name, bool count, Entry* entry);
  // Parent must be a known directory; returns its key prefix.
  ErrnoOr<std::string> ParentKey(uint64_t parent);
  ErrnoOr<bool> DirIsEmpty(const std::string& dir_key);
  ErrnoOr<std::shared_ptr<const DirListing>> Listing(uint64_t dir_ino);
  // Whether the attributes of a listed entry are unknown to this mount, so
  // they need a HEAD before anyone may see them.
  bool NeedsProbeLocked(uint64_t dir_ino, const std::string& dir_key, const DirListingEntry& le);
  // Stat-ahead: `name` in `dir_ino` was just looked up or stat'ed and
  // `listing` names it; starts HEADs (on meta_executor_) for the entries that
  // follow it in the listing, so a program stating a directory's entries one
  // by one (`ls -l`, `find`, `du`) finds each answer already on its way. The
  // results go into the inode table; lookups of a name being probed wait for
  // that probe instead of sending their own.
  void StatAheadLocked(uint64_t dir_ino, const std::shared_ptr<const DirListing>& listing, std::string_view name);
  // If a stat-ahead probe of `key` is running, waits for it (mu_ not held)
  // and returns true.
  bool AwaitProbeInFlight(const std::string& key);

  // Copies src to dst server-side (multipart above 5 GiB). Returns the ETag.
  Result<std::string> CopyKey(const std::string& src, const std::string& dst, uint64_t size,
                              const std::string& src_etag, const s3::PutOptions* replace);
  Status PersistMeta(uint64_t ino);
  ErrnoStatus RenameDir(uint64_t src_ino, const std::string& src_key, const std::string& dst_key);

  // Data helpers.
  // Creates the file object (empty, with metadata) and its inode.
  // `defer`: the object is not written now but at the file's first commit
  // point (the caller opens it); until then it exists in this mount only.
  ErrnoOr<Entry> CreateObject(uint64_t parent, std::string_view name, mode_t mode, bool exclusive,
                              const RequestContext& ctx, bool defer);
  // Files of `dir` created here whose object does not exist yet, as listing
  // entries (drops stale records as it goes).
  std::vector<DirListingEntry> LocalOnlyEntriesLocked(uint64_t dir);
  // The inode's FileContent, made on first use (open_count is not touched).
  std::shared_ptr<FileContent> ContentLocked(Inode& inode);
  ErrnoOr<OpenReply> OpenLocked(Inode& inode, int flags, std::shared_ptr<FileContent>* content);
  Status CommitContent(uint64_t ino, FileContent& content);  // requires content.io_mu() held
  void SyncFromContentLocked(Inode& inode, const FileContent& content, bool data_changed);
  ErrnoStatus CommitInode(uint64_t ino, const std::shared_ptr<FileContent>& content);
  bool WouldExceedCapacity(uint64_t growth) const;
  void AddUsed(int64_t delta);
  void CountUsage();

  const FsConfig config_;
  const std::shared_ptr<CountingClient> client_;
  const Clock::time_point started_ = Clock::now();
  const std::time_t started_wall_ = std::time(nullptr);
  std::atomic<uint64_t> capacity_;
  std::atomic<uint64_t> next_generation_{1};

  MemoryBudget budget_;
  std::unique_ptr<IoExecutor> executor_;
  std::unique_ptr<IoExecutor> meta_executor_;  // HEADs only (lookups, readdirplus)
  std::unique_ptr<PageCache> cache_;
  DataContext data_ctx_;

  mutable std::mutex mu_;
  InodeTable inodes_;                                                  // guarded by mu_
  // A directory's last listing and the dir_epoch it was fetched at. Changes
  // made here since (a later epoch) are in the inode table and negative_, so
  // lookups may still use it; readdir needs one of the current epoch.
  struct CachedListing {
    std::shared_ptr<const DirListing> listing;
    uint64_t epoch = 0;
  };
  std::unordered_map<uint64_t, CachedListing> dir_cache_;              // guarded by mu_
  // Directories whose first listing page was not all of them, and until when
  // lookups there should not try to list the whole directory.
  std::unordered_map<uint64_t, Clock::time_point> big_dirs_;           // guarded by mu_
  std::unordered_map<std::string, Clock::time_point> negative_;        // guarded by mu_
  std::deque<std::string> negative_order_;                             // guarded by mu_ (FIFO bound)
  std::unordered_set<std::string> pending_deletes_;                    // guarded by mu_: keys of open-unlinked files
  std::unordered_map<uint64_t, std::shared_ptr<FileHandle>> handles_;  // guarded by mu_
  std::unordered_map<uint64_t, std::shared_ptr<DirHandle>> dir_handles_;  // guarded by mu_
  uint64_t next_fh_ = 1;                                               // guarded by mu_
  // Per directory: files created here, not committed yet (no object in S3).
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> local_only_;  // guarded by mu_
  std::unordered_map<std::string, uint64_t> generations_;              // guarded by mu_: key + '\0' + etag
  std::unordered_map<uint64_t, StatAheadCursor> stat_ahead_;           // guarded by mu_, by directory
  std::unordered_map<std::string, std::shared_future<void>> probes_in_flight_;  // guarded by mu_, by key

  std::atomic<int64_t> used_bytes_{0};
  std::atomic<bool> usage_exact_{false};
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> upload_failures_{0};
  std::atomic<bool> stopping_{false};
  std::mutex usage_mu_;       // guards usage_thread_ and initialized_ (never nested with mu_)
  bool initialized_ = false;  // guarded by usage_mu_
  std::thread usage_thread_;  // guarded by usage_mu_
};

}  // namespace objfs::fs
