#include "fs/prefetcher.h"

#include <algorithm>

namespace objfs::fs {

Prefetcher::Prefetcher(Options options) : options_(options) {}

Prefetcher::Plan Prefetcher::OnRead(uint64_t offset, uint64_t length) {
  const uint64_t block = std::max<uint64_t>(options_.block_size, 1);
  const uint64_t end = offset + length;
  bool sequential;
  if (!started_) {
    sequential = offset == 0;
    started_ = true;
  } else if (window_ == 0) {
    // Not streaming: only a read that continues exactly where the last one
    // ended starts a run (a random reader lands nearby often enough).
    sequential = offset == furthest_end_;
  } else {
    sequential = offset + block >= furthest_end_ && offset <= furthest_end_ + window_;
  }

  uint64_t end_block = end == 0 ? 0 : (end - 1) / block;
  if (sequential) {
    if (window_ == 0) {
      window_ = std::min(options_.initial_window, options_.max_window);
    } else if (end_block > last_block_) {
      window_ = std::min(window_ * 2, std::max(options_.max_window, options_.initial_window));
    }
    furthest_end_ = std::max(furthest_end_, end);
  } else {
    window_ = 0;
    furthest_end_ = end;
  }
  last_block_ = std::max(sequential ? last_block_ : 0, end_block);
  return Plan{sequential, window_};
}

}  // namespace objfs::fs
