// Deterministic names for provisioned volumes: S3 bucket names (bucket per
// volume) and prefix directory names (prefix per volume), derived from the CSI
// volume name so a retried CreateVolume finds the same storage.
//
// A derived name is "<readable part>-<10 hex of SHA-256(volume name)>": the
// readable part keeps lower-case letters, digits and single dashes from the
// volume name, cut to fit; the hash keeps names unique when the readable
// parts collide or are cut.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "base/status.h"

namespace objfs::csi {

inline constexpr size_t kMaxVolumeNameBytes = 128;
inline constexpr size_t kMaxBucketNameBytes = 63;

// True for a valid S3 bucket name (3-63 chars of a-z 0-9 . -, starting and
// ending with a letter or digit, no "..", not an IPv4 address, not starting
// with "xn--" or "sthree-", not ending with "-s3alias" or "--ol-s3").
bool IsValidBucketName(const std::string& name);

// `bucket_prefix` + readable + "-" + hash, at most 63 chars. kInvalidArgument
// when the prefix itself cannot start a valid bucket name or leaves no room.
Result<std::string> DeriveBucketName(const std::string& volume_name, const std::string& bucket_prefix);

// A directory name (no '/', never starting with '.'), at most 80 chars.
std::string DerivePrefixDir(const std::string& volume_name);

// CSI names: non-empty, at most 128 bytes, no control characters the spec
// bans (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F-U+009F).
Status CheckVolumeName(const std::string& name);

}  // namespace objfs::csi
