// BlockBuffer: a byte buffer whose memory is counted in a MemoryBudget for as
// long as it exists — the unit of memory the data engine uses for page-cache
// blocks and upload parts.
//
// Memory comes from mmap and goes back with munmap (or into the budget's small
// recycling pool, see MemoryBudget), not from malloc:
// glibc raises its mmap threshold after the first large free and then keeps
// freed multi-MiB buffers in its heap, so RSS would drift above the budget.
// Pages are committed on first touch, so an untouched tail costs no RSS.
//
// Ownership: the buffer owns its mapping and its `reserved()` bytes of budget
// (released in the destructor; Reserve() grows the reservation). The budget
// must outlive the buffer. Move-only.
//
// Thread-safety: none; one owner at a time (a block becomes read-only once
// filled and may then be read from many threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "fs/memory_budget.h"

namespace objfs::fs {

class BlockBuffer {
 public:
  BlockBuffer() = default;
  // Maps `capacity` bytes and holds no budget. Pages are committed on first
  // touch. `full` promises that the owner reserves the whole capacity (a
  // cache block, a later upload part): then a recycled mapping may be used,
  // or else all pages are populated at once (cheaper than a fault per page).
  BlockBuffer(MemoryBudget& budget, size_t capacity, bool full = false);
  ~BlockBuffer();
  BlockBuffer(BlockBuffer&& other) noexcept;
  BlockBuffer& operator=(BlockBuffer&& other) noexcept;
  BlockBuffer(const BlockBuffer&) = delete;
  BlockBuffer& operator=(const BlockBuffer&) = delete;

  // Takes over `bytes` of budget the caller already acquired.
  void AdoptReservation(uint64_t bytes) { reserved_ += bytes; }
  // Acquires (blocking) budget so that reserved() >= bytes.
  void Reserve(uint64_t bytes);

  // False when mmap failed (the caller reports kResourceExhausted).
  bool valid() const { return data_ != nullptr || capacity_ == 0; }
  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t capacity() const { return capacity_; }
  uint64_t reserved() const { return reserved_; }

 private:
  void Free();

  MemoryBudget* budget_ = nullptr;
  char* data_ = nullptr;
  size_t capacity_ = 0;
  uint64_t reserved_ = 0;
};

}  // namespace objfs::fs
