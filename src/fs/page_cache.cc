#include "fs/page_cache.h"

#include "base/log.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <utility>
#include <vector>

#include "fs/block_buffer.h"
#include "fs/prefetcher.h"

namespace objfs::fs {

ObjectReader::~ObjectReader() = default;

Result<size_t> ObjectReader::ReadSlices(uint64_t offset, size_t length, std::vector<ReadSlice>* slices) {
  std::shared_ptr<char[]> buffer(new char[std::max<size_t>(length, 1)]);
  Result<size_t> n = Read(offset, std::span<char>(buffer.get(), length));
  if (!n.ok()) return n.status();
  if (*n > 0) slices->push_back(ReadSlice{buffer, buffer.get(), *n});
  return *n;
}

// One cached block. The fetcher fills `buffer` while the block is kLoading and
// publishes it under `mu`; afterwards buffer and size are read-only.
struct PageCache::Block {
  enum class State { kLoading, kReady, kFailed };

  Block(BlockKey k, BlockBuffer b) : key(k), buffer(std::move(b)) {}

  // Blocks until the block is loaded or failed.
  Status Wait() {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return state != State::kLoading; });
    return state == State::kReady ? Status::Ok() : error;
  }
  bool ready() {
    std::lock_guard lock(mu);
    return state == State::kReady;
  }
  void Publish(size_t bytes) {
    {
      std::lock_guard lock(mu);
      size = bytes;
      state = State::kReady;
    }
    cv.notify_all();
  }
  void Fail(const Status& status) {
    {
      std::lock_guard lock(mu);
      error = status;
      state = State::kFailed;
    }
    cv.notify_all();
  }

  const BlockKey key;
  BlockBuffer buffer;
  size_t size = 0;  // valid bytes once kReady

  std::mutex mu;
  std::condition_variable cv;
  State state = State::kLoading;  // guarded by mu
  Status error;                   // guarded by mu

  bool in_lru = false;                    // guarded by PageCache::lru_mu_
  std::list<BlockKey>::iterator lru_pos;  // guarded by PageCache::lru_mu_
};

struct PageCache::Counters {
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> shared_waits{0};
  std::atomic<uint64_t> misses{0};
  std::atomic<uint64_t> prefetched{0};
  std::atomic<uint64_t> direct_reads{0};
  std::atomic<uint64_t> get_requests{0};
  std::atomic<uint64_t> bytes_fetched{0};
  std::atomic<uint64_t> evictions{0};
  std::atomic<uint64_t> cached_bytes{0};

  // Fetch tasks this cache has on the executor (a shared executor outlives us).
  std::mutex tasks_mu;
  std::condition_variable tasks_cv;
  int tasks_in_flight = 0;  // guarded by tasks_mu
};

size_t PageCache::KeyHashCompare::hash(const BlockKey& k) {
  // splitmix64 finaliser: concurrent_hash_map buckets by the low bits.
  uint64_t x = k.generation * 0x9E3779B97F4A7C15ull ^ k.index;
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return static_cast<size_t>(x);
}

// The ObjectReader of a PageCache: one per open handle.
class CacheReader : public ObjectReader {
 public:
  CacheReader(PageCache& cache, ObjectVersion version)
      : cache_(cache),
        version_(std::move(version)),
        prefetcher_(Prefetcher::Options{cache.options_.block_size, cache.options_.initial_prefetch_window,
                                        cache.max_prefetch_window()}) {}

  Result<size_t> Read(uint64_t offset, std::span<char> out) override;
  Result<size_t> ReadSlices(uint64_t offset, size_t length, std::vector<ReadSlice>* slices) override;

 private:
  // Read and ReadSlices: copies into `out` when `slices` is null, else hands
  // out slices (`out` is then empty and only its size, `length`, counts).
  Result<size_t> ReadImpl(uint64_t offset, uint64_t length, std::span<char> out, std::vector<ReadSlice>* slices);
  using Block = PageCache::Block;
  using BlockKey = PageCache::BlockKey;

  Result<size_t> DirectRead(uint64_t offset, std::span<char> out);
  uint64_t BlockBytes(uint64_t index) const {
    uint64_t start = index * cache_.options_.block_size;
    return std::min<uint64_t>(cache_.options_.block_size, version_.size - start);
  }

  PageCache& cache_;
  const ObjectVersion version_;

  std::mutex mu_;
  Prefetcher prefetcher_;            // guarded by mu_
  uint64_t prefetched_until_ = 0;    // guarded by mu_: blocks below were requested ahead
};

Result<size_t> CacheReader::DirectRead(uint64_t offset, std::span<char> out) {
  PageCache::Counters& c = *cache_.counters_;
  c.direct_reads.fetch_add(1, std::memory_order_relaxed);
  c.get_requests.fetch_add(1, std::memory_order_relaxed);
  Result<uint64_t> got = cache_.client_.GetObjectRange(cache_.bucket_, version_.key, offset, out, version_.etag);
  if (!got.ok()) {
    Status status = got.status();
    return status.Annotate("read " + version_.key);
  }
  c.bytes_fetched.fetch_add(*got, std::memory_order_relaxed);
  if (*got != out.size()) {
    return Status(Code::kDataLoss, "object " + version_.key + " is shorter than its known size");
  }
  return static_cast<size_t>(*got);
}

Result<size_t> CacheReader::Read(uint64_t offset, std::span<char> out) {
  if (offset >= version_.size || out.empty()) return size_t{0};
  const uint64_t length = std::min<uint64_t>(out.size(), version_.size - offset);
  return ReadImpl(offset, length, out.subspan(0, length), nullptr);
}

Result<size_t> CacheReader::ReadSlices(uint64_t offset, size_t length, std::vector<ReadSlice>* slices) {
  if (offset >= version_.size || length == 0) return size_t{0};
  return ReadImpl(offset, std::min<uint64_t>(length, version_.size - offset), {}, slices);
}

Result<size_t> CacheReader::ReadImpl(uint64_t offset, uint64_t length, std::span<char> out,
                                     std::vector<ReadSlice>* slices) {
  const uint64_t bs = cache_.options_.block_size;
  // With slices, bytes read straight from S3 land in one buffer of this read,
  // made on first need at the full length so slices into it stay valid.
  std::shared_ptr<char[]> scratch;
  auto direct_target = [&](uint64_t from, uint64_t size) -> std::span<char> {
    if (!slices) return out.subspan(from - offset, size);
    if (!scratch) scratch.reset(new char[length]);
    return std::span<char>(scratch.get() + (from - offset), size);
  };
  auto emit_direct = [&](std::span<char> got) {
    if (slices) slices->push_back(ReadSlice{scratch, got.data(), got.size()});
  };
  const uint64_t first = offset / bs;
  const uint64_t last = (offset + length - 1) / bs;
  PageCache::Counters& c = *cache_.counters_;

  Prefetcher::Plan plan;
  uint64_t prefetch_from;
  {
    std::lock_guard lock(mu_);
    plan = prefetcher_.OnRead(offset, length);
    if (!plan.sequential) prefetched_until_ = 0;
    prefetch_from = std::max(last + 1, prefetched_until_);
  }

  // Blocks this read needs; null where the read goes straight to S3.
  std::vector<std::shared_ptr<Block>> needed(last - first + 1);
  std::vector<bool> claimed(last - first + 1, false);  // fetched by this read
  bool any_missing = false;
  for (uint64_t i = first; i <= last; ++i) {
    needed[i - first] = cache_.Lookup(BlockKey{version_.generation, i});
    if (!needed[i - first]) any_missing = true;
  }

  // A small random read of uncached data in a large object: one exact range
  // GET, nothing cached. (In an object no larger than the prefetch window,
  // whole blocks are fetched and cached: random reads soon hit them.)
  if (any_missing && !plan.sequential && cache_.options_.direct_read_max > 0 &&
      length <= cache_.options_.direct_read_max && version_.size > cache_.max_prefetch_window()) {
    std::span<char> target = direct_target(offset, length);
    Result<size_t> got = DirectRead(offset, target);
    if (got.ok()) emit_direct(target);
    return got;
  }

  // Claim the missing needed blocks; fetch them below on this thread.
  std::vector<std::vector<std::shared_ptr<Block>>> demand_runs;
  std::vector<uint64_t> demand_run_starts;
  for (uint64_t i = first; i <= last; ++i) {
    std::shared_ptr<Block>& slot = needed[i - first];
    if (slot) {
      c.hits.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    std::shared_ptr<Block> existing;
    std::shared_ptr<Block> block = cache_.InsertLoading(BlockKey{version_.generation, i}, BlockBytes(i), true, &existing);
    if (block) {
      c.misses.fetch_add(1, std::memory_order_relaxed);
      if (demand_runs.empty() || demand_run_starts.back() + demand_runs.back().size() != i) {
        demand_runs.emplace_back();
        demand_run_starts.push_back(i);
      }
      demand_runs.back().push_back(block);
      slot = std::move(block);
      claimed[i - first] = true;
    } else if (existing) {
      c.hits.fetch_add(1, std::memory_order_relaxed);
      slot = std::move(existing);
    }
    // else: no budget even after evicting; this block's bytes are read directly.
  }

  // Prefetch: claim blocks in the window and send them to the executor in
  // runs of up to max_blocks_per_request contiguous blocks.
  // Top the window up only when a whole run of blocks is missing (or the
  // object's tail is), so prefetch GETs are max_blocks_per_request blocks
  // long instead of one block per read, while the window stays nearly full.
  const uint64_t max_run = static_cast<uint64_t>(std::max(1, cache_.options_.max_blocks_per_request));
  const uint64_t window_end = std::min(version_.size, offset + length + plan.window);
  const uint64_t last_ahead = plan.window > 0 ? (window_end - 1) / bs : 0;
  const bool tail = window_end == version_.size;
  if (plan.window > 0 && last_ahead >= prefetch_from &&
      (last_ahead - prefetch_from + 1 >= std::min(max_run, plan.window / bs) || tail)) {
    std::vector<std::shared_ptr<Block>> run;
    uint64_t run_start = 0;
    auto flush = [&] {
      if (run.empty()) return;
      cache_.SubmitRun(version_, run_start, std::move(run));
      run.clear();
    };
    uint64_t i = prefetch_from;
    for (; i <= last_ahead; ++i) {
      BlockKey key{version_.generation, i};
      std::shared_ptr<Block> existing;
      std::shared_ptr<Block> block = cache_.InsertLoading(key, BlockBytes(i), true, &existing);
      if (!block) {
        flush();
        if (!existing) break;  // budget full: stop prefetching
        continue;
      }
      c.prefetched.fetch_add(1, std::memory_order_relaxed);
      if (run.empty()) run_start = i;
      run.push_back(std::move(block));
      if (run.size() >= max_run) flush();
    }
    flush();
    std::lock_guard lock(mu_);
    prefetched_until_ = std::max(prefetched_until_, i);
  }

  for (size_t r = 0; r < demand_runs.size(); ++r) {
    cache_.FetchRun(version_, demand_run_starts[r], std::move(demand_runs[r]));
  }

  // Copy out, block by block.
  for (uint64_t i = first; i <= last; ++i) {
    const uint64_t block_start = i * bs;
    const uint64_t from = std::max(offset, block_start);
    const uint64_t to = std::min(offset + length, block_start + BlockBytes(i));
    std::shared_ptr<Block>& block = needed[i - first];
    if (!block) {
      std::span<char> dst = direct_target(from, to - from);
      Result<size_t> got = DirectRead(from, dst);
      if (!got.ok()) return got.status();
      emit_direct(dst);
      continue;
    }
    if (!block->ready()) c.shared_waits.fetch_add(1, std::memory_order_relaxed);
    Status status = block->Wait();
    if (!status.ok() && !claimed[i - first] && status.code() != Code::kFailedPrecondition) {
      // Another reader's fetch failed; try once more on our own.
      block.reset();
      std::span<char> dst = direct_target(from, to - from);
      Result<size_t> got = DirectRead(from, dst);
      if (!got.ok()) return got.status();
      emit_direct(dst);
      continue;
    }
    if (!status.ok()) return status;
    if (block->size < to - block_start) {
      return Status(Code::kDataLoss, "object " + version_.key + " is shorter than its known size");
    }
    const char* bytes = block->buffer.data() + (from - block_start);
    cache_.Touch(*block);
    if (slices) {
      // The slice pins the block until the reply is written (Evict skips
      // pinned blocks; Invalidate only drops it from the map).
      slices->push_back(ReadSlice{std::move(block), bytes, static_cast<size_t>(to - from)});
    } else {
      std::memcpy(out.data() + (from - offset), bytes, to - from);
    }
    block.reset();  // unpin early so the block can be evicted
  }
  return static_cast<size_t>(length);
}

PageCache::PageCache(s3::ObjectClient& client, std::string bucket, MemoryBudget& budget, PageCacheOptions options)
    : client_(client),
      bucket_(std::move(bucket)),
      budget_(budget),
      options_(options),
      counters_(std::make_unique<Counters>()) {
  reclaimer_id_ = budget_.AddReclaimer([this](uint64_t bytes) { return Evict(bytes); });
  if (options_.executor != nullptr) {
    executor_ = options_.executor;
  } else {
    own_executor_ = std::make_unique<IoExecutor>(options_.max_parallel_requests, options_.executor_backend);
    executor_ = own_executor_.get();
  }
}

PageCache::~PageCache() {
  budget_.RemoveReclaimer(reclaimer_id_);
  std::unique_lock lock(counters_->tasks_mu);
  counters_->tasks_cv.wait(lock, [this] { return counters_->tasks_in_flight == 0; });
}

uint64_t PageCache::max_prefetch_window() const {
  return std::min(options_.max_prefetch_window, budget_.limit() / 4);
}

std::unique_ptr<ObjectReader> PageCache::OpenReader(const ObjectVersion& version) {
  return std::make_unique<CacheReader>(*this, version);
}

std::shared_ptr<PageCache::Block> PageCache::Lookup(const BlockKey& key) {
  std::shared_ptr<Block> block;
  {
    BlockMap::const_accessor acc;
    if (blocks_.find(acc, key)) block = acc->second;
  }
  return block;
}

std::shared_ptr<PageCache::Block> PageCache::InsertLoading(const BlockKey& key, uint64_t bytes, bool may_evict,
                                                           std::shared_ptr<Block>* existing) {
  if (std::shared_ptr<Block> found = Lookup(key)) {
    *existing = std::move(found);
    return nullptr;
  }
  if (!budget_.TryAcquire(bytes)) {
    if (!may_evict) return nullptr;
    Evict(bytes);
    if (!budget_.TryAcquire(bytes)) return nullptr;
  }
  BlockBuffer buffer(budget_, bytes, /*full=*/true);
  buffer.AdoptReservation(bytes);
  if (!buffer.valid()) return nullptr;
  auto block = std::make_shared<Block>(key, std::move(buffer));

  BlockMap::accessor acc;
  if (!blocks_.insert(acc, key)) {
    *existing = acc->second;
    return nullptr;  // `block` dies here and gives its budget back
  }
  acc->second = block;
  counters_->cached_bytes.fetch_add(bytes, std::memory_order_relaxed);
  std::lock_guard lock(lru_mu_);
  lru_.push_front(key);
  block->lru_pos = lru_.begin();
  block->in_lru = true;
  return block;
}

void PageCache::SubmitRun(const ObjectVersion& version, uint64_t first_index,
                          std::vector<std::shared_ptr<Block>> blocks) {
  {
    std::lock_guard lock(counters_->tasks_mu);
    ++counters_->tasks_in_flight;
  }
  executor_->Submit([this, version, first_index, blocks = std::move(blocks)]() mutable {
    FetchRun(version, first_index, std::move(blocks));
    {
      std::lock_guard lock(counters_->tasks_mu);
      --counters_->tasks_in_flight;
      // Under the lock: a waiter that sees zero may destroy the cache next.
      counters_->tasks_cv.notify_all();
    }
  });
}

void PageCache::FetchRun(const ObjectVersion& version, uint64_t first_index,
                         std::vector<std::shared_ptr<Block>> blocks) {
  if (blocks.empty()) return;
  uint64_t length = 0;
  for (const auto& block : blocks) length += block->buffer.capacity();
  s3::GetRequest request{bucket_, version.key, s3::ByteRange{first_index * options_.block_size, length},
                         version.etag};

  size_t current = 0;    // block being filled
  size_t fill = 0;       // bytes in it
  uint64_t received = 0;
  Result<s3::ObjectInfo> info = client_.GetObject(request, [&](std::string_view chunk) -> Status {
    while (!chunk.empty()) {
      if (current >= blocks.size()) return Status(Code::kDataLoss, "server sent more bytes than requested");
      Block& block = *blocks[current];
      size_t n = std::min(chunk.size(), block.buffer.capacity() - fill);
      std::memcpy(block.buffer.data() + fill, chunk.data(), n);
      fill += n;
      received += n;
      chunk.remove_prefix(n);
      if (fill == block.buffer.capacity()) {
        block.Publish(fill);
        blocks[current].reset();  // evictable once every reader let go
        ++current;
        fill = 0;
      }
    }
    return Status::Ok();
  });
  counters_->get_requests.fetch_add(1, std::memory_order_relaxed);
  counters_->bytes_fetched.fetch_add(received, std::memory_order_relaxed);

  if (current == blocks.size()) return;
  Status status = info.ok() ? Status(Code::kDataLoss, "object " + version.key + " is shorter than its known size")
                            : info.status();
  if (!info.ok()) status.Annotate("read " + version.key);
  for (size_t i = current; i < blocks.size(); ++i) {
    blocks[i]->Fail(status);
    Remove(blocks[i]->key, blocks[i].get());
  }
}

std::shared_ptr<PageCache::Block> PageCache::Remove(const BlockKey& key, const Block* expected) {
  std::shared_ptr<Block> removed;
  BlockMap::accessor acc;
  if (!blocks_.find(acc, key)) return nullptr;
  if (expected != nullptr && acc->second.get() != expected) return nullptr;
  removed = std::move(acc->second);
  blocks_.erase(acc);
  Unlisted(*removed);
  return removed;
}

void PageCache::Unlisted(Block& block) {
  counters_->cached_bytes.fetch_sub(block.buffer.reserved(), std::memory_order_relaxed);
  std::lock_guard lock(lru_mu_);
  if (block.in_lru) {
    lru_.erase(block.lru_pos);
    block.in_lru = false;
  }
}

void PageCache::Touch(Block& block) {
  std::lock_guard lock(lru_mu_);
  if (block.in_lru && block.lru_pos != lru_.begin()) lru_.splice(lru_.begin(), lru_, block.lru_pos);
}

uint64_t PageCache::Evict(uint64_t bytes) {
  // Candidates from the cold end; loading or pinned ones are skipped.
  std::vector<BlockKey> candidates;
  {
    std::lock_guard lock(lru_mu_);
    size_t want = 32 + 4 * (bytes / std::max<uint64_t>(options_.block_size, 1));
    for (auto it = lru_.rbegin(); it != lru_.rend() && candidates.size() < want; ++it) candidates.push_back(*it);
  }
  uint64_t freed = 0;
  for (const BlockKey& key : candidates) {
    if (freed >= bytes) break;
    std::shared_ptr<Block> victim;
    {
      BlockMap::accessor acc;
      if (!blocks_.find(acc, key)) continue;
      // Under the write accessor nobody can take a new reference, so a use
      // count of one means no reader holds the block.
      if (acc->second.use_count() != 1 || !acc->second->ready()) continue;
      victim = std::move(acc->second);
      blocks_.erase(acc);
      Unlisted(*victim);
    }
    freed += victim->buffer.reserved();
    counters_->evictions.fetch_add(1, std::memory_order_relaxed);
    victim.reset();  // unmaps and releases the budget
  }
  return freed;
}

void PageCache::Invalidate(uint64_t generation) {
  std::vector<BlockKey> keys;
  {
    std::lock_guard lock(lru_mu_);
    for (const BlockKey& key : lru_) {
      if (key.generation == generation) keys.push_back(key);
    }
  }
  for (const BlockKey& key : keys) Remove(key, nullptr);
}

PageCacheStats PageCache::Stats() const {
  const Counters& c = *counters_;
  PageCacheStats s;
  s.hits = c.hits.load(std::memory_order_relaxed);
  s.shared_waits = c.shared_waits.load(std::memory_order_relaxed);
  s.misses = c.misses.load(std::memory_order_relaxed);
  s.prefetched = c.prefetched.load(std::memory_order_relaxed);
  s.direct_reads = c.direct_reads.load(std::memory_order_relaxed);
  s.get_requests = c.get_requests.load(std::memory_order_relaxed);
  s.bytes_fetched = c.bytes_fetched.load(std::memory_order_relaxed);
  s.evictions = c.evictions.load(std::memory_order_relaxed);
  s.cached_bytes = c.cached_bytes.load(std::memory_order_relaxed);
  s.cached_blocks = blocks_.size();
  return s;
}

}  // namespace objfs::fs
