#include "csi_harness.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"

namespace objfs::csi::test {
namespace {

std::string RequireEnv(const char* name, const char* hint) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    FAIL(name << " is not set: " << hint);
  }
  return value;
}

std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    if (!(fields >> id >> parent >> devno >> root >> point)) continue;
    if (point.rfind(dir + "/", 0) == 0) mounts.push_back(point);
  }
  return mounts;
}

}  // namespace

std::string TestEndpoint() {
  return RequireEnv("OBJFS_TEST_ENDPOINT",
                    "start the local S3 server with eval \"$(tools/s3server/s3server.sh start)\"");
}

std::string ObjfsBinary() { return RequireEnv("OBJFS_BINARY", "run the suite through meson test"); }

std::map<std::string, std::string> TestSecrets() {
  return {{"accessKeyID", "S3RVER"}, {"secretAccessKey", "S3RVER"}, {"marker", kSecretMarker}};
}

std::shared_ptr<s3::ObjectClient> TestS3Client() {
  s3::ClientConfig config;
  config.endpoint = TestEndpoint();
  config.region = "us-east-1";
  config.addressing = s3::AddressingStyle::kPath;
  config.credentials = s3::StaticCredentials({"S3RVER", "S3RVER", ""});
  auto client = s3::MakeCurlClient(config);
  REQUIRE_MESSAGE(client.ok(), client.status().ToString());
  return std::shared_ptr<s3::ObjectClient>(std::move(*client));
}

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << (rd() & 0xffffff) << "-" << counter++;
  return out.str();
}

TestDir::TestDir() {
  char templ[] = "/tmp/objfs-csi-test.XXXXXX";
  REQUIRE(mkdtemp(templ) != nullptr);
  path_ = templ;
}

TestDir::~TestDir() {
  // Deepest mounts first; lazily, so a busy or dead mount never blocks.
  for (int round = 0; round < 4; ++round) {
    auto mounts = MountsUnder(path_);
    if (mounts.empty()) break;
    for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) {
      if (umount2(it->c_str(), MNT_DETACH) != 0) {
        std::string command = "fusermount3 -u -z '" + *it + "' >/dev/null 2>&1";
        (void)std::system(command.c_str());
      }
    }
  }
  std::string command = "rm -rf '" + path_ + "' >/dev/null 2>&1";
  (void)std::system(command.c_str());
}

PluginProcess::PluginProcess(const TestDir& dir, std::vector<std::string> extra_flags, const std::string& tag) {
  socket_ = dir.Sub(tag + ".sock");
  log_path_ = dir.Sub(tag + ".log");
  argv_ = {ObjfsBinary(),
           "csi",
           "--endpoint=unix://" + socket_,
           "--node-id=test-node",
           "--state-dir=" + dir.Sub(tag + "-state"),
           "--s3-endpoint=" + TestEndpoint(),
           "--log-level=debug",
           "--capacity-poll-seconds=1"};
  for (auto& flag : extra_flags) argv_.push_back(std::move(flag));
  Launch();
}

void PluginProcess::Launch() {
  unlink(socket_.c_str());
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log >= 0) {
      dup2(log, 2);
      dup2(log, 1);
    }
    // The plugin's own credentials, used to re-serve volumes after a restart.
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    std::vector<char*> argv;
    for (auto& arg : argv_) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Bounded wait for startup (the plugin re-mounts staged volumes first):
  // until the socket exists, then one call that waits for the connection.
  struct stat st {};
  for (int attempt = 0; attempt < 1200 && stat(socket_.c_str(), &st) != 0; ++attempt) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("objfs csi exited during startup (status " << status << "); log:\n" << Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  channel_ = grpc::CreateChannel("unix://" + socket_, grpc::InsecureChannelCredentials());
  identity_ = ::csi::v1::Identity::NewStub(channel_);
  controller_ = ::csi::v1::Controller::NewStub(channel_);
  node_ = ::csi::v1::Node::NewStub(channel_);
  group_controller_ = ::csi::v1::GroupController::NewStub(channel_);
  ::csi::v1::GetPluginInfoRequest request;
  ::csi::v1::GetPluginInfoResponse response;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (identity_->GetPluginInfo(&context, request, &response).ok()) return;
  FAIL("objfs csi did not answer on " << socket_ << "; log:\n" << Log());
}

PluginProcess::~PluginProcess() {
  if (pid_ <= 0) return;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    // Died under the test (a crash): its log is the evidence.
    FAIL_CHECK("objfs csi exited unexpectedly (status " << status << "); log:\n" << Log());
    return;
  }
  Stop(SIGKILL);
}

int PluginProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  // Bounded: a graceful stop commits data and may take a while; then force it.
  for (int i = 0; i < 600; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string PluginProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

::csi::v1::VolumeCapability MountCapability(::csi::v1::VolumeCapability::AccessMode::Mode mode,
                                            const std::string& mount_group) {
  ::csi::v1::VolumeCapability capability;
  capability.mutable_mount()->set_volume_mount_group(mount_group);
  capability.mutable_access_mode()->set_mode(mode);
  return capability;
}

::csi::v1::CreateVolumeRequest CreateRequest(const std::string& name, int64_t capacity,
                                             const std::map<std::string, std::string>& parameters) {
  ::csi::v1::CreateVolumeRequest request;
  request.set_name(name);
  if (capacity > 0) request.mutable_capacity_range()->set_required_bytes(capacity);
  *request.add_volume_capabilities() = MountCapability();
  for (const auto& [key, value] : parameters) (*request.mutable_parameters())[key] = value;
  for (const auto& [key, value] : TestSecrets()) (*request.mutable_secrets())[key] = value;
  return request;
}

int WriteFile(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return errno;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      int err = errno;
      close(fd);
      return err;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return errno;
  return 0;
}

int ReadFile(const std::string& path, std::string* data) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return errno;
  data->clear();
  char buffer[65536];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) {
      int err = errno;
      close(fd);
      return err;
    }
    if (n == 0) break;
    data->append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return 0;
}

int FillFile(const std::string& path, uint64_t total, uint64_t* written) {
  *written = 0;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return errno;
  std::string chunk(1 << 20, 'z');
  int error = 0;
  while (*written < total) {
    ssize_t n = write(fd, chunk.data(), std::min<uint64_t>(chunk.size(), total - *written));
    if (n < 0) {
      error = errno;
      break;
    }
    *written += static_cast<uint64_t>(n);
  }
  if (error == 0 && fsync(fd) != 0) error = errno;
  if (close(fd) != 0 && error == 0) error = errno;
  return error;
}

bool IsMounted(const std::string& path) {
  for (const auto& point : MountsUnder(path.substr(0, path.rfind('/')))) {
    if (point == path) return true;
  }
  return false;
}

}  // namespace objfs::csi::test
