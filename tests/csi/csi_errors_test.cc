// Every error case of the CSI spec that objfs answers: missing fields, unknown
// volumes, incompatible repeats, unsupported capabilities, unimplemented RPCs,
// and ABORTED while another call on the same volume is in flight.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "csi_harness.h"

namespace objfs::csi::test {
namespace {

using AccessMode = ::csi::v1::VolumeCapability::AccessMode;
using Controller = ::csi::v1::Controller::Stub;
using Node = ::csi::v1::Node::Stub;

// A TCP endpoint that accepts connections and never answers: a call that
// reaches S3 through it stays in flight until Close().
class BlackHole {
 public:
  BlackHole() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listener_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~BlackHole() { Close(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Blocks until a client connected (the call is in flight).
  void WaitForConnection() {
    int fd = accept(listener_, nullptr, nullptr);
    REQUIRE(fd >= 0);
    accepted_.push_back(fd);
  }
  void Close() {
    for (int fd : accepted_) close(fd);
    accepted_.clear();
    if (listener_ >= 0) close(listener_);
    listener_ = -1;
  }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::vector<int> accepted_;
};

template <typename Resp, typename Req, typename Stub>
grpc::StatusCode Code(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                      const Req& request) {
  Resp response;
  return Call(stub, method, request, &response).error_code();
}

}  // namespace

TEST_CASE("identity: info, capabilities, probe") {
  TestDir dir;
  PluginProcess plugin(dir, {"--driver-name=test.objfs.io"});
  ::csi::v1::GetPluginInfoResponse info;
  REQUIRE(Call(plugin.identity(), &::csi::v1::Identity::Stub::GetPluginInfo, {}, &info).ok());
  CHECK(info.name() == "test.objfs.io");
  CHECK_FALSE(info.vendor_version().empty());

  ::csi::v1::GetPluginCapabilitiesResponse caps;
  REQUIRE(Call(plugin.identity(), &::csi::v1::Identity::Stub::GetPluginCapabilities, {}, &caps).ok());
  bool controller = false, online = false;
  for (const auto& cap : caps.capabilities()) {
    if (cap.has_service() && cap.service().type() == ::csi::v1::PluginCapability::Service::CONTROLLER_SERVICE) {
      controller = true;
    }
    if (cap.has_volume_expansion() &&
        cap.volume_expansion().type() == ::csi::v1::PluginCapability::VolumeExpansion::ONLINE) {
      online = true;
    }
  }
  CHECK(controller);
  CHECK(online);
  CHECK(caps.capabilities_size() == 2);

  ::csi::v1::ProbeResponse probe;
  REQUIRE(Call(plugin.identity(), &::csi::v1::Identity::Stub::Probe, {}, &probe).ok());
  CHECK(probe.ready().value());

  // Not ready while the S3 endpoint does not answer (nothing listens on it).
  int port = 0;
  {
    BlackHole unused;  // reserve a free port, then close it so connections are refused
    port = std::stoi(unused.url().substr(unused.url().rfind(':') + 1));
  }
  PluginProcess offline(dir, {"--mode=controller", "--s3-endpoint=http://127.0.0.1:" + std::to_string(port)},
                        "offline");
  REQUIRE(Call(offline.identity(), &::csi::v1::Identity::Stub::Probe, {}, &probe).ok());
  CHECK(probe.has_ready());
  CHECK_FALSE(probe.ready().value());
}

TEST_CASE("capabilities advertised and everything else UNIMPLEMENTED") {
  TestDir dir;
  PluginProcess plugin(dir);
  ::csi::v1::ControllerGetCapabilitiesResponse controller_caps;
  REQUIRE(Call(plugin.controller(), &Controller::ControllerGetCapabilities, {}, &controller_caps).ok());
  std::set<int> types;
  for (const auto& cap : controller_caps.capabilities()) types.insert(cap.rpc().type());
  CHECK(types == std::set<int>{::csi::v1::ControllerServiceCapability::RPC::CREATE_DELETE_VOLUME,
                               ::csi::v1::ControllerServiceCapability::RPC::EXPAND_VOLUME});

  ::csi::v1::NodeGetCapabilitiesResponse node_caps;
  REQUIRE(Call(plugin.node(), &Node::NodeGetCapabilities, {}, &node_caps).ok());
  types.clear();
  for (const auto& cap : node_caps.capabilities()) types.insert(cap.rpc().type());
  CHECK(types == std::set<int>{::csi::v1::NodeServiceCapability::RPC::STAGE_UNSTAGE_VOLUME,
                               ::csi::v1::NodeServiceCapability::RPC::GET_VOLUME_STATS,
                               ::csi::v1::NodeServiceCapability::RPC::VOLUME_CONDITION,
                               ::csi::v1::NodeServiceCapability::RPC::VOLUME_MOUNT_GROUP});

  ::csi::v1::NodeGetInfoResponse info;
  REQUIRE(Call(plugin.node(), &Node::NodeGetInfo, {}, &info).ok());
  CHECK(info.node_id() == "test-node");

  const auto unimplemented = grpc::StatusCode::UNIMPLEMENTED;
  CHECK(Code<::csi::v1::ControllerPublishVolumeResponse>(plugin.controller(), &Controller::ControllerPublishVolume,
                                                         {}) == unimplemented);
  CHECK(Code<::csi::v1::ControllerUnpublishVolumeResponse>(
            plugin.controller(), &Controller::ControllerUnpublishVolume, {}) == unimplemented);
  CHECK(Code<::csi::v1::ListVolumesResponse>(plugin.controller(), &Controller::ListVolumes, {}) == unimplemented);
  CHECK(Code<::csi::v1::GetCapacityResponse>(plugin.controller(), &Controller::GetCapacity, {}) == unimplemented);
  CHECK(Code<::csi::v1::CreateSnapshotResponse>(plugin.controller(), &Controller::CreateSnapshot, {}) ==
        unimplemented);
  CHECK(Code<::csi::v1::DeleteSnapshotResponse>(plugin.controller(), &Controller::DeleteSnapshot, {}) ==
        unimplemented);
  CHECK(Code<::csi::v1::ListSnapshotsResponse>(plugin.controller(), &Controller::ListSnapshots, {}) ==
        unimplemented);
  CHECK(Code<::csi::v1::ControllerGetVolumeResponse>(plugin.controller(), &Controller::ControllerGetVolume, {}) ==
        unimplemented);
  CHECK(Code<::csi::v1::ControllerModifyVolumeResponse>(plugin.controller(), &Controller::ControllerModifyVolume,
                                                        {}) == unimplemented);
  CHECK(Code<::csi::v1::NodeExpandVolumeResponse>(plugin.node(), &Node::NodeExpandVolume, {}) == unimplemented);
  CHECK(Code<::csi::v1::GroupControllerGetCapabilitiesResponse>(
            plugin.group_controller(), &::csi::v1::GroupController::Stub::GroupControllerGetCapabilities, {}) ==
        unimplemented);
}

TEST_CASE("controller errors") {
  TestDir dir;
  PluginProcess plugin(dir);
  const std::map<std::string, std::string> params = {{"addressingStyle", "path"}};
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;

  SUBCASE("CreateVolume arguments") {
    auto request = CreateRequest("", 1 << 20, params);
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest(std::string(129, 'n'), 1 << 20, params);
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-nocaps", 1 << 20, params);
    request.clear_volume_capabilities();
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-block", 1 << 20, params);
    request.mutable_volume_capabilities(0)->mutable_block();
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-nomode", 1 << 20, params);
    request.mutable_volume_capabilities(0)->clear_access_mode();
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-typo", 1 << 20, {{"bukcet", "x"}});
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-prefix-nobucket", 1 << 20, {{"provisioningMode", "prefix"}});
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-clone", 1 << 20, params);
    request.mutable_volume_content_source()->mutable_volume()->set_volume_id("other");
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) == invalid);
    request = CreateRequest("pvc-range", 4 << 20, params);
    request.mutable_capacity_range()->set_limit_bytes(1 << 20);
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) ==
          grpc::StatusCode::OUT_OF_RANGE);
  }

  SUBCASE("a 128-byte name gets a valid derived bucket; ALREADY_EXISTS for another capacity") {
    std::string name = "pvc-" + UniqueSuffix() + "-";
    name += std::string(128 - name.size(), 'L');
    auto request = CreateRequest(name, 1 << 20, params);
    ::csi::v1::CreateVolumeResponse created;
    grpc::Status status = Call(plugin.controller(), &Controller::CreateVolume, request, &created);
    REQUIRE_MESSAGE(status.ok(), status.error_message());
    const std::string bucket = created.volume().volume_context().at("bucket");
    CHECK(bucket.size() <= 63);
    CHECK(TestS3Client()->HeadBucket(bucket).ok());
    auto other = CreateRequest(name, 2 << 20, params);
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, other) ==
          grpc::StatusCode::ALREADY_EXISTS);
    ::csi::v1::DeleteVolumeRequest remove;
    remove.set_volume_id(created.volume().volume_id());
    for (const auto& [key, value] : TestSecrets()) (*remove.mutable_secrets())[key] = value;
    CHECK(Code<::csi::v1::DeleteVolumeResponse>(plugin.controller(), &Controller::DeleteVolume, remove) ==
          grpc::StatusCode::OK);
    CHECK(TestS3Client()->HeadBucket(bucket).code() == objfs::Code::kNotFound);
  }

  SUBCASE("DeleteVolume: INVALID_ARGUMENT without id, OK for unknown volumes") {
    ::csi::v1::DeleteVolumeRequest remove;
    CHECK(Code<::csi::v1::DeleteVolumeResponse>(plugin.controller(), &Controller::DeleteVolume, remove) == invalid);
    remove.set_volume_id("not-an-objfs-volume");
    CHECK(Code<::csi::v1::DeleteVolumeResponse>(plugin.controller(), &Controller::DeleteVolume, remove) ==
          grpc::StatusCode::OK);
    remove.set_volume_id("v1|b||objfs-never-created-" + UniqueSuffix() + "||us-east-1|" + TestEndpoint());
    CHECK(Code<::csi::v1::DeleteVolumeResponse>(plugin.controller(), &Controller::DeleteVolume, remove) ==
          grpc::StatusCode::OK);
  }

  SUBCASE("ControllerExpandVolume and ValidateVolumeCapabilities") {
    ::csi::v1::ControllerExpandVolumeRequest expand;
    expand.mutable_capacity_range()->set_required_bytes(1 << 20);
    CHECK(Code<::csi::v1::ControllerExpandVolumeResponse>(plugin.controller(), &Controller::ControllerExpandVolume,
                                                          expand) == invalid);
    expand.set_volume_id("not-an-objfs-volume");
    CHECK(Code<::csi::v1::ControllerExpandVolumeResponse>(plugin.controller(), &Controller::ControllerExpandVolume,
                                                          expand) == grpc::StatusCode::NOT_FOUND);
    expand.set_volume_id("v1|b||objfs-never-created-" + UniqueSuffix() + "||us-east-1|" + TestEndpoint());
    CHECK(Code<::csi::v1::ControllerExpandVolumeResponse>(plugin.controller(), &Controller::ControllerExpandVolume,
                                                          expand) == grpc::StatusCode::NOT_FOUND);
    expand.clear_capacity_range();
    CHECK(Code<::csi::v1::ControllerExpandVolumeResponse>(plugin.controller(), &Controller::ControllerExpandVolume,
                                                          expand) == invalid);

    ::csi::v1::ValidateVolumeCapabilitiesRequest validate;
    *validate.add_volume_capabilities() = MountCapability();
    CHECK(Code<::csi::v1::ValidateVolumeCapabilitiesResponse>(
              plugin.controller(), &Controller::ValidateVolumeCapabilities, validate) == invalid);
    validate.set_volume_id("not-an-objfs-volume");
    CHECK(Code<::csi::v1::ValidateVolumeCapabilitiesResponse>(
              plugin.controller(), &Controller::ValidateVolumeCapabilities, validate) == grpc::StatusCode::NOT_FOUND);

    auto request = CreateRequest("pvc-validate-" + UniqueSuffix(), 1 << 20, params);
    ::csi::v1::CreateVolumeResponse created;
    REQUIRE(Call(plugin.controller(), &Controller::CreateVolume, request, &created).ok());
    validate.set_volume_id(created.volume().volume_id());
    validate.clear_volume_capabilities();
    CHECK(Code<::csi::v1::ValidateVolumeCapabilitiesResponse>(
              plugin.controller(), &Controller::ValidateVolumeCapabilities, validate) == invalid);
    *validate.add_volume_capabilities() = MountCapability(AccessMode::SINGLE_NODE_READER_ONLY);
    ::csi::v1::ValidateVolumeCapabilitiesResponse answer;
    REQUIRE(Call(plugin.controller(), &Controller::ValidateVolumeCapabilities, validate, &answer).ok());
    CHECK(answer.has_confirmed());
    validate.add_volume_capabilities()->mutable_block();
    validate.mutable_volume_capabilities(1)->mutable_access_mode()->set_mode(AccessMode::SINGLE_NODE_WRITER);
    answer.Clear();
    REQUIRE(Call(plugin.controller(), &Controller::ValidateVolumeCapabilities, validate, &answer).ok());
    CHECK_FALSE(answer.has_confirmed());
    CHECK_FALSE(answer.message().empty());
    ::csi::v1::DeleteVolumeRequest remove;
    remove.set_volume_id(created.volume().volume_id());
    CHECK(Code<::csi::v1::DeleteVolumeResponse>(plugin.controller(), &Controller::DeleteVolume, remove) ==
          grpc::StatusCode::OK);
  }
}

TEST_CASE("node errors") {
  TestDir dir;
  PluginProcess plugin(dir);
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  const std::string staging = dir.Sub("staging");
  const std::string target = dir.Sub("target");
  const std::string unknown_id = "v1|b||objfs-never-created-" + UniqueSuffix() + "||us-east-1|" + TestEndpoint();

  ::csi::v1::NodeStageVolumeRequest stage;
  stage.set_staging_target_path(staging);
  *stage.mutable_volume_capability() = MountCapability();
  CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) == invalid);
  stage.set_volume_id(unknown_id);
  stage.clear_staging_target_path();
  CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) == invalid);
  stage.set_staging_target_path(staging);
  stage.clear_volume_capability();
  CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) == invalid);
  stage.mutable_volume_capability()->mutable_block();
  stage.mutable_volume_capability()->mutable_access_mode()->set_mode(AccessMode::SINGLE_NODE_WRITER);
  CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) == invalid);
  *stage.mutable_volume_capability() = MountCapability();
  CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) ==
        grpc::StatusCode::NOT_FOUND);
  stage.set_volume_id("not-an-objfs-volume");
  CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) ==
        grpc::StatusCode::NOT_FOUND);
  CHECK_FALSE(IsMounted(staging));

  ::csi::v1::NodePublishVolumeRequest publish;
  publish.set_volume_id(unknown_id);
  publish.set_staging_target_path(staging);
  *publish.mutable_volume_capability() = MountCapability();
  CHECK(Code<::csi::v1::NodePublishVolumeResponse>(plugin.node(), &Node::NodePublishVolume, publish) == invalid);
  publish.set_target_path(target);
  CHECK(Code<::csi::v1::NodePublishVolumeResponse>(plugin.node(), &Node::NodePublishVolume, publish) ==
        grpc::StatusCode::FAILED_PRECONDITION);
  publish.clear_staging_target_path();
  CHECK(Code<::csi::v1::NodePublishVolumeResponse>(plugin.node(), &Node::NodePublishVolume, publish) == invalid);

  ::csi::v1::NodeUnpublishVolumeRequest unpublish;
  unpublish.set_target_path(target);
  CHECK(Code<::csi::v1::NodeUnpublishVolumeResponse>(plugin.node(), &Node::NodeUnpublishVolume, unpublish) ==
        invalid);
  unpublish.set_volume_id(unknown_id);
  CHECK(Code<::csi::v1::NodeUnpublishVolumeResponse>(plugin.node(), &Node::NodeUnpublishVolume, unpublish) ==
        grpc::StatusCode::NOT_FOUND);

  ::csi::v1::NodeUnstageVolumeRequest unstage;
  unstage.set_volume_id(unknown_id);
  CHECK(Code<::csi::v1::NodeUnstageVolumeResponse>(plugin.node(), &Node::NodeUnstageVolume, unstage) == invalid);

  ::csi::v1::NodeGetVolumeStatsRequest stats;
  stats.set_volume_id(unknown_id);
  CHECK(Code<::csi::v1::NodeGetVolumeStatsResponse>(plugin.node(), &Node::NodeGetVolumeStats, stats) == invalid);
  stats.set_volume_path(staging);
  CHECK(Code<::csi::v1::NodeGetVolumeStatsResponse>(plugin.node(), &Node::NodeGetVolumeStats, stats) ==
        grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("ABORTED while an operation on the same volume is in flight") {
  TestDir dir;
  PluginProcess plugin(dir);

  SUBCASE("CreateVolume with the same name") {
    BlackHole hole;
    auto request = CreateRequest("pvc-inflight-" + UniqueSuffix(), 1 << 20, {{"endpoint", hole.url()}});
    auto first = std::async(std::launch::async, [&] {
      ::csi::v1::CreateVolumeResponse response;
      return Call(plugin.controller(), &Controller::CreateVolume, request, &response).error_code();
    });
    hole.WaitForConnection();  // the first call holds the name's lock now
    CHECK(Code<::csi::v1::CreateVolumeResponse>(plugin.controller(), &Controller::CreateVolume, request) ==
          grpc::StatusCode::ABORTED);
    hole.Close();
    CHECK(first.get() != grpc::StatusCode::OK);
  }

  SUBCASE("NodeStageVolume and NodePublishVolume of one volume") {
    BlackHole hole;
    const std::string volume_id = "static-inflight-" + UniqueSuffix();
    ::csi::v1::NodeStageVolumeRequest stage;
    stage.set_volume_id(volume_id);
    stage.set_staging_target_path(dir.Sub("staging"));
    *stage.mutable_volume_capability() = MountCapability();
    (*stage.mutable_volume_context())["bucket"] = "some-bucket";
    (*stage.mutable_volume_context())["endpoint"] = hole.url();
    auto first = std::async(std::launch::async, [&] {
      ::csi::v1::NodeStageVolumeResponse response;
      return Call(plugin.node(), &Node::NodeStageVolume, stage, &response).error_code();
    });
    hole.WaitForConnection();
    ::csi::v1::NodePublishVolumeRequest publish;
    publish.set_volume_id(volume_id);
    publish.set_staging_target_path(dir.Sub("staging"));
    publish.set_target_path(dir.Sub("target"));
    *publish.mutable_volume_capability() = MountCapability();
    CHECK(Code<::csi::v1::NodePublishVolumeResponse>(plugin.node(), &Node::NodePublishVolume, publish) ==
          grpc::StatusCode::ABORTED);
    CHECK(Code<::csi::v1::NodeStageVolumeResponse>(plugin.node(), &Node::NodeStageVolume, stage) ==
          grpc::StatusCode::ABORTED);
    hole.Close();
    CHECK(first.get() != grpc::StatusCode::OK);
    CHECK_FALSE(IsMounted(dir.Sub("staging")));
  }
}

}  // namespace objfs::csi::test
