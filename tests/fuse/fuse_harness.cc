#include "fuse_harness.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"

extern char** environ;

namespace objfs::fusetest {
namespace {

std::atomic<int> g_counter{0};

std::string Unique(const std::string& stem) {
  return stem + "-" + std::to_string(getpid()) + "-" + std::to_string(g_counter.fetch_add(1));
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Child side of a spawn: never returns.
[[noreturn]] void ExecChild(const std::vector<std::string>& argv, const RunOptions& options, int stdin_fd,
                            int out_fd, int err_fd, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);
  setpgid(0, 0);
  if (stdin_fd >= 0) dup2(stdin_fd, STDIN_FILENO);
  if (out_fd >= 0) dup2(out_fd, STDOUT_FILENO);
  if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
  if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(127);
  for (const auto& name : options.unset_env) unsetenv(name.c_str());
  for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

}  // namespace

void RecordPid(pid_t pid) {
  std::ofstream out(Env().root + "/pids", std::ios::app);
  out << pid << "\n";
}

const TestEnv& Env() {
  static const TestEnv* env = [] {
    auto* e = new TestEnv();
    const char* endpoint = std::getenv("OBJFS_TEST_ENDPOINT");
    const char* binary = std::getenv("OBJFS_BINARY");
    if (endpoint != nullptr) e->endpoint = endpoint;
    if (binary != nullptr) e->binary = binary;
    const char* root = std::getenv("OBJFS_FUSE_TEST_ROOT");
    if (root != nullptr && root[0] == '/') {
      e->root = root;
    } else {
      char tmpl[] = "/tmp/objfs-fuse-test.XXXXXX";
      if (mkdtemp(tmpl) != nullptr) e->root = tmpl;
    }
    return e;
  }();
  if (env->endpoint.empty()) {
    FAIL("OBJFS_TEST_ENDPOINT is not set: start the local S3 server first "
         "(eval \"$(tools/s3server/s3server.sh start)\") or run tools/test-all.sh");
  }
  if (env->binary.empty()) FAIL("OBJFS_BINARY is not set (meson test sets it to the built objfs)");
  if (geteuid() != 0 && access("/dev/fuse", R_OK | W_OK) != 0) FAIL("/dev/fuse is not usable by this user");
  return *env;
}

s3::ObjectClient& S3() {
  static std::unique_ptr<s3::ObjectClient> client;
  if (!client) {
    s3::CredentialSources sources;
    auto provider = s3::ResolveCredentials(sources);
    REQUIRE_MESSAGE(provider.ok(), "no S3 credentials in the environment (AWS_ACCESS_KEY_ID...): ",
                    provider.status().ToString());
    s3::ClientConfig config;
    config.endpoint = Env().endpoint;
    config.region = "us-east-1";
    config.addressing = s3::AddressingStyle::kPath;
    config.credentials = *provider;
    auto made = s3::MakeCurlClient(config);
    REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    client = std::move(*made);
  }
  return *client;
}

std::string NewBucket() {
  std::string name = Unique("fusetest");
  Status s = S3().CreateBucket(name);
  REQUIRE_MESSAGE(s.ok(), "CreateBucket ", name, ": ", s.ToString());
  return name;
}

std::string NewDir(const std::string& name) {
  std::string path = Env().root + "/" + Unique(name);
  REQUIRE_MESSAGE(mkdir(path.c_str(), 0755) == 0, "mkdir ", path, ": ", std::strerror(errno));
  return path;
}

RunResult Run(const std::vector<std::string>& argv, const RunOptions& options) {
  RunResult result;
  std::string base = Env().root + "/" + Unique("run");
  std::string out_path = base + ".out", err_path = base + ".err", in_path = base + ".in";
  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  WriteFile(in_path, options.stdin_text);
  int in_fd = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE((out_fd >= 0 && err_fd >= 0 && in_fd >= 0));
  pid_t parent = getpid();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ExecChild(argv, options, in_fd, out_fd, err_fd, parent);
  close(out_fd);
  close(err_fd);
  close(in_fd);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  int wstatus = 0;
  for (;;) {
    pid_t r = waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  unlink(in_path.c_str());
  if (!result.timed_out && WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  return result;
}

RunResult Shell(const std::string& script, const RunOptions& options) {
  return Run({"/bin/sh", "-c", script}, options);
}

std::string MountedFsType(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mp, opts, f;
    fields >> id >> parent >> dev >> root >> mp >> opts;
    while (fields >> f && f != "-") {
    }
    std::string type, source;
    fields >> type >> source;
    // mountinfo escapes spaces as \040; the harness's paths have none.
    if (mp == path) found = type + " " + source;
  }
  return found;
}

bool IsMounted(const std::string& path) { return !MountedFsType(path).empty(); }

void ForceUnmount(const std::string& path) {
  if (!IsMounted(path)) return;
  RunOptions quick;
  quick.timeout_seconds = 30;
  Run({"fusermount3", "-u", "-z", path}, quick);
  if (IsMounted(path)) Run({"umount", "-l", path}, quick);
}

bool WaitForExit(pid_t pid, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    pid_t r = waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno == ECHILD) {
      // Not our child: watch /proc.
      if (kill(pid, 0) != 0 && errno == ESRCH) return true;
      std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
      size_t paren = stat.rfind(')');
      if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z') return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::unique_ptr<ScopedMount> ScopedMount::Start(const std::string& bucket_spec,
                                                const std::vector<std::string>& extra_args) {
  std::unique_ptr<ScopedMount> m(new ScopedMount());
  m->mountpoint_ = NewDir("mnt");
  m->log_path_ = m->mountpoint_ + ".log";
  std::vector<std::string> argv = {Env().binary, "mount", "--foreground", "--endpoint", Env().endpoint,
                                   "--path-style", "--log-level", "debug"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.push_back(bucket_spec);
  argv.push_back(m->mountpoint_);
  int log_fd = open(m->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(log_fd >= 0);
  pid_t parent = getpid();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ExecChild(argv, RunOptions{}, -1, log_fd, log_fd, parent);
  close(log_fd);
  m->pid_ = pid;
  RecordPid(pid);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    if (MountedFsType(m->mountpoint_).starts_with("fuse.objfs ")) break;
    int wstatus = 0;
    if (waitpid(pid, &wstatus, WNOHANG) == pid) {
      m->exit_status_ = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
      FAIL("objfs mount exited before the mount was live; its log:\n", m->Log());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("objfs mount was not live within 60 s; its log:\n", m->Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  struct stat st {};
  REQUIRE_MESSAGE(stat(m->mountpoint_.c_str(), &st) == 0, "stat of the new mount: ", std::strerror(errno),
                  "\n", m->Log());
  return m;
}

int ScopedMount::Stop() {
  if (exit_status_) return *exit_status_;
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "objfs (pid %d) did not exit within 120 s of SIGTERM; forcing\n", pid_);
      ForceUnmount(mountpoint_);
      kill(pid_, SIGKILL);
      waitpid(pid_, &wstatus, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (IsMounted(mountpoint_)) {
    std::fprintf(stderr, "%s still mounted after objfs exited; lazy unmount\n", mountpoint_.c_str());
    ForceUnmount(mountpoint_);
  }
  exit_status_ = status;
  return status;
}

ScopedMount::~ScopedMount() {
  int status = Stop();
  if (status != 0) {
    std::fprintf(stderr, "objfs at %s exited with %d; its log:\n%s\n", mountpoint_.c_str(), status, Log().c_str());
  }
}

std::string ScopedMount::Log() const { return Slurp(log_path_); }

std::string ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE_MESSAGE(fd >= 0, "open ", path, ": ", std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    REQUIRE_MESSAGE(n >= 0, "read ", path, ": ", std::strerror(errno));
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  REQUIRE(close(fd) == 0);
  return data;
}

void WriteFile(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE_MESSAGE(fd >= 0, "open ", path, ": ", std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    REQUIRE_MESSAGE(n > 0, "write ", path, ": ", std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  REQUIRE_MESSAGE(close(fd) == 0, "close ", path, ": ", std::strerror(errno));
}

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, size - i));
  }
  return out;
}

std::optional<std::string> GetObjectBody(const std::string& bucket, const std::string& key) {
  s3::GetRequest request;
  request.bucket = bucket;
  request.key = key;
  std::string body;
  auto r = S3().GetObject(request, [&](std::string_view chunk) {
    body.append(chunk);
    return Status::Ok();
  });
  if (!r.ok()) {
    REQUIRE_MESSAGE(r.status().code() == Code::kNotFound, "GetObject ", key, ": ", r.status().ToString());
    return std::nullopt;
  }
  return body;
}

std::optional<s3::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) {
  auto r = S3().HeadObject(bucket, key);
  if (!r.ok()) {
    REQUIRE_MESSAGE(r.status().code() == Code::kNotFound, "HeadObject ", key, ": ", r.status().ToString());
    return std::nullopt;
  }
  return *r;
}

void PutObject(const std::string& bucket, const std::string& key, const std::string& body,
               const s3::Metadata& metadata, const std::string& content_type) {
  s3::PutOptions options;
  options.metadata = metadata;
  options.content_type = content_type;
  auto r = S3().PutObject(bucket, key, s3::Body::FromMemory(body), options);
  REQUIRE_MESSAGE(r.ok(), "PutObject ", key, ": ", r.status().ToString());
}

std::vector<std::string> ListKeys(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> keys;
  s3::ListRequest request;
  request.prefix = prefix;
  for (;;) {
    auto page = S3().ListObjects(bucket, request);
    REQUIRE_MESSAGE(page.ok(), "ListObjects: ", page.status().ToString());
    for (const auto& o : page->objects) keys.push_back(o.key);
    if (!page->truncated) break;
    request.continuation_token = page->next_continuation_token;
  }
  return keys;
}

}  // namespace objfs::fusetest
