#include "fs/memory_budget.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>

namespace objfs::fs {

namespace {
// How often a blocked Acquire asks the reclaimers again: a cached block that a
// reader was copying from becomes evictable without anyone calling Release.
constexpr auto kReclaimRetry = std::chrono::milliseconds(20);
}  // namespace

MemoryBudget::MemoryBudget(uint64_t limit) : limit_(limit), recycle_limit_(std::min<uint64_t>(16ull << 20, limit / 8)) {}

MemoryBudget::~MemoryBudget() {
  for (const auto& [data, capacity] : recycled_) munmap(data, capacity);
}

char* MemoryBudget::TakeRecycled(size_t capacity) {
  std::lock_guard lock(recycle_mu_);
  for (size_t i = 0; i < recycled_.size(); ++i) {
    if (recycled_[i].second != capacity) continue;
    char* data = recycled_[i].first;
    recycled_[i] = recycled_.back();
    recycled_.pop_back();
    recycled_bytes_ -= capacity;
    return data;
  }
  return nullptr;
}

bool MemoryBudget::Recycle(char* data, size_t capacity) {
  std::lock_guard lock(recycle_mu_);
  if (recycled_bytes_ + capacity > recycle_limit_) return false;
  recycled_.emplace_back(data, capacity);
  recycled_bytes_ += capacity;
  return true;
}

bool MemoryBudget::TryAcquire(uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (used_ + bytes > limit_) return false;
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return true;
}

void MemoryBudget::Acquire(uint64_t bytes, uint64_t caller_holds) {
  std::unique_lock lock(mu_);
  while (true) {
    // Fits, or an oversized request and nobody but the caller holds anything.
    if (used_ + bytes <= limit_ || used_ <= caller_holds) {
      used_ += bytes;
      peak_ = std::max(peak_, used_);
      return;
    }
    uint64_t missing = used_ + bytes > limit_ ? used_ + bytes - limit_ : 0;
    lock.unlock();
    uint64_t freed = Reclaim(missing);
    lock.lock();
    if (freed > 0) continue;
    cv_.wait_for(lock, kReclaimRetry);
  }
}

void MemoryBudget::Release(uint64_t bytes) {
  {
    std::lock_guard lock(mu_);
    used_ = bytes > used_ ? 0 : used_ - bytes;
  }
  cv_.notify_all();
}

uint64_t MemoryBudget::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

uint64_t MemoryBudget::peak() const {
  std::lock_guard lock(mu_);
  return peak_;
}

int MemoryBudget::AddReclaimer(Reclaimer reclaimer) {
  std::lock_guard lock(mu_);
  int id = next_reclaimer_id_++;
  reclaimers_.emplace_back(id, std::move(reclaimer));
  return id;
}

void MemoryBudget::RemoveReclaimer(int id) {
  std::unique_lock lock(mu_);
  std::erase_if(reclaimers_, [id](const auto& entry) { return entry.first == id; });
  // A Reclaim() that copied the list before the erase may still be calling it.
  cv_.wait(lock, [this] { return reclaims_running_ == 0; });
}

uint64_t MemoryBudget::Reclaim(uint64_t bytes) {
  std::vector<Reclaimer> reclaimers;
  {
    std::lock_guard lock(mu_);
    if (reclaimers_.empty()) return 0;
    for (const auto& entry : reclaimers_) reclaimers.push_back(entry.second);
    ++reclaims_running_;
  }
  uint64_t freed = 0;
  for (const Reclaimer& reclaimer : reclaimers) {
    if (freed >= bytes) break;
    freed += reclaimer(bytes - freed);
  }
  {
    std::lock_guard lock(mu_);
    --reclaims_running_;
  }
  cv_.notify_all();
  return freed;
}

}  // namespace objfs::fs
