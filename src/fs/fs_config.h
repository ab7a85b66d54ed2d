// FsConfig: everything one objfs filesystem instance is configured with.
//
// Filled by the CLI (objfs mount) or by the CSI node plugin, then handed to
// FsCore by value; const after construction. No S3 wire details live here:
// the ObjectClient is configured separately and injected.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace objfs::fs {

struct FsConfig {
  std::string bucket;
  // Key prefix the filesystem is rooted at: empty, or ending in '/'.
  std::string prefix;

  bool read_only = false;
  // Owner and modes for objects without objfs/s3fs metadata.
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t file_mode = 0644;
  mode_t dir_mode = 0755;
  bool allow_other = false;

  // How long attributes, directory listings and negative lookups stay fresh.
  double metadata_ttl_seconds = 1.0;
  // Attributes of listed objects come from the listing (size, Last-Modified,
  // the default owner and modes above) with no HEAD: `ls -l` is one listing
  // pass, but mode/owner/mtime/symlink metadata stored in objects is seen only
  // once an object is looked up after its listed attributes expire, or
  // opened. Off: exact attributes, one HEAD per object not yet known.
  bool attrs_from_listing = false;
  // Bound on remembered "does not exist" answers.
  uint64_t negative_cache_entries = 16384;

  // One memory budget for cached blocks, prefetch and upload buffers.
  uint64_t cache_bytes = 512ull << 20;
  // Directory for staging random writes (created if missing, files unlinked).
  std::string staging_dir = "/tmp";

  // Quota in bytes; 0 means unlimited. Writes past it fail with ENOSPC.
  uint64_t capacity_bytes = 0;

  // Parallel S3 requests for prefetch and uploads.
  int max_parallel_requests = 16;
  // Parallel HEAD requests for metadata (lookups, and readdirplus reading the
  // attributes of listed entries ahead of `ls -l`). A pool of its own, so a
  // lookup never queues behind prefetch GETs.
  int metadata_parallel_requests = 16;
};

}  // namespace objfs::fs
