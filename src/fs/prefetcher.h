// Prefetcher: decides, for one reader, how far ahead of each read to fetch.
// Pure bookkeeping — it issues no requests; the page cache's reader asks it
// after every read which byte range should be resident or in flight.
//
// Window: during a sequential run, a read is sequential when it starts near
// where the previous reads ended — at most `block_size` before the furthest
// end seen (the kernel's parallel readahead delivers neighbouring reads
// slightly out of order) and no further ahead than the current window.
// Outside a run, only a read starting exactly at the previous end (or the
// first read of a handle, at offset 0) starts one. Each sequential read that reaches a new block
// doubles the window, starting from `initial_window`, up to `max_window`
// (the page cache passes min(64 MiB, budget / 4)), so a streaming reader soon
// keeps max_window / block_size blocks in flight, while a reader that only
// peeks at a file's head costs one extra block. (The page cache tops the
// window up whenever a whole run of max_blocks_per_request blocks is missing
// from it, so in-flight GETs stay full-sized and the window stays full.) Any other read is random: the
// window drops to zero (fetch only what is asked) and the next sequential run
// starts over from `initial_window`.
//
// Thread-safety: none; the owning reader serialises calls with its mutex.
#pragma once

#include <cstdint>

namespace objfs::fs {

class Prefetcher {
 public:
  struct Options {
    uint64_t block_size = 1ull << 20;
    uint64_t initial_window = 1ull << 20;
    uint64_t max_window = 64ull << 20;
  };

  // What to do for one read.
  struct Plan {
    bool sequential = false;
    // Bytes past the end of the read to have resident or in flight (0: none).
    uint64_t window = 0;
  };

  explicit Prefetcher(Options options);

  // Records a read of [offset, offset + length) and returns the plan for it.
  Plan OnRead(uint64_t offset, uint64_t length);

  uint64_t window() const { return window_; }

 private:
  const Options options_;
  bool started_ = false;
  uint64_t furthest_end_ = 0;   // largest offset + length seen in this run
  uint64_t window_ = 0;         // 0 while random
  uint64_t last_block_ = 0;     // block of the previous read's end, for doubling
};

}  // namespace objfs::fs
