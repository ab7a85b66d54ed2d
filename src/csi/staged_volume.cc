#include "csi/staged_volume.h"

#include <thread>

#include "base/log.h"
#include "csi/mount_ops.h"

namespace objfs::csi {

StagedVolume::StagedVolume(StagedVolumeConfig config, std::shared_ptr<s3::ObjectClient> client,
                           const CapacityRecords* records)
    : config_(std::move(config)), client_(std::move(client)), records_(records) {}

StagedVolume::~StagedVolume() = default;

Result<std::unique_ptr<StagedVolume>> StagedVolume::Mount(StagedVolumeConfig config,
                                                          std::shared_ptr<s3::ObjectClient> client,
                                                          const CapacityRecords* records) {
  std::unique_ptr<StagedVolume> volume(new StagedVolume(std::move(config), std::move(client), records));
  auto capacity = volume->ReadCapacity();
  if (!capacity.ok()) return capacity.status();
  OBJFS_RETURN_IF_ERROR(volume->StartMount(*capacity));
  return volume;
}

std::shared_ptr<fs::FsCore> StagedVolume::core() const {
  std::lock_guard<std::mutex> lock(mu_);
  return core_;
}

void StagedVolume::SetCore(std::shared_ptr<fs::FsCore> core, uint64_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  core_ = std::move(core);
  capacity_ = capacity;
}

Result<uint64_t> StagedVolume::ReadCapacity() const {
  if (!config_.id) return config_.mount.capacity_bytes;
  auto record = records_->Read(*client_, *config_.id);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return Status(Code::kNotFound, "volume " + config_.record.volume_id + " has no capacity record (deleted?)");
  }
  return **record;
}

Status StagedVolume::StartMount(uint64_t capacity) {
  const StagedRecord& record = config_.record;
  fs::FsConfig fs_config;
  fs_config.bucket = config_.bucket;
  fs_config.prefix = config_.prefix;
  fs_config.read_only = record.read_only;
  fs_config.allow_other = true;  // pods run as any user; default_permissions enforces modes
  fs_config.uid = config_.mount.uid.value_or(0);
  fs_config.gid = record.mount_group ? *record.mount_group : config_.mount.gid.value_or(0);
  // With a mount group the group must be able to write (the spec's fsGroup contract).
  fs_config.file_mode = config_.mount.file_mode.value_or(record.mount_group ? 0664 : 0644);
  fs_config.dir_mode = config_.mount.dir_mode.value_or(record.mount_group ? 0775 : 0755);
  fs_config.cache_bytes = config_.mount.cache_bytes.value_or(config_.default_cache_bytes);
  if (config_.mount.metadata_ttl_seconds) fs_config.metadata_ttl_seconds = *config_.mount.metadata_ttl_seconds;
  fs_config.attrs_from_listing = config_.mount.attrs_from_listing;
  fs_config.staging_dir = config_.cache_dir;
  fs_config.capacity_bytes = capacity;
  OBJFS_RETURN_IF_ERROR(MakeDirs(config_.cache_dir, 0700));

  auto core = std::make_shared<fs::FsCore>(fs_config, client_);
  Status init = core->Init();
  if (!init.ok()) return init.Annotate("volume " + record.volume_id);

  OBJFS_RETURN_IF_ERROR(MakeDirs(record.staging_path, 0750));
  if (ProbeMount(record.staging_path) != MountState::kNotMounted) {
    // A mount left behind by an earlier plugin process (dead) or by hand.
    OBJFS_RETURN_IF_ERROR(UnmountPath(record.staging_path, /*lazy=*/true));
  }
  fs::FuseMountOptions options;
  options.mountpoint = record.staging_path;
  options.fsname = "objfs:" + config_.bucket + (config_.prefix.empty() ? "" : "/" + config_.prefix);
  options.read_only = record.read_only;
  options.allow_other = true;
  auto mount = fs::FuseMount::Start(core, options);
  if (!mount.ok()) return Status(mount.status()).Annotate("mounting " + record.staging_path);
  mount_ = std::move(*mount);
  SetCore(std::move(core), capacity);
  LOG_INFO("staged " << record.volume_id << " at " << record.staging_path << " (" << options.fsname
                     << ", capacity " << capacity << ")");
  return Status::Ok();
}

bool StagedVolume::Healthy() const {
  if (!mount_ || mount_->LoopEnded()) return false;
  return ProbeMount(config_.record.staging_path) == MountState::kHealthy;
}

Status StagedVolume::Remount() {
  LOG_WARN("mount of " << config_.record.volume_id << " at " << config_.record.staging_path
                       << " is dead; mounting again");
  if (mount_ && mount_->LoopEnded()) {
    Status old = mount_->Unmount(fs::UnmountMode::kLazy);  // commits what the old session left
    if (!old.ok()) LOG_WARN("releasing the dead mount: " << old.ToString());
  } else if (mount_) {
    // The staging path lost its mount but bind mounts still hold the old
    // session (pods with open files keep it busy): let it finish on its own
    // thread instead of waiting for it here. Wait() first, so the release
    // never detaches the path, where the new mount will be.
    std::thread([old = std::move(mount_)]() mutable {
      old->Wait();
      Status released = old->Unmount(fs::UnmountMode::kLazy);
      if (!released.ok()) LOG_WARN("releasing a replaced mount: " << released.ToString());
    }).detach();
  }
  mount_.reset();
  uint64_t previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = capacity_;
    core_.reset();
  }
  auto capacity = ReadCapacity();
  return StartMount(capacity.ok() ? *capacity : previous);
}

Status StagedVolume::Unmount() {
  if (!mount_) return UnmountPath(config_.record.staging_path, /*lazy=*/false);
  OBJFS_RETURN_IF_ERROR(mount_->Unmount(fs::UnmountMode::kGraceful));
  mount_.reset();
  SetCore(nullptr, 0);
  return Status::Ok();
}

Status StagedVolume::SyncForShutdown() {
  std::shared_ptr<fs::FsCore> current = core();
  if (!current) return Status::Ok();
  Status synced = current->SyncAll();
  // Dropping the FuseMount would wait for the bind mounts pods hold; the
  // kernel ends the session when the process exits instead. The FsCore must
  // outlive the session's threads, so it is kept alive on purpose as well.
  (void)mount_.release();
  (void)new std::shared_ptr<fs::FsCore>(std::move(current));
  return synced;
}

fs::FsStats StagedVolume::Stats() const {
  std::shared_ptr<fs::FsCore> current = core();
  if (!current) return fs::FsStats{};
  return current->Stats();
}

Status StagedVolume::RefreshCapacity() {
  std::shared_ptr<fs::FsCore> current = core();
  if (!config_.id || !current) return Status::Ok();
  auto capacity = ReadCapacity();  // no lock held across the S3 call
  if (!capacity.ok()) return capacity.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (core_ != current || *capacity == capacity_) return Status::Ok();
  LOG_INFO("volume " << config_.record.volume_id << ": capacity " << capacity_ << " -> " << *capacity);
  current->SetCapacity(*capacity);
  capacity_ = *capacity;
  return Status::Ok();
}

}  // namespace objfs::csi
