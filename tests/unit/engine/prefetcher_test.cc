#include "fs/prefetcher.h"

#include <doctest/doctest.h>

namespace objfs::fs {

namespace {
constexpr uint64_t kMiB = 1ull << 20;
}

TEST_CASE("Prefetcher: sequential reads double the window up to the cap") {
  Prefetcher p({.block_size = kMiB, .initial_window = kMiB, .max_window = 8 * kMiB});
  auto plan = p.OnRead(0, 128 << 10);
  CHECK(plan.sequential);
  CHECK(plan.window == kMiB);
  uint64_t offset = 128 << 10;
  uint64_t last_window = plan.window;
  for (int i = 0; i < 200; ++i) {
    plan = p.OnRead(offset, 128 << 10);
    offset += 128 << 10;
    CHECK(plan.sequential);
    CHECK(plan.window >= last_window);
    CHECK(plan.window <= 8 * kMiB);
    last_window = plan.window;
  }
  CHECK(plan.window == 8 * kMiB);
}

TEST_CASE("Prefetcher: slightly out-of-order reads still count as sequential") {
  Prefetcher p({.block_size = kMiB, .initial_window = kMiB, .max_window = 16 * kMiB});
  CHECK(p.OnRead(0, 128 << 10).sequential);
  CHECK(p.OnRead(256 << 10, 128 << 10).sequential);  // parallel readahead arrived first
  CHECK(p.OnRead(128 << 10, 128 << 10).sequential);
}

TEST_CASE("Prefetcher: random reads drop the window, a new run starts small") {
  Prefetcher p({.block_size = kMiB, .initial_window = kMiB, .max_window = 16 * kMiB});
  for (uint64_t off = 0; off < 10 * kMiB; off += kMiB) p.OnRead(off, kMiB);
  CHECK(p.window() == 16 * kMiB);
  auto plan = p.OnRead(900 * kMiB, 4096);
  CHECK_FALSE(plan.sequential);
  CHECK(plan.window == 0);
  plan = p.OnRead(300 * kMiB, 4096);
  CHECK_FALSE(plan.sequential);
  // Continuing right after the last read: sequential again, from the start.
  plan = p.OnRead(300 * kMiB + 4096, 4096);
  CHECK(plan.sequential);
  CHECK(plan.window == kMiB);
}

TEST_CASE("Prefetcher: a first read away from the start is random") {
  Prefetcher p({.block_size = kMiB, .initial_window = kMiB, .max_window = 16 * kMiB});
  CHECK_FALSE(p.OnRead(50 * kMiB, 4096).sequential);
}

}  // namespace objfs::fs
