#include "bench/bench_command.h"

#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <cstdio>
#include <ctime>
#include <string>

#include "bench/bench_options.h"
#include "bench/compare_bench.h"
#include "bench/page_cache.h"
#include "bench/path_bench.h"
#include "bench/progress_line.h"
#include "bench/report.h"
#include "bench/svg_chart.h"
#include "bench/workload_runner.h"

namespace objfs::bench {
namespace {

// Set by SIGINT/SIGTERM so the run stops between steps and still unmounts.
// A signal handler can reach nothing else, hence this one process-wide flag.
std::atomic<bool> g_stop_requested{false};

void OnStopSignal(int) { g_stop_requested.store(true); }

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// The first three fields of /proc/loadavg ("1.02 0.80 0.55"), or "?".
std::string LoadAverage() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return "?";
  double a = 0, b = 0, c = 0;
  int n = std::fscanf(f, "%lf %lf %lf", &a, &b, &c);
  std::fclose(f);
  if (n != 3) return "?";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f %.2f %.2f", a, b, c);
  return buf;
}

RunInfo BaseRunInfo(const BenchOptions& options) {
  RunInfo info;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  info.started_utc = buf;
  utsname uts{};
  if (uname(&uts) == 0) info.kernel = uts.release;
  info.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  if (options.compare_mode()) {
    info.mode = "compare";
    info.target = options.endpoint + " bucket " + options.bucket;
    if (options.latency_ms > 0) info.target += ", +" + std::to_string(options.latency_ms) + " ms each way";
  } else {
    info.mode = "path";
    info.target = options.path;
  }
  info.target += ", " + FormatBytes(options.size_bytes) + " seq";
  return info;
}

}  // namespace

int RunBenchCommand(int argc, char** argv) {
  Result<BenchOptions> parsed = ParseBenchOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "objfs bench: %s\n", parsed.status().message().c_str());
    return 2;
  }
  const BenchOptions& options = *parsed;
  if (options.help) {
    std::fputs(BenchUsage().c_str(), stdout);
    return 0;
  }
  InstallStopHandlers();
  RunInfo info = BaseRunInfo(options);
  ProgressLine progress;

  if (options.drop_caches) {
    Status dropped = DropPageCache();
    info.cache_drop_works = dropped.ok();
    if (!dropped.ok()) {
      info.notes.push_back("kernel page cache could NOT be dropped (" + dropped.message() +
                           "): cold phases may be warm");
      progress.Message("warning: cannot drop the page cache: " + dropped.message());
    }
  } else {
    info.notes.push_back("--no-drop-caches: cold phases may be warm");
  }

  std::string load_at_start = LoadAverage();
  Result<std::vector<WorkloadResult>> results = Status(Code::kInternal, "not run");
  std::unique_ptr<CompareBench> compare;
  if (options.compare_mode()) {
    compare = std::make_unique<CompareBench>(options, &progress, &g_stop_requested);
    results = compare->Run(&info);
  } else {
    PathBench bench(options, &progress);
    results = bench.Run(&info);
  }
  progress.Finish();
  if (!results.ok()) {
    std::fprintf(stderr, "objfs bench: %s\n", results.status().ToString().c_str());
    if (compare) {
      compare->Cleanup(false, &info);
      for (const std::string& note : info.notes) progress.Message(note);
    }
    return 1;
  }

  int exit_code = 0;
  for (const WorkloadResult& r : *results) {
    if (!r.ok) exit_code = 1;
  }
  info.notes.push_back("load average (1/5/15 min) at start " + load_at_start + ", at end " +
                       LoadAverage() + " on " + std::to_string(info.cpus) + " CPUs");
  if (compare) {
    // Cleanup notes (kept logs) belong in the report; object deletion comes after it.
    if (exit_code != 0 && !options.keep) {
      info.notes.push_back("daemon logs are kept under " + options.work_dir + "/objfs-bench-" +
                           std::to_string(getpid()));
    }
  }
  std::fputs(FormatTable(info, *results).c_str(), stdout);
  std::fflush(stdout);
  if (!options.json_path.empty()) {
    Status written = WriteTextFile(options.json_path, FormatJson(info, options, *results));
    if (!written.ok()) {
      std::fprintf(stderr, "objfs bench: %s\n", written.message().c_str());
      exit_code = 1;
    }
  }
  if (!options.svg_path.empty()) {
    Status written =
        WriteTextFile(options.svg_path, RenderSvgChart(info, Summarize(*results, info.systems)));
    if (!written.ok()) {
      std::fprintf(stderr, "objfs bench: %s\n", written.message().c_str());
      exit_code = 1;
    }
  }
  if (compare) {
    RunInfo cleanup_info;
    compare->Cleanup(exit_code == 0, &cleanup_info);
    for (const std::string& note : cleanup_info.notes) progress.Message(note);
    progress.Finish();
  }
  if (g_stop_requested.load()) exit_code = 130;
  return exit_code;
}

}  // namespace objfs::bench
