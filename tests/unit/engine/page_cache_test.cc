#include "fs/page_cache.h"

#include <doctest/doctest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "engine_test_util.h"
#include "fs/upload_stream.h"
#include "s3/memory_client.h"

namespace objfs::fs {

using testing::FaultyStore;
using testing::kBucket;
using testing::Pattern;

namespace {

constexpr uint64_t kKiB = 1ull << 10;
constexpr uint64_t kMiB = 1ull << 20;

struct Fixture : FaultyStore {
  ObjectVersion Put(const std::string& key, const std::string& data, uint64_t generation) {
    auto put = client.PutObject(kBucket, key, s3::Body::FromMemory(data), {});
    REQUIRE(put.ok());
    return ObjectVersion{key, put->etag, data.size(), generation};
  }

};

std::string ReadAll(ObjectReader& reader, uint64_t size, uint64_t chunk) {
  std::string out;
  std::vector<char> buf(chunk);
  for (uint64_t off = 0; off < size + chunk; off += chunk) {
    auto n = reader.Read(off, buf);
    REQUIRE(n.ok());
    out.append(buf.data(), *n);
    if (*n < chunk) break;
  }
  return out;
}

}  // namespace

TEST_CASE("PageCache: byte-exact reads at every alignment") {
  Fixture f;
  const uint64_t block = 64 * kKiB;
  const std::string data = Pattern(5 * block + 1234);
  ObjectVersion v = f.Put("obj", data, 1);
  MemoryBudget budget(64 * kMiB);
  PageCache cache(f.client, kBucket, budget,
                  PageCacheOptions{.block_size = block, .initial_prefetch_window = block, .direct_read_max = 0});
  auto reader = cache.OpenReader(v);

  std::vector<uint64_t> offsets = {0, 1, block - 1, block, block + 1, 2 * block - 7, 3 * block,
                                   data.size() - 1, data.size() - 1000, data.size(), data.size() + 1,
                                   data.size() + 10 * block};
  std::vector<uint64_t> lengths = {0, 1, 7, block - 1, block, block + 1, 3 * block + 5, 10 * block};
  for (uint64_t off : offsets) {
    for (uint64_t len : lengths) {
      CAPTURE(off);
      CAPTURE(len);
      std::vector<char> buf(len, '\0');
      auto n = reader->Read(off, buf);
      REQUIRE(n.ok());
      uint64_t expect = off >= data.size() ? 0 : std::min<uint64_t>(len, data.size() - off);
      REQUIRE(*n == expect);
      CHECK(std::string(buf.data(), *n) == data.substr(std::min<uint64_t>(off, data.size()), expect));
    }
  }
  CHECK(ReadAll(*reader, data.size(), 100 * kKiB) == data);
  CHECK(budget.used() <= budget.limit());
}

TEST_CASE("PageCache: empty object and exact block multiple") {
  Fixture f;
  MemoryBudget budget(16 * kMiB);
  PageCache cache(f.client, kBucket, budget, PageCacheOptions{.block_size = 64 * kKiB});
  ObjectVersion empty = f.Put("empty", "", 1);
  std::vector<char> buf(100);
  auto n = cache.OpenReader(empty)->Read(0, buf);
  REQUIRE(n.ok());
  CHECK(*n == 0);

  const std::string data = Pattern(4 * 64 * kKiB, 7);
  ObjectVersion v = f.Put("exact", data, 2);
  auto reader = cache.OpenReader(v);
  CHECK(ReadAll(*reader, data.size(), 64 * kKiB) == data);
  CHECK(ReadAll(*reader, data.size(), 3000) == data);
}

TEST_CASE("PageCache: sequential read prefetches and serves from cache") {
  Fixture f;
  const std::string data = Pattern(20 * kMiB, 3);
  ObjectVersion v = f.Put("seq", data, 1);
  MemoryBudget budget(64 * kMiB);
  PageCache cache(f.client, kBucket, budget);
  auto reader = cache.OpenReader(v);
  CHECK(ReadAll(*reader, data.size(), 128 * kKiB) == data);
  PageCacheStats s = cache.Stats();
  CHECK(s.prefetched > 0);
  CHECK(s.hits > s.misses);
  CHECK(s.bytes_fetched == data.size());  // every byte fetched exactly once
  // Runs of several blocks: fewer GETs than blocks.
  CHECK(s.get_requests < 20);

  // A second reader of the same version is served from memory.
  f.store->ResetCounts();
  auto again = cache.OpenReader(v);
  CHECK(ReadAll(*again, data.size(), kMiB) == data);
  CHECK(f.store->CallCount("GetObject") == 0);
}

TEST_CASE("PageCache: concurrent readers of one file share blocks") {
  Fixture f;
  const std::string data = Pattern(24 * kMiB, 5);
  ObjectVersion v = f.Put("shared", data, 1);
  MemoryBudget budget(128 * kMiB);
  PageCache cache(f.client, kBucket, budget, PageCacheOptions{.max_parallel_requests = 8});
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto reader = cache.OpenReader(v);
      std::string got;
      std::vector<char> buf((t + 1) * 37 * kKiB);
      for (uint64_t off = 0; off < data.size(); off += buf.size()) {
        auto n = reader->Read(off, buf);
        if (!n.ok()) return;
        got.append(buf.data(), *n);
      }
      if (got == data) ++good;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 6);
  PageCacheStats s = cache.Stats();
  // Shared blocks and shared in-flight fetches: each byte fetched once.
  CHECK(s.bytes_fetched == data.size());
  CHECK(budget.peak() <= budget.limit());
}

TEST_CASE("PageCache: two readers waiting for one block cause one GET") {
  Fixture f;
  const std::string data = Pattern(kMiB, 9);
  ObjectVersion v = f.Put("one", data, 1);
  MemoryBudget budget(16 * kMiB);
  PageCache cache(f.client, kBucket, budget, PageCacheOptions{.direct_read_max = 0});
  f.store->ResetCounts();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto reader = cache.OpenReader(v);
      std::vector<char> buf(4096);
      auto n = reader->Read(500000, buf);
      if (n.ok() && *n == 4096 && std::string(buf.data(), 4096) == data.substr(500000, 4096)) ++good;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 8);
  CHECK(f.store->CallCount("GetObject") == 1);
}

TEST_CASE("PageCache: a file larger than the budget reads correctly and stays within it") {
  Fixture f;
  const std::string data = Pattern(40 * kMiB, 11);
  ObjectVersion v = f.Put("big", data, 1);
  MemoryBudget budget(6 * kMiB);
  PageCache cache(f.client, kBucket, budget);
  {
    auto a = cache.OpenReader(v);
    auto b = cache.OpenReader(v);
    std::string got_a;
    std::string got_b;
    std::vector<char> buf(128 * kKiB);
    for (uint64_t off = 0; off < data.size(); off += buf.size()) {
      auto n = a->Read(off, buf);
      REQUIRE(n.ok());
      got_a.append(buf.data(), *n);
      // b trails a by 10 MiB: its blocks were evicted meanwhile.
      if (off >= 10 * kMiB) {
        auto m = b->Read(off - 10 * kMiB, buf);
        REQUIRE(m.ok());
        got_b.append(buf.data(), *m);
      }
    }
    CHECK(got_a == data);
    CHECK(got_b == data.substr(0, data.size() - 10 * kMiB));
  }
  PageCacheStats s = cache.Stats();
  CHECK(s.evictions > 0);
  CHECK(budget.peak() <= budget.limit());
  CHECK(s.cached_bytes <= budget.limit());
}

TEST_CASE("PageCache: random reads are exact and do not prefetch") {
  Fixture f;
  const std::string data = Pattern(16 * kMiB, 13);
  ObjectVersion v = f.Put("rand", data, 1);
  MemoryBudget budget(32 * kMiB);
  PageCache cache(f.client, kBucket, budget);
  auto reader = cache.OpenReader(v);
  std::mt19937_64 rng(42);
  std::vector<char> buf(4096);
  for (int i = 0; i < 200; ++i) {
    uint64_t off = rng() % data.size();
    auto n = reader->Read(off, buf);
    REQUIRE(n.ok());
    uint64_t expect = std::min<uint64_t>(4096, data.size() - off);
    REQUIRE(*n == expect);
    REQUIRE(std::string(buf.data(), *n) == data.substr(off, expect));
  }
  PageCacheStats s = cache.Stats();
  CHECK(s.direct_reads >= 150);
  CHECK(s.bytes_fetched < 4 * kMiB);
}

TEST_CASE("PageCache: random reads in a small object fetch and keep whole blocks") {
  Fixture f;
  const std::string data = Pattern(4 * kMiB, 17);
  ObjectVersion v = f.Put("small-rand", data, 1);
  MemoryBudget budget(64 * kMiB);  // prefetch cap 16 MiB >= object size
  PageCache cache(f.client, kBucket, budget);
  auto reader = cache.OpenReader(v);
  std::mt19937_64 rng(7);
  std::vector<uint64_t> offsets;
  for (int i = 0; i < 100; ++i) offsets.push_back(rng() % (data.size() - 4096));
  std::vector<char> buf(4096);
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) f.store->ResetCounts();
    for (uint64_t off : offsets) {
      auto n = reader->Read(off, buf);
      REQUIRE(n.ok());
      REQUIRE(std::string(buf.data(), *n) == data.substr(off, 4096));
    }
  }
  CHECK(cache.Stats().direct_reads == 0);
  CHECK(f.store->CallCount("GetObject") == 0);  // the second pass came from memory
}

TEST_CASE("PageCache: a changed object fails reads with kFailedPrecondition") {
  Fixture f;
  ObjectVersion v = f.Put("changing", Pattern(3 * kMiB, 1), 1);
  MemoryBudget budget(16 * kMiB);
  // No prefetch, so no fetch is still in flight when the counts are checked.
  PageCache cache(f.client, kBucket, budget, PageCacheOptions{.initial_prefetch_window = 0});
  auto reader = cache.OpenReader(v);
  f.Put("changing", Pattern(3 * kMiB, 2), 2);
  std::vector<char> buf(4096);
  auto n = reader->Read(0, buf);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().code() == Code::kFailedPrecondition);
  auto m = reader->Read(2 * kMiB, buf);  // random, direct path
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Code::kFailedPrecondition);
  // Nothing of the failed fetches stays cached or holds budget.
  CHECK(cache.Stats().cached_blocks == 0);
  CHECK(budget.used() == 0);
}

TEST_CASE("PageCache: generations keep versions apart; Invalidate frees memory") {
  Fixture f;
  const std::string one = Pattern(2 * kMiB, 1);
  const std::string two = Pattern(2 * kMiB, 2);
  MemoryBudget budget(32 * kMiB);
  PageCache cache(f.client, kBucket, budget);
  ObjectVersion v1 = f.Put("versioned", one, 1);
  CHECK(ReadAll(*cache.OpenReader(v1), one.size(), kMiB) == one);
  ObjectVersion v2 = f.Put("versioned", two, 2);
  CHECK(ReadAll(*cache.OpenReader(v2), two.size(), kMiB) == two);
  uint64_t before = budget.used();
  cache.Invalidate(1);
  CHECK(budget.used() < before);
  CHECK(ReadAll(*cache.OpenReader(v2), two.size(), kMiB) == two);
  cache.Invalidate(2);
  CHECK(budget.used() == 0);
}

TEST_CASE("PageCache: GET failures surface and leave nothing behind") {
  Fixture f;
  const std::string data = Pattern(8 * kMiB, 4);
  ObjectVersion v = f.Put("failing", data, 1);
  MemoryBudget budget(32 * kMiB);
  {
    PageCache cache(f.client, kBucket, budget);
    f.FailFrom("GetObject", 0);
    auto reader = cache.OpenReader(v);
    std::vector<char> buf(kMiB);
    auto n = reader->Read(0, buf);
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == Code::kUnavailable);
    f.client.ClearFaults();
    // Failed blocks are not remembered: the next read fetches again.
    CHECK(ReadAll(*cache.OpenReader(v), data.size(), kMiB) == data);
  }
  CHECK(budget.used() == 0);
}

TEST_CASE("PageCache: writers waiting for budget make the cache give memory back") {
  Fixture f;
  const std::string data = Pattern(8 * kMiB, 6);
  ObjectVersion v = f.Put("reclaim", data, 1);
  MemoryBudget budget(8 * kMiB);
  PageCache cache(f.client, kBucket, budget);
  CHECK(ReadAll(*cache.OpenReader(v), data.size(), kMiB) == data);
  CHECK(budget.used() > 4 * kMiB);
  budget.Acquire(6 * kMiB);  // must not deadlock: the cache is clean
  CHECK(budget.used() <= budget.limit());
  budget.Release(6 * kMiB);
}

TEST_CASE("PageCache + UploadStream: readers and writers share one small budget") {
  Fixture f;
  const uint64_t limit = 24 * kMiB;
  MemoryBudget budget(limit);
  std::vector<std::string> contents;
  std::vector<ObjectVersion> versions;
  for (int i = 0; i < 4; ++i) {
    contents.push_back(Pattern(12 * kMiB + i * 777, 20 + i));
    versions.push_back(f.Put("in/" + std::to_string(i), contents.back(), i + 1));
  }
  PageCache cache(f.client, kBucket, budget);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto reader = cache.OpenReader(versions[i]);
      if (ReadAll(*reader, contents[i].size(), 128 * kKiB) == contents[i]) ++good;
    });
    threads.emplace_back([&, i] {
      UploadStream stream(f.client, kBucket, "out/" + std::to_string(i), {}, budget,
                          UploadOptions{.initial_part_size = 5 * kMiB, .max_parallel_parts = 2});
      const std::string data = Pattern(17 * kMiB, 40 + i);
      for (uint64_t off = 0; off < data.size(); off += kMiB) {
        if (!stream.Append(std::span<const char>(data.data() + off, std::min(kMiB, data.size() - off))).ok()) return;
      }
      if (stream.Finish().ok()) ++good;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == 8);
  // No single request is larger than the limit, so the peak stays within it.
  CHECK(budget.peak() <= limit);
  for (int i = 0; i < 4; ++i) {
    std::string out;
    auto info = f.client.GetObject(s3::GetRequest{kBucket, "out/" + std::to_string(i), std::nullopt, ""},
                                   [&](std::string_view chunk) {
                                     out.append(chunk);
                                     return Status::Ok();
                                   });
    REQUIRE(info.ok());
    CHECK(out == Pattern(17 * kMiB, 40 + i));
  }
}

}  // namespace objfs::fs
