// FsCore: the objfs filesystem — inodes, directories, open files, metadata and
// the data path — with no FUSE dependency. The FUSE adapter
// (fs/fuse_adapter.h) decodes each request, calls the matching method here and
// replies with what it returns; unit tests call the same methods directly
// against an in-memory ObjectClient.
//
// Operations mirror the FUSE low-level API: inode numbers in, ErrnoOr out
// (a value or a positive errno). Semantics where POSIX and S3 differ are
// written down in docs/semantics.md; the short version:
//   - a file is the object FsConfig.prefix + path; a directory is the prefix
//     "path/" (with an optional zero-byte "path/" marker object of Content-Type
//     application/x-directory that carries s3fs-style metadata); a symlink is an
//     object whose body is the target and whose x-amz-meta-mode is S_IFLNK|0777;
//   - mode/uid/gid/mtime live in s3fs-compatible x-amz-meta-* headers;
//   - Flush, Fsync and Release are the commit points: they return only after
//     S3 holds the data, or they return the error (EIO, ENOSPC, ...);
//   - when key "x" and prefix "x/" both exist, the directory wins and the file
//     is hidden (one log line).
//
// Lookup counts are exact: every successful Lookup, Mknod, Mkdir, Symlink,
// Create and every entry that ReadDirPlus hands to its filler adds one to the
// inode's count; Forget/ForgetMulti subtract. An inode stays known while its
// count is positive or a handle is open.
//
// Ownership: FsCore shares the ObjectClient; it owns everything else (inode
// table, caches, memory budget, page cache, staging files, a background thread
// started by Init() that is joined by the destructor).
//
// Thread-safety: every public method may be called from any number of threads
// at once (the FUSE session loop is multi-threaded). The internal locking rules
// are written on the members in fs_core.cc's companion headers; no lock is held
// while a FUSE reply is sent (the adapter replies after the call returns).
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "fs/errno_or.h"
#include "fs/fs_config.h"
#include "fs/read_slice.h"
#include "s3/object_client.h"

namespace objfs::fs {

inline constexpr uint64_t kRootIno = 1;  // FUSE_ROOT_ID

// Who asks: used for the owner and mode of new files and directories.
struct RequestContext {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t umask = 022;
  pid_t pid = 0;
};

// The answer to a lookup-like call (fuse_entry_param): the inode's lookup
// count has been raised by one when this is returned successfully.
struct Entry {
  uint64_t ino = 0;
  uint64_t generation = 0;
  struct stat attr {};
  double attr_timeout = 0;
  double entry_timeout = 0;
};

struct AttrReply {
  struct stat attr {};
  double timeout = 0;
};

// SetAttr: only the fields present change. A time with tv_nsec == UTIME_NOW
// means "now" (utimensat semantics); UTIME_OMIT is never passed (absent instead).
struct SetAttrRequest {
  std::optional<mode_t> mode;  // permission bits; the file type is kept
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<uint64_t> size;
  std::optional<struct timespec> atime;
  std::optional<struct timespec> mtime;
};

struct OpenReply {
  uint64_t fh = 0;
  bool keep_cache = false;  // the kernel may keep cached pages: content unchanged since last open
  bool direct_io = false;
};

struct CreateReply {
  Entry entry;
  OpenReply open;
};

// One directory entry handed to a ReadDir filler. `attr.st_ino` and the type
// bits of `attr.st_mode` are always set; for ReadDirPlus `entry` is the full
// lookup answer (whose count is raised only when the filler accepts it; "." and
// ".." never count). `next_offset` is what the kernel passes back to continue
// after this entry.
struct DirEntryView {
  std::string_view name;
  const struct stat* attr = nullptr;
  const Entry* entry = nullptr;  // ReadDirPlus only; null for plain ReadDir
  uint64_t next_offset = 0;
};
// Returns false when the reply buffer is full: the entry was not taken and the
// listing stops there.
using DirFiller = std::function<bool(const DirEntryView&)>;

struct FsStats {
  uint64_t capacity_bytes = 0;  // 0: unlimited
  uint64_t used_bytes = 0;      // sum of file sizes as objfs knows them (incl. unsaved writes)
  bool used_bytes_exact = false;  // false until the starting-usage listing finished (or failed)
  uint64_t used_inodes = 0;     // inodes currently known (kernel-referenced or open)
  uint64_t open_handles = 0;
  uint64_t bytes_read = 0;      // returned by Read
  uint64_t bytes_written = 0;   // accepted by Write
  // S3 requests issued by this filesystem (FsCore and its data engine).
  uint64_t s3_head = 0;
  uint64_t s3_get = 0;
  uint64_t s3_put = 0;          // PutObject, UploadPart, UploadPartCopy, multipart create/complete
  uint64_t s3_list = 0;
  uint64_t s3_copy = 0;
  uint64_t s3_delete = 0;       // DeleteObject and DeleteObjects requests
  uint64_t s3_errors = 0;       // requests that returned a non-OK status
  uint64_t upload_failures = 0;  // commits that failed (reported to the caller)
};

class FsCoreImpl;

class FsCore {
 public:
  FsCore(FsConfig config, std::shared_ptr<s3::ObjectClient> client);
  ~FsCore();  // joins the background thread; does not upload (call SyncAll first)
  FsCore(const FsCore&) = delete;
  FsCore& operator=(const FsCore&) = delete;

  // Checks the bucket (HeadBucket) and the prefix (one listing). Errors say
  // which: bucket does not exist, access denied, endpoint unreachable. When a
  // capacity is set, starts one background listing to learn the starting usage.
  Status Init();
  // Commits every file with unsaved data (waiting for uploads in flight) and
  // returns the first failure. Used before unmount; safe to call repeatedly.
  Status SyncAll();

  FsStats Stats() const;
  // Quota in bytes, 0 = unlimited; takes effect for the next write.
  void SetCapacity(uint64_t capacity_bytes);
  const FsConfig& config() const;

  // --- inodes and names ---
  ErrnoOr<Entry> Lookup(uint64_t parent, std::string_view name);
  void Forget(uint64_t ino, uint64_t nlookup);
  void ForgetMulti(std::span<const std::pair<uint64_t, uint64_t>> items);  // (ino, nlookup)
  ErrnoOr<AttrReply> GetAttr(uint64_t ino);
  // `fh` is the open handle when the kernel passed one (ftruncate, futimens).
  ErrnoOr<AttrReply> SetAttr(uint64_t ino, const SetAttrRequest& request, std::optional<uint64_t> fh,
                             const RequestContext& ctx);
  ErrnoOr<std::string> ReadLink(uint64_t ino);
  // Regular files only (S_IFREG); other types -> EPERM.
  ErrnoOr<Entry> Mknod(uint64_t parent, std::string_view name, mode_t mode, dev_t rdev,
                       const RequestContext& ctx);
  ErrnoOr<Entry> Mkdir(uint64_t parent, std::string_view name, mode_t mode, const RequestContext& ctx);
  ErrnoStatus Unlink(uint64_t parent, std::string_view name);
  ErrnoStatus Rmdir(uint64_t parent, std::string_view name);
  ErrnoOr<Entry> Symlink(std::string_view target, uint64_t parent, std::string_view name,
                         const RequestContext& ctx);
  // flags: 0 or RENAME_NOREPLACE; RENAME_EXCHANGE/WHITEOUT -> EINVAL.
  ErrnoStatus Rename(uint64_t parent, std::string_view name, uint64_t new_parent, std::string_view new_name,
                     unsigned flags);
  // Hard links are not supported: always EPERM.
  ErrnoOr<Entry> Link(uint64_t ino, uint64_t new_parent, std::string_view new_name);

  // --- files ---
  // flags: open(2) flags (O_ACCMODE, O_TRUNC, O_APPEND, ...).
  ErrnoOr<OpenReply> Open(uint64_t ino, int flags);
  // O_EXCL: EEXIST if the name exists (checked against S3, also with
  // If-None-Match where the store supports it).
  ErrnoOr<CreateReply> Create(uint64_t parent, std::string_view name, mode_t mode, int flags,
                              const RequestContext& ctx);
  // Returns the bytes read (short only at end of file). ESTALE when the object
  // was replaced by another S3 client while this handle had it open.
  ErrnoOr<size_t> Read(uint64_t ino, uint64_t fh, uint64_t offset, std::span<char> out);
  // Read without the copy: the bytes in place (cached blocks pinned, see
  // ReadSlice), for a reply written straight from them. Appends to `slices`.
  ErrnoOr<size_t> ReadSlices(uint64_t ino, uint64_t fh, uint64_t offset, size_t size,
                             std::vector<ReadSlice>* slices);
  ErrnoOr<size_t> Write(uint64_t ino, uint64_t fh, uint64_t offset, std::span<const char> data);
  // Commit points: return after S3 holds this file's data, or the error.
  ErrnoStatus Flush(uint64_t ino, uint64_t fh);
  ErrnoStatus Fsync(uint64_t ino, uint64_t fh, bool datasync);
  // Commits once more if data is still unsaved (errors are logged: close(2)
  // already returned Flush's answer), then forgets the handle.
  ErrnoStatus Release(uint64_t ino, uint64_t fh);

  // --- directories ---
  ErrnoOr<uint64_t> OpenDir(uint64_t ino);
  // Offsets: 0 starts; every entry carries the offset that continues after it.
  // A handle lists one snapshot of the directory, so offsets are stable across
  // calls; offset 0 on an open handle refreshes the snapshot when it is older
  // than the metadata TTL (rewinddir).
  ErrnoStatus ReadDir(uint64_t ino, uint64_t dh, uint64_t offset, const DirFiller& filler);
  ErrnoStatus ReadDirPlus(uint64_t ino, uint64_t dh, uint64_t offset, const DirFiller& filler);
  ErrnoStatus ReleaseDir(uint64_t ino, uint64_t dh);
  ErrnoStatus FsyncDir(uint64_t ino, uint64_t dh);

  ErrnoOr<struct statvfs> StatFs(uint64_t ino);

 private:
  std::unique_ptr<FsCoreImpl> impl_;
};

}  // namespace objfs::fs
