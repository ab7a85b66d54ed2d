// ReadSlice: a piece of a read's bytes, in place — the way reads hand out
// cached data without copying it (ObjectReader::ReadSlices,
// FsCore::ReadSlices), so a FUSE reply can be written straight from the page
// cache.
//
// Ownership: `pin` keeps the memory `data` points into alive (a cached block,
// or a buffer of the read's own); `data` is valid while the slice is held.
// Thread-safety: a value; the bytes are never written after a slice is made.
#pragma once

#include <cstddef>
#include <memory>

namespace objfs::fs {

struct ReadSlice {
  std::shared_ptr<const void> pin;
  const char* data = nullptr;
  size_t size = 0;
};

}  // namespace objfs::fs
