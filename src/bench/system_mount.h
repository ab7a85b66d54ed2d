// SystemMount: one FUSE mount of objfs, s3fs or rclone, started and owned here.
//
// Each system runs as a foreground child process, so the child is the FUSE
// daemon: its CPU seconds and peak RSS come from /proc while mounted and from
// wait4() rusage once it exits (that includes work it does after unmount, such
// as uploads still pending). Start() returns when the mount point shows up in
// /proc/self/mountinfo. The destructor always unmounts: fusermount3 -u, retried,
// then lazy (-uz), then the daemon is stopped (SIGTERM, SIGKILL).
//
//   objfs:  <objfs> mount --foreground --endpoint URL --region R --path-style BUCKET/PREFIX MNT
//   s3fs:   s3fs BUCKET:/PREFIX MNT -f -o url=URL,use_path_request_style,passwd_file=F,endpoint=R
//   rclone: rclone mount objfsbench:BUCKET/PREFIX MNT --vfs-cache-mode writes
//           (the S3 remote is configured through RCLONE_CONFIG_OBJFSBENCH_* env vars)
//
// Ownership: owns the daemon process, its log file and the mount.
// Thread-safety: one thread at a time.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/curl_s3.h"
#include "bench/process_stats.h"
#include "bench/subprocess.h"

namespace objfs::bench {

struct MountConfig {
  std::string system;    // "objfs", "s3fs" or "rclone"
  std::string endpoint;  // http://127.0.0.1:PORT
  std::string bucket;
  std::string prefix;    // key prefix the mount is rooted at ("" or ending in '/')
  std::string region = "us-east-1";
  S3Credentials credentials;
  std::string scratch_dir;   // passwd file, daemon logs
  // rclone's VFS cache directory; fresh per mount so files a previous mount
  // left un-uploaded are not uploaded during a later workload.
  std::string cache_dir;
  std::string objfs_binary;  // for system "objfs"
  std::vector<std::string> extra_args;
  double timeout_seconds = 30;
};

struct UnmountReport {
  double unmount_seconds = 0;  // fusermount3 -u until the daemon exited
  double cpu_seconds = 0;      // daemon's total utime+stime (rusage)
  uint64_t peak_rss_bytes = 0; // daemon's peak RSS (rusage ru_maxrss)
  bool lazy = false;           // needed fusermount3 -uz
};

class SystemMount {
 public:
  static Result<std::unique_ptr<SystemMount>> Start(const MountConfig& config,
                                                    const std::string& mount_point);
  ~SystemMount();
  SystemMount(const SystemMount&) = delete;
  SystemMount& operator=(const SystemMount&) = delete;

  pid_t daemon_pid() const { return process_.pid(); }
  const std::string& mount_point() const { return mount_point_; }
  const std::string& log_path() const { return log_path_; }

  // Current CPU seconds and RSS of the daemon.
  Result<ProcessStats> Stats() const;
  // Unmounts and waits for the daemon to exit.
  Result<UnmountReport> Unmount();

  // The argv and environment used to start `config.system` (exposed for tests and --help).
  static Result<SpawnOptions> CommandFor(const MountConfig& config, const std::string& mount_point);

 private:
  SystemMount() = default;

  Subprocess process_;
  std::string mount_point_;
  std::string log_path_;
  bool mounted_ = false;
};

// Runs fusermount3 -u on `mount_point`, retrying, then -uz. Ok when it is no longer mounted.
Status ForceUnmount(const std::string& mount_point, bool* lazy);

}  // namespace objfs::bench
