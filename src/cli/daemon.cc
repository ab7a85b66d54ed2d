#include "cli/daemon.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace objfs::cli {
namespace {

// The parent's side: wait for the child's one message and exit accordingly.
[[noreturn]] void ParentWait(int read_fd, pid_t child, const std::string& log_path) {
  std::string message;
  char buf[4096];
  for (;;) {
    ssize_t n = read(read_fd, buf, sizeof(buf));
    if (n > 0) {
      message.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(read_fd);
  if (message.starts_with("OK")) _exit(0);
  if (message.starts_with("ERR ")) {
    std::fprintf(stderr, "objfs: %s\n", message.c_str() + 4);
    _exit(1);
  }
  int wstatus = 0;
  std::string how = "exited";
  if (waitpid(child, &wstatus, WNOHANG) == child && WIFSIGNALED(wstatus)) {
    how = std::string("was killed by signal ") + std::to_string(WTERMSIG(wstatus));
  }
  std::fprintf(stderr, "objfs: the mount process %s during startup; see %s\n", how.c_str(), log_path.c_str());
  _exit(1);
}

}  // namespace

Result<Daemon> Daemon::Daemonize(int log_fd, const std::string& log_path) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status(Code::kInternal, std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status(Code::kInternal, std::string("fork: ") + std::strerror(errno));
  }
  if (pid > 0) {
    close(fds[1]);
    ParentWait(fds[0], pid, log_path);
  }
  close(fds[0]);
  if (setsid() < 0) return Status(Code::kInternal, std::string("setsid: ") + std::strerror(errno));
  if (chdir("/") != 0) return Status(Code::kInternal, std::string("chdir /: ") + std::strerror(errno));
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    close(null_fd);
  }
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  return Daemon(fds[1]);
}

Daemon::Daemon(Daemon&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

Daemon::~Daemon() {
  if (fd_ >= 0) close(fd_);
}

void Daemon::Send(const std::string& text) {
  if (fd_ < 0) return;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd_);
  fd_ = -1;
}

void Daemon::ReportReady() { Send("OK\n"); }

void Daemon::ReportFailure(const std::string& message) { Send("ERR " + message); }

}  // namespace objfs::cli
