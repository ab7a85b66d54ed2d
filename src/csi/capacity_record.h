// CapacityRecords: where a provisioned volume's capacity is kept, outside the
// volume's own files so a workload never sees (or deletes) it.
//
//   bucket per volume:  bucket tags {"objfs.io/capacity-bytes": N}. Stores
//     without bucket tagging (it answers NotImplemented, e.g. s3rver) get the
//     record as object "<bucket name>" in the records bucket (plugin flag
//     --record-bucket, created on first use).
//   prefix per volume:  object "<base>/.objfs-volumes/<dir>" in the shared
//     bucket (VolumeId::RecordKey), a sibling of the volume's "<base>/<dir>/".
//
// Reading a record is one request (GetBucketTagging or HeadObject; the fallback
// adds one HeadObject) and never lists anything, so nodes can poll it.
//
// Thread-safety: const after construction; methods may be called from any
// thread with any client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "csi/volume_id.h"
#include "s3/object_client.h"

namespace objfs::csi {

class CapacityRecords {
 public:
  explicit CapacityRecords(std::string record_bucket) : record_bucket_(std::move(record_bucket)) {}

  Status Write(s3::ObjectClient& client, const VolumeId& volume, uint64_t capacity_bytes) const;
  // nullopt when the volume has no record (or its bucket does not exist).
  Result<std::optional<uint64_t>> Read(s3::ObjectClient& client, const VolumeId& volume) const;
  // Removes the record; OK when there is none.
  Status Remove(s3::ObjectClient& client, const VolumeId& volume) const;

  const std::string& record_bucket() const { return record_bucket_; }

 private:
  Status WriteObject(s3::ObjectClient& client, const std::string& bucket, const std::string& key,
                     uint64_t capacity_bytes) const;
  Result<std::optional<uint64_t>> ReadObject(s3::ObjectClient& client, const std::string& bucket,
                                             const std::string& key) const;

  const std::string record_bucket_;
};

}  // namespace objfs::csi
