// WorkloadResult: what one workload measured on one system.
//
// A plain value filled by WorkloadRunner (timings), by the compare driver
// (daemon CPU and peak RSS, mount notes) and read by the report and the chart.
// `workload` is a row name: the workload name, or "ls_cold" / "ls_warm".
//
// Thread-safety: a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace objfs::bench {

struct WorkloadResult {
  std::string workload;  // "seqread", "seqwrite", "smallfiles", "ls_cold", "ls_warm", "randread", "untar"
  std::string system;    // "objfs", "s3fs", "rclone", "curl", or the PATH's file system type

  bool ok = false;
  std::string error;     // why it failed, when !ok

  double seconds = 0;    // wall time of the timed part
  uint64_t bytes = 0;    // bytes read or written in the timed part
  uint64_t ops = 0;      // files created, entries listed, reads done
  double p50_ms = 0;     // per-operation latency (randread)
  double p99_ms = 0;

  bool cache_dropped = false;  // the kernel page cache was dropped right before
  std::optional<double> daemon_cpu_seconds;     // utime+stime of the FUSE daemon
  std::optional<uint64_t> daemon_peak_rss_bytes;
  std::optional<double> unmount_seconds;        // time the unmount took (pending uploads)
  std::string note;

  double MiBPerSecond() const {
    return seconds > 0 ? static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds : 0;
  }
  double OpsPerSecond() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
};

// The one number a row is judged by, its unit, and which direction is better.
struct Headline {
  double value = 0;
  const char* unit = "";
  bool higher_is_better = true;
};
Headline HeadlineOf(const WorkloadResult& result);

}  // namespace objfs::bench
