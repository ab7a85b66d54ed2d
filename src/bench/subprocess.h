// Subprocess: one child process started with fork/exec, owned by this object.
//
// The benchmark starts FUSE daemons (s3fs, rclone, objfs mount), curl, tar,
// fusermount3 and the latency proxy as children. A Subprocess owns its pid:
// the destructor sends SIGTERM, waits a moment, then SIGKILL, and reaps it, so
// no child outlives the benchmark by accident. stdin can be fed from a string
// (written by a helper thread so large inputs cannot deadlock) and stdout /
// stderr can go to a file or be captured.
//
// Thread-safety: one thread uses a Subprocess at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace objfs::bench {

struct SpawnOptions {
  std::vector<std::string> argv;                            // argv[0] is looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;     // added to / overriding the environment
  std::vector<std::string> unset_env;                       // removed from the environment
  std::optional<std::string> stdin_data;                    // else stdin is /dev/null
  std::string stdout_path;  // empty: captured (see Wait); "-": inherited
  std::string stderr_path;  // empty: captured; "-": inherited
  std::string cwd;          // empty: unchanged
};

struct ExitInfo {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;     // captured stdout (when captured)
  std::string err;     // captured stderr (when captured)
  double cpu_seconds = 0;       // user + system time of the child (wait4 rusage)
  uint64_t max_rss_bytes = 0;   // its peak resident set size
  bool ok() const { return exit_code == 0; }
};

class Subprocess {
 public:
  Subprocess() = default;
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  Status Start(const SpawnOptions& options);

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // True once the child has exited (reaps it; Wait then returns at once).
  bool Exited();
  // Waits for exit, up to `timeout`. Timeout -> kTimeout and the child keeps running.
  Result<ExitInfo> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; always reaps.
  void Stop(std::chrono::milliseconds grace);

 private:
  void DrainPipes(int timeout_ms);
  void CloseFds();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdin_data_;
  size_t stdin_written_ = 0;
  bool exited_ = false;
  int wait_status_ = 0;
  double cpu_seconds_ = 0;
  uint64_t max_rss_bytes_ = 0;
  std::string out_;
  std::string err_;
};

// Runs a command to completion (capturing output unless redirected), killing it
// after `timeout`. A non-zero exit is not an error here: check ExitInfo.
Result<ExitInfo> RunCommand(const SpawnOptions& options, std::chrono::milliseconds timeout);

// One line describing a failed command for error messages: "curl exited 22: <stderr tail>".
std::string DescribeFailure(const std::string& what, const ExitInfo& info);

}  // namespace objfs::bench
