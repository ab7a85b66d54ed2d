// PageCache: the read side of the data engine. Turns reads of an object into
// parallel S3 range GETs of fixed-size blocks and keeps the blocks in memory,
// shared by every open file, bounded by the MemoryBudget.
//
// Blocks are keyed by (generation, block index). FsCore gives each content
// version of an inode a unique generation, so a block can never be served for
// the wrong version; Invalidate(generation) just frees memory early.
//
// Cache: a tbb::concurrent_hash_map from key to a shared Block. A block is
// inserted in the "loading" state by whoever first needs it, so a second reader
// of the same block waits for that one GET instead of issuing its own
// (in-flight fetches are shared). Eviction is LRU over blocks that are loaded
// and not being copied out by a reader; the LRU list has its own mutex, held
// only for list splices. Every block holds its bytes of budget (BlockBuffer)
// until the last reference drops, so used() always covers live block memory.
// The cache registers a reclaimer with the budget, so writers waiting for
// budget make the cache give up clean blocks.
//
// Reads (one ObjectReader per open handle, see the Prefetcher for the window):
//   - sequential: the blocks needed now are fetched on the caller's thread;
//     blocks in the prefetch window ahead go to the IoExecutor as GETs of up to
//     `max_blocks_per_request` contiguous blocks; each block becomes readable
//     as soon as its bytes arrived, before the rest of its request.
//   - random: no prefetch; a small read (<= direct_read_max) whose block is not
//     cached is one exact range GET into the caller's buffer, not cached —
//     unless the object is no larger than the prefetch window cap, where
//     whole blocks are cheap and soon re-hit. Measured with engine_bench
//     (500 random 4 KiB reads, one reader, local s3rver, loaded 2-core
//     machine): 512 MiB object, exact GETs 500/199 IOPS vs whole blocks
//     67/115; 64 MiB object, exact GETs ~520-620 vs whole blocks 230-1460
//     (the cache fills and then hits).
//   - budget full: prefetch stops (TryAcquire) and demand reads that cannot get
//     budget after evicting go straight into the caller's buffer, uncached.
//     Reads never block on the budget.
// Every GET carries If-Match: the version's ETag; a changed object fails the
// read with Code::kFailedPrecondition. A failed fetch is removed from the map
// (nothing failed is remembered); a reader that was waiting on another
// reader's failed fetch retries once with its own range GET.
//
// Ownership: the cache keeps references to the client and the budget, which
// must outlive it; the cache must outlive every reader it opened. Readers own
// only their prefetch state; blocks belong to the cache.
//
// Thread-safety: PageCache methods may be called from any thread. An
// ObjectReader's Read may be called concurrently (the kernel issues parallel
// reads on one handle); its prefetch state is guarded by its own mutex, never
// held across S3 calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <oneapi/tbb/concurrent_hash_map.h>

#include "base/status.h"
#include "fs/io_executor.h"
#include "fs/memory_budget.h"
#include "fs/read_slice.h"
#include "s3/object_client.h"

namespace objfs::fs {

// One content version of an object, as FsCore knows it.
struct ObjectVersion {
  std::string key;
  std::string etag;  // empty: reads are not conditional
  uint64_t size = 0;
  uint64_t generation = 0;  // unique per inode content version, assigned by FsCore
};

// Reads one object version. One per open file handle; owns its prefetch state.
class ObjectReader {
 public:
  virtual ~ObjectReader();
  // Like Read, but hands out the bytes of cached blocks in place (pinned)
  // instead of copying them, so a FUSE reply can be written straight from
  // the cache; bytes fetched for this read alone go into a buffer of its own.
  // Appends slices in order; they sum to the returned count. The default
  // reads into one new buffer.
  virtual Result<size_t> ReadSlices(uint64_t offset, size_t length, std::vector<ReadSlice>* slices);
  // Reads up to out.size() bytes at `offset`; short only at end of object
  // (0 at or past EOF). Fails with Code::kFailedPrecondition when the object's
  // ETag changed.
  virtual Result<size_t> Read(uint64_t offset, std::span<char> out) = 0;
};

struct PageCacheOptions {
  uint64_t block_size = 1ull << 20;
  // Threads of the cache's own IoExecutor (unused when `executor` is set).
  int max_parallel_requests = 16;
  IoExecutor::Backend executor_backend = IoExecutor::Backend::kThreads;
  // A shared executor (e.g. FsCore's); when null the cache makes its own.
  IoExecutor* executor = nullptr;

  // Prefetch window: starts at initial, doubles per sequential block, capped
  // at min(max_prefetch_window, budget limit / 4).
  uint64_t initial_prefetch_window = 1ull << 20;
  uint64_t max_prefetch_window = 64ull << 20;
  // Contiguous blocks fetched by one prefetch GET.
  int max_blocks_per_request = 8;
  // Random reads up to this size in objects larger than the prefetch window
  // cap skip the cache (exact range GET); 0 disables.
  uint64_t direct_read_max = 256ull << 10;
};

struct PageCacheStats {
  uint64_t hits = 0;             // block lookups served from memory
  uint64_t shared_waits = 0;     // lookups that waited for another fetch of the block
  uint64_t misses = 0;           // blocks fetched for a demand read
  uint64_t prefetched = 0;       // blocks fetched ahead of the reader
  uint64_t direct_reads = 0;     // uncached range GETs (random or budget full)
  uint64_t get_requests = 0;     // GETs issued in total
  uint64_t bytes_fetched = 0;
  uint64_t evictions = 0;
  uint64_t cached_blocks = 0;    // blocks in the map now (loading or loaded)
  uint64_t cached_bytes = 0;     // budget held by those blocks
};

class PageCache {
 public:
  PageCache(s3::ObjectClient& client, std::string bucket, MemoryBudget& budget, PageCacheOptions options = {});
  // Waits for in-flight fetches. Every reader must be gone.
  ~PageCache();
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  std::unique_ptr<ObjectReader> OpenReader(const ObjectVersion& version);
  // Drops every cached block of `generation` (blocks being read stay alive
  // until their readers let go).
  void Invalidate(uint64_t generation);
  PageCacheStats Stats() const;

  const PageCacheOptions& options() const { return options_; }
  uint64_t max_prefetch_window() const;

 private:
  friend class CacheReader;
  struct Block;
  struct BlockKey {
    uint64_t generation = 0;
    uint64_t index = 0;
    bool operator==(const BlockKey&) const = default;
  };
  struct KeyHashCompare {
    static size_t hash(const BlockKey& k);
    static bool equal(const BlockKey& a, const BlockKey& b) { return a == b; }
  };
  using BlockMap = oneapi::tbb::concurrent_hash_map<BlockKey, std::shared_ptr<Block>, KeyHashCompare>;
  struct Counters;

  // Implemented in page_cache.cc; used by CacheReader.
  std::shared_ptr<Block> Lookup(const BlockKey& key);
  // Inserts a loading block holding budget; null if the key is present (then
  // *existing is set) or no budget could be had after evicting.
  std::shared_ptr<Block> InsertLoading(const BlockKey& key, uint64_t bytes, bool may_evict,
                                       std::shared_ptr<Block>* existing);
  // Fetches blocks [first, first + blocks.size()) of `version` with one GET and
  // publishes each as its bytes arrive; on failure marks the rest failed and
  // removes them from the map.
  // Runs FetchRun on the executor.
  void SubmitRun(const ObjectVersion& version, uint64_t first_index, std::vector<std::shared_ptr<Block>> blocks);
  void FetchRun(const ObjectVersion& version, uint64_t first_index, std::vector<std::shared_ptr<Block>> blocks);
  // Erases `key` from the map and the LRU list (only if it maps to `expected`,
  // when given); returns the erased block.
  std::shared_ptr<Block> Remove(const BlockKey& key, const Block* expected);
  void Touch(Block& block);
  // For a block just erased from the map (accessor still held): its bytes
  // leave the count and it leaves the LRU list.
  void Unlisted(Block& block);
  uint64_t Evict(uint64_t bytes);

  s3::ObjectClient& client_;
  const std::string bucket_;
  MemoryBudget& budget_;
  const PageCacheOptions options_;

  BlockMap blocks_;

  mutable std::mutex lru_mu_;
  std::list<BlockKey> lru_;  // guarded by lru_mu_: most recent first

  std::unique_ptr<Counters> counters_;
  int reclaimer_id_ = 0;

  // Declared last: destroyed (drained) first, while everything above lives.
  std::unique_ptr<IoExecutor> own_executor_;
  IoExecutor* executor_ = nullptr;
};

}  // namespace objfs::fs
