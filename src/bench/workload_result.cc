#include "bench/workload_result.h"

namespace objfs::bench {

Headline HeadlineOf(const WorkloadResult& result) {
  const std::string& w = result.workload;
  if (w == "seqread" || w == "seqwrite") return {result.MiBPerSecond(), "MiB/s", true};
  if (w == "smallfiles" || w == "untar") return {result.OpsPerSecond(), "files/s", true};
  if (w == "randread") return {result.OpsPerSecond(), "IOPS", true};
  if (w == "randread_p99") return {result.p99_ms, "ms", false};
  if (w == "ls_cold" || w == "ls_warm") return {result.seconds, "s", false};
  return {result.seconds, "s", false};
}

}  // namespace objfs::bench
