#include "fs/memory_budget.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

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

}  // namespace objfs::fs
