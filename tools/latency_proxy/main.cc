// objfs-latency-proxy: a loopback TCP delay line for benchmarks.
//
//   objfs-latency-proxy --listen 127.0.0.1:PORT --target 127.0.0.1:PORT --delay-ms 5
//
// Every chunk is forwarded `delay` after it arrived, in both directions, with
// no throughput limit (see delay_line_proxy.h). Prints "listening on
// 127.0.0.1:PORT" once ready (PORT 0 picks a free port). SIGINT/SIGTERM stop it.
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "delay_line_proxy.h"

namespace {

const char kUsage[] =
    "usage: objfs-latency-proxy --listen 127.0.0.1:PORT --target HOST:PORT --delay-ms N\n"
    "  --listen ADDR:PORT   loopback address to listen on (127.0.0.0/8 only; port 0 = any)\n"
    "  --target HOST:PORT   IPv4 address to forward to (e.g. the local S3 server)\n"
    "  --delay-ms N         delay for each direction, in milliseconds (fractions allowed)\n"
    "  --max-buffer-mb N    per-direction buffer before reading pauses (default 64)\n";

// The proxy the signal handler stops; set once before handlers are installed.
objfs::latency_proxy::DelayLineProxy* g_proxy = nullptr;

void OnSignal(int) {
  if (g_proxy != nullptr) g_proxy->Stop();
}

}  // namespace

int main(int argc, char** argv) {
  objfs::latency_proxy::ProxyOptions options;
  bool have_listen = false;
  bool have_target = false;
  bool have_delay = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::string value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::fprintf(stderr, "objfs-latency-proxy: %s needs a value\n%s", arg.c_str(), kUsage);
      return 2;
    }
    if (arg == "--listen") {
      have_listen = objfs::latency_proxy::ParseHostPort(value, &options.listen_host, &options.listen_port);
      if (!have_listen) {
        std::fprintf(stderr, "objfs-latency-proxy: bad --listen '%s'\n", value.c_str());
        return 2;
      }
    } else if (arg == "--target") {
      have_target = objfs::latency_proxy::ParseHostPort(value, &options.target_host, &options.target_port);
      if (!have_target || options.target_port == 0) {
        std::fprintf(stderr, "objfs-latency-proxy: bad --target '%s'\n", value.c_str());
        return 2;
      }
    } else if (arg == "--delay-ms") {
      char* end = nullptr;
      errno = 0;
      double ms = std::strtod(value.c_str(), &end);
      if (errno != 0 || *end != '\0' || ms < 0 || ms > 60'000) {
        std::fprintf(stderr, "objfs-latency-proxy: bad --delay-ms '%s'\n", value.c_str());
        return 2;
      }
      options.delay_ns = static_cast<int64_t>(ms * 1e6);
      have_delay = true;
    } else if (arg == "--max-buffer-mb") {
      char* end = nullptr;
      long mb = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || mb < 1 || mb > 4096) {
        std::fprintf(stderr, "objfs-latency-proxy: bad --max-buffer-mb '%s'\n", value.c_str());
        return 2;
      }
      options.max_buffered_bytes = static_cast<size_t>(mb) << 20;
    } else {
      std::fprintf(stderr, "objfs-latency-proxy: unknown flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (!have_listen || !have_target || !have_delay) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  objfs::latency_proxy::DelayLineProxy proxy(options);
  std::string error = proxy.Listen();
  if (!error.empty()) {
    std::fprintf(stderr, "objfs-latency-proxy: %s\n", error.c_str());
    return 1;
  }
  g_proxy = &proxy;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::printf("listening on %s:%d, forwarding to %s:%d, delay %.3f ms each way\n",
              options.listen_host.c_str(), proxy.port(), options.target_host.c_str(),
              options.target_port, static_cast<double>(options.delay_ns) / 1e6);
  std::fflush(stdout);
  error = proxy.Run();
  g_proxy = nullptr;
  if (!error.empty()) {
    std::fprintf(stderr, "objfs-latency-proxy: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
