// VolumeParams: the StorageClass parameters of CreateVolume, parsed and
// checked, and the mount settings a node reads back from a volume context.
//
// Parameters (all optional):
//   provisioningMode  "bucket" (a bucket per volume) or "prefix" (a prefix per
//                     volume in the shared `bucket`); default: "prefix" when
//                     `bucket` is set, else "bucket".
//   bucket, prefix    the shared bucket and the base prefix for prefix mode.
//   bucketPrefix      start of derived bucket names (default "objfs-").
//   retainData        "true": DeleteVolume keeps the data.
//   endpoint, region, addressingStyle, caBundle, verifyTls: the S3 store.
//   uid, gid, fileMode, dirMode: owner and modes of objects without metadata.
//   cacheBytes        page cache budget of this volume's mount on each node.
//   metadataTTL       seconds attributes and listings stay cached (default 1).
//   attrsFromListing  "true": attributes of listed objects from the listing
//                     (no HEAD per entry; see FsConfig::attrs_from_listing).
// Keys under "csi.storage.k8s.io/" (added by the provisioner) are ignored;
// any other key is an error, so typos do not pass silently.
//
// Thread-safety: values and pure functions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "csi/store_connector.h"
#include "csi/volume_id.h"

namespace objfs::csi {

struct VolumeParams {
  VolumeKind kind = VolumeKind::kBucket;
  std::string shared_bucket;
  std::string base_prefix;  // "" or ending in '/'
  std::string bucket_prefix = "objfs-";
  bool retain = false;
  // Keys copied into the volume context for the node (mount settings and
  // store settings), already validated.
  StringMap context;
};

Result<VolumeParams> ParseVolumeParams(const StringMap& parameters);

// Mount settings from a volume context (or static volume attributes).
struct MountSettings {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<mode_t> file_mode;
  std::optional<mode_t> dir_mode;
  std::optional<uint64_t> cache_bytes;
  std::optional<double> metadata_ttl_seconds;
  bool attrs_from_listing = false;
  // Static volumes: "capacityBytes" (0 or absent = unlimited).
  uint64_t capacity_bytes = 0;
};

Result<MountSettings> ParseMountSettings(const StringMap& context);

}  // namespace objfs::csi
