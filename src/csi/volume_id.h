// VolumeId: what every later CSI call needs to find a volume, packed into the
// CSI volume_id string (no Kubernetes API calls, no controller-side database).
//
//   v1|<kind>|<flags>|<bucket>|<prefix>|<region>|<endpoint>
//
//   kind      "b": a bucket created for this volume (prefix empty);
//             "p": a prefix created for this volume inside a shared bucket
//                  (prefix = "<base>/<dir>/", capacity record at
//                  "<base>/.objfs-volumes/<dir>", outside the volume).
//   flags     "" or "r": retain the data on DeleteVolume.
//   endpoint  the S3 endpoint URL, or "#<16 hex>" (a reference: the first 16
//             hex digits of SHA-256(URL)) when the URL does not fit into the
//             spec's 128-byte limit; the controller resolves a reference
//             against the endpoint in the request's secrets or its default.
//   Fields are percent-encoded ('%' and '|' and bytes < 0x20).
//
// Statically provisioned volumes need no parseable id: their volume context
// (bucket, prefix, endpoint, ...) says where the data is.
//
// Thread-safety: a value type; the functions are pure.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"

namespace objfs::csi {

inline constexpr size_t kMaxVolumeIdBytes = 128;

enum class VolumeKind { kBucket, kPrefix };

struct VolumeId {
  VolumeKind kind = VolumeKind::kBucket;
  bool retain = false;
  std::string bucket;
  std::string prefix;  // kPrefix: "<base>/<dir>/" or "<dir>/"; kBucket: empty
  std::string region;
  std::string endpoint;      // the URL ("" = AWS for the region), unless endpoint_ref is set
  std::string endpoint_ref;  // 16 hex digits when the URL did not fit

  // Builds the id string; replaces the endpoint by its reference when the
  // result would exceed kMaxVolumeIdBytes, and fails (kInvalidArgument) if even
  // that does not fit.
  Result<std::string> Encode() const;
  // kNotFound when `text` is not an objfs volume id.
  static Result<VolumeId> Decode(const std::string& text);

  // kPrefix only: the key of the capacity record, outside the volume's prefix.
  std::string RecordKey() const;
};

// The reference used for `endpoint` in ids that do not fit.
std::string EndpointRef(const std::string& endpoint);

}  // namespace objfs::csi
