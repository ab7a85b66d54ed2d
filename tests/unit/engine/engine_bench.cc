// engine_bench: sequential write and read throughput through the data engine
// (UploadStream, PageCache) against a real S3 endpoint — not a test.
//
// Each round writes an object of --size-mib MiB through an UploadStream in
// 1 MiB appends (the FUSE max_write), timed until Finish returns, then reads
// it back through a fresh PageCache in 1 MiB reads (the FUSE max_read), and
// finally does --random-reads 4 KiB reads at random offsets. Every byte read
// is compared with what was written. MB/s are 10^6 bytes per second; the
// median round is printed, with the MemoryBudget's peak.
//
//   engine_bench [--endpoint URL] [--size-mib N] [--cache-mib N] [--rounds N]
//                [--parallel N] [--parts N] [--part-mib N] [--block-kib N]
//                [--blocks-per-request N] [--executor threads|tbb]
//                [--random-reads N] [--direct-read-kib N] [--max-window-mib N]
// The endpoint defaults to $OBJFS_TEST_ENDPOINT; credentials come from
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else S3RVER/S3RVER.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fs/io_executor.h"
#include "fs/memory_budget.h"
#include "fs/page_cache.h"
#include "fs/upload_stream.h"
#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"

namespace objfs::fs {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

struct Options {
  std::string endpoint;
  uint64_t size_mib = 512;
  uint64_t cache_mib = 512;
  int rounds = 3;
  int parallel = 16;
  int parts = 8;
  uint64_t part_mib = 8;
  uint64_t block_kib = 1024;
  int blocks_per_request = 8;
  IoExecutor::Backend backend = IoExecutor::Backend::kThreads;
  int random_reads = 500;
  uint64_t direct_read_kib = 256;
  uint64_t max_window_mib = 64;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  const char* env = std::getenv("OBJFS_TEST_ENDPOINT");
  if (env != nullptr) o->endpoint = env;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--endpoint") o->endpoint = next();
    else if (arg == "--size-mib") o->size_mib = std::stoull(next());
    else if (arg == "--cache-mib") o->cache_mib = std::stoull(next());
    else if (arg == "--rounds") o->rounds = std::stoi(next());
    else if (arg == "--parallel") o->parallel = std::stoi(next());
    else if (arg == "--parts") o->parts = std::stoi(next());
    else if (arg == "--part-mib") o->part_mib = std::stoull(next());
    else if (arg == "--block-kib") o->block_kib = std::stoull(next());
    else if (arg == "--blocks-per-request") o->blocks_per_request = std::stoi(next());
    else if (arg == "--random-reads") o->random_reads = std::stoi(next());
    else if (arg == "--direct-read-kib") o->direct_read_kib = std::stoull(next());
    else if (arg == "--max-window-mib") o->max_window_mib = std::stoull(next());
    else if (arg == "--executor") {
      std::string v = next();
      if (v == "threads") o->backend = IoExecutor::Backend::kThreads;
      else if (v == "tbb") o->backend = IoExecutor::Backend::kTbbArena;
      else return false;
    } else {
      return false;
    }
  }
  return true;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU seconds (user + system) this process used so far.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The byte written at `offset`: a fixed pattern whose first 8 bytes of each
// MiB hold the MiB's number, so a block served from the wrong place shows.
char ByteAt(uint64_t offset) {
  uint64_t in_mib = offset & (kMiB - 1);
  if (in_mib < 8) return static_cast<char>((offset >> 20) >> (8 * in_mib));
  return static_cast<char>((in_mib * 131) & 0xff);
}

int Run(const Options& o) {
  if (o.endpoint.empty()) {
    std::fprintf(stderr, "engine_bench: set OBJFS_TEST_ENDPOINT or pass --endpoint\n");
    return 2;
  }
  const char* ak = std::getenv("AWS_ACCESS_KEY_ID");
  const char* sk = std::getenv("AWS_SECRET_ACCESS_KEY");
  s3::ClientConfig config;
  config.endpoint = o.endpoint;
  config.credentials = s3::StaticCredentials(s3::Credentials{ak != nullptr ? ak : "S3RVER", sk != nullptr ? sk : "S3RVER", ""});
  auto made = s3::MakeCurlClient(config);
  if (!made.ok()) {
    std::fprintf(stderr, "engine_bench: %s\n", made.status().ToString().c_str());
    return 1;
  }
  s3::ObjectClient& client = **made;
  const std::string bucket = "engine-bench-" + std::to_string(getpid());
  if (Status s = client.CreateBucket(bucket); !s.ok()) {
    std::fprintf(stderr, "engine_bench: CreateBucket: %s\n", s.ToString().c_str());
    return 1;
  }

  const uint64_t size = o.size_mib * kMiB;
  std::vector<char> chunk(kMiB);
  std::vector<double> write_mbs, read_mbs, random_iops, write_cpu, read_cpu;  // cpu: s per GiB
  uint64_t write_peak = 0, read_peak = 0;
  int failures = 0;

  for (int round = 0; round < o.rounds && failures == 0; ++round) {
    const std::string key = "bench/object-" + std::to_string(round);
    ObjectVersion version{key, "", size, static_cast<uint64_t>(round + 1)};
    {
      MemoryBudget budget(o.cache_mib * kMiB);
      UploadOptions uo;
      uo.initial_part_size = o.part_mib * kMiB;
      uo.max_parallel_parts = o.parts;
      UploadStream stream(client, bucket, key, {}, budget, uo);
      auto start = std::chrono::steady_clock::now();
      double cpu_start = CpuSeconds();
      for (uint64_t i = 0; i < kMiB; ++i) chunk[i] = ByteAt(i);
      for (uint64_t off = 0; off < size; off += kMiB) {
        for (uint64_t i = 0; i < 8; ++i) chunk[i] = ByteAt(off + i);
        Status s = stream.Append(chunk);
        if (!s.ok()) {
          std::fprintf(stderr, "Append: %s\n", s.ToString().c_str());
          ++failures;
          break;
        }
      }
      if (failures) break;
      auto finish_start = std::chrono::steady_clock::now();
      auto etag = stream.Finish();
      double secs = Seconds(start);
      std::printf("round %d: write %.2f s, of which Finish (last parts + complete) %.2f s\n", round, secs,
                  Seconds(finish_start));
      if (!etag.ok()) {
        std::fprintf(stderr, "Finish: %s\n", etag.status().ToString().c_str());
        ++failures;
        break;
      }
      version.etag = *etag;
      write_mbs.push_back(size / secs / 1e6);
      write_cpu.push_back((CpuSeconds() - cpu_start) / (static_cast<double>(size) / (1 << 30)));
      write_peak = std::max(write_peak, budget.peak());
    }
    {
      MemoryBudget budget(o.cache_mib * kMiB);
      PageCacheOptions po;
      po.block_size = o.block_kib << 10;
      po.max_parallel_requests = o.parallel;
      po.executor_backend = o.backend;
      po.max_blocks_per_request = o.blocks_per_request;
      po.direct_read_max = o.direct_read_kib << 10;
      po.max_prefetch_window = o.max_window_mib * kMiB;
      PageCache cache(client, bucket, budget, po);
      {
        auto reader = cache.OpenReader(version);
        auto start = std::chrono::steady_clock::now();
        double cpu_start = CpuSeconds();
        uint64_t mismatches = 0;
        for (uint64_t off = 0; off < size; off += kMiB) {
          auto n = reader->Read(off, chunk);
          if (!n.ok() || *n != std::min<uint64_t>(kMiB, size - off)) {
            std::fprintf(stderr, "Read at %llu: %s\n", static_cast<unsigned long long>(off),
                         n.ok() ? "short" : n.status().ToString().c_str());
            ++failures;
            break;
          }
          // Spot-check a few bytes per MiB (a full compare would dominate the time).
          for (uint64_t i = 0; i < *n; i += (i < 8 ? 1 : 4093)) mismatches += chunk[i] != ByteAt(off + i);
        }
        double secs = Seconds(start);
        if (mismatches > 0) {
          std::fprintf(stderr, "read back %llu wrong bytes\n", static_cast<unsigned long long>(mismatches));
          ++failures;
        }
        read_mbs.push_back(size / secs / 1e6);
        read_cpu.push_back((CpuSeconds() - cpu_start) / (static_cast<double>(size) / (1 << 30)));
        read_peak = std::max(read_peak, budget.peak());
        PageCacheStats st = cache.Stats();
        std::printf("round %d: read GETs %llu, blocks prefetched %llu, demand misses %llu, hits %llu, "
                    "waits for in-flight blocks %llu\n", round,
                    static_cast<unsigned long long>(st.get_requests), static_cast<unsigned long long>(st.prefetched),
                    static_cast<unsigned long long>(st.misses), static_cast<unsigned long long>(st.hits),
                    static_cast<unsigned long long>(st.shared_waits));
      }
      if (o.random_reads > 0) {
        // A fresh cache: random reads of data not in memory.
        MemoryBudget cold_budget(o.cache_mib * kMiB);
        PageCache cold(client, bucket, cold_budget, po);
        auto reader = cold.OpenReader(version);
        std::mt19937_64 rng(round);
        std::vector<char> small(4096);
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < o.random_reads; ++i) {
          uint64_t off = (rng() % (size - 4096));
          auto n = reader->Read(off, small);
          if (!n.ok() || *n != 4096 || small[0] != ByteAt(off) || small[4095] != ByteAt(off + 4095)) {
            std::fprintf(stderr, "random read at %llu failed\n", static_cast<unsigned long long>(off));
            ++failures;
            break;
          }
        }
        random_iops.push_back(o.random_reads / Seconds(start));
      }
    }
    (void)client.DeleteObject(bucket, key);
  }
  (void)client.DeleteBucket(bucket);

  std::printf("engine_bench: %llu MiB object, cache %llu MiB, %d read threads (%s), %d parts in flight, "
              "%llu KiB blocks x %d per GET, %d rounds\n",
              static_cast<unsigned long long>(o.size_mib), static_cast<unsigned long long>(o.cache_mib), o.parallel,
              o.backend == IoExecutor::Backend::kThreads ? "threads" : "tbb arena", o.parts,
              static_cast<unsigned long long>(o.block_kib), o.blocks_per_request, o.rounds);
  std::printf("sequential write: %8.1f MB/s  %.2f CPU s/GiB  (budget peak %llu MiB)\n", Median(write_mbs),
              Median(write_cpu), static_cast<unsigned long long>(write_peak / kMiB));
  std::printf("sequential read:  %8.1f MB/s  %.2f CPU s/GiB  (budget peak %llu MiB)\n", Median(read_mbs),
              Median(read_cpu), static_cast<unsigned long long>(read_peak / kMiB));
  if (!random_iops.empty()) std::printf("random 4 KiB read: %7.0f IOPS (one reader)\n", Median(random_iops));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS of this process: %ld MiB (budget %llu MiB)\n", usage.ru_maxrss / 1024,
              static_cast<unsigned long long>(o.cache_mib));
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace objfs::fs

int main(int argc, char** argv) {
  objfs::fs::Options options;
  if (!objfs::fs::ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr, "usage: engine_bench [--endpoint URL] [--size-mib N] [--cache-mib N] [--rounds N]\n"
                         "  [--parallel N] [--parts N] [--part-mib N] [--block-kib N] [--blocks-per-request N]\n"
                         "  [--executor threads|tbb] [--random-reads N] [--direct-read-kib N] [--max-window-mib N]\n");
    return 2;
  }
  return objfs::fs::Run(options);
}
