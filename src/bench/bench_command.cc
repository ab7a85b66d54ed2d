#include "bench/bench_command.h"

#include <cstdio>
#include <string>

#include "bench/bench_options.h"

namespace objfs::bench {

int RunBenchCommand(int argc, char** argv) {
  Result<BenchOptions> parsed = ParseBenchOptions(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "objfs bench: %s\n", parsed.status().message().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(BenchUsage().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "objfs bench: workloads are not built yet\n");
  return 1;
}

}  // namespace objfs::bench
