// The latency proxy's delay queue, and the proxy forwarding real loopback
// connections (data integrity and half-close in both directions; no timing).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "delay_line_proxy.h"
#include "delay_queue.h"

using objfs::latency_proxy::DelayLineProxy;
using objfs::latency_proxy::DelayQueue;
using objfs::latency_proxy::ProxyOptions;

TEST_CASE("chunks leave in order, only once due") {
  DelayQueue q;
  q.Push(100, "abc");
  q.Push(150, "de");
  q.PushEof(200);
  CHECK(q.buffered_bytes() == 5);
  CHECK_FALSE(q.FrontDue(99));
  REQUIRE(q.FrontDue(100));
  CHECK(q.FrontBytes() == "abc");
  q.Consume(1);
  CHECK(q.FrontBytes() == "bc");
  CHECK(q.buffered_bytes() == 4);
  q.Consume(2);
  CHECK_FALSE(q.FrontDue(149));
  CHECK(q.FrontBytes() == "de");
  q.Consume(10);  // clamps
  CHECK(q.buffered_bytes() == 0);
  CHECK_FALSE(q.FrontDue(199));
  CHECK(q.FrontDue(200));
  CHECK(q.FrontIsEof());
  q.PopEof();
  CHECK(q.empty());
  q.Push(1, "");  // empty pushes are ignored
  CHECK(q.empty());
}

TEST_CASE("ParseHostPort") {
  std::string host;
  int port = 0;
  CHECK(objfs::latency_proxy::ParseHostPort("127.0.0.1:9000", &host, &port));
  CHECK(host == "127.0.0.1");
  CHECK(port == 9000);
  CHECK_FALSE(objfs::latency_proxy::ParseHostPort("127.0.0.1", &host, &port));
  CHECK_FALSE(objfs::latency_proxy::ParseHostPort(":80", &host, &port));
  CHECK_FALSE(objfs::latency_proxy::ParseHostPort("h:99999", &host, &port));
}

TEST_CASE("the proxy refuses non-loopback listen addresses") {
  ProxyOptions options;
  options.listen_host = "0.0.0.0";
  DelayLineProxy proxy(options);
  CHECK(proxy.Listen().find("loopback") != std::string::npos);
}

namespace {

int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  listen(fd, 16);
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string ReadToEof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string Pattern(size_t size, unsigned seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + seed) % 251);
  return s;
}

}  // namespace

TEST_CASE("bytes pass through unchanged both ways, with half-close, on several connections") {
  int target_port = 0;
  int target_fd = ListenLoopback(&target_port);
  // Target: for each connection read the request to EOF, answer with it reversed, close.
  const int kConnections = 3;
  std::thread target([&] {
    for (int i = 0; i < kConnections; ++i) {
      int c = accept(target_fd, nullptr, nullptr);
      if (c < 0) return;
      std::thread([c] {
        std::string request = ReadToEof(c);
        std::string reply(request.rbegin(), request.rend());
        WriteAll(c, reply);
        close(c);
      }).detach();
    }
  });

  ProxyOptions options;
  options.target_port = target_port;
  options.delay_ns = 2'000'000;
  options.max_buffered_bytes = 1 << 20;  // small, so backpressure is exercised
  DelayLineProxy proxy(options);
  REQUIRE(proxy.Listen().empty());
  std::thread loop([&] { CHECK(proxy.Run().empty()); });

  std::vector<std::thread> clients;
  std::vector<bool> ok(kConnections, false);
  for (int i = 0; i < kConnections; ++i) {
    clients.emplace_back([&, i] {
      int fd = Connect(proxy.port());
      if (fd < 0) return;
      std::string request = Pattern(3u << 20, static_cast<unsigned>(i));
      std::thread writer([&] {
        WriteAll(fd, request);
        shutdown(fd, SHUT_WR);
      });
      std::string reply = ReadToEof(fd);
      writer.join();
      close(fd);
      ok[static_cast<size_t>(i)] = reply == std::string(request.rbegin(), request.rend());
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kConnections; ++i) CHECK(ok[static_cast<size_t>(i)]);
  proxy.Stop();
  loop.join();
  target.join();
  close(target_fd);
}
