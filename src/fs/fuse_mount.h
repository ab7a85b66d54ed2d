// FuseMount: one live objfs mount — a fuse_session bound to an FsCore, mounted
// at a directory, served by libfuse's multi-threaded loop on a thread of its
// own.
//
// Lifecycle:
//   Start()    creates the session with fs/fuse_adapter.h's operations and the
//              FsCore* as userdata, mounts it (fsname, subtype objfs,
//              default_permissions, allow_other and ro when asked), starts the loop (clone_fd) and returns once the kernel
//              mount exists.
//   Unmount()  commits pending writes (FsCore::SyncAll) while the mount is
//              still live, detaches the mount, waits for the loop to end and
//              commits once more (writes that raced with the detach). With
//              UnmountMode::kGraceful a busy mount (open files, a cwd inside)
//              or a failed commit leaves the mount live and returns the error,
//              so nothing is lost and the caller may retry. If the filesystem
//              stays reachable through a bind mount of it, the mountpoint is
//              detached but the session keeps serving the bind mounts, and
//              Unmount() returns kFailedPrecondition (errno EBUSY) after 10 s
//              instead of waiting for them. UnmountMode::kLazy
//              detaches anyway (MNT_DETACH): processes holding files keep using
//              them, the loop serves them until the last is closed, and
//              Unmount() returns then. Idempotent: later calls return the first
//              completed call's result.
//   Wait()     blocks until the loop has ended — after Unmount(), or after
//              someone else unmounted (umount(8), fusermount3 -u). Call
//              Unmount() afterwards to commit and release the session.
//   ~FuseMount unmounts lazily if Unmount() was never called.
//
// The same class serves `objfs mount` (one per process) and the CSI node plugin
// (several per process): it installs no signal handlers and keeps no
// process-global state. Callers block termination signals themselves.
//
// Ownership: shares the FsCore (it must outlive the session); owns the
// fuse_session and the loop thread.
//
// Thread-safety: all methods may be called from any thread; Unmount() calls are
// serialized (a second caller waits for the first and gets its result).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/status.h"

struct fuse_session;

namespace objfs::fs {

class FsCore;

struct FuseMountOptions {
  std::string mountpoint;
  // Shown as the mount's source in /proc/mounts, e.g. "objfs:bucket/prefix".
  std::string fsname;
  bool read_only = false;
  bool allow_other = false;
  // Upper bound on libfuse worker threads.
  int max_threads = 32;
  // Passed as -o max_read when nonzero. libfuse aborts the session (EPROTO)
  // unless the adapter's init() sets conn->max_read to the same value, so 0
  // (the kernel's default: reads bounded by max_pages, which the adapter's
  // 1 MiB max_write raises to 1 MiB) unless the adapter asks for it.
  uint32_t max_read = 0;
  // Kernel readahead for the mount, in KiB (its backing device's
  // read_ahead_kb in sysfs). The kernel caps a FUSE mount at its 128 KiB
  // default whatever max_readahead init() asks for, so sequential reads
  // would arrive as 128 KiB requests; raising it lets them arrive as 1 MiB
  // requests, several in flight. Needs root (sysfs); otherwise it stays at
  // the default, logged. 0 leaves it alone.
  uint32_t readahead_kb = 4096;
  // libfuse's own request tracing to stderr.
  bool debug = false;
};

enum class UnmountMode {
  kGraceful,  // refuse (and stay mounted) when busy or when commits fail
  kLazy,      // detach even when busy; commit errors are reported, not blocking
};

class FuseMount {
 public:
  static Result<std::unique_ptr<FuseMount>> Start(std::shared_ptr<FsCore> core, const FuseMountOptions& options);

  ~FuseMount();
  FuseMount(const FuseMount&) = delete;
  FuseMount& operator=(const FuseMount&) = delete;

  Status Unmount(UnmountMode mode = UnmountMode::kGraceful);
  void Wait();
  // True once the session loop has ended (the filesystem is no longer served).
  bool LoopEnded() const;

  const std::string& mountpoint() const { return options_.mountpoint; }
  const std::shared_ptr<FsCore>& core() const { return core_; }

 private:
  FuseMount(std::shared_ptr<FsCore> core, FuseMountOptions options);

  void RunLoop();
  // Asks the kernel to detach the mount. Returns kFailedPrecondition (errno
  // EBUSY) when a non-lazy detach finds the mount busy.
  Status Detach(bool lazy);
  void JoinLoop();

  const std::shared_ptr<FsCore> core_;
  const FuseMountOptions options_;
  fuse_session* session_ = nullptr;  // owned; set in Start, destroyed in the destructor
  std::thread loop_thread_;

  mutable std::mutex mu_;
  std::condition_variable loop_ended_cv_;
  bool loop_ended_ = false;  // guarded by mu_
  int loop_result_ = 0;      // guarded by mu_

  // Serializes Unmount(); lock order: unmount_mu_ before mu_.
  std::mutex unmount_mu_;
  std::optional<Status> unmount_result_;  // guarded by unmount_mu_
};

}  // namespace objfs::fs
