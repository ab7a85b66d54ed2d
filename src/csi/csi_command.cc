#include "csi/csi_command.h"

#include <cstdio>
#include <string>
#include <vector>

#include "base/log.h"
#include "csi/csi_options.h"

namespace objfs::csi {

int RunCsiCommand(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  auto options = ParseCsiOptions(args);
  if (!options.ok()) {
    std::fprintf(stderr, "objfs csi: %s\n\n%s", options.status().message().c_str(), CsiUsage().c_str());
    return 2;
  }
  if (options->show_help) {
    std::fputs(CsiUsage().c_str(), stdout);
    return 0;
  }
  if (options->show_version) {
    std::printf("objfs csi %s\n", OBJFS_VERSION);
    return 0;
  }
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(options->log_level, &level);
  SetLogLevel(level);
  std::fprintf(stderr, "objfs csi: the plugin server is not built into this binary yet\n");
  return 1;
}

}  // namespace objfs::csi
