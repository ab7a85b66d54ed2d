#include "fs/memory_budget.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fs/block_buffer.h"

namespace objfs::fs {

TEST_CASE("MemoryBudget: TryAcquire respects the limit and tracks the peak") {
  MemoryBudget budget(100);
  CHECK(budget.limit() == 100);
  CHECK(budget.TryAcquire(60));
  CHECK_FALSE(budget.TryAcquire(41));
  CHECK(budget.TryAcquire(40));
  CHECK(budget.used() == 100);
  budget.Release(70);
  CHECK(budget.used() == 30);
  CHECK(budget.peak() == 100);
  budget.Release(30);
  CHECK(budget.used() == 0);
}

TEST_CASE("MemoryBudget: Acquire blocks until bytes are released") {
  MemoryBudget budget(100);
  REQUIRE(budget.TryAcquire(90));
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    budget.Acquire(50);
    acquired = true;
  });
  // The waiter cannot proceed while 90 of 100 bytes are held.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(acquired.load());
  budget.Release(90);
  waiter.join();
  CHECK(acquired.load());
  CHECK(budget.used() == 50);
  CHECK(budget.peak() <= 100);
}

TEST_CASE("MemoryBudget: an oversized request runs alone instead of deadlocking") {
  MemoryBudget budget(100);
  budget.Acquire(250);  // nothing else held: admitted
  CHECK(budget.used() == 250);
  budget.Release(250);
  // A holder growing past the limit is admitted when it is the only holder.
  budget.Acquire(80);
  budget.Acquire(80, 80);
  CHECK(budget.used() == 160);
  budget.Release(160);
}

TEST_CASE("MemoryBudget: a blocked Acquire asks reclaimers for memory") {
  MemoryBudget budget(100);
  REQUIRE(budget.TryAcquire(100));  // held by a "cache"
  std::atomic<uint64_t> asked{0};
  int id = budget.AddReclaimer([&](uint64_t bytes) -> uint64_t {
    asked += bytes;
    budget.Release(40);
    return 40;
  });
  budget.Acquire(30);
  CHECK(asked.load() >= 30);
  CHECK(budget.used() <= 100);
  budget.RemoveReclaimer(id);
  budget.Release(budget.used());
}

TEST_CASE("BlockBuffer: holds its reservation until destroyed") {
  MemoryBudget budget(1 << 20);
  {
    BlockBuffer buffer(budget, 256 << 10);
    REQUIRE(buffer.valid());
    buffer.Reserve(64 << 10);
    CHECK(budget.used() == (64 << 10));
    buffer.Reserve(128 << 10);
    CHECK(buffer.reserved() == (128 << 10));
    CHECK(budget.used() == (128 << 10));
    buffer.data()[0] = 'x';
    buffer.data()[(256 << 10) - 1] = 'y';
    BlockBuffer moved = std::move(buffer);
    CHECK(budget.used() == (128 << 10));
    CHECK(moved.data()[0] == 'x');
  }
  CHECK(budget.used() == 0);
}

TEST_CASE("MemoryBudget: a bounded pool of freed mappings is reused") {
  MemoryBudget budget(64 << 20);  // pool: min(16 MiB, limit / 8) = 8 MiB
  char* first = nullptr;
  {
    BlockBuffer a(budget, 1 << 20, /*full=*/true);
    a.AdoptReservation(0);
    REQUIRE(a.valid());
    first = a.data();
    a.data()[0] = 'a';
  }
  CHECK(budget.used() == 0);
  {
    BlockBuffer b(budget, 1 << 20, /*full=*/true);
    CHECK(b.data() == first);  // the same mapping, from the pool
    BlockBuffer c(budget, 2 << 20, /*full=*/true);
    CHECK(c.data() != first);  // sizes must match exactly
  }
  // Partially reserved buffers never take from the pool.
  BlockBuffer d(budget, 1 << 20);
  CHECK(d.data() != first);
  // The pool stays within its bound.
  std::vector<char*> kept;
  int accepted = 0;
  for (int i = 0; i < 20; ++i) {
    char* p = budget.TakeRecycled(1 << 20);
    if (p == nullptr) break;
    kept.push_back(p);
  }
  for (char* p : kept) accepted += budget.Recycle(p, 1 << 20) ? 1 : 0;
  CHECK(accepted == static_cast<int>(kept.size()));
  int more = 0;
  std::vector<BlockBuffer> buffers;
  for (int i = 0; i < 12; ++i) buffers.emplace_back(budget, 1 << 20, true);
  buffers.clear();  // at most 8 of the 12 fit in the pool; the rest are unmapped
  std::vector<char*> taken;
  for (int i = 0; i < 12; ++i) {
    char* p = budget.TakeRecycled(1 << 20);
    if (p != nullptr) taken.push_back(p);
  }
  more = static_cast<int>(taken.size());
  for (char* p : taken) CHECK(budget.Recycle(p, 1 << 20));  // the budget unmaps them at the end
  CHECK(more >= 1);
  CHECK(more <= 8);
}

}  // namespace objfs::fs
