// Process statistics from /proc for the FUSE daemon behind a mount.
//
// CPU seconds are utime+stime from /proc/PID/stat (field 14 and 15, in clock
// ticks); peak RSS is VmHWM from /proc/PID/status. FindFuseDaemon finds the
// process serving a mount point: among processes that hold /dev/fuse open, the
// one whose command line names the mount point (or the only one, when just one
// holds /dev/fuse). The parse functions are pure so they are unit-tested on
// fixed text.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace objfs::bench {

struct ProcessStats {
  double cpu_seconds = 0;      // user + system
  uint64_t peak_rss_bytes = 0; // VmHWM
  uint64_t rss_bytes = 0;      // VmRSS
};

// Parses the text of /proc/PID/stat; the command name may contain spaces and ')'.
Result<double> ParseCpuSecondsFromStat(std::string_view stat_text, long ticks_per_second);
// Parses "VmHWM:" / "VmRSS:" lines (kB) from the text of /proc/PID/status.
Result<ProcessStats> ParseMemoryFromStatus(std::string_view status_text);

Result<ProcessStats> ReadProcessStats(pid_t pid);

// The pid of the FUSE daemon serving `mount_point`.
Result<pid_t> FindFuseDaemon(const std::string& mount_point);

// True when `path` is a mount point listed in /proc/self/mountinfo.
bool IsMountPoint(const std::string& path);
struct MountInfo {
  std::string mount_point;
  std::string fs_type;  // "fuse.s3fs", "fuse.rclone", "ext4", ...
};
// The mount holding `path` (the longest mount point that contains it).
MountInfo MountOf(const std::string& path);

}  // namespace objfs::bench
