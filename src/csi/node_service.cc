#include "csi/node_service.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/log.h"
#include "csi/controller_service.h"
#include "csi/grpc_status.h"
#include "csi/mount_ops.h"
#include "csi/request_log.h"
#include "csi/volume_params.h"

namespace objfs::csi {
namespace {

using ::csi::v1::NodeServiceCapability;
using AccessMode = ::csi::v1::VolumeCapability::AccessMode;

grpc::Status Aborted(const std::string& volume_id) {
  return grpc::Status(grpc::StatusCode::ABORTED, "an operation on volume " + volume_id + " is already in progress");
}

grpc::Status FailedPrecondition(const std::string& message) {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, message);
}

bool ReaderOnly(const ::csi::v1::VolumeCapability& capability) {
  auto mode = capability.access_mode().mode();
  return mode == AccessMode::SINGLE_NODE_READER_ONLY || mode == AccessMode::MULTI_NODE_READER_ONLY;
}

Result<std::optional<gid_t>> MountGroup(const ::csi::v1::VolumeCapability& capability) {
  const std::string& text = capability.mount().volume_mount_group();
  if (text.empty()) return std::optional<gid_t>();
  unsigned long gid = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), gid);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Status(Code::kInvalidArgument, "volume_mount_group must be a numeric group id, got \"" + text + "\"");
  }
  return std::optional<gid_t>(static_cast<gid_t>(gid));
}

std::string Clean(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

NodeService::NodeService(NodeServiceOptions options, const StoreConnector* connector,
                         const CapacityRecords* records, VolumeLocks* locks)
    : options_(std::move(options)),
      connector_(connector),
      records_(records),
      locks_(locks),
      state_(options_.state_dir) {}

NodeService::~NodeService() { (void)Shutdown(); }

std::shared_ptr<NodeService::VolumeEntry> NodeService::Find(const std::string& volume_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = volumes_.find(volume_id);
  return it == volumes_.end() ? nullptr : it->second;
}

Status NodeService::Start() {
  OBJFS_RETURN_IF_ERROR(state_.Init());
  for (StagedRecord& record : state_.LoadAll()) {
    auto entry = std::make_shared<VolumeEntry>();
    entry->record = std::move(record);
    const std::string id = entry->record.volume_id;
    Status mounted = MountEntry(entry.get(), {});
    if (mounted.ok()) {
      Status rebound = RebindTargets(*entry);
      if (!rebound.ok()) LOG_WARN("volume " << id << ": renewing bind mounts: " << rebound.ToString());
    } else {
      LOG_WARN("volume " << id << " was staged before the restart but cannot be mounted yet ("
                         << mounted.ToString() << "); the next stage or publish will retry");
    }
    std::lock_guard<std::mutex> lock(mu_);
    volumes_[id] = std::move(entry);
  }
  poller_ = std::thread([this] { PollLoop(); });
  return Status::Ok();
}

bool NodeService::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return left_running_;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  std::map<std::string, std::shared_ptr<VolumeEntry>> volumes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    volumes.swap(volumes_);
  }
  bool left_running = false;
  for (auto& [id, entry] : volumes) {
    if (!entry->staged) continue;
    Status done;
    if (entry->record.targets.empty()) {
      done = entry->staged->Unmount();
    } else {
      done = entry->staged->SyncForShutdown();
      left_running = true;
    }
    if (!done.ok()) {
      LOG_ERROR("volume " << id << " at shutdown: " << done.ToString());
      if (entry->record.targets.empty()) {
        (void)entry->staged->SyncForShutdown();
        left_running = true;
      }
    }
    LOG_INFO("volume " << id << ": committed for shutdown");
  }
  std::lock_guard<std::mutex> lock(mu_);
  left_running_ = left_running;
  return left_running;
}

void NodeService::PollLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::seconds(options_.capacity_poll_seconds), [this] { return stopping_; });
    if (stopping_) break;
    std::vector<std::pair<std::string, std::shared_ptr<StagedVolume>>> staged;
    for (const auto& [id, entry] : volumes_) {
      if (entry->staged) staged.emplace_back(id, entry->staged);
    }
    lock.unlock();
    for (const auto& [id, volume] : staged) {
      Status refreshed = volume->RefreshCapacity();
      if (!refreshed.ok()) LOG_WARN("volume " << id << ": reading capacity record: " << refreshed.ToString());
    }
    staged.clear();
    lock.lock();
  }
}

Result<StringMap> NodeService::VolumeAttributes(const std::string& volume_id, const StringMap& context,
                                                const StringMap& secrets) const {
  StringMap attributes;
  auto id = VolumeId::Decode(volume_id);
  if (id.ok()) {
    attributes["bucket"] = id->bucket;
    if (!id->prefix.empty()) attributes["prefix"] = id->prefix;
    if (!id->region.empty()) attributes["region"] = id->region;
    if (!id->endpoint.empty()) attributes["endpoint"] = id->endpoint;
  }
  for (const auto& [key, value] : context) attributes[key] = value;
  if (id.ok() && !id->endpoint_ref.empty() && attributes.count("endpoint") == 0) {
    auto endpoint = connector_->ResolveEndpointRef(id->endpoint_ref, secrets);
    if (!endpoint.ok()) return endpoint.status();
    attributes["endpoint"] = *endpoint;
  }
  if (attributes["bucket"].empty()) {
    return Status(Code::kNotFound, "volume " + volume_id +
                                       " is not an objfs volume id and its context names no bucket");
  }
  return attributes;
}

Status NodeService::MountEntry(VolumeEntry* entry, const StringMap& secrets) {
  const StagedRecord& record = entry->record;
  StagedVolumeConfig config;
  config.record = record;
  auto id = VolumeId::Decode(record.volume_id);
  if (id.ok()) config.id = *id;
  const StringMap& attributes = record.attributes;
  auto get = [&](const char* key) {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  };
  config.bucket = get("bucket");
  config.prefix = get("prefix");
  while (!config.prefix.empty() && config.prefix.front() == '/') config.prefix.erase(0, 1);
  if (!config.prefix.empty() && config.prefix.back() != '/') config.prefix += '/';
  auto mount = ParseMountSettings(attributes);
  if (!mount.ok()) return mount.status();
  config.mount = *mount;
  config.cache_dir = state_.CacheDir(record.volume_id);
  config.default_cache_bytes = options_.cache_bytes;
  auto settings = connector_->Resolve(attributes, secrets);
  if (!settings.ok()) return settings.status();
  auto client = connector_->Connect(*settings, secrets);
  if (!client.ok()) return client.status();
  auto staged = StagedVolume::Mount(std::move(config), *client, records_);
  if (!staged.ok()) return staged.status();
  std::lock_guard<std::mutex> lock(mu_);
  entry->staged = std::move(*staged);
  return Status::Ok();
}

Status NodeService::RebindTargets(const VolumeEntry& entry) {
  Status first;
  for (const auto& [target, read_only] : entry.record.targets) {
    Status unmounted = UnmountPath(target, /*lazy=*/true);
    Status done = unmounted.ok() ? MakeDirs(target, 0750) : unmounted;
    if (done.ok()) done = BindMount(entry.record.staging_path, target, read_only);
    if (!done.ok() && first.ok()) first = done;
  }
  return first;
}

Status NodeService::EnsureServed(VolumeEntry* entry, const StringMap& secrets) {
  if (!entry->staged) {
    OBJFS_RETURN_IF_ERROR(MountEntry(entry, secrets));
    return RebindTargets(*entry);
  }
  if (entry->staged->Healthy()) return Status::Ok();
  OBJFS_RETURN_IF_ERROR(entry->staged->Remount());
  return RebindTargets(*entry);
}

grpc::Status NodeService::NodeStageVolume(grpc::ServerContext*, const ::csi::v1::NodeStageVolumeRequest* request,
                                          ::csi::v1::NodeStageVolumeResponse*) {
  LogRequest("NodeStageVolume", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (request->staging_target_path().empty()) return InvalidArgument("staging_target_path is required");
  if (!request->has_volume_capability()) return InvalidArgument("volume_capability is required");
  if (std::string problem = CheckCapability(request->volume_capability()); !problem.empty()) {
    return InvalidArgument(problem);
  }
  auto mount_group = MountGroup(request->volume_capability());
  if (!mount_group.ok()) return ToGrpc(mount_group.status());
  const std::string& volume_id = request->volume_id();
  const std::string staging = Clean(request->staging_target_path());
  const bool read_only = ReaderOnly(request->volume_capability());
  StringMap secrets = ToStringMap(request->secrets());

  auto guard = locks_->TryLock(volume_id);
  if (!guard) return Aborted(volume_id);
  if (auto entry = Find(volume_id)) {
    if (entry->record.staging_path != staging) {
      return FailedPrecondition("volume " + volume_id + " is already staged at " + entry->record.staging_path);
    }
    if (entry->record.read_only != read_only || entry->record.mount_group != *mount_group) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "volume " + volume_id + " is staged with another access mode or mount group");
    }
    Status served = EnsureServed(entry.get(), secrets);
    if (!served.ok()) return ToGrpc(served);
    return grpc::Status::OK;
  }
  auto attributes = VolumeAttributes(volume_id, ToStringMap(request->volume_context()), secrets);
  if (!attributes.ok()) return ToGrpc(attributes.status());
  auto entry = std::make_shared<VolumeEntry>();
  entry->record.volume_id = volume_id;
  entry->record.staging_path = staging;
  entry->record.attributes = std::move(*attributes);
  entry->record.read_only = read_only;
  entry->record.mount_group = *mount_group;
  Status mounted = MountEntry(entry.get(), secrets);
  if (!mounted.ok()) return ToGrpc(mounted);
  Status saved = state_.Save(entry->record);
  if (!saved.ok()) {
    (void)entry->staged->Unmount();
    return ToGrpc(saved);
  }
  std::lock_guard<std::mutex> lock(mu_);
  volumes_[volume_id] = std::move(entry);
  return grpc::Status::OK;
}

grpc::Status NodeService::NodeUnstageVolume(grpc::ServerContext*,
                                            const ::csi::v1::NodeUnstageVolumeRequest* request,
                                            ::csi::v1::NodeUnstageVolumeResponse*) {
  LogRequest("NodeUnstageVolume", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (request->staging_target_path().empty()) return InvalidArgument("staging_target_path is required");
  const std::string& volume_id = request->volume_id();
  const std::string staging = Clean(request->staging_target_path());
  auto guard = locks_->TryLock(volume_id);
  if (!guard) return Aborted(volume_id);
  auto entry = Find(volume_id);
  if (!entry) {
    // Already unstaged (idempotent); clear anything left at the path.
    Status cleared = UnmountPath(staging, /*lazy=*/true);
    return cleared.ok() ? grpc::Status::OK : ToGrpc(cleared);
  }
  if (entry->record.staging_path != staging) {
    return NotFound("volume " + volume_id + " is not staged at " + staging);
  }
  if (!entry->record.targets.empty()) {
    return FailedPrecondition("volume " + volume_id + " is still published at " +
                              entry->record.targets.begin()->first);
  }
  if (entry->staged) {
    // Waits for pending uploads; a busy mount or a failed commit keeps it mounted.
    Status unmounted = entry->staged->Unmount();
    if (!unmounted.ok()) return ToGrpc(unmounted);
  } else {
    Status cleared = UnmountPath(staging, /*lazy=*/true);
    if (!cleared.ok()) return ToGrpc(cleared);
  }
  Status removed = state_.Remove(volume_id);
  if (!removed.ok()) return ToGrpc(removed);
  (void)rmdir(state_.CacheDir(volume_id).c_str());  // empty once the filesystem is gone
  {
    std::lock_guard<std::mutex> lock(mu_);
    volumes_.erase(volume_id);
  }
  LOG_INFO("unstaged " << volume_id);
  return grpc::Status::OK;
}

grpc::Status NodeService::NodePublishVolume(grpc::ServerContext*,
                                            const ::csi::v1::NodePublishVolumeRequest* request,
                                            ::csi::v1::NodePublishVolumeResponse*) {
  LogRequest("NodePublishVolume", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (request->target_path().empty()) return InvalidArgument("target_path is required");
  if (request->staging_target_path().empty()) return InvalidArgument("staging_target_path is required");
  if (!request->has_volume_capability()) return InvalidArgument("volume_capability is required");
  if (std::string problem = CheckCapability(request->volume_capability()); !problem.empty()) {
    return InvalidArgument(problem);
  }
  auto mount_group = MountGroup(request->volume_capability());
  if (!mount_group.ok()) return ToGrpc(mount_group.status());
  const std::string& volume_id = request->volume_id();
  const std::string target = Clean(request->target_path());
  const std::string staging = Clean(request->staging_target_path());
  const bool read_only = request->readonly() || ReaderOnly(request->volume_capability());

  auto guard = locks_->TryLock(volume_id);
  if (!guard) return Aborted(volume_id);
  auto entry = Find(volume_id);
  if (!entry || entry->record.staging_path != staging) {
    return FailedPrecondition("volume " + volume_id + " is not staged at " + staging);
  }
  if (*mount_group && entry->record.mount_group != *mount_group) {
    LOG_WARN("volume " << volume_id << ": publish asks for mount group " << **mount_group
                       << " but the volume was staged with another; files keep the staged group");
  }
  Status served = EnsureServed(entry.get(), ToStringMap(request->secrets()));
  if (!served.ok()) return ToGrpc(served);

  auto published = entry->record.targets.find(target);
  if (published != entry->record.targets.end()) {
    if (published->second != read_only) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "volume " + volume_id + " is published at " + target + " with another read-only flag");
    }
    if (ProbeMount(target) == MountState::kHealthy) return grpc::Status::OK;
    Status unmounted = UnmountPath(target, /*lazy=*/true);
    if (!unmounted.ok()) return ToGrpc(unmounted);
  } else if (IsMountPoint(target)) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "something else is mounted at " + target);
  }
  Status made = MakeDirs(target, 0750);
  if (!made.ok()) return ToGrpc(made);
  Status bound = BindMount(staging, target, read_only);
  if (!bound.ok()) return ToGrpc(bound);
  entry->record.targets[target] = read_only;
  Status saved = state_.Save(entry->record);
  if (!saved.ok()) LOG_ERROR("volume " << volume_id << ": saving state: " << saved.ToString());
  LOG_INFO("published " << volume_id << " at " << target << (read_only ? " (read-only)" : ""));
  return grpc::Status::OK;
}

grpc::Status NodeService::NodeUnpublishVolume(grpc::ServerContext*,
                                              const ::csi::v1::NodeUnpublishVolumeRequest* request,
                                              ::csi::v1::NodeUnpublishVolumeResponse*) {
  LogRequest("NodeUnpublishVolume", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (request->target_path().empty()) return InvalidArgument("target_path is required");
  const std::string& volume_id = request->volume_id();
  const std::string target = Clean(request->target_path());
  auto guard = locks_->TryLock(volume_id);
  if (!guard) return Aborted(volume_id);
  auto entry = Find(volume_id);
  if (!entry && !IsMountPoint(target)) return NotFound("volume " + volume_id + " is not known on this node");
  Status unmounted = UnmountPath(target, /*lazy=*/false);
  if (!unmounted.ok() && unmounted.errno_hint() == EBUSY) unmounted = UnmountPath(target, /*lazy=*/true);
  if (!unmounted.ok()) return ToGrpc(unmounted);
  if (rmdir(target.c_str()) != 0 && errno != ENOENT) {
    return ToGrpc(Status(Code::kInternal, "remove " + target + ": " + std::strerror(errno)));
  }
  if (entry && entry->record.targets.erase(target) > 0) {
    Status saved = state_.Save(entry->record);
    if (!saved.ok()) LOG_ERROR("volume " << volume_id << ": saving state: " << saved.ToString());
  }
  LOG_INFO("unpublished " << volume_id << " from " << target);
  return grpc::Status::OK;
}

grpc::Status NodeService::NodeGetVolumeStats(grpc::ServerContext*,
                                             const ::csi::v1::NodeGetVolumeStatsRequest* request,
                                             ::csi::v1::NodeGetVolumeStatsResponse* response) {
  LogRequest("NodeGetVolumeStats", *request, /*frequent=*/true);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (request->volume_path().empty()) return InvalidArgument("volume_path is required");
  const std::string& volume_id = request->volume_id();
  const std::string path = Clean(request->volume_path());
  auto guard = locks_->TryLock(volume_id);
  if (!guard) return Aborted(volume_id);
  auto entry = Find(volume_id);
  if (!entry) return NotFound("volume " + volume_id + " is not known on this node");
  if (path != entry->record.staging_path && entry->record.targets.count(path) == 0) {
    return NotFound("volume " + volume_id + " is not staged or published at " + path);
  }
  auto* condition = response->mutable_volume_condition();
  MountState state = ProbeMount(path);
  if (!entry->staged || !entry->staged->Healthy() || state != MountState::kHealthy) {
    condition->set_abnormal(true);
    condition->set_message(state == MountState::kDead ? "the objfs mount at " + path + " is dead (ENOTCONN)"
                                                      : "the objfs filesystem is not mounted at " + path);
  } else {
    condition->set_abnormal(false);
    condition->set_message("mounted");
  }
  if (!entry->staged) return grpc::Status::OK;
  fs::FsStats stats = entry->staged->Stats();
  auto* bytes = response->add_usage();
  bytes->set_unit(::csi::v1::VolumeUsage::BYTES);
  bytes->set_used(static_cast<int64_t>(stats.used_bytes));
  if (stats.capacity_bytes > 0) {
    bytes->set_total(static_cast<int64_t>(stats.capacity_bytes));
    uint64_t available = stats.capacity_bytes > stats.used_bytes ? stats.capacity_bytes - stats.used_bytes : 0;
    bytes->set_available(static_cast<int64_t>(available));
  }
  auto* inodes = response->add_usage();
  inodes->set_unit(::csi::v1::VolumeUsage::INODES);
  // objfs has no inode table limit; report what statfs reports (2^32).
  constexpr uint64_t kInodes = 1ull << 32;
  uint64_t used_inodes = std::min(stats.used_inodes, kInodes);
  inodes->set_total(static_cast<int64_t>(kInodes));
  inodes->set_used(static_cast<int64_t>(used_inodes));
  inodes->set_available(static_cast<int64_t>(kInodes - used_inodes));
  return grpc::Status::OK;
}

grpc::Status NodeService::NodeGetCapabilities(grpc::ServerContext*, const ::csi::v1::NodeGetCapabilitiesRequest*,
                                              ::csi::v1::NodeGetCapabilitiesResponse* response) {
  for (auto type : {NodeServiceCapability::RPC::STAGE_UNSTAGE_VOLUME, NodeServiceCapability::RPC::GET_VOLUME_STATS,
                    NodeServiceCapability::RPC::VOLUME_CONDITION, NodeServiceCapability::RPC::VOLUME_MOUNT_GROUP}) {
    response->add_capabilities()->mutable_rpc()->set_type(type);
  }
  return grpc::Status::OK;
}

grpc::Status NodeService::NodeGetInfo(grpc::ServerContext*, const ::csi::v1::NodeGetInfoRequest*,
                                      ::csi::v1::NodeGetInfoResponse* response) {
  response->set_node_id(options_.node_id);
  return grpc::Status::OK;
}

}  // namespace objfs::csi
