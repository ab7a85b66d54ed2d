#include "delay_queue.h"

namespace objfs::latency_proxy {

void DelayQueue::Push(int64_t due_ns, std::string_view bytes) {
  if (bytes.empty()) return;
  Chunk chunk;
  chunk.due_ns = due_ns;
  chunk.bytes.assign(bytes.data(), bytes.size());
  buffered_ += bytes.size();
  chunks_.push_back(std::move(chunk));
}

void DelayQueue::PushEof(int64_t due_ns) {
  Chunk chunk;
  chunk.due_ns = due_ns;
  chunk.eof = true;
  chunks_.push_back(std::move(chunk));
}

std::string_view DelayQueue::FrontBytes() const {
  if (chunks_.empty() || chunks_.front().eof) return {};
  const Chunk& c = chunks_.front();
  return std::string_view(c.bytes).substr(c.sent);
}

void DelayQueue::Consume(size_t n) {
  if (chunks_.empty() || chunks_.front().eof) return;
  Chunk& c = chunks_.front();
  if (n > c.bytes.size() - c.sent) n = c.bytes.size() - c.sent;
  c.sent += n;
  buffered_ -= n;
  if (c.sent == c.bytes.size()) chunks_.pop_front();
}

void DelayQueue::PopEof() {
  if (!chunks_.empty() && chunks_.front().eof) chunks_.pop_front();
}

}  // namespace objfs::latency_proxy
