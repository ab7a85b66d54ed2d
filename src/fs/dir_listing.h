// DirListing: one directory's entries as one S3 listing pass saw them
// (ListObjectsV2 with delimiter "/"), sorted by name, immutable once built.
//
// Built from pages straight into one vector, then sorted and deduplicated in
// place, so a 100,000-entry directory is held once; the directory cache and
// every open directory handle share the same snapshot through a shared_ptr,
// and a handle's readdir offset is an index into it (stable across calls).
//
// What becomes an entry:
//   object "dir/name"            a file (size, ETag, Last-Modified)
//   common prefix "dir/name/"    a directory (implicit or with a marker)
//   object "dir/name_$folder$"   a directory (s3fs' older marker, read only)
//   object "dir/"                the directory's own marker: not an entry
// Segments that cannot be names (IsValidName) are skipped with one log line.
// When a file and a directory share a name the directory wins and the file is
// hidden (logged), so a subtree is never shadowed by a stray object.
//
// Thread-safety: immutable after Fetch; share freely.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fs/meta_codec.h"
#include "s3/object_client.h"

namespace objfs::fs {

struct DirListingEntry {
  std::string name;
  ObjectKind kind = ObjectKind::kFile;
  uint64_t size = 0;
  std::string etag;
  std::time_t last_modified = 0;
};

class DirListing {
 public:
  using Clock = std::chrono::steady_clock;

  // Lists `dir_key` ("" for the bucket root, else ending in '/'), reading at
  // most `max_pages` pages of 1000 keys; complete() says whether that was all.
  static Result<std::shared_ptr<const DirListing>> Fetch(s3::ObjectClient& client, const std::string& bucket,
                                                         const std::string& dir_key, size_t max_pages = SIZE_MAX);
  // From already-collected entries (sorted and deduplicated here).
  static std::shared_ptr<const DirListing> FromEntries(std::vector<DirListingEntry> entries,
                                                       Clock::time_point fetched_at = Clock::now());

  const std::vector<DirListingEntry>& entries() const { return entries_; }
  // Binary search; null when absent.
  const DirListingEntry* Find(std::string_view name) const;
  // When the listing began: it reflects no change made after this moment.
  Clock::time_point fetched_at() const { return fetched_at_; }
  // False when Fetch stopped at max_pages with more keys to come.
  bool complete() const { return complete_; }
  // The directory's own marker object ("dir/"), if the listing saw one (it
  // sorts first, so even a first page alone tells), and its ETag.
  bool has_marker() const { return has_marker_; }
  const std::string& marker_etag() const { return marker_etag_; }
  std::time_t marker_last_modified() const { return marker_last_modified_; }

 private:
  DirListing() = default;
  void SortAndDedupe();

  std::vector<DirListingEntry> entries_;
  Clock::time_point fetched_at_ = Clock::now();
  bool complete_ = true;
  bool has_marker_ = false;
  std::string marker_etag_;
  std::time_t marker_last_modified_ = 0;
};

}  // namespace objfs::fs
