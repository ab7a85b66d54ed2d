#include "bench/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace objfs::bench {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Status ErrnoStatus(const std::string& what) {
  return Status(Code::kInternal, what + ": " + std::strerror(errno)).WithErrno(errno);
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

Subprocess::~Subprocess() { Stop(std::chrono::milliseconds(2000)); }

Status Subprocess::Start(const SpawnOptions& options) {
  if (pid_ > 0) return Status(Code::kFailedPrecondition, "subprocess already started");
  if (options.argv.empty()) return Status(Code::kInvalidArgument, "empty argv");

  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  if (options.stdin_data && pipe2(in_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe");
  if (options.stdout_path.empty() && pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe");
  if (options.stderr_path.empty() && pipe2(err_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe");

  // Everything the child needs is prepared before fork (no allocation after it).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    bool overridden = false;
    for (const auto& [key, value] : options.env) {
      if (entry.compare(0, key.size() + 1, key + "=") == 0) overridden = true;
    }
    for (const std::string& key : options.unset_env) {
      if (entry.compare(0, key.size() + 1, key + "=") == 0) overridden = true;
    }
    if (!overridden) env_strings.push_back(entry);
  }
  for (const auto& [key, value] : options.env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_file = -1;
  int err_file = -1;
  if (!options.stdout_path.empty() && options.stdout_path != "-") {
    out_file = open(options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out_file < 0) return ErrnoStatus("open " + options.stdout_path);
  }
  if (!options.stderr_path.empty() && options.stderr_path != "-") {
    err_file = open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (err_file < 0) {
      if (out_file >= 0) close(out_file);
      return ErrnoStatus("open " + options.stderr_path);
    }
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("fork");
  if (pid == 0) {
    setpgid(0, 0);  // own process group: signals to the benchmark do not hit it twice
    dup2(options.stdin_data ? in_pipe[0] : null_fd, STDIN_FILENO);
    if (options.stdout_path.empty()) dup2(out_pipe[1], STDOUT_FILENO);
    else if (out_file >= 0) dup2(out_file, STDOUT_FILENO);
    if (options.stderr_path.empty()) dup2(err_pipe[1], STDERR_FILENO);
    else if (err_file >= 0) dup2(err_file, STDERR_FILENO);
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvpe(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  pid_ = pid;
  exited_ = false;
  out_.clear();
  err_.clear();
  if (null_fd >= 0) close(null_fd);
  if (out_file >= 0) close(out_file);
  if (err_file >= 0) close(err_file);
  if (options.stdin_data) {
    close(in_pipe[0]);
    stdin_fd_ = in_pipe[1];
    SetNonBlocking(stdin_fd_);
    stdin_data_ = *options.stdin_data;
    stdin_written_ = 0;
  }
  if (options.stdout_path.empty()) {
    close(out_pipe[1]);
    stdout_fd_ = out_pipe[0];
    SetNonBlocking(stdout_fd_);
  }
  if (options.stderr_path.empty()) {
    close(err_pipe[1]);
    stderr_fd_ = err_pipe[0];
    SetNonBlocking(stderr_fd_);
  }
  DrainPipes(0);
  return Status::Ok();
}

void Subprocess::DrainPipes(int timeout_ms) {
  pollfd fds[3];
  int n = 0;
  if (stdin_fd_ >= 0) fds[n++] = {stdin_fd_, POLLOUT, 0};
  if (stdout_fd_ >= 0) fds[n++] = {stdout_fd_, POLLIN, 0};
  if (stderr_fd_ >= 0) fds[n++] = {stderr_fd_, POLLIN, 0};
  if (n == 0) {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  if (poll(fds, n, timeout_ms) <= 0) return;
  for (int i = 0; i < n; ++i) {
    if (fds[i].revents == 0) continue;
    if (fds[i].fd == stdin_fd_) {
      while (stdin_written_ < stdin_data_.size()) {
        ssize_t w = write(stdin_fd_, stdin_data_.data() + stdin_written_,
                          stdin_data_.size() - stdin_written_);
        if (w <= 0) break;
        stdin_written_ += static_cast<size_t>(w);
      }
      if (stdin_written_ >= stdin_data_.size() || (fds[i].revents & (POLLERR | POLLHUP))) {
        close(stdin_fd_);
        stdin_fd_ = -1;
      }
      continue;
    }
    std::string& sink = fds[i].fd == stdout_fd_ ? out_ : err_;
    char buf[65536];
    for (;;) {
      ssize_t r = read(fds[i].fd, buf, sizeof(buf));
      if (r > 0) {
        sink.append(buf, static_cast<size_t>(r));
        continue;
      }
      if (r == 0) {
        if (fds[i].fd == stdout_fd_) stdout_fd_ = -1;
        else stderr_fd_ = -1;
        close(fds[i].fd);
      }
      break;
    }
  }
}

bool Subprocess::Exited() {
  if (pid_ <= 0) return true;
  if (exited_) return true;
  DrainPipes(0);
  int status = 0;
  struct rusage usage {};
  pid_t r = wait4(pid_, &status, WNOHANG, &usage);
  if (r == pid_) {
    exited_ = true;
    wait_status_ = status;
    cpu_seconds_ = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                   static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    max_rss_bytes_ = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  }
  return exited_;
}

Result<ExitInfo> Subprocess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return Status(Code::kFailedPrecondition, "no subprocess");
  int64_t deadline = NowMs() + timeout.count();
  while (!Exited()) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return Status(Code::kTimeout, "subprocess did not exit in time");
    DrainPipes(static_cast<int>(left < 20 ? left : 20));
  }
  // Collect what is still buffered in the pipes after exit.
  for (int i = 0; i < 100 && (stdout_fd_ >= 0 || stderr_fd_ >= 0); ++i) DrainPipes(10);
  CloseFds();
  ExitInfo info;
  if (WIFEXITED(wait_status_)) info.exit_code = WEXITSTATUS(wait_status_);
  if (WIFSIGNALED(wait_status_)) info.signal = WTERMSIG(wait_status_);
  info.cpu_seconds = cpu_seconds_;
  info.max_rss_bytes = max_rss_bytes_;
  info.out = std::move(out_);
  info.err = std::move(err_);
  pid_ = -1;
  return info;
}

void Subprocess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  if (!Exited()) {
    kill(pid_, SIGTERM);
    int64_t deadline = NowMs() + grace.count();
    while (!Exited() && NowMs() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!Exited()) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  CloseFds();
  pid_ = -1;
}

void Subprocess::CloseFds() {
  for (int* fd : {&stdin_fd_, &stdout_fd_, &stderr_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

Result<ExitInfo> RunCommand(const SpawnOptions& options, std::chrono::milliseconds timeout) {
  Subprocess process;
  OBJFS_RETURN_IF_ERROR(process.Start(options));
  Result<ExitInfo> info = process.Wait(timeout);
  if (!info.ok()) {
    process.Stop(std::chrono::milliseconds(1000));
    return Status(Code::kTimeout, options.argv[0] + " did not finish within " +
                                      std::to_string(timeout.count() / 1000) + " s");
  }
  return info;
}

std::string DescribeFailure(const std::string& what, const ExitInfo& info) {
  std::string text = what;
  if (info.signal != 0) {
    text += " killed by signal " + std::to_string(info.signal);
  } else {
    text += " exited " + std::to_string(info.exit_code);
  }
  std::string tail = info.err.empty() ? info.out : info.err;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  if (tail.size() > 400) tail = "..." + tail.substr(tail.size() - 400);
  if (!tail.empty()) text += ": " + tail;
  return text;
}

}  // namespace objfs::bench
