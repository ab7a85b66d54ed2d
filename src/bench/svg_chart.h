// SvgChart: a self-contained SVG bar chart of a benchmark run.
//
// One panel per measured quantity (the side-by-side table's rows: throughput,
// times, IOPS, p99, daemon CPU and RSS), each with its own scale, one
// horizontal bar per system in a fixed colour, the value printed at the bar's
// end, and "higher/lower is better" in the panel title. No scripts, no external
// fonts or files: any browser or rsvg-convert renders it.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "bench/report.h"

namespace objfs::bench {

std::string RenderSvgChart(const RunInfo& info, const std::vector<SummaryRow>& rows);

}  // namespace objfs::bench
