// UploadFile: uploads a local file (a staged random-write cache file) as one
// object.
//
//   size < single_put_max (default 16 MiB): one PutObject from the fd.
//   otherwise: multipart with parts read straight from the fd
//     (Body::FromFile, pread), up to max_parallel_parts in flight, part size
//     growing as in UploadStream so any size up to 5 TiB fits. Ranges listed in
//     `unchanged_ranges` that cover whole parts of at least 5 MiB are not sent
//     again: those parts are copied server-side from `reuse_key` (checked with
//     `reuse_etag`) with UploadPartCopy. Part boundaries are chosen so reused
//     ranges become whole parts where possible.
//   On any failure the multipart upload is aborted; nothing is left behind.
//
// No file data passes through memory buffers owned here (the client streams
// from the fd), so no MemoryBudget is involved.
//
// Thread-safety: a free function; the fd must stay open and unchanged for the
// duration of the call. Runs its parts on `executor` when given, otherwise on
// max_parallel_parts threads of its own.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "fs/io_executor.h"
#include "s3/object_client.h"

namespace objfs::fs {

struct UploadFileOptions {
  std::string reuse_key;
  std::string reuse_etag;
  // [offset, offset + length) ranges of the file identical to reuse_key.
  std::vector<std::pair<uint64_t, uint64_t>> unchanged_ranges;
  int max_parallel_parts = 8;
  uint64_t single_put_max = 16ull << 20;
  uint64_t part_size = 8ull << 20;  // first part size; grows like UploadStream's
  IoExecutor* executor = nullptr;
};

// Returns the new object's ETag.
Result<std::string> UploadFile(s3::ObjectClient& client, const std::string& bucket, const std::string& key, int fd,
                               uint64_t size, const s3::PutOptions& put_options, const UploadFileOptions& options);

}  // namespace objfs::fs
