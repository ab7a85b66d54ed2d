// MemoryBudget: the one byte budget that bounds objfs' data memory — cached
// page-cache blocks, prefetch buffers and upload parts all draw from it, so the
// daemon's data memory stays within `limit` plus a small constant whatever the
// file sizes and however many files are open.
//
// Holders acquire bytes before they allocate and release them after they free
// (BlockBuffer, fs/block_buffer.h, ties the two together with RAII).
//
//   TryAcquire(n)  never blocks; the page cache uses it for prefetch (a full
//                  budget simply means "do not prefetch").
//   Acquire(n)     blocks until the bytes are available: backpressure for
//                  writers. Before waiting it asks the registered reclaimers
//                  (the page cache) to drop clean cached blocks, and it asks
//                  again while it waits, so cached data never starves writers.
//
// A request larger than the whole limit could never be granted; Acquire grants
// it once nobody else holds any budget (`caller_holds` lets a holder that grows
// its own reservation say how much of `used()` is its own), so one oversized
// request runs alone instead of deadlocking.
//
// Recycling: mapping fresh pages for every 1 MiB block or 8 MiB part, then
// faulting, zeroing and unmapping them, cost about 15% of the CPU of a
// streaming read (perf, engine_bench). So the budget also keeps a few freed
// mappings (at most min(16 MiB, limit / 8) bytes, outside used(): that is the
// "small constant") for BlockBuffers that reserve their whole capacity.
//
// Thread-safety: every method may be called from any thread. Reclaimers are
// called without the budget's lock held, so they may call Release(). A
// reclaimer must be removed (RemoveReclaimer) before it is destroyed;
// RemoveReclaimer waits until no call into it is running.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace objfs::fs {

class MemoryBudget {
 public:
  // Frees up to `bytes` of clean, unpinned memory by calling Release(); returns
  // how many bytes it released.
  using Reclaimer = std::function<uint64_t(uint64_t bytes)>;

  explicit MemoryBudget(uint64_t limit);
  ~MemoryBudget();  // unmaps recycled mappings
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  bool TryAcquire(uint64_t bytes);
  // Blocks until `bytes` fit (see the header comment for oversized requests).
  void Acquire(uint64_t bytes, uint64_t caller_holds = 0);
  void Release(uint64_t bytes);

  uint64_t used() const;
  uint64_t limit() const { return limit_; }
  // Highest used() ever observed: what tests check against limit().
  uint64_t peak() const;

  // A recycled mapping of exactly `capacity` bytes, or null.
  char* TakeRecycled(size_t capacity);
  // Keeps the mapping for reuse; false when the pool is full (the caller unmaps).
  bool Recycle(char* data, size_t capacity);

  // Returns an id for RemoveReclaimer.
  int AddReclaimer(Reclaimer reclaimer);
  void RemoveReclaimer(int id);

 private:
  uint64_t Reclaim(uint64_t bytes);

  const uint64_t limit_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // signalled on Release and reclaimer removal
  uint64_t used_ = 0;                 // guarded by mu_
  uint64_t peak_ = 0;                 // guarded by mu_
  int next_reclaimer_id_ = 1;         // guarded by mu_
  int reclaims_running_ = 0;          // guarded by mu_
  std::vector<std::pair<int, Reclaimer>> reclaimers_;  // guarded by mu_

  const uint64_t recycle_limit_;
  std::mutex recycle_mu_;
  std::vector<std::pair<char*, size_t>> recycled_;  // guarded by recycle_mu_
  uint64_t recycled_bytes_ = 0;                     // guarded by recycle_mu_
};

}  // namespace objfs::fs
