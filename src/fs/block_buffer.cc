#include "fs/block_buffer.h"

#include <sys/mman.h>

#include <utility>

namespace objfs::fs {

BlockBuffer::BlockBuffer(MemoryBudget& budget, size_t capacity, bool full)
    : budget_(&budget), capacity_(capacity) {
  if (capacity == 0) return;
  if (full) {
    data_ = budget.TakeRecycled(capacity);
    if (data_ != nullptr) return;
  }
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | (full ? MAP_POPULATE : 0);
  void* p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, flags, -1, 0);
  data_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

BlockBuffer::~BlockBuffer() { Free(); }

BlockBuffer::BlockBuffer(BlockBuffer&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      reserved_(std::exchange(other.reserved_, 0)) {}

BlockBuffer& BlockBuffer::operator=(BlockBuffer&& other) noexcept {
  if (this != &other) {
    Free();
    budget_ = std::exchange(other.budget_, nullptr);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    reserved_ = std::exchange(other.reserved_, 0);
  }
  return *this;
}

void BlockBuffer::Reserve(uint64_t bytes) {
  if (bytes <= reserved_ || budget_ == nullptr) return;
  budget_->Acquire(bytes - reserved_, reserved_);
  reserved_ = bytes;
}

void BlockBuffer::Free() {
  // Unmap (or hand to the bounded pool) first: the budget must never be below
  // the memory actually mapped.
  if (data_ != nullptr && (budget_ == nullptr || !budget_->Recycle(data_, capacity_))) munmap(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
  if (budget_ != nullptr && reserved_ > 0) budget_->Release(reserved_);
  reserved_ = 0;
}

}  // namespace objfs::fs
