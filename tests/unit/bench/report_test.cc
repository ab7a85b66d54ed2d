#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bench/report.h"
#include "bench/svg_chart.h"

using namespace objfs::bench;

namespace {

WorkloadResult Make(const std::string& workload, const std::string& system, double seconds,
                    uint64_t bytes, uint64_t ops) {
  WorkloadResult r;
  r.workload = workload;
  r.system = system;
  r.ok = true;
  r.seconds = seconds;
  r.bytes = bytes;
  r.ops = ops;
  r.cache_dropped = true;
  return r;
}

std::vector<WorkloadResult> Sample() {
  std::vector<WorkloadResult> results;
  results.push_back(Make("seqread", "objfs", 2.0, 1ull << 30, 1));
  results.push_back(Make("seqread", "s3fs", 8.0, 1ull << 30, 1));
  results.push_back(Make("seqread", "curl", 1.8, 1ull << 30, 1));
  results.back().daemon_cpu_seconds = 0.5;
  results.push_back(Make("ls_cold", "objfs", 1.0, 0, 10000));
  results.back().daemon_cpu_seconds = 0.25;
  results.back().daemon_peak_rss_bytes = 64ull << 20;
  results.push_back(Make("ls_cold", "s3fs", 5.0, 0, 10000));
  WorkloadResult failed;
  failed.workload = "untar";
  failed.system = "s3fs";
  failed.error = "mount failed: \"quoted\"\nline";
  results.push_back(failed);
  return results;
}

}  // namespace

TEST_CASE("summary rows hold one value per system, NaN where not measured") {
  std::vector<std::string> systems = {"objfs", "s3fs", "curl"};
  std::vector<SummaryRow> rows = Summarize(Sample(), systems);
  REQUIRE(rows.size() >= 3);
  CHECK(rows[0].label == "seqread MiB/s");
  CHECK(rows[0].higher_is_better);
  REQUIRE(rows[0].values.size() == 3);
  CHECK(rows[0].values[0] == doctest::Approx(512.0));
  CHECK(rows[0].values[1] == doctest::Approx(128.0));
  bool found_ls = false;
  for (const SummaryRow& row : rows) {
    if (row.label == "ls_cold s") {
      found_ls = true;
      CHECK_FALSE(row.higher_is_better);
      CHECK(row.values[0] == doctest::Approx(1.0));
      CHECK(std::isnan(row.values[2]));
    }
  }
  CHECK(found_ls);
}

TEST_CASE("table shows the ratio against s3fs and failures") {
  RunInfo info;
  info.mode = "compare";
  info.target = "t";
  info.systems = {"objfs", "s3fs", "curl"};
  std::string table = FormatTable(info, Sample());
  CHECK(table.find("objfs/s3fs") != std::string::npos);
  CHECK(table.find("4.00x") != std::string::npos);  // seqread 512 vs 128
  CHECK(table.find("5.00x") != std::string::npos);  // ls_cold 1 s vs 5 s
  CHECK(table.find("FAILED: mount failed") != std::string::npos);
}

TEST_CASE("JSON escapes strings and reports failures") {
  RunInfo info;
  info.mode = "compare";
  info.target = "t";
  info.systems = {"objfs", "s3fs"};
  BenchOptions options;
  std::string json = FormatJson(info, options, Sample());
  CHECK(json.find("\"ok\": false") != std::string::npos);
  CHECK(json.find("mount failed: \\\"quoted\\\"\\nline") != std::string::npos);
  CHECK(json.find("\"mib_per_second\": 512") != std::string::npos);
  CHECK(json.find("\"daemon_peak_rss_bytes\": 67108864") != std::string::npos);
  CHECK(json.find("nan") == std::string::npos);
}

TEST_CASE("the SVG is self-contained and labels every system and row") {
  RunInfo info;
  info.target = "a<b>&c";
  info.systems = {"objfs", "s3fs", "curl"};
  std::vector<SummaryRow> rows = Summarize(Sample(), info.systems);
  std::string svg = RenderSvgChart(info, rows);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("a&lt;b&gt;&amp;c") != std::string::npos);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);
  for (const SummaryRow& row : rows) CHECK(svg.find(row.label) != std::string::npos);
  CHECK(svg.find(">objfs<") != std::string::npos);
  CHECK(svg.find(">s3fs<") != std::string::npos);
  CHECK(svg.find("not measured") != std::string::npos);
}

TEST_CASE("writes that were not in S3 at close() are marked") {
  std::vector<WorkloadResult> results;
  results.push_back(Make("seqwrite", "rclone", 1.0, 1ull << 20, 1));
  results.back().note = "in S3 when close() returned: 0/1; after unmount: 1/1";
  results.push_back(Make("seqwrite", "s3fs", 2.0, 1ull << 20, 1));
  results.back().note = "in S3 when close() returned: 1/1";
  CHECK(NotDurableAtClose(results[0]));
  CHECK_FALSE(NotDurableAtClose(results[1]));
  RunInfo info;
  info.systems = {"rclone", "s3fs"};
  std::string table = FormatTable(info, results);
  CHECK(table.find("1.00*") != std::string::npos);
  CHECK(table.find("0.50*") == std::string::npos);
  std::string svg = RenderSvgChart(info, Summarize(results, info.systems));
  CHECK(svg.find("before the data was in S3") != std::string::npos);
}
