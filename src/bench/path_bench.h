// PathBench: `objfs bench PATH`, the workloads on one already-mounted directory.
//
// Works on any directory. Files go to PATH/objfs-bench-<pid>/ (removed at the
// end unless --keep). Fixtures a workload needs (the big file for seqread and
// randread, the N-entry directory for ls) are created through PATH itself,
// untimed. Before cold phases the kernel page cache is dropped when possible;
// the FUSE daemon's own caches cannot be dropped from outside, which the
// results note. When PATH is on a FUSE mount whose daemon can be identified,
// its CPU seconds (delta over the workload) and VmHWM are recorded.
//
// Ownership: borrows options and progress for the duration of Run.
// Thread-safety: one Run at a time.
#pragma once

#include <vector>

#include "base/status.h"
#include "bench/bench_options.h"
#include "bench/progress_line.h"
#include "bench/report.h"
#include "bench/workload_result.h"

namespace objfs::bench {

class PathBench {
 public:
  PathBench(const BenchOptions& options, ProgressLine* progress);

  // Runs every selected workload; failures are recorded in the results.
  Result<std::vector<WorkloadResult>> Run(RunInfo* info);

 private:
  const BenchOptions& options_;
  ProgressLine* progress_;
};

}  // namespace objfs::bench
