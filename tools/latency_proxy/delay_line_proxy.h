// DelayLineProxy: a TCP proxy that delays every chunk in each direction by a
// fixed time without limiting throughput, for running benchmarks with
// real-world latency on a machine whose kernel has no netem qdisc.
//
// Design: one epoll thread. Each accepted connection gets a non-blocking
// connection to the target and two DelayQueues (client->target and
// target->client). Bytes are read as soon as they arrive, stamped
// arrival + delay, and written once due; a timerfd wakes the loop at the
// earliest due time. All fds are edge-triggered; readiness is remembered per
// fd. A direction stops reading while more than max_buffered_bytes wait in its
// queue (backpressure instead of unbounded memory). A half-close travels
// through the queue like data; a connection ends when both directions have
// delivered their EOF, or on any error (both sockets closed).
//
// The listen address must be a loopback address (127.0.0.0/8): this is a
// test tool and never listens on other interfaces.
//
// Ownership: owns the listening socket, the epoll/timer fds and every
// connection's sockets. Thread-safety: Run() on one thread; Stop() may be
// called from any thread or a signal handler context via the stop fd.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "delay_queue.h"

namespace objfs::latency_proxy {

struct ProxyOptions {
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;          // 0: any free port (see port())
  std::string target_host = "127.0.0.1";
  int target_port = 0;
  int64_t delay_ns = 5'000'000;  // per direction
  size_t max_buffered_bytes = 64u << 20;  // per direction
};

class DelayLineProxy {
 public:
  explicit DelayLineProxy(ProxyOptions options);
  ~DelayLineProxy();
  DelayLineProxy(const DelayLineProxy&) = delete;
  DelayLineProxy& operator=(const DelayLineProxy&) = delete;

  // Binds and listens. Returns an error message, or "" on success.
  std::string Listen();
  int port() const { return port_; }

  // Serves until Stop() is called. Returns an error message, or "".
  std::string Run();
  // Async-signal-safe.
  void Stop();

  // Connections currently open (for tests and logs; read on the Run thread).
  size_t open_connections() const { return connections_.size(); }

 private:
  struct Connection;
  struct Direction;
  struct FdRef;

  void Accept();
  void Pump(Connection* c, int64_t now_ns);
  void PumpDirection(Connection* c, Direction* d, int64_t now_ns);
  void ArmTimer(int64_t now_ns);
  void CloseConnection(Connection* c);

  ProxyOptions options_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  int stop_fd_ = -1;  // eventfd
  int port_ = 0;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::string read_buffer_ = std::string(256 * 1024, '\0');  // scratch for one read()
};

// Parses "HOST:PORT". False on junk.
bool ParseHostPort(const std::string& text, std::string* host, int* port);

}  // namespace objfs::latency_proxy
