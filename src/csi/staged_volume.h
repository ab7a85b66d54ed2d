// StagedVolume: one volume staged on this node — an objfs filesystem (FsCore
// over its own S3 client) served by a FuseMount at the staging path. Pods get
// bind mounts of it (NodePublish); they all share this one instance.
//
// The capacity comes from the volume's record for provisioned volumes
// (RefreshCapacity re-reads it: ControllerExpandVolume takes effect on running
// mounts without a remount) or from the "capacityBytes" attribute of static
// volumes.
//
// Ownership: owns the FsCore and FuseMount; shares the S3 client (which holds
// the request's credentials in memory for the mount's lifetime).
//
// Thread-safety: the node service calls Mount/Remount/Unmount/Healthy/
// SyncForShutdown under the volume's lock (one at a time). Stats() and
// RefreshCapacity() may be called from any thread at any time (the capacity
// poller does): core_ and capacity_ are guarded by mu_, and FsCore itself is
// thread-safe. mount_ is touched only under the volume's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "csi/capacity_record.h"
#include "csi/node_state.h"
#include "csi/volume_id.h"
#include "csi/volume_params.h"
#include "fs/fs_core.h"
#include "fs/fuse_mount.h"
#include "s3/object_client.h"

namespace objfs::csi {

struct StagedVolumeConfig {
  StagedRecord record;          // volume id, staging path, attributes, flags (targets unused)
  std::optional<VolumeId> id;   // set for provisioned volumes (they have a capacity record)
  std::string bucket;
  std::string prefix;
  MountSettings mount;
  std::string cache_dir;
  uint64_t default_cache_bytes = 256ull << 20;
};

class StagedVolume {
 public:
  // Reads the capacity, checks the bucket/prefix (FsCore::Init) and mounts.
  // kNotFound when the volume's record or bucket is gone.
  static Result<std::unique_ptr<StagedVolume>> Mount(StagedVolumeConfig config,
                                                     std::shared_ptr<s3::ObjectClient> client,
                                                     const CapacityRecords* records);
  ~StagedVolume();
  StagedVolume(const StagedVolume&) = delete;
  StagedVolume& operator=(const StagedVolume&) = delete;

  // True while the filesystem is served and answers at the staging path.
  bool Healthy() const;
  // Replaces a dead mount by a fresh FsCore + FuseMount (same client).
  Status Remount();
  // Commits pending uploads, then unmounts. Graceful: fails (and stays
  // mounted) when busy or when a commit fails.
  Status Unmount();
  // Commits pending uploads and leaves the mount to die with the process
  // (used at shutdown while pods still hold bind mounts).
  Status SyncForShutdown();

  fs::FsStats Stats() const;
  // Re-reads the capacity record and applies a change; no-op for static volumes.
  Status RefreshCapacity();

  const StagedVolumeConfig& config() const { return config_; }

 private:
  StagedVolume(StagedVolumeConfig config, std::shared_ptr<s3::ObjectClient> client,
               const CapacityRecords* records);
  Result<uint64_t> ReadCapacity() const;
  std::shared_ptr<fs::FsCore> core() const;
  void SetCore(std::shared_ptr<fs::FsCore> core, uint64_t capacity);
  Status StartMount(uint64_t capacity);

  const StagedVolumeConfig config_;
  const std::shared_ptr<s3::ObjectClient> client_;
  const CapacityRecords* const records_;
  std::unique_ptr<fs::FuseMount> mount_;  // volume lock only

  mutable std::mutex mu_;
  std::shared_ptr<fs::FsCore> core_;  // guarded by mu_
  uint64_t capacity_ = 0;             // guarded by mu_
};

}  // namespace objfs::csi
