// DelayQueue: one direction of a delay line, a FIFO of byte chunks each
// stamped with the time it may leave (arrival + delay).
//
// The proxy pushes whatever it reads together with its due time and pops
// bytes only once they are due, so every byte is delayed by the same amount
// while any number of bytes can be in flight: latency without a throughput
// limit. End of stream is queued like data, so a half-close is delayed too.
// The buffered byte count lets the caller stop reading (backpressure) when
// the receiving side is slower than the sending side.
//
// Thread-safety: none; one event loop owns each queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace objfs::latency_proxy {

class DelayQueue {
 public:
  // Times are nanoseconds on any monotonic clock.
  void Push(int64_t due_ns, std::string_view bytes);
  void PushEof(int64_t due_ns);

  bool empty() const { return chunks_.empty(); }
  size_t buffered_bytes() const { return buffered_; }
  // Due time of the front chunk; only valid when !empty().
  int64_t front_due_ns() const { return chunks_.front().due_ns; }
  // True when the front is due at `now_ns`.
  bool FrontDue(int64_t now_ns) const { return !chunks_.empty() && chunks_.front().due_ns <= now_ns; }
  // True when the front is the end-of-stream marker.
  bool FrontIsEof() const { return !chunks_.empty() && chunks_.front().eof; }
  // The unsent bytes of the front data chunk.
  std::string_view FrontBytes() const;
  // Marks n bytes of the front chunk as sent; drops the chunk when done.
  void Consume(size_t n);
  // Drops the EOF marker at the front.
  void PopEof();

 private:
  struct Chunk {
    int64_t due_ns = 0;
    bool eof = false;
    size_t sent = 0;
    std::string bytes;
  };
  std::deque<Chunk> chunks_;
  size_t buffered_ = 0;
};

}  // namespace objfs::latency_proxy
