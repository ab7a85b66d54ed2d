// Test harness for the CSI suite: runs the real `objfs csi` binary
// ($OBJFS_BINARY) on a unix socket in a fresh temp directory against the local
// S3 server ($OBJFS_TEST_ENDPOINT), and talks to it through the generated gRPC
// stubs.
//
// Cleanup is unconditional: every path a test may mount is registered with the
// TestDir, whose destructor lazily unmounts (umount2 MNT_DETACH, then
// fusermount3 -u -z) everything under it, stops plugin processes and removes
// the directory — also when an assertion failed half-way.
//
// Thread-safety: one harness per test case; the stubs may be used from
// several threads (gRPC stubs are thread-safe).
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "csi.grpc.pb.h"
#include "s3/object_client.h"

namespace objfs::csi::test {

// $OBJFS_TEST_ENDPOINT, or fails the test with a message saying how to set it.
std::string TestEndpoint();
// $OBJFS_BINARY, or fails the test.
std::string ObjfsBinary();

// Secrets that sign for s3rver, plus a marker value that must never be logged.
std::map<std::string, std::string> TestSecrets();
inline constexpr char kSecretMarker[] = "never-log-this-7f3a9c";

// An S3 client on the test endpoint, for checking what the plugin did.
std::shared_ptr<s3::ObjectClient> TestS3Client();

// A unique lower-case suffix for names in this run.
std::string UniqueSuffix();

class TestDir {
 public:
  TestDir();
  ~TestDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class PluginProcess {
 public:
  // Starts `objfs csi` with the socket and state under `dir`; extra flags
  // are appended. Waits (bounded) until the socket answers GetPluginInfo.
  PluginProcess(const TestDir& dir, std::vector<std::string> extra_flags = {}, const std::string& tag = "plugin");
  ~PluginProcess();

  // SIGTERM (graceful) or SIGKILL; waits for the process to exit.
  // Returns the exit status as waitpid reports it.
  int Stop(int signal);
  bool running() const { return pid_ > 0; }
  std::string Log() const;  // everything the plugin wrote to stderr

  ::csi::v1::Identity::Stub& identity() { return *identity_; }
  ::csi::v1::Controller::Stub& controller() { return *controller_; }
  ::csi::v1::Node::Stub& node() { return *node_; }
  ::csi::v1::GroupController::Stub& group_controller() { return *group_controller_; }

 private:
  void Launch();

  std::string socket_;
  std::string log_path_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::csi::v1::Identity::Stub> identity_;
  std::unique_ptr<::csi::v1::Controller::Stub> controller_;
  std::unique_ptr<::csi::v1::Node::Stub> node_;
  std::unique_ptr<::csi::v1::GroupController::Stub> group_controller_;
};

// Request builders.
::csi::v1::VolumeCapability MountCapability(
    ::csi::v1::VolumeCapability::AccessMode::Mode mode = ::csi::v1::VolumeCapability::AccessMode::MULTI_NODE_MULTI_WRITER,
    const std::string& mount_group = "");
::csi::v1::CreateVolumeRequest CreateRequest(const std::string& name, int64_t capacity,
                                             const std::map<std::string, std::string>& parameters);

// Runs a unary call with a 120 s deadline.
template <typename Stub, typename Req, typename Resp>
grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                  const Req& request, Resp* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return (stub.*method)(&context, request, response);
}

// File helpers over POSIX calls; they return errno (0 on success).
int WriteFile(const std::string& path, const std::string& data);
int ReadFile(const std::string& path, std::string* data);
// Writes `chunk`-sized blocks until `total` bytes are written or an error;
// returns the first errno seen by write/fsync/close (0 if none) and the bytes
// the kernel accepted.
int FillFile(const std::string& path, uint64_t total, uint64_t* written);
bool IsMounted(const std::string& path);

}  // namespace objfs::csi::test
