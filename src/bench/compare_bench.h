// CompareBench: `objfs bench --compare objfs,s3fs,rclone,curl`.
//
// For every selected workload and every system: drop the kernel page cache,
// mount the system fresh (SystemMount), run the workload through the mount,
// check what already reached S3 when the last close() returned, unmount, and
// record the daemon's CPU seconds (rusage at exit minus /proc at mount time)
// and peak RSS. "curl" runs plain curl for seqread (parallel range GETs) and
// seqwrite (multipart with parallel part PUTs) only.
//
// Bucket layout under --prefix P (every system mounts P as its root):
//   P/fixtures/seq-<bytes>.bin       the object seqread and randread read
//   P/fixtures/ls-<N>/f000000...     the directory ls lists (empty objects)
//   P/run-<id>/<system>/...          what the write workloads create
// Fixtures are uploaded with curl, never through a system under test.
// With --latency-ms N every system and curl talk to objfs-latency-proxy,
// which delays each direction by N ms; fixtures and cleanup go direct.
//
// Ownership: owns the proxy process, the scratch directory and each mount for
// the duration of one workload. Thread-safety: one Run at a time.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/bench_options.h"
#include "bench/curl_s3.h"
#include "bench/progress_line.h"
#include "bench/report.h"
#include "bench/subprocess.h"
#include "bench/workload_result.h"

namespace objfs::bench {

class CompareBench {
 public:
  CompareBench(const BenchOptions& options, ProgressLine* progress, const std::atomic<bool>* stop);

  Result<std::vector<WorkloadResult>> Run(RunInfo* info);
  // Deletes the benchmark's objects (unless --keep) and the scratch directory
  // (kept with the daemon logs when something failed); stops the proxy.
  // Call after the results are printed: deleting 10,000 objects takes a while.
  void Cleanup(bool all_ok, RunInfo* info);

 private:
  Status StartProxy(RunInfo* info);
  Status PrepareFixtures(const CurlS3& direct);
  std::vector<WorkloadResult> RunMounted(const std::string& system, WorkloadKind kind);
  WorkloadResult RunCurl(const CurlS3& measured, WorkloadKind kind);

  const BenchOptions& options_;
  ProgressLine* progress_;
  const std::atomic<bool>* stop_;

  S3Credentials credentials_;
  std::string scratch_;        // work_dir/objfs-bench-<pid>
  std::string run_id_;
  std::string measured_endpoint_;  // the proxy when --latency-ms, else the endpoint
  std::string objfs_binary_;
  std::string tar_path_;
  int tar_files_ = 0;
  std::unique_ptr<Subprocess> proxy_;
  std::unique_ptr<CurlS3> direct_;  // fixtures and the "in S3 at close" checks
};

}  // namespace objfs::bench
