// Report: turns WorkloadResults into the text table, JSON and the comparison summary.
//
// The side-by-side table has one row per measured quantity (seqread MiB/s,
// ls_cold seconds, randread IOPS and p99, ...) and one column per system, then
// the daemon's CPU seconds and peak RSS per workload. The details table lists
// every result with its notes. JSON carries everything, for scripts.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "bench/bench_options.h"
#include "bench/workload_result.h"

namespace objfs::bench {

struct RunInfo {
  std::string mode;        // "path" or "compare"
  std::string target;      // PATH, or endpoint + bucket
  std::string started_utc; // ISO 8601
  std::string kernel;      // uname -r
  int cpus = 0;
  bool cache_drop_works = false;
  std::vector<std::string> systems;  // column order
  std::vector<std::string> notes;
};

// One row of the side-by-side table: a quantity and its value per system.
struct SummaryRow {
  std::string label;   // "seqread MiB/s"
  std::string workload;
  std::string metric;  // "headline", "p99", "cpu", "rss"
  bool higher_is_better = true;
  std::vector<double> values;  // per system, NaN when missing
  // Per system: true when the data was not in S3 yet when close() returned
  // (the number then measures writing to a local cache, not to S3).
  std::vector<bool> not_durable;
};

// True when `result` recorded that fewer objects were in S3 at close() than written.
bool NotDurableAtClose(const WorkloadResult& result);

std::vector<SummaryRow> Summarize(const std::vector<WorkloadResult>& results,
                                  const std::vector<std::string>& systems);

std::string FormatTable(const RunInfo& info, const std::vector<WorkloadResult>& results);
std::string FormatJson(const RunInfo& info, const BenchOptions& options,
                       const std::vector<WorkloadResult>& results);
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace objfs::bench
