// The whole volume lifecycle through the real plugin with real mounts, in both
// provisioning modes: create, stage, publish to two "pods" (plus a read-only
// one), write through one and read through the other, fill to capacity
// (ENOSPC), expand online, stats, unpublish, unstage, delete.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "csi_harness.h"

namespace objfs::csi::test {
namespace {

using AccessMode = ::csi::v1::VolumeCapability::AccessMode;
constexpr int64_t kMiB = 1 << 20;

int64_t BytesTotal(const ::csi::v1::NodeGetVolumeStatsResponse& stats) {
  for (const auto& usage : stats.usage()) {
    if (usage.unit() == ::csi::v1::VolumeUsage::BYTES) return usage.total();
  }
  return -1;
}

int64_t BytesUsed(const ::csi::v1::NodeGetVolumeStatsResponse& stats) {
  for (const auto& usage : stats.usage()) {
    if (usage.unit() == ::csi::v1::VolumeUsage::BYTES) return usage.used();
  }
  return -1;
}

::csi::v1::NodeGetVolumeStatsResponse Stats(PluginProcess& plugin, const std::string& volume_id,
                                            const std::string& path) {
  ::csi::v1::NodeGetVolumeStatsRequest request;
  request.set_volume_id(volume_id);
  request.set_volume_path(path);
  ::csi::v1::NodeGetVolumeStatsResponse response;
  grpc::Status status = Call(plugin.node(), &::csi::v1::Node::Stub::NodeGetVolumeStats, request, &response);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  return response;
}

grpc::Status Publish(PluginProcess& plugin, const std::string& volume_id, const std::string& staging,
                     const std::string& target, bool read_only, const std::string& mount_group = "") {
  ::csi::v1::NodePublishVolumeRequest request;
  request.set_volume_id(volume_id);
  request.set_staging_target_path(staging);
  request.set_target_path(target);
  request.set_readonly(read_only);
  *request.mutable_volume_capability() = MountCapability(AccessMode::MULTI_NODE_MULTI_WRITER, mount_group);
  ::csi::v1::NodePublishVolumeResponse response;
  return Call(plugin.node(), &::csi::v1::Node::Stub::NodePublishVolume, request, &response);
}

grpc::Status Unpublish(PluginProcess& plugin, const std::string& volume_id, const std::string& target) {
  ::csi::v1::NodeUnpublishVolumeRequest request;
  request.set_volume_id(volume_id);
  request.set_target_path(target);
  ::csi::v1::NodeUnpublishVolumeResponse response;
  return Call(plugin.node(), &::csi::v1::Node::Stub::NodeUnpublishVolume, request, &response);
}

grpc::Status Stage(PluginProcess& plugin, const std::string& volume_id, const std::string& staging,
                   const google::protobuf::Map<std::string, std::string>& context, const std::string& mount_group) {
  ::csi::v1::NodeStageVolumeRequest request;
  request.set_volume_id(volume_id);
  request.set_staging_target_path(staging);
  *request.mutable_volume_capability() = MountCapability(AccessMode::MULTI_NODE_MULTI_WRITER, mount_group);
  *request.mutable_volume_context() = context;
  for (const auto& [key, value] : TestSecrets()) (*request.mutable_secrets())[key] = value;
  ::csi::v1::NodeStageVolumeResponse response;
  return Call(plugin.node(), &::csi::v1::Node::Stub::NodeStageVolume, request, &response);
}

grpc::Status Unstage(PluginProcess& plugin, const std::string& volume_id, const std::string& staging) {
  ::csi::v1::NodeUnstageVolumeRequest request;
  request.set_volume_id(volume_id);
  request.set_staging_target_path(staging);
  ::csi::v1::NodeUnstageVolumeResponse response;
  return Call(plugin.node(), &::csi::v1::Node::Stub::NodeUnstageVolume, request, &response);
}

void RunLifecycle(const std::map<std::string, std::string>& parameters, const std::string& name) {
  TestDir dir;
  PluginProcess plugin(dir);
  auto s3 = TestS3Client();
  const int64_t capacity = 8 * kMiB;

  // --- create (and idempotent retry; same name with another capacity) ---
  ::csi::v1::CreateVolumeResponse created;
  auto create = CreateRequest(name, capacity, parameters);
  grpc::Status status = Call(plugin.controller(), &::csi::v1::Controller::Stub::CreateVolume, create, &created);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  const std::string volume_id = created.volume().volume_id();
  CHECK(created.volume().capacity_bytes() == capacity);
  CHECK(volume_id.size() <= 128);
  const auto& context = created.volume().volume_context();
  const std::string bucket = context.at("bucket");
  const std::string prefix = context.count("prefix") ? context.at("prefix") : "";
  CHECK(s3->HeadBucket(bucket).ok());

  ::csi::v1::CreateVolumeResponse again;
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::CreateVolume, create, &again);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(again.volume().volume_id() == volume_id);
  CHECK(again.volume().capacity_bytes() == capacity);

  auto bigger = CreateRequest(name, 2 * capacity, parameters);
  ::csi::v1::CreateVolumeResponse conflict;
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::CreateVolume, bigger, &conflict);
  CHECK(status.error_code() == grpc::StatusCode::ALREADY_EXISTS);

  // --- stage (twice: idempotent), with a volume mount group ---
  const std::string staging = dir.Sub("staging");
  status = Stage(plugin, volume_id, staging, context, "2345");
  REQUIRE_MESSAGE(status.ok(), status.error_message() << "\n" << plugin.Log());
  CHECK(IsMounted(staging));
  status = Stage(plugin, volume_id, staging, context, "2345");
  CHECK_MESSAGE(status.ok(), status.error_message());

  // --- publish to two pods and one read-only pod ---
  const std::string pod_a = dir.Sub("pods/a/volume");
  const std::string pod_b = dir.Sub("pods/b/volume");
  const std::string pod_ro = dir.Sub("pods/ro/volume");
  REQUIRE(Publish(plugin, volume_id, staging, pod_a, false, "2345").ok());
  REQUIRE(Publish(plugin, volume_id, staging, pod_b, false, "2345").ok());
  REQUIRE(Publish(plugin, volume_id, staging, pod_ro, true, "2345").ok());
  CHECK(Publish(plugin, volume_id, staging, pod_a, false, "2345").ok());  // idempotent
  CHECK(Publish(plugin, volume_id, staging, pod_a, true, "2345").error_code() ==
        grpc::StatusCode::ALREADY_EXISTS);
  CHECK(IsMounted(pod_a));
  CHECK(IsMounted(pod_b));
  CHECK(IsMounted(pod_ro));

  // Written by another S3 client before the pods look (a lookup caches what
  // it lists for the metadata TTL).
  REQUIRE(s3->PutObject(bucket, prefix + "external.txt", s3::Body::FromMemory("from s3\n"), {}).ok());

  // --- write through one pod, read through the others ---
  const std::string hello = "hello from pod a\n";
  REQUIRE(WriteFile(pod_a + "/hello.txt", hello) == 0);
  std::string read_back;
  REQUIRE(ReadFile(pod_b + "/hello.txt", &read_back) == 0);
  CHECK(read_back == hello);
  REQUIRE(ReadFile(pod_ro + "/hello.txt", &read_back) == 0);
  CHECK(read_back == hello);
  CHECK(WriteFile(pod_ro + "/nope.txt", "x") == EROFS);
  CHECK(access((pod_b + "/nope.txt").c_str(), F_OK) != 0);

  // Objects without objfs metadata get the volume mount group as their group.
  struct stat st {};
  REQUIRE(stat((pod_b + "/external.txt").c_str(), &st) == 0);
  CHECK(st.st_gid == 2345u);

  // The capacity record is not a file inside the volume.
  std::string listing;
  for (const char* entry : {".objfs-volumes", ".objfs-volume", "objfs-volume-records"}) {
    CHECK(access((pod_a + "/" + entry).c_str(), F_OK) != 0);
  }

  // --- stats and statfs show the capacity and the use ---
  auto stats = Stats(plugin, volume_id, pod_a);
  CHECK(BytesTotal(stats) == capacity);
  CHECK(BytesUsed(stats) >= static_cast<int64_t>(hello.size()));
  CHECK_FALSE(stats.volume_condition().abnormal());
  struct statvfs sv {};
  REQUIRE(statvfs(pod_b.c_str(), &sv) == 0);
  CHECK(static_cast<int64_t>(sv.f_blocks * sv.f_frsize) == capacity);

  // --- fill to capacity: ENOSPC, never more than the capacity accepted ---
  uint64_t written = 0;
  int error = FillFile(pod_a + "/fill.bin", 3 * capacity, &written);
  CHECK(error == ENOSPC);
  CHECK(written <= static_cast<uint64_t>(capacity));
  CHECK(written >= static_cast<uint64_t>(capacity - 2 * kMiB));
  REQUIRE(unlink((pod_a + "/fill.bin").c_str()) == 0);

  // --- expand online: the running mount picks the new capacity up ---
  ::csi::v1::ControllerExpandVolumeRequest expand;
  expand.set_volume_id(volume_id);
  expand.mutable_capacity_range()->set_required_bytes(4 * capacity);
  for (const auto& [key, value] : TestSecrets()) (*expand.mutable_secrets())[key] = value;
  ::csi::v1::ControllerExpandVolumeResponse expanded;
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::ControllerExpandVolume, expand, &expanded);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(expanded.capacity_bytes() == 4 * capacity);
  CHECK_FALSE(expanded.node_expansion_required());
  int64_t seen = 0;
  for (int attempt = 0; attempt < 120 && seen != 4 * capacity; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    seen = BytesTotal(Stats(plugin, volume_id, pod_b));
  }
  REQUIRE(seen == 4 * capacity);
  REQUIRE(statvfs(pod_a.c_str(), &sv) == 0);
  CHECK(static_cast<int64_t>(sv.f_blocks * sv.f_frsize) == 4 * capacity);
  error = FillFile(pod_b + "/big.bin", 2 * capacity, &written);
  CHECK(error == 0);
  CHECK(written == static_cast<uint64_t>(2 * capacity));
  // A retried expansion to the same size (or smaller) changes nothing.
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::ControllerExpandVolume, expand, &expanded);
  CHECK(status.ok());
  CHECK(expanded.capacity_bytes() == 4 * capacity);
  // CreateVolume retried with the old size still finds the (now larger) volume.
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::CreateVolume, create, &again);
  CHECK(status.ok());
  CHECK(again.volume().volume_id() == volume_id);

  // --- unpublish (idempotent), unstage (busy while published) ---
  CHECK(Unstage(plugin, volume_id, staging).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  for (const auto& target : {pod_a, pod_b, pod_ro}) {
    status = Unpublish(plugin, volume_id, target);
    CHECK_MESSAGE(status.ok(), status.error_message());
    CHECK_FALSE(IsMounted(target));
    CHECK(access(target.c_str(), F_OK) != 0);  // the target path is removed
    CHECK(Unpublish(plugin, volume_id, target).ok());
  }
  status = Unstage(plugin, volume_id, staging);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK_FALSE(IsMounted(staging));
  CHECK(Unstage(plugin, volume_id, staging).ok());

  // The data is in S3 after unstage.
  auto head = s3->HeadObject(bucket, prefix + "hello.txt");
  REQUIRE(head.ok());
  CHECK(head->size == hello.size());
  auto big = s3->HeadObject(bucket, prefix + "big.bin");
  REQUIRE(big.ok());
  CHECK(big->size == static_cast<uint64_t>(2 * capacity));

  // --- delete: the bucket / prefix and everything in it; then OK again ---
  ::csi::v1::DeleteVolumeRequest remove;
  remove.set_volume_id(volume_id);
  for (const auto& [key, value] : TestSecrets()) (*remove.mutable_secrets())[key] = value;
  ::csi::v1::DeleteVolumeResponse removed;
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::DeleteVolume, remove, &removed);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  if (prefix.empty()) {
    CHECK(s3->HeadBucket(bucket).code() == Code::kNotFound);
  } else {
    s3::ListRequest list;
    list.prefix = prefix;
    auto page = s3->ListObjects(bucket, list);
    REQUIRE(page.ok());
    CHECK(page->objects.empty());
    // The shared bucket stays, and the record is gone too: expanding now fails.
    CHECK(s3->HeadBucket(bucket).ok());
  }
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::ControllerExpandVolume, expand, &expanded);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  status = Call(plugin.controller(), &::csi::v1::Controller::Stub::DeleteVolume, remove, &removed);
  CHECK(status.ok());

  // No secret ever reached the log (it runs at debug level, logging requests).
  std::string log = plugin.Log();
  CHECK(log.find("CreateVolume") != std::string::npos);
  CHECK(log.find(kSecretMarker) == std::string::npos);
  CHECK(log.find("S3RVER") == std::string::npos);
}

}  // namespace

TEST_CASE("static provisioning of an existing bucket prefix via volume attributes") {
  TestDir dir;
  PluginProcess plugin(dir);
  auto s3 = TestS3Client();
  const std::string bucket = "objfs-static-" + UniqueSuffix();
  REQUIRE(s3->CreateBucket(bucket).ok());
  REQUIRE(s3->PutObject(bucket, "data/existing.txt", s3::Body::FromMemory("already there\n"), {}).ok());
  REQUIRE(s3->PutObject(bucket, "other/untouched.txt", s3::Body::FromMemory("x"), {}).ok());
  const std::string volume_id = "static-" + bucket;
  google::protobuf::Map<std::string, std::string> context;
  context["bucket"] = bucket;
  context["prefix"] = "data";  // normalised to "data/"
  context["endpoint"] = TestEndpoint();
  context["addressingStyle"] = "path";
  context["capacityBytes"] = std::to_string(4 * kMiB);

  ::csi::v1::ValidateVolumeCapabilitiesRequest validate;
  validate.set_volume_id(volume_id);
  *validate.mutable_volume_context() = context;
  *validate.add_volume_capabilities() = MountCapability();
  for (const auto& [key, value] : TestSecrets()) (*validate.mutable_secrets())[key] = value;
  ::csi::v1::ValidateVolumeCapabilitiesResponse validated;
  grpc::Status status =
      Call(plugin.controller(), &::csi::v1::Controller::Stub::ValidateVolumeCapabilities, validate, &validated);
  REQUIRE_MESSAGE(status.ok(), status.error_message());
  CHECK(validated.has_confirmed());

  const std::string staging = dir.Sub("staging");
  const std::string pod = dir.Sub("pod/volume");
  status = Stage(plugin, volume_id, staging, context, "");
  REQUIRE_MESSAGE(status.ok(), status.error_message() << "\n" << plugin.Log());
  REQUIRE(Publish(plugin, volume_id, staging, pod, false).ok());
  std::string text;
  REQUIRE(ReadFile(pod + "/existing.txt", &text) == 0);
  CHECK(text == "already there\n");
  CHECK(access((pod + "/untouched.txt").c_str(), F_OK) != 0);  // outside the prefix
  CHECK(BytesTotal(Stats(plugin, volume_id, pod)) == 4 * kMiB);
  uint64_t written = 0;
  CHECK(FillFile(pod + "/fill.bin", 8 * kMiB, &written) == ENOSPC);
  CHECK(written <= static_cast<uint64_t>(4 * kMiB));
  REQUIRE(unlink((pod + "/fill.bin").c_str()) == 0);
  REQUIRE(WriteFile(pod + "/new.txt", "new\n") == 0);

  REQUIRE(Unpublish(plugin, volume_id, pod).ok());
  REQUIRE(Unstage(plugin, volume_id, staging).ok());
  CHECK(s3->HeadObject(bucket, "data/new.txt").ok());

  // The driver never deletes storage it did not provision.
  ::csi::v1::DeleteVolumeRequest remove;
  remove.set_volume_id(volume_id);
  ::csi::v1::DeleteVolumeResponse removed;
  CHECK(Call(plugin.controller(), &::csi::v1::Controller::Stub::DeleteVolume, remove, &removed).ok());
  CHECK(s3->HeadObject(bucket, "data/existing.txt").ok());
  CHECK(s3->HeadObject(bucket, "other/untouched.txt").ok());
}

TEST_CASE("lifecycle, bucket per volume") {
  RunLifecycle({{"addressingStyle", "path"}}, "pvc-bucket-" + UniqueSuffix());
}

TEST_CASE("lifecycle, prefix per volume in a shared bucket") {
  RunLifecycle({{"provisioningMode", "prefix"},
                {"bucket", "objfs-csi-shared"},
                {"prefix", "volumes/"},
                {"addressingStyle", "path"}},
               "pvc-prefix-" + UniqueSuffix());
}

}  // namespace objfs::csi::test
