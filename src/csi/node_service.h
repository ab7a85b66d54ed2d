// NodeService: the CSI Node service. One objfs filesystem per volume per node,
// served in this process (StagedVolume) at the staging path; every pod gets a
// bind mount of it at its target path (read-only when asked).
//
// RPCs: NodeStageVolume, NodeUnstageVolume, NodePublishVolume,
// NodeUnpublishVolume, NodeGetVolumeStats, NodeGetCapabilities
// (STAGE_UNSTAGE_VOLUME, GET_VOLUME_STATS, VOLUME_CONDITION,
// VOLUME_MOUNT_GROUP), NodeGetInfo. NodeExpandVolume stays UNIMPLEMENTED (and
// unadvertised): expansion reaches running mounts through the capacity
// record, which a background thread re-reads every --capacity-poll-seconds.
//
// Failure handling: a mount whose filesystem is no longer served (ENOTCONN,
// someone unmounted it) is mounted again on the next stage or publish, and the
// volume's bind mounts are renewed. Staged volumes are remembered in state
// files (node_state.h); Start() mounts them again after a plugin restart with
// the plugin's own credentials (environment / shared files), and a volume
// that needs request secrets is mounted again by the next NodeStageVolume or
// NodePublishVolume that brings them.
//
// Ownership: owns the staged volumes and the poller thread; borrows the
// connector, records and locks.
//
// Thread-safety: gRPC calls methods from many threads. `volumes_` is guarded
// by mu_; a VolumeEntry is only touched while holding its volume's lock from
// VolumeLocks, except that the capacity poller copies `staged` pointers under
// mu_ and uses StagedVolume's thread-safe RefreshCapacity (so polling never
// makes an RPC fail with ABORTED).
// Lock order: a volume lock, then mu_; mu_ is never held across S3 calls or
// mount(2).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "csi.grpc.pb.h"
#include "csi/capacity_record.h"
#include "csi/node_state.h"
#include "csi/staged_volume.h"
#include "csi/store_connector.h"
#include "csi/volume_locks.h"

namespace objfs::csi {

struct NodeServiceOptions {
  std::string node_id;
  std::string state_dir;
  int capacity_poll_seconds = 30;
  uint64_t cache_bytes = 256ull << 20;
};

class NodeService final : public ::csi::v1::Node::Service {
 public:
  NodeService(NodeServiceOptions options, const StoreConnector* connector, const CapacityRecords* records,
              VolumeLocks* locks);
  ~NodeService() override;

  // Creates the state directory, re-serves the volumes staged before a
  // restart and starts the capacity poller.
  Status Start();
  // Stops the poller and commits every volume's pending writes. Volumes with
  // pods attached stay mounted until the process exits; the others are
  // unmounted. State files stay for the next start. Returns true when mounts
  // were left to the process exit (the caller must then end the process
  // without running destructors of objects those mounts' threads use).
  bool Shutdown();

  grpc::Status NodeStageVolume(grpc::ServerContext* context, const ::csi::v1::NodeStageVolumeRequest* request,
                               ::csi::v1::NodeStageVolumeResponse* response) override;
  grpc::Status NodeUnstageVolume(grpc::ServerContext* context, const ::csi::v1::NodeUnstageVolumeRequest* request,
                                 ::csi::v1::NodeUnstageVolumeResponse* response) override;
  grpc::Status NodePublishVolume(grpc::ServerContext* context, const ::csi::v1::NodePublishVolumeRequest* request,
                                 ::csi::v1::NodePublishVolumeResponse* response) override;
  grpc::Status NodeUnpublishVolume(grpc::ServerContext* context,
                                   const ::csi::v1::NodeUnpublishVolumeRequest* request,
                                   ::csi::v1::NodeUnpublishVolumeResponse* response) override;
  grpc::Status NodeGetVolumeStats(grpc::ServerContext* context, const ::csi::v1::NodeGetVolumeStatsRequest* request,
                                  ::csi::v1::NodeGetVolumeStatsResponse* response) override;
  grpc::Status NodeGetCapabilities(grpc::ServerContext* context,
                                   const ::csi::v1::NodeGetCapabilitiesRequest* request,
                                   ::csi::v1::NodeGetCapabilitiesResponse* response) override;
  grpc::Status NodeGetInfo(grpc::ServerContext* context, const ::csi::v1::NodeGetInfoRequest* request,
                           ::csi::v1::NodeGetInfoResponse* response) override;

 private:
  struct VolumeEntry {
    StagedRecord record;
    // Null until (re-)mounted. Written under the volume's lock and mu_ (the
    // poller reads it under mu_ alone).
    std::shared_ptr<StagedVolume> staged;
  };

  std::shared_ptr<VolumeEntry> Find(const std::string& volume_id);
  // The attributes of a volume: what its id says, overlaid with its context.
  Result<StringMap> VolumeAttributes(const std::string& volume_id, const StringMap& context,
                                     const StringMap& secrets) const;
  // Mounts entry->record (secrets may be empty: the plugin's own credentials).
  Status MountEntry(VolumeEntry* entry, const StringMap& secrets);
  // Makes sure the entry is served: mounts it if pending, remounts it if dead
  // (renewing its bind mounts).
  Status EnsureServed(VolumeEntry* entry, const StringMap& secrets);
  Status RebindTargets(const VolumeEntry& entry);
  void PollLoop();

  const NodeServiceOptions options_;
  const StoreConnector* const connector_;
  const CapacityRecords* const records_;
  VolumeLocks* const locks_;
  NodeStateStore state_;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<VolumeEntry>> volumes_;  // guarded by mu_
  bool stopping_ = false;                                        // guarded by mu_
  bool left_running_ = false;                                    // guarded by mu_
  std::condition_variable stop_cv_;
  std::thread poller_;
};

}  // namespace objfs::csi
