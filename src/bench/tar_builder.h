// TarBuilder: writes a deterministic POSIX ustar archive of many small files.
//
// The untar workload extracts the same archive on every system, so it is
// generated from a seed: `files` regular files spread over sub-directories,
// sizes drawn from a fixed PRNG (mostly a few KiB, like a source tree), contents
// derived from the path. Same seed and count -> byte-identical archive.
//
// Thread-safety: a value type; Build is const.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace objfs::bench {

struct TarEntry {
  std::string path;  // relative, '/'-separated; directories end in '/'
  uint64_t size = 0; // 0 for directories
};

class TarBuilder {
 public:
  TarBuilder(int files, uint64_t seed);

  // The entries in archive order (directories before their files).
  const std::vector<TarEntry>& entries() const { return entries_; }
  uint64_t total_file_bytes() const { return total_file_bytes_; }
  int file_count() const { return files_; }

  // The whole archive, two zero blocks at the end.
  std::string Build() const;
  Status WriteTo(const std::string& path) const;

  // Content of the file at index i of entries() (deterministic).
  std::string ContentOf(const TarEntry& entry) const;

 private:
  int files_;
  uint64_t seed_;
  uint64_t total_file_bytes_ = 0;
  std::vector<TarEntry> entries_;
};

}  // namespace objfs::bench
