// Daemon: turns `objfs mount` into a background process that reports back.
//
// Daemonize() forks. The parent blocks on a readiness pipe and exits: 0 when
// the child reports the mount live, 1 with the child's error message on
// stderr when it reports a failure (or dies before reporting). The child
// becomes a session leader in "/", with stdin on /dev/null and stdout/stderr on
// the log file, and returns a Daemon through which it reports exactly once.
//
// Call Daemonize() before any thread exists (fork keeps only the caller's
// thread).
//
// Ownership: Daemon owns the write end of the pipe (closed by Report*() or the
// destructor; a destructor close without a report reads as "exited during
// startup" in the parent).
//
// Thread-safety: not thread-safe; used by the main thread during startup.
#pragma once

#include <string>

#include "base/status.h"

namespace objfs::cli {

class Daemon {
 public:
  // In the child: returns the Daemon. The parent never returns from this call.
  // `log_fd` becomes the child's stdout and stderr; `log_path` is quoted in
  // the parent's message when the child dies without a word.
  static Result<Daemon> Daemonize(int log_fd, const std::string& log_path);

  Daemon(Daemon&& other) noexcept;
  Daemon& operator=(Daemon&&) = delete;
  ~Daemon();

  void ReportReady();
  void ReportFailure(const std::string& message);

 private:
  explicit Daemon(int fd) : fd_(fd) {}
  void Send(const std::string& text);

  int fd_ = -1;
};

}  // namespace objfs::cli
