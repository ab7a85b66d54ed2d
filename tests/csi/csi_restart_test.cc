// Failure handling: the plugin killed between stage and publish re-serves the
// staged volume when it starts again; a graceful restart renews the bind
// mounts pods hold; a mount whose filesystem went away is reported ABNORMAL
// and mounted again by the next stage / publish.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "csi_harness.h"

namespace objfs::csi::test {
namespace {

using Controller = ::csi::v1::Controller::Stub;
using Node = ::csi::v1::Node::Stub;

struct Volume {
  std::string id;
  google::protobuf::Map<std::string, std::string> context;
};

Volume Create(PluginProcess& plugin, const std::string& name) {
  auto request = CreateRequest(name, 64 << 20,
                               {{"provisioningMode", "prefix"}, {"bucket", "objfs-csi-shared"},
                                {"addressingStyle", "path"}});
  ::csi::v1::CreateVolumeResponse response;
  grpc::Status status = Call(plugin.controller(), &Controller::CreateVolume, request, &response);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  return {response.volume().volume_id(), response.volume().volume_context()};
}

grpc::Status Stage(PluginProcess& plugin, const Volume& volume, const std::string& staging, bool secrets = true) {
  ::csi::v1::NodeStageVolumeRequest request;
  request.set_volume_id(volume.id);
  request.set_staging_target_path(staging);
  *request.mutable_volume_capability() = MountCapability();
  *request.mutable_volume_context() = volume.context;
  if (secrets) {
    for (const auto& [key, value] : TestSecrets()) (*request.mutable_secrets())[key] = value;
  }
  ::csi::v1::NodeStageVolumeResponse response;
  return Call(plugin.node(), &Node::NodeStageVolume, request, &response);
}

grpc::Status Publish(PluginProcess& plugin, const Volume& volume, const std::string& staging,
                     const std::string& target) {
  ::csi::v1::NodePublishVolumeRequest request;
  request.set_volume_id(volume.id);
  request.set_staging_target_path(staging);
  request.set_target_path(target);
  *request.mutable_volume_capability() = MountCapability();
  *request.mutable_volume_context() = volume.context;
  ::csi::v1::NodePublishVolumeResponse response;
  return Call(plugin.node(), &Node::NodePublishVolume, request, &response);
}

void Cleanup(PluginProcess& plugin, const Volume& volume, const std::string& staging,
             const std::vector<std::string>& targets) {
  for (const auto& target : targets) {
    ::csi::v1::NodeUnpublishVolumeRequest request;
    request.set_volume_id(volume.id);
    request.set_target_path(target);
    ::csi::v1::NodeUnpublishVolumeResponse response;
    grpc::Status status = Call(plugin.node(), &Node::NodeUnpublishVolume, request, &response);
    CHECK_MESSAGE(status.ok(), status.error_message() << "\n" << plugin.Log());
  }
  ::csi::v1::NodeUnstageVolumeRequest unstage;
  unstage.set_volume_id(volume.id);
  unstage.set_staging_target_path(staging);
  ::csi::v1::NodeUnstageVolumeResponse unstaged;
  grpc::Status status = Call(plugin.node(), &Node::NodeUnstageVolume, unstage, &unstaged);
  CHECK_MESSAGE(status.ok(), status.error_message());
  ::csi::v1::DeleteVolumeRequest remove;
  remove.set_volume_id(volume.id);
  ::csi::v1::DeleteVolumeResponse removed;
  status = Call(plugin.controller(), &Controller::DeleteVolume, remove, &removed);
  CHECK_MESSAGE(status.ok(), status.error_message());
}

bool Abnormal(PluginProcess& plugin, const Volume& volume, const std::string& path) {
  ::csi::v1::NodeGetVolumeStatsRequest request;
  request.set_volume_id(volume.id);
  request.set_volume_path(path);
  ::csi::v1::NodeGetVolumeStatsResponse response;
  grpc::Status status = Call(plugin.node(), &Node::NodeGetVolumeStats, request, &response);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  return response.volume_condition().abnormal();
}

}  // namespace

TEST_CASE("plugin killed between stage and publish re-serves the volume") {
  TestDir dir;
  const std::string staging = dir.Sub("staging");
  const std::string target = dir.Sub("pod/volume");
  Volume volume;
  {
    PluginProcess plugin(dir);
    volume = Create(plugin, "pvc-restart-" + UniqueSuffix());
    grpc::Status status = Stage(plugin, volume, staging);
    REQUIRE_MESSAGE(status.ok(), status.error_message() << "\n" << plugin.Log());
    REQUIRE(WriteFile(staging + "/before.txt", "written before the restart\n") == 0);
    plugin.Stop(SIGKILL);
  }
  struct stat st {};
  CHECK(stat(staging.c_str(), &st) != 0);  // the dead mount answers ENOTCONN
  CHECK(errno == ENOTCONN);

  PluginProcess plugin(dir);  // same state directory: re-stages at startup
  CHECK(IsMounted(staging));
  CHECK_FALSE(Abnormal(plugin, volume, staging));
  grpc::Status status = Publish(plugin, volume, staging, target);
  REQUIRE_MESSAGE(status.ok(), status.error_message() << "\n" << plugin.Log());
  std::string text;
  REQUIRE(ReadFile(target + "/before.txt", &text) == 0);
  CHECK(text == "written before the restart\n");
  CHECK(WriteFile(target + "/after.txt", "after\n") == 0);
  // A repeated stage (kubelet retry) of the re-served volume is OK.
  CHECK(Stage(plugin, volume, staging).ok());
  Cleanup(plugin, volume, staging, {target});
}

TEST_CASE("graceful restart with a published volume renews the bind mount") {
  TestDir dir;
  const std::string staging = dir.Sub("staging");
  const std::string target = dir.Sub("pod/volume");
  Volume volume;
  {
    PluginProcess plugin(dir);
    volume = Create(plugin, "pvc-graceful-" + UniqueSuffix());
    REQUIRE(Stage(plugin, volume, staging).ok());
    REQUIRE(Publish(plugin, volume, staging, target).ok());
    REQUIRE(WriteFile(target + "/kept.txt", "committed at shutdown\n") == 0);
    int status = plugin.Stop(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  PluginProcess plugin(dir);
  std::string text;
  REQUIRE(ReadFile(target + "/kept.txt", &text) == 0);  // the target works again
  CHECK(text == "committed at shutdown\n");
  CHECK_FALSE(Abnormal(plugin, volume, target));
  Cleanup(plugin, volume, staging, {target});
}

TEST_CASE("a mount that went away is ABNORMAL and mounted again by stage and publish") {
  TestDir dir;
  PluginProcess plugin(dir);
  const std::string staging = dir.Sub("staging");
  const std::string target = dir.Sub("pod/volume");
  Volume volume = Create(plugin, "pvc-dead-" + UniqueSuffix());
  REQUIRE(Stage(plugin, volume, staging).ok());
  REQUIRE(WriteFile(staging + "/file.txt", "still here\n") == 0);

  // Someone unmounts the filesystem behind the plugin's back.
  REQUIRE(umount2(staging.c_str(), MNT_DETACH) == 0);
  CHECK(Abnormal(plugin, volume, staging));
  grpc::Status status = Stage(plugin, volume, staging, /*secrets=*/false);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(IsMounted(staging));
  CHECK_FALSE(Abnormal(plugin, volume, staging));

  REQUIRE(Publish(plugin, volume, staging, target).ok());
  REQUIRE(umount2(staging.c_str(), MNT_DETACH) == 0);  // the pod's bind mount stays
  status = Publish(plugin, volume, staging, target);    // kubelet retry: remounts
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(IsMounted(staging));
  std::string text;
  REQUIRE(ReadFile(target + "/file.txt", &text) == 0);
  CHECK(text == "still here\n");
  Cleanup(plugin, volume, staging, {target});
}

}  // namespace objfs::csi::test
