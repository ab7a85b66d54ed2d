// libfuse >= 3.12 loop configuration API (fuse_loop_cfg_*); the rest of objfs
// builds against FUSE_USE_VERSION 35, whose fuse_lowlevel_ops layout is the same.
#undef FUSE_USE_VERSION
#define FUSE_USE_VERSION 312

#include "fs/fuse_mount.h"

#include <fuse_lowlevel.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/log.h"
#include "fs/fs_core.h"
#include "fs/fuse_adapter.h"

extern char** environ;

namespace objfs::fs {
namespace {

// fuse_opt treats ',' as a separator and '\' as an escape.
std::string EscapeOptionValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ',' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Runs fusermount3 with `args` and returns its exit status (-1 when it could
// not be run).
int RunFusermount(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string program = "fusermount3";
  argv.push_back(program.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "fusermount3", nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

}  // namespace

FuseMount::FuseMount(std::shared_ptr<FsCore> core, FuseMountOptions options)
    : core_(std::move(core)), options_(std::move(options)) {}

namespace {

// Writes the mount's readahead into sysfs (see FuseMountOptions::readahead_kb).
// stat() of the mountpoint is answered by the loop, which is running.
void SetReadahead(const std::string& mountpoint, uint32_t kb) {
  struct stat st {};
  if (stat(mountpoint.c_str(), &st) != 0) {
    LOG_DEBUG("readahead: stat " << mountpoint << ": " << std::strerror(errno));
    return;
  }
  const std::string path = "/sys/class/bdi/" + std::to_string(major(st.st_dev)) + ":" +
                           std::to_string(minor(st.st_dev)) + "/read_ahead_kb";
  std::ofstream out(path);
  out << kb << '\n';
  out.flush();
  if (!out) {
    LOG_INFO("kernel readahead stays at its default (cannot write " << path << "); sequential reads use 128 KiB requests");
    return;
  }
  LOG_DEBUG("kernel readahead " << kb << " KiB (" << path << ")");
}

}  // namespace

Result<std::unique_ptr<FuseMount>> FuseMount::Start(std::shared_ptr<FsCore> core, const FuseMountOptions& options) {
  if (!core) return Status(Code::kInvalidArgument, "FuseMount::Start: no filesystem core");
  if (options.mountpoint.empty()) return Status(Code::kInvalidArgument, "FuseMount::Start: empty mountpoint");
  std::unique_ptr<FuseMount> mount(new FuseMount(std::move(core), options));

  std::string mount_opts = "fsname=" + EscapeOptionValue(options.fsname.empty() ? "objfs" : options.fsname) +
                           ",subtype=objfs,default_permissions";
  if (options.max_read > 0) mount_opts += ",max_read=" + std::to_string(options.max_read);
  if (options.allow_other) mount_opts += ",allow_other";
  if (options.read_only) mount_opts += ",ro";

  fuse_args args = FUSE_ARGS_INIT(0, nullptr);
  bool args_ok = fuse_opt_add_arg(&args, "objfs") == 0 && fuse_opt_add_arg(&args, "-o") == 0 &&
                 fuse_opt_add_arg(&args, mount_opts.c_str()) == 0 &&
                 (!options.debug || fuse_opt_add_arg(&args, "-d") == 0);
  if (!args_ok) {
    fuse_opt_free_args(&args);
    return Status(Code::kResourceExhausted, "out of memory building FUSE arguments");
  }
  mount->session_ = fuse_session_new(&args, &FuseOperations(), sizeof(fuse_lowlevel_ops), mount->core_.get());
  fuse_opt_free_args(&args);
  if (mount->session_ == nullptr) {
    return Status(Code::kInvalidArgument, "libfuse rejected the session options '" + mount_opts + "'");
  }
  if (fuse_session_mount(mount->session_, options.mountpoint.c_str()) != 0) {
    fuse_session_destroy(mount->session_);
    mount->session_ = nullptr;
    std::string hint = geteuid() == 0 ? "" : " (as a non-root user, allow_other needs user_allow_other in /etc/fuse.conf)";
    return Status(Code::kUnavailable, "could not mount a FUSE filesystem at " + options.mountpoint +
                                          "; libfuse logged the reason" + (options.allow_other ? hint : ""));
  }
  mount->loop_thread_ = std::thread(&FuseMount::RunLoop, mount.get());
  if (options.readahead_kb > 0) SetReadahead(options.mountpoint, options.readahead_kb);
  LOG_INFO("mounted " << mount->options_.fsname << " at " << options.mountpoint
                      << (options.read_only ? " (read-only)" : ""));
  return mount;
}

FuseMount::~FuseMount() {
  bool done;
  {
    std::lock_guard<std::mutex> lock(unmount_mu_);
    done = unmount_result_.has_value();
  }
  if (!done && session_ != nullptr) {
    Status s = Unmount(UnmountMode::kLazy);
    if (!s.ok()) LOG_ERROR("unmounting " << options_.mountpoint << ": " << s.ToString());
  }
  JoinLoop();
  if (session_ != nullptr) {
    fuse_session_unmount(session_);
    fuse_session_destroy(session_);
    session_ = nullptr;
  }
}

void FuseMount::RunLoop() {
  fuse_loop_config* config = fuse_loop_cfg_create();
  int result = -ENOMEM;
  if (config != nullptr) {
    fuse_loop_cfg_set_clone_fd(config, 1);
    fuse_loop_cfg_set_max_threads(config, static_cast<unsigned>(options_.max_threads > 0 ? options_.max_threads : 32));
    result = fuse_session_loop_mt(session_, config);
    fuse_loop_cfg_destroy(config);
  }
  if (result != 0) LOG_WARN("FUSE loop for " << options_.mountpoint << " ended with " << result);
  {
    std::lock_guard<std::mutex> lock(mu_);
    loop_ended_ = true;
    loop_result_ = result;
    loop_ended_cv_.notify_all();  // under the lock: a waiter may destroy this mount next
  }
}

bool FuseMount::LoopEnded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loop_ended_;
}

void FuseMount::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  loop_ended_cv_.wait(lock, [this] { return loop_ended_; });
}

void FuseMount::JoinLoop() {
  if (loop_thread_.joinable() && loop_thread_.get_id() != std::this_thread::get_id()) loop_thread_.join();
}

Status FuseMount::Detach(bool lazy) {
  const std::string& mp = options_.mountpoint;
  if (geteuid() == 0) {
    int err = umount2(mp.c_str(), UMOUNT_NOFOLLOW | (lazy ? MNT_DETACH : 0)) == 0 ? 0 : errno;
    if (err == EBUSY) {
      return Status(Code::kFailedPrecondition,
                    mp + " is busy: files are open or a process works inside it (close them, or unmount lazily)")
          .WithErrno(EBUSY);
    }
    if (err != 0 && err != EINVAL && err != ENOENT) {
      return Status(Code::kInternal, "umount " + mp + ": " + std::strerror(err)).WithErrno(err);
    }
    // EINVAL/ENOENT: not a mount point any more (someone else unmounted it).
  } else {
    std::vector<std::string> args = {"-u", "-q"};
    if (lazy) args.push_back("-z");
    args.push_back(mp);
    int rc = RunFusermount(args);
    if (rc != 0 && !LoopEnded()) {
      if (rc < 0) return Status(Code::kInternal, "could not run fusermount3 to unmount " + mp);
      return Status(Code::kFailedPrecondition, "fusermount3 -u " + mp + " failed (busy?)").WithErrno(EBUSY);
    }
  }
  if (lazy) return Status::Ok();  // the loop ends when the last user lets go
  // Removing the last reference to the filesystem aborts the FUSE connection,
  // which ends the loop at once. If it does not end, the filesystem is still
  // reachable elsewhere (a bind mount of it): say so instead of waiting forever.
  std::unique_lock<std::mutex> lock(mu_);
  if (!loop_ended_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return loop_ended_; })) {
    return Status(Code::kFailedPrecondition,
                  mp + " is detached, but the filesystem is still mounted elsewhere (bind mounts?); "
                       "its session keeps running until those are unmounted")
        .WithErrno(EBUSY);
  }
  return Status::Ok();
}

Status FuseMount::Unmount(UnmountMode mode) {
  std::lock_guard<std::mutex> lock(unmount_mu_);
  if (unmount_result_.has_value()) return *unmount_result_;
  if (session_ == nullptr) {
    unmount_result_ = Status::Ok();
    return *unmount_result_;
  }

  // Commit while the mount is still live, so a failure can leave it live.
  Status first_sync = core_->SyncAll();
  if (!first_sync.ok()) {
    if (mode == UnmountMode::kGraceful && !LoopEnded()) {
      return first_sync.Annotate("pending writes to " + options_.mountpoint + " could not be committed; still mounted");
    }
    LOG_ERROR("committing pending writes before unmounting " << options_.mountpoint << ": "
                                                             << first_sync.ToString());
  }
  if (!LoopEnded()) {
    Status detached = Detach(mode == UnmountMode::kLazy);
    if (!detached.ok()) return detached;
  }
  JoinLoop();
  // Writes may have raced with the detach; the core is still alive to commit them.
  Status final_sync = core_->SyncAll();
  fuse_session_unmount(session_);
  if (!final_sync.ok()) {
    // Not cached: the caller may retry the commit by calling Unmount() again.
    return final_sync.Annotate("committing pending writes after unmounting " + options_.mountpoint);
  }
  LOG_INFO("unmounted " << options_.mountpoint);
  unmount_result_ = Status::Ok();
  return *unmount_result_;
}

}  // namespace objfs::fs
