#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bench/process_stats.h"
#include "bench/workload_runner.h"

using namespace objfs::bench;

TEST_CASE("CPU seconds from /proc/PID/stat, command names with spaces and parens") {
  // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  std::string stat = "1234 (s3fs (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 9";
  auto cpu = ParseCpuSecondsFromStat(stat, 100);
  REQUIRE(cpu.ok());
  CHECK(*cpu == doctest::Approx(4.0));
  CHECK_FALSE(ParseCpuSecondsFromStat("garbage", 100).ok());
  CHECK_FALSE(ParseCpuSecondsFromStat("1 (x) S 1 2", 100).ok());
}

TEST_CASE("peak RSS from /proc/PID/status") {
  auto mem = ParseMemoryFromStatus("Name:\ts3fs\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS:\t  1024 kB\n");
  REQUIRE(mem.ok());
  CHECK(mem->peak_rss_bytes == 2048ull * 1024);
  CHECK(mem->rss_bytes == 1024ull * 1024);
  CHECK_FALSE(ParseMemoryFromStatus("Name:\tkthread\n").ok());
}

TEST_CASE("this process's own stats and mount are readable") {
  // Use some CPU first, as getrusage(2) counts it, so /proc's figure can be
  // compared with it (/proc counts in clock ticks, 10 ms).
  double used = 0;
  volatile uint64_t sink = 0;
  for (uint64_t x = 0; used < 0.05; ++x) {
    sink = sink + x;
    if (x % 100000 == 0) {
      rusage ru {};
      getrusage(RUSAGE_SELF, &ru);
      used = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    }
  }
  auto stats = ReadProcessStats(getpid());
  REQUIRE(stats.ok());
  CHECK(stats->peak_rss_bytes > 0);
  CHECK(stats->cpu_seconds >= used - 0.03);
  CHECK(IsMountPoint("/"));
  CHECK(MountOf("/proc/self").fs_type == "proc");
  CHECK_FALSE(ReadProcessStats(-5).ok());
}

TEST_CASE("nearest-rank percentiles") {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  CHECK(Percentile(&v, 50) == 50);
  CHECK(Percentile(&v, 99) == 99);
  CHECK(Percentile(&v, 100) == 100);
  std::vector<double> one = {7};
  CHECK(Percentile(&one, 99) == 7);
  std::vector<double> none;
  CHECK(Percentile(&none, 99) == 0);
}

TEST_CASE("byte formatting") {
  CHECK(FormatBytes(4096) == "4 KiB");
  CHECK(FormatBytes(1536) == "1.5 KiB");
  CHECK(FormatBytes(1ull << 30) == "1 GiB");
}
