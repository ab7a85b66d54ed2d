#include "bench/bench_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace objfs::bench {
namespace {

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view part = text.substr(start, comma - start);
    if (!part.empty()) parts.emplace_back(part);
    start = comma + 1;
  }
  return parts;
}

// Splits a string of shell-like words on spaces (no quoting: options are simple).
std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

bool ParseInt(std::string_view text, int min_value, int* out) {
  if (text.empty()) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(copy.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || value < min_value ||
      value > std::numeric_limits<int>::max()) {
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool ParseDouble(std::string_view text, double min_value, double* out) {
  if (text.empty()) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(value) || value < min_value) return false;
  *out = value;
  return true;
}

Status Bad(std::string message) { return Status(Code::kInvalidArgument, std::move(message)); }

int ScaleCount(int count, double scale) {
  double scaled = std::round(count * scale);
  return scaled < 1 ? 1 : static_cast<int>(scaled);
}

}  // namespace

std::string_view WorkloadName(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kSeqWrite: return "seqwrite";
    case WorkloadKind::kSeqRead: return "seqread";
    case WorkloadKind::kSmallFiles: return "smallfiles";
    case WorkloadKind::kLs: return "ls";
    case WorkloadKind::kRandRead: return "randread";
    case WorkloadKind::kUntar: return "untar";
  }
  return "unknown";
}

const std::vector<WorkloadKind>& AllWorkloads() {
  static const std::vector<WorkloadKind> kAll = {
      WorkloadKind::kSeqWrite, WorkloadKind::kSeqRead, WorkloadKind::kSmallFiles,
      WorkloadKind::kLs,       WorkloadKind::kRandRead, WorkloadKind::kUntar};
  return kAll;
}

bool BenchOptions::Selected(WorkloadKind kind) const {
  for (WorkloadKind w : workloads) {
    if (w == kind) return true;
  }
  return false;
}

bool ParseByteSize(std::string_view text, uint64_t* out) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return false;
  std::string suffix;
  for (char c : text.substr(digits)) {
    suffix += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  int shift = -1;
  const char* kUnits = "kmgt";
  if (suffix.empty() || suffix == "b") {
    shift = 0;
  } else {
    for (int u = 0; u < 4; ++u) {
      std::string unit(1, kUnits[u]);
      if (suffix == unit || suffix == unit + "b" || suffix == unit + "ib") shift = 10 * (u + 1);
    }
  }
  if (shift < 0) return false;
  uint64_t value = 0;
  for (char c : text.substr(0, digits)) {
    if (value > (std::numeric_limits<uint64_t>::max() - 9) / 10) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (shift > 0 && value > (std::numeric_limits<uint64_t>::max() >> shift)) return false;
  *out = value << shift;
  return true;
}

std::string BenchUsage() {
  return R"(usage: objfs bench [options] PATH
       objfs bench --compare objfs,s3fs,rclone,curl --endpoint URL --bucket B [options]

Measures a FUSE filesystem (or any directory) with the same workloads:
  seqwrite    write --size bytes sequentially, timed until close() returns
  seqread     read a --size file sequentially after dropping the page cache
  smallfiles  create --files files of --file-size bytes, each closed
  ls          `ls -l` (readdir + lstat of every entry) of a --ls-entries directory,
              cold (fresh mount, caches dropped) and warm (immediately again)
  randread    --rand-reads random reads of --rand-size bytes (IOPS, p50, p99)
  untar       extract a deterministic tar of --tar-files small files with tar(1)

In PATH mode the files go to PATH/objfs-bench-<pid>/ and are removed afterwards.
In compare mode every system is mounted fresh for every workload under
--work-dir, its FUSE daemon's CPU seconds (utime+stime) and peak RSS (VmHWM)
are recorded, and it is always unmounted (fusermount3 -u, lazy on failure).
The "curl" system runs plain curl --aws-sigv4: --curl-parallel range GETs /
multipart part PUTs of the same object for seqread / seqwrite, one PUT after
the other for smallfiles, and the ListObjectsV2 pages for ls_cold.
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

Workload selection and size:
  --workloads LIST       comma-separated subset (default: all), e.g. seqread,ls
  --skip LIST            workloads to leave out
  --size BYTES           sequential file size (default 1G; suffixes k, M, G)
  --io-size BYTES        read()/write() size for sequential I/O (default 1M)
  --files N              small files to create (default 500)
  --file-size BYTES      size of each small file (default 4k)
  --ls-entries N         entries in the listed directory (default 10000)
  --rand-reads N         random reads (default 2000)
  --rand-size BYTES      size of each random read (default 4k)
  --rand-seconds S       stop random reads after S seconds (default 60)
  --tar-files N          files in the extracted tar (default 800)
  --scale F              multiply --size and every count by F (e.g. 0.1 for a quick run)
  --quick                same as --scale 0.05

Compare mode:
  --compare LIST         systems: objfs, s3fs, rclone, curl
  --endpoint URL         S3 endpoint, e.g. http://127.0.0.1:9000
  --bucket NAME          bucket (created when missing)
  --region NAME          SigV4 region (default us-east-1)
  --prefix P             key prefix for benchmark objects (default objfs-bench/)
  --latency-ms N         put objfs-latency-proxy in front of the endpoint, delaying
                         every chunk by N ms in each direction (round trip +2N ms)
  --curl-parallel N      parallel requests of the curl baselines (default 8)
  --repeat N             run every workload N times on every system, the systems
                         taking turns, and report the median run (all N values are
                         in the details); for servers whose speed varies run to run
  --mount-timeout S      seconds to wait for a mount to appear (default 30)
  --objfs-binary PATH    objfs executable to mount with (default: this executable)
  --proxy-binary PATH    objfs-latency-proxy executable (default: next to objfs)
  --objfs-args "ARGS"    extra arguments for `objfs mount` (space separated)
  --s3fs-args "ARGS"     extra arguments for s3fs
  --rclone-args "ARGS"   extra arguments for `rclone mount`

Output and environment:
  --json FILE            write all results as JSON
  --svg FILE             write an SVG bar chart of the results
  --no-drop-caches       do not drop the kernel page cache before cold phases
                         (dropping needs root: echo 3 > /proc/sys/vm/drop_caches)
  --work-dir DIR         local scratch directory (default /tmp)
  --keep                 keep the benchmark's objects (compare) or files (PATH)
  -h, --help             this text

A progress line goes to stderr, the result table to stdout.
)";
}

Result<BenchOptions> ParseBenchOptions(int argc, char** argv) {
  BenchOptions options;
  std::vector<std::string> skip;
  bool workloads_given = false;
  std::vector<std::string> positional;

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      return options;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      if (arg == "--") {
        for (++i; i < argc; ++i) positional.emplace_back(argv[i]);
        break;
      }
      positional.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::string value;
    bool has_inline_value = false;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    // Flags without a value.
    if (name == "--quick" || name == "--no-drop-caches" || name == "--keep") {
      if (has_inline_value) return Bad(name + " takes no value");
      if (name == "--quick") options.scale = 0.05;
      if (name == "--no-drop-caches") options.drop_caches = false;
      if (name == "--keep") options.keep = true;
      continue;
    }
    static const char* kValueFlags[] = {
        "--workloads", "--skip", "--size", "--io-size", "--files", "--file-size", "--ls-entries",
        "--rand-reads", "--rand-size", "--rand-seconds", "--tar-files", "--scale", "--compare",
        "--endpoint", "--bucket", "--region", "--prefix", "--latency-ms", "--curl-parallel", "--repeat",
        "--mount-timeout", "--objfs-binary", "--proxy-binary", "--objfs-args", "--s3fs-args",
        "--rclone-args", "--json", "--svg", "--work-dir"};
    bool known = false;
    for (const char* flag : kValueFlags) known |= name == flag;
    if (!known) return Bad("unknown flag " + name + " (see objfs bench --help)");
    if (!has_inline_value) {
      if (i + 1 >= argc) return Bad(name + " needs a value");
      value = argv[++i];
    }
    auto need_size = [&](uint64_t* out, uint64_t min_value) -> Status {
      if (!ParseByteSize(value, out) || *out < min_value) {
        return Bad(name + ": bad size '" + value + "'");
      }
      return Status::Ok();
    };
    auto need_int = [&](int* out, int min_value) -> Status {
      if (!ParseInt(value, min_value, out)) return Bad(name + ": bad number '" + value + "'");
      return Status::Ok();
    };
    auto need_double = [&](double* out, double min_value) -> Status {
      if (!ParseDouble(value, min_value, out)) return Bad(name + ": bad number '" + value + "'");
      return Status::Ok();
    };

    if (name == "--workloads") {
      workloads_given = true;
      options.workloads.clear();
      for (const std::string& w : SplitComma(value)) {
        bool found = false;
        for (WorkloadKind kind : AllWorkloads()) {
          if (WorkloadName(kind) == w) {
            found = true;
            if (!options.Selected(kind)) options.workloads.push_back(kind);
          }
        }
        if (!found) return Bad("--workloads: unknown workload '" + w + "'");
      }
    } else if (name == "--skip") {
      for (const std::string& w : SplitComma(value)) {
        bool found = false;
        for (WorkloadKind kind : AllWorkloads()) found |= WorkloadName(kind) == w;
        if (!found) return Bad("--skip: unknown workload '" + w + "'");
        skip.push_back(w);
      }
    } else if (name == "--size") {
      OBJFS_RETURN_IF_ERROR(need_size(&options.size_bytes, 4096));
    } else if (name == "--io-size") {
      OBJFS_RETURN_IF_ERROR(need_size(&options.io_size, 1));
    } else if (name == "--files") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.small_files, 1));
    } else if (name == "--file-size") {
      OBJFS_RETURN_IF_ERROR(need_size(&options.small_file_bytes, 0));
    } else if (name == "--ls-entries") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.ls_entries, 1));
    } else if (name == "--rand-reads") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.rand_reads, 1));
    } else if (name == "--rand-size") {
      OBJFS_RETURN_IF_ERROR(need_size(&options.rand_read_bytes, 1));
    } else if (name == "--rand-seconds") {
      OBJFS_RETURN_IF_ERROR(need_double(&options.rand_read_max_seconds, 0.001));
    } else if (name == "--tar-files") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.tar_files, 1));
    } else if (name == "--scale") {
      OBJFS_RETURN_IF_ERROR(need_double(&options.scale, 1e-6));
    } else if (name == "--compare") {
      options.compare = SplitComma(value);
      for (const std::string& system : options.compare) {
        if (system != "objfs" && system != "s3fs" && system != "rclone" && system != "curl") {
          return Bad("--compare: unknown system '" + system +
                     "' (known: objfs, s3fs, rclone, curl)");
        }
      }
      if (options.compare.empty()) return Bad("--compare needs at least one system");
    } else if (name == "--endpoint") {
      options.endpoint = value;
    } else if (name == "--bucket") {
      options.bucket = value;
    } else if (name == "--region") {
      options.region = value;
    } else if (name == "--prefix") {
      options.prefix = value;
    } else if (name == "--latency-ms") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.latency_ms, 0));
    } else if (name == "--curl-parallel") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.curl_parallel, 1));
    } else if (name == "--repeat") {
      OBJFS_RETURN_IF_ERROR(need_int(&options.repeat, 1));
      if (options.repeat > 50) return Bad("--repeat: at most 50");
    } else if (name == "--mount-timeout") {
      OBJFS_RETURN_IF_ERROR(need_double(&options.mount_timeout_seconds, 0.1));
    } else if (name == "--objfs-binary") {
      options.objfs_binary = value;
    } else if (name == "--proxy-binary") {
      options.proxy_binary = value;
    } else if (name == "--objfs-args") {
      options.objfs_args = SplitWords(value);
    } else if (name == "--s3fs-args") {
      options.s3fs_args = SplitWords(value);
    } else if (name == "--rclone-args") {
      options.rclone_args = SplitWords(value);
    } else if (name == "--json") {
      options.json_path = value;
    } else if (name == "--svg") {
      options.svg_path = value;
    } else if (name == "--work-dir") {
      options.work_dir = value;
    } else {
      return Bad("unknown flag " + name + " (see objfs bench --help)");
    }
  }

  if (!workloads_given) options.workloads = AllWorkloads();
  std::vector<WorkloadKind> kept;
  for (WorkloadKind kind : options.workloads) {
    bool skipped = false;
    for (const std::string& s : skip) skipped |= WorkloadName(kind) == s;
    if (!skipped) kept.push_back(kind);
  }
  // Keep run order independent of the order the flags listed them in.
  options.workloads.clear();
  for (WorkloadKind kind : AllWorkloads()) {
    for (WorkloadKind k : kept) {
      if (k == kind) options.workloads.push_back(kind);
    }
  }
  if (options.workloads.empty()) return Bad("no workload selected");

  if (options.compare_mode()) {
    if (!positional.empty()) return Bad("--compare takes no PATH (got '" + positional[0] + "')");
    if (options.endpoint.empty()) return Bad("--compare needs --endpoint URL");
    if (options.bucket.empty()) return Bad("--compare needs --bucket NAME");
    if (options.endpoint.rfind("http://", 0) != 0 && options.endpoint.rfind("https://", 0) != 0) {
      return Bad("--endpoint must start with http:// or https://");
    }
    while (!options.endpoint.empty() && options.endpoint.back() == '/') options.endpoint.pop_back();
    if (!options.prefix.empty() && options.prefix.back() != '/') options.prefix += '/';
    if (options.latency_ms > 0 && options.endpoint.rfind("http://", 0) != 0) {
      return Bad("--latency-ms needs a plain http:// endpoint");
    }
  } else {
    if (positional.size() != 1) return Bad("give exactly one PATH, or --compare (see --help)");
    options.path = positional[0];
    if (options.latency_ms > 0) return Bad("--latency-ms only applies to --compare");
    if (options.repeat > 1) return Bad("--repeat only applies to --compare");
  }

  if (options.scale != 1.0) {
    double scaled = std::round(static_cast<double>(options.size_bytes) * options.scale / 4096.0);
    options.size_bytes = static_cast<uint64_t>(scaled < 1 ? 1 : scaled) * 4096;
    options.small_files = ScaleCount(options.small_files, options.scale);
    options.ls_entries = ScaleCount(options.ls_entries, options.scale);
    options.rand_reads = ScaleCount(options.rand_reads, options.scale);
    options.tar_files = ScaleCount(options.tar_files, options.scale);
  }
  if (options.rand_read_bytes > options.size_bytes) {
    return Bad("--rand-size is larger than --size");
  }
  return options;
}

}  // namespace objfs::bench
