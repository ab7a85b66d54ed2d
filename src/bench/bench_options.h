// BenchOptions: the parsed command line of `objfs bench`, and its parser.
//
// A plain value: filled once by ParseBenchOptions, then read-only. Sizes and
// counts are already scaled by --scale when the parser returns.
//
// Thread-safety: a value; safe to share read-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace objfs::bench {

// The workloads, in the order they run.
enum class WorkloadKind {
  kSeqWrite,    // write --size bytes sequentially, timed until close() returns
  kSeqRead,     // read a --size file sequentially, cold
  kSmallFiles,  // create --files files of --file-size bytes, each closed
  kLs,          // readdir + lstat of every entry of a --ls-entries directory, cold and warm
  kRandRead,    // --rand-reads random reads of --rand-size bytes, cold (IOPS, p99)
  kUntar,       // extract a deterministic tar of --tar-files small files
};

std::string_view WorkloadName(WorkloadKind kind);
// All workloads in run order.
const std::vector<WorkloadKind>& AllWorkloads();

struct BenchOptions {
  bool help = false;

  // Single-directory mode: the directory to benchmark (empty in compare mode).
  std::string path;

  // Compare mode: systems to mount, in order ("objfs", "s3fs", "rclone", "curl").
  std::vector<std::string> compare;
  std::string endpoint;  // http://127.0.0.1:PORT
  std::string bucket;
  std::string region = "us-east-1";
  // Key prefix all benchmark objects live under (ends in '/').
  std::string prefix = "objfs-bench/";

  std::vector<WorkloadKind> workloads;  // selected workloads in run order

  uint64_t size_bytes = 1ull << 30;   // sequential read/write file size
  uint64_t io_size = 1ull << 20;      // read()/write() call size for sequential I/O
  int small_files = 500;
  uint64_t small_file_bytes = 4096;
  int ls_entries = 10000;
  int rand_reads = 2000;
  uint64_t rand_read_bytes = 4096;
  double rand_read_max_seconds = 60.0;  // stop random reads after this long
  int tar_files = 800;
  double scale = 1.0;

  bool drop_caches = true;   // echo 3 > /proc/sys/vm/drop_caches before cold phases
  int latency_ms = 0;        // delay each direction by this much through the proxy
  int curl_parallel = 8;     // parallel requests for the curl baselines
  int repeat = 1;            // compare mode: runs of each workload per system; the median is reported
  double mount_timeout_seconds = 30.0;

  std::string json_path;
  std::string svg_path;
  std::string work_dir = "/tmp";  // local scratch (tar file, part files)
  bool keep = false;              // keep benchmark objects (compare) / files (PATH)

  std::string objfs_binary;        // default: /proc/self/exe
  std::string proxy_binary;        // default: found next to the objfs binary
  std::vector<std::string> objfs_args;   // extra args for `objfs mount`
  std::vector<std::string> s3fs_args;    // extra -o options etc. for s3fs
  std::vector<std::string> rclone_args;  // extra args for `rclone mount`

  bool compare_mode() const { return !compare.empty(); }
  bool Selected(WorkloadKind kind) const;
};

// Parses argv (argv[0] is "bench"). Returns InvalidArgument with a message
// naming the bad flag; --help sets options.help and skips validation.
Result<BenchOptions> ParseBenchOptions(int argc, char** argv);

// Parses "1G", "256M", "4k", "4096" (binary units). False on junk or overflow.
bool ParseByteSize(std::string_view text, uint64_t* out);

// The --help text.
std::string BenchUsage();

}  // namespace objfs::bench
