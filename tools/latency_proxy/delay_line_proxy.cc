#include "delay_line_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace objfs::latency_proxy {
namespace {

constexpr int kClient = 0;
constexpr int kTarget = 1;

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

bool ResolveIpv4(const std::string& host, in_addr* out) {
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  return inet_pton(AF_INET, h.c_str(), out) == 1;
}

}  // namespace

bool ParseHostPort(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return false;
  std::string port_text = text.substr(colon + 1);
  int value = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    if (value > 65535) return false;
  }
  *host = text.substr(0, colon);
  *port = value;
  return true;
}

struct DelayLineProxy::FdRef {
  Connection* connection = nullptr;
  int side = kClient;
};

struct DelayLineProxy::Direction {
  int from = kClient;
  int to = kTarget;
  DelayQueue queue;
  bool read_eof = false;
  bool eof_delivered = false;
};

struct DelayLineProxy::Connection {
  int fd[2] = {-1, -1};
  bool readable[2] = {false, false};
  bool writable[2] = {false, false};
  bool target_connected = false;
  bool failed = false;
  FdRef refs[2];
  Direction directions[2];
  bool done() const {
    return failed || (directions[0].eof_delivered && directions[1].eof_delivered);
  }
};

DelayLineProxy::DelayLineProxy(ProxyOptions options) : options_(std::move(options)) {}

DelayLineProxy::~DelayLineProxy() {
  for (auto& c : connections_) {
    for (int fd : c->fd) {
      if (fd >= 0) close(fd);
    }
  }
  for (int fd : {listen_fd_, epoll_fd_, timer_fd_, stop_fd_}) {
    if (fd >= 0) close(fd);
  }
}

std::string DelayLineProxy::Listen() {
  in_addr addr{};
  if (!ResolveIpv4(options_.listen_host, &addr)) return "bad listen address " + options_.listen_host;
  if ((ntohl(addr.s_addr) >> 24) != 127) {
    return "refusing to listen on " + options_.listen_host + ": loopback (127.0.0.0/8) only";
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return ErrnoText("socket");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr = addr;
  sa.sin_port = htons(static_cast<uint16_t>(options_.listen_port));
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) return ErrnoText("bind");
  if (listen(listen_fd_, 256) != 0) return ErrnoText("listen");
  socklen_t len = sizeof(sa);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);

  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || timer_fd_ < 0 || stop_fd_ < 0) return ErrnoText("epoll/timerfd/eventfd");
  for (int fd : {listen_fd_, timer_fd_, stop_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(fd);  // small numbers: never a heap pointer
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
  return "";
}

void DelayLineProxy::Stop() {
  uint64_t one = 1;
  if (stop_fd_ >= 0) {
    ssize_t ignored = write(stop_fd_, &one, sizeof(one));
    (void)ignored;
  }
}

void DelayLineProxy::Accept() {
  for (;;) {
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;  // EAGAIN or a transient error: wait for the next event
    auto c = std::make_unique<Connection>();
    c->fd[kClient] = client;
    c->writable[kClient] = true;
    SetNoDelay(client);
    int target = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    in_addr addr{};
    if (target < 0 || !ResolveIpv4(options_.target_host, &addr)) {
      if (target >= 0) close(target);
      close(client);
      continue;
    }
    SetNoDelay(target);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr = addr;
    sa.sin_port = htons(static_cast<uint16_t>(options_.target_port));
    int rc = connect(target, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    if (rc != 0 && errno != EINPROGRESS) {
      close(target);
      close(client);
      continue;
    }
    c->fd[kTarget] = target;
    c->target_connected = rc == 0;
    c->writable[kTarget] = rc == 0;
    c->directions[0].from = kClient;
    c->directions[0].to = kTarget;
    c->directions[1].from = kTarget;
    c->directions[1].to = kClient;
    for (int side : {kClient, kTarget}) {
      c->refs[side] = {c.get(), side};
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = &c->refs[side];
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd[side], &ev);
    }
    connections_.push_back(std::move(c));
  }
}

void DelayLineProxy::PumpDirection(Connection* c, Direction* d, int64_t now_ns) {
  std::string& buffer = read_buffer_;
  bool progress = true;
  while (progress && !c->failed) {
    progress = false;
    // Read while the source has data and the queue is under its cap.
    while (c->readable[d->from] && !d->read_eof && c->target_connected &&
           d->queue.buffered_bytes() < options_.max_buffered_bytes) {
      ssize_t n = read(c->fd[d->from], buffer.data(), buffer.size());
      if (n > 0) {
        d->queue.Push(NowNs() + options_.delay_ns, std::string_view(buffer.data(), static_cast<size_t>(n)));
        progress = true;
      } else if (n == 0) {
        d->read_eof = true;
        d->queue.PushEof(NowNs() + options_.delay_ns);
        progress = true;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c->readable[d->from] = false;
      } else if (errno != EINTR) {
        c->failed = true;
        return;
      }
    }
    // Write what is due.
    while (c->writable[d->to] && c->target_connected && d->queue.FrontDue(now_ns)) {
      if (d->queue.FrontIsEof()) {
        shutdown(c->fd[d->to], SHUT_WR);
        d->queue.PopEof();
        d->eof_delivered = true;
        progress = true;
        continue;
      }
      std::string_view bytes = d->queue.FrontBytes();
      ssize_t n = send(c->fd[d->to], bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        d->queue.Consume(static_cast<size_t>(n));
        progress = true;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->writable[d->to] = false;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        c->failed = true;
        return;
      }
    }
  }
}

void DelayLineProxy::Pump(Connection* c, int64_t now_ns) {
  if (!c->target_connected && c->writable[kTarget]) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c->fd[kTarget], SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      c->failed = true;
      return;
    }
    c->target_connected = true;
  }
  PumpDirection(c, &c->directions[0], now_ns);
  PumpDirection(c, &c->directions[1], now_ns);
}

void DelayLineProxy::ArmTimer(int64_t now_ns) {
  int64_t next = 0;
  for (const auto& c : connections_) {
    for (const Direction& d : c->directions) {
      if (d.queue.empty() || !c->writable[d.to]) continue;
      int64_t due = d.queue.front_due_ns();
      if (next == 0 || due < next) next = due;
    }
  }
  itimerspec spec{};
  if (next != 0) {
    if (next <= now_ns) next = now_ns + 1;
    spec.it_value.tv_sec = next / 1'000'000'000;
    spec.it_value.tv_nsec = next % 1'000'000'000;
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void DelayLineProxy::CloseConnection(Connection* c) {
  for (int& fd : c->fd) {
    if (fd >= 0) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      close(fd);
      fd = -1;
    }
  }
}

std::string DelayLineProxy::Run() {
  if (epoll_fd_ < 0) return "Listen() first";
  epoll_event events[128];
  for (;;) {
    ArmTimer(NowNs());
    int n = epoll_wait(epoll_fd_, events, 128, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoText("epoll_wait");
    }
    bool stop = false;
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events[i];
      // Connection fds carry a pointer; the three service fds carry their fd number.
      bool service = false;
      for (int fd : {listen_fd_, timer_fd_, stop_fd_}) {
        if (static_cast<uint64_t>(fd) == ev.data.u64) service = true;
      }
      if (service) {
        if (ev.data.u64 == static_cast<uint64_t>(listen_fd_)) {
          Accept();
        } else if (ev.data.u64 == static_cast<uint64_t>(timer_fd_)) {
          uint64_t expirations = 0;
          ssize_t ignored = read(timer_fd_, &expirations, sizeof(expirations));
          (void)ignored;
        } else {
          stop = true;
        }
        continue;
      }
      FdRef* ref = static_cast<FdRef*>(ev.data.ptr);
      Connection* c = ref->connection;
      if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable[ref->side] = true;
      if (ev.events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) c->writable[ref->side] = true;
    }
    if (stop) return "";
    int64_t now = NowNs();
    for (auto& c : connections_) Pump(c.get(), now);
    auto dead = std::remove_if(connections_.begin(), connections_.end(),
                               [&](std::unique_ptr<Connection>& c) {
                                 if (!c->done()) return false;
                                 CloseConnection(c.get());
                                 return true;
                               });
    connections_.erase(dead, connections_.end());
  }
}

}  // namespace objfs::latency_proxy
