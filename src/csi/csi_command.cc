#include "csi/csi_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/log.h"
#include "csi/csi_options.h"
#include "csi/csi_plugin.h"

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

  // Block the termination signals before any thread exists so every thread
  // inherits the mask and only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  bool left_running = false;
  {
    CsiPlugin plugin(*options);
    Status started = plugin.Start();
    if (!started.ok()) {
      LOG_ERROR("objfs csi: " << started.ToString());
      left_running = plugin.Shutdown();
      if (left_running) _exit(1);
      return 1;
    }
    int received = 0;
    sigwait(&signals, &received);
    LOG_INFO("objfs csi: signal " << received << ", shutting down");
    left_running = plugin.Shutdown();
    if (left_running) {
      // Mounts pods still use keep their session threads until the process
      // ends; returning would run destructors those threads depend on.
      LOG_INFO("objfs csi: exiting with mounts in use (they end with the process)");
      std::fflush(nullptr);
      _exit(0);
    }
  }
  return 0;
}

}  // namespace objfs::csi
