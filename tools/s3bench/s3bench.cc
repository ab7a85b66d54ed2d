// s3bench: throughput of the objfs S3 client beside plain curl, on the same
// object, in the same run.
//
// For each round it uploads an object of --size-mib MiB as --parallel parts
// (one per thread, UploadPart through CurlObjectClient) and GETs it back as
// --parallel range requests through the client; then does the same with
// --parallel `curl` processes (--aws-sigv4, PUT of each part from a file /
// GET of each range to /dev/null). It prints MB/s (10^6 bytes per second) for
// each side (a round's GET figure is the mean of two passes per side, run as
// client, curl, curl, client). Only the part uploads and the range GETs are timed: data
// generation, part files, CreateMultipartUpload and CompleteMultipartUpload
// are not.
//
//   tools/s3bench: s3bench [--endpoint URL] [--size-mib N] [--parallel N]
//                  [--rounds N] [--region R] [--bucket B] [--curl PATH]
// Credentials: --access-key/--secret-key, else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY, else S3RVER/S3RVER. The endpoint defaults to
// $OBJFS_TEST_ENDPOINT.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"
#include "s3/endpoint.h"
#include "s3/s3_xml.h"

extern char** environ;

namespace objfs::s3 {
namespace {

struct Options {
  std::string endpoint;
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key;
  std::string secret_key;
  std::string curl = "curl";
  uint64_t size_mib = 1024;
  int parallel = 8;
  int rounds = 3;
  bool get_only = false;
  BodyChecksum checksum = BodyChecksum::kContentMd5;
};

constexpr char kUsage[] = R"(usage: s3bench [options]
  --endpoint URL     S3 endpoint (default: $OBJFS_TEST_ENDPOINT)
  --size-mib N       object size in MiB (default 1024)
  --parallel N       parallel parts / range requests / curl processes (default 8)
  --rounds N         measurements per side; the median is reported (default 3)
  --region R         signing region (default us-east-1)
  --bucket B         bucket to use (default: a new one, deleted afterwards)
  --access-key K     (default $AWS_ACCESS_KEY_ID, else S3RVER)
  --secret-key S     (default $AWS_SECRET_ACCESS_KEY, else S3RVER)
  --curl PATH        curl binary (default: curl from PATH)
  --get-only         upload once (untimed) and measure only the range GETs
  --checksum MODE    content-md5 (default: MD5 first, sent as Content-MD5) or
                     streaming-md5 (MD5 while sending; ETag checked after)
)";

bool ParseArgs(int argc, char** argv, Options* options) {
  auto env = [](const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return std::string(value != nullptr && value[0] != '\0' ? value : fallback);
  };
  options->endpoint = env("OBJFS_TEST_ENDPOINT", "");
  options->access_key = env("AWS_ACCESS_KEY_ID", "S3RVER");
  options->secret_key = env("AWS_SECRET_ACCESS_KEY", "S3RVER");
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg == "--get-only") {
      options->get_only = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "s3bench: %s needs a value\n%s", arg.c_str(), kUsage);
      return false;
    }
    std::string value = argv[++i];
    if (arg == "--endpoint") {
      options->endpoint = value;
    } else if (arg == "--size-mib") {
      options->size_mib = std::strtoull(value.c_str(), nullptr, 10);
    } else if (arg == "--parallel") {
      options->parallel = std::atoi(value.c_str());
    } else if (arg == "--rounds") {
      options->rounds = std::atoi(value.c_str());
    } else if (arg == "--region") {
      options->region = value;
    } else if (arg == "--bucket") {
      options->bucket = value;
    } else if (arg == "--access-key") {
      options->access_key = value;
    } else if (arg == "--secret-key") {
      options->secret_key = value;
    } else if (arg == "--curl") {
      options->curl = value;
    } else if (arg == "--checksum") {
      if (value == "content-md5") {
        options->checksum = BodyChecksum::kContentMd5;
      } else if (value == "streaming-md5") {
        options->checksum = BodyChecksum::kStreamingMd5;
      } else {
        std::fprintf(stderr, "s3bench: --checksum is content-md5 or streaming-md5\n");
        return false;
      }
    } else {
      std::fprintf(stderr, "s3bench: unknown option %s\n%s", arg.c_str(), kUsage);
      return false;
    }
  }
  if (options->endpoint.empty()) {
    std::fprintf(stderr, "s3bench: no endpoint: pass --endpoint or set OBJFS_TEST_ENDPOINT\n");
    return false;
  }
  if (options->size_mib == 0 || options->parallel < 1 || options->rounds < 1) {
    std::fprintf(stderr, "s3bench: --size-mib, --parallel and --rounds must be positive\n");
    return false;
  }
  if ((options->size_mib << 20) / static_cast<uint64_t>(options->parallel) < kMinPartSize &&
      options->parallel > 1) {
    std::fprintf(stderr, "s3bench: parts of %llu MiB / %d are below S3's 5 MiB minimum\n",
                 static_cast<unsigned long long>(options->size_mib), options->parallel);
    return false;
  }
  return true;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The 1-minute load average, to judge how quiet the machine was.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

// User + system CPU seconds of this process (RUSAGE_SELF) or of its
// waited-for children (RUSAGE_CHILDREN).
double CpuSeconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "s3bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// The i-th of `n` equal parts of [0, size) (the last one takes the rest).
ByteRange PartRange(uint64_t size, int n, int i) {
  uint64_t part = size / static_cast<uint64_t>(n);
  uint64_t offset = part * static_cast<uint64_t>(i);
  return ByteRange{offset, i == n - 1 ? size - offset : part};
}

// Runs fn(i) for i in [0, n) on n threads and waits for all.
void RunParallel(int n, const std::function<void(int)>& fn) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
  for (auto& thread : threads) thread.join();
}

// Starts every command, waits for all; false if any failed.
bool RunProcesses(const std::vector<std::vector<std::string>>& commands) {
  std::vector<pid_t> pids;
  for (const auto& command : commands) {
    std::vector<char*> argv;
    for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      std::fprintf(stderr, "s3bench: cannot run %s\n", argv[0]);
      return false;
    }
    pids.push_back(pid);
  }
  bool ok = true;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
  }
  return ok;
}

class Bench {
 public:
  Bench(Options options, std::unique_ptr<ObjectClient> client, Endpoint endpoint)
      : options_(std::move(options)), client_(std::move(client)), endpoint_(std::move(endpoint)) {}

  void Prepare() {
    size_ = options_.size_mib << 20;
    data_.resize(size_);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 0; i + 8 <= size_; i += 8) {  // xorshift: incompressible, fast
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(&data_[i], &x, 8);
    }
    char dir[] = "/tmp/s3bench-XXXXXX";
    if (mkdtemp(dir) == nullptr) Die("mkdtemp", Status(Code::kInternal, std::strerror(errno)));
    dir_ = dir;
    for (int i = 0; i < options_.parallel; ++i) {
      ByteRange r = PartRange(size_, options_.parallel, i);
      std::string path = dir_ + "/part-" + std::to_string(i + 1);
      std::ofstream out(path, std::ios::binary);
      out.write(data_.data() + r.offset, static_cast<std::streamsize>(r.length));
      if (!out) Die("writing " + path, Status(Code::kInternal, "write failed"));
      part_files_.push_back(path);
    }
  }

  void Cleanup() {
    for (const auto& path : part_files_) unlink(path.c_str());
    for (int i = 0; i < options_.parallel; ++i) unlink((dir_ + "/headers-" + std::to_string(i + 1)).c_str());
    if (!dir_.empty()) rmdir(dir_.c_str());
  }

  // Seconds to upload every part through the client.
  double ClientPut(const std::string& key) {
    auto upload = client_->CreateMultipartUpload(options_.bucket, key, {});
    if (!upload.ok()) Die("CreateMultipartUpload", upload.status());
    std::vector<CompletedPart> parts(options_.parallel);
    std::vector<Status> errors(options_.parallel);
    const double cpu = CpuSeconds(RUSAGE_SELF);
    auto start = std::chrono::steady_clock::now();
    RunParallel(options_.parallel, [&](int i) {
      ByteRange r = PartRange(size_, options_.parallel, i);
      auto etag = client_->UploadPart(options_.bucket, key, *upload, i + 1,
                                      Body::FromMemory(std::string_view(data_).substr(r.offset, r.length)));
      if (etag.ok()) parts[i] = CompletedPart{i + 1, *etag};
      else errors[i] = etag.status();
    });
    double seconds = Seconds(start);
    cpu_.client_put += CpuSeconds(RUSAGE_SELF) - cpu;
    for (const Status& error : errors) {
      if (!error.ok()) Die("UploadPart", error);
    }
    Complete(key, *upload, parts);
    return seconds;
  }

  // Seconds to upload every part with one curl process per part.
  double CurlPut(const std::string& key) {
    auto upload = client_->CreateMultipartUpload(options_.bucket, key, {});
    if (!upload.ok()) Die("CreateMultipartUpload", upload.status());
    std::vector<std::vector<std::string>> commands;
    for (int i = 0; i < options_.parallel; ++i) {
      QueryParams query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", *upload}};
      std::vector<std::string> command = CurlBase(key, query);
      command.insert(command.end(), {"-T", part_files_[i], "-D", HeadersFile(i), "-o", "/dev/null"});
      commands.push_back(std::move(command));
    }
    const double cpu = CpuSeconds(RUSAGE_CHILDREN);
    auto start = std::chrono::steady_clock::now();
    bool ok = RunProcesses(commands);
    double seconds = Seconds(start);
    cpu_.curl_put += CpuSeconds(RUSAGE_CHILDREN) - cpu;
    if (!ok) Die("curl part upload", Status(Code::kUnavailable, "a curl process failed"));
    std::vector<CompletedPart> parts;
    for (int i = 0; i < options_.parallel; ++i) parts.push_back(CompletedPart{i + 1, EtagFromHeaders(HeadersFile(i))});
    Complete(key, *upload, parts);
    return seconds;
  }

  // Seconds to GET the object as parallel ranges through the client.
  double ClientGet(const std::string& key) {
    std::vector<Status> errors(options_.parallel);
    std::atomic<uint64_t> received{0};
    const double cpu = CpuSeconds(RUSAGE_SELF);
    auto start = std::chrono::steady_clock::now();
    RunParallel(options_.parallel, [&](int i) {
      uint64_t bytes = 0;
      auto got = client_->GetObject(GetRequest{options_.bucket, key, PartRange(size_, options_.parallel, i), ""},
                                    [&](std::string_view chunk) {
                                      bytes += chunk.size();
                                      return Status::Ok();
                                    });
      if (!got.ok()) errors[i] = got.status();
      received += bytes;
    });
    double seconds = Seconds(start);
    cpu_.client_get += CpuSeconds(RUSAGE_SELF) - cpu;
    for (const Status& error : errors) {
      if (!error.ok()) Die("GetObject", error);
    }
    if (received.load() != size_) Die("GetObject", Status(Code::kDataLoss, "short read"));
    return seconds;
  }

  // Seconds to GET the object as parallel ranges with one curl process each.
  double CurlGet(const std::string& key) {
    std::vector<std::vector<std::string>> commands;
    for (int i = 0; i < options_.parallel; ++i) {
      ByteRange r = PartRange(size_, options_.parallel, i);
      std::vector<std::string> command = CurlBase(key, {});
      command.insert(command.end(), {"-r", std::to_string(r.offset) + "-" + std::to_string(r.offset + r.length - 1),
                                     "-o", "/dev/null"});
      commands.push_back(std::move(command));
    }
    const double cpu = CpuSeconds(RUSAGE_CHILDREN);
    auto start = std::chrono::steady_clock::now();
    bool ok = RunProcesses(commands);
    double seconds = Seconds(start);
    cpu_.curl_get += CpuSeconds(RUSAGE_CHILDREN) - cpu;
    if (!ok) Die("curl range GET", Status(Code::kUnavailable, "a curl process failed"));
    return seconds;
  }

  void Verify(const std::string& key) {
    auto head = client_->HeadObject(options_.bucket, key);
    if (!head.ok()) Die("HeadObject " + key, head.status());
    if (head->size != size_) Die("HeadObject " + key, Status(Code::kDataLoss, "wrong size"));
  }

  // Deletes the benchmark's objects, and the bucket when the run created it.
  void RemoveObjects(const std::vector<std::string>& keys, bool delete_bucket) {
    for (const auto& key : keys) {
      Status deleted = client_->DeleteObject(options_.bucket, key);
      if (!deleted.ok()) std::fprintf(stderr, "s3bench: %s\n", deleted.ToString().c_str());
    }
    if (delete_bucket) {
      Status deleted = client_->DeleteBucket(options_.bucket);
      if (!deleted.ok()) std::fprintf(stderr, "s3bench: %s\n", deleted.ToString().c_str());
    }
  }

  uint64_t size() const { return size_; }

  // CPU seconds spent in the timed sections, over all rounds.
  struct CpuTotals {
    double client_put = 0;
    double curl_put = 0;
    double client_get = 0;
    double curl_get = 0;
  };
  const CpuTotals& cpu() const { return cpu_; }

 private:
  std::vector<std::string> CurlBase(const std::string& key, const QueryParams& query) {
    RequestTarget target = BuildRequestTarget(endpoint_, AddressingStyle::kPath, options_.bucket, key, query);
    return {options_.curl, "-sS", "--fail", "--http1.1", "--aws-sigv4", "aws:amz:" + options_.region + ":s3",
            "--user", options_.access_key + ":" + options_.secret_key,
            // curl 7.88 does not add this header itself; S3 requires it.
            "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", target.url};
  }

  std::string HeadersFile(int i) const { return dir_ + "/headers-" + std::to_string(i + 1); }

  static std::string EtagFromHeaders(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::string etag;
    while (std::getline(in, line)) {
      if (line.size() > 5 && strncasecmp(line.c_str(), "etag:", 5) == 0) {
        std::string value = line.substr(5);
        value.erase(0, value.find_first_not_of(" \t"));
        while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
        etag = StripEtagQuotes(value);
      }
    }
    if (etag.empty()) Die("curl part upload", Status(Code::kDataLoss, "no ETag in " + path));
    return etag;
  }

  void Complete(const std::string& key, const std::string& upload_id, const std::vector<CompletedPart>& parts) {
    auto etag = client_->CompleteMultipartUpload(options_.bucket, key, upload_id, parts);
    if (!etag.ok()) Die("CompleteMultipartUpload", etag.status());
  }

  Options options_;
  std::unique_ptr<ObjectClient> client_;
  Endpoint endpoint_;
  uint64_t size_ = 0;
  std::string data_;
  std::string dir_;
  std::vector<std::string> part_files_;
  CpuTotals cpu_;
};

int Main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) return 2;
  Result<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint.ok()) Die("endpoint", endpoint.status());

  ClientConfig config;
  config.endpoint = options.endpoint;
  config.region = options.region;
  config.addressing = AddressingStyle::kPath;
  config.credentials = StaticCredentials(Credentials{options.access_key, options.secret_key, ""});
  config.max_connections = std::max(options.parallel, 8);
  config.body_checksum = options.checksum;
  auto client = MakeCurlClient(config);
  if (!client.ok()) Die("client", client.status());

  const bool own_bucket = options.bucket.empty();
  if (own_bucket) {
    options.bucket = "s3bench-" + std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr));
    Status created = (*client)->CreateBucket(options.bucket);
    if (!created.ok()) Die("CreateBucket " + options.bucket, created);
  }
  Bench bench(options, std::move(client).value(), *endpoint);
  std::printf("s3bench: %llu MiB object, %d parallel parts/ranges, %d round(s), client body checksum %s, "
              "endpoint %s, bucket %s\n",
              static_cast<unsigned long long>(options.size_mib), options.parallel, options.rounds,
              options.checksum == BodyChecksum::kContentMd5 ? "content-md5" : "streaming-md5",
              options.endpoint.c_str(), options.bucket.c_str());
  std::fflush(stdout);
  bench.Prepare();
  const std::string load_before = LoadAverage();

  const std::string client_key = "s3bench/client-object";
  const std::string curl_key = "s3bench/curl-object";
  std::vector<double> client_put, curl_put, client_get, curl_get;
  if (options.get_only) (void)bench.ClientPut(client_key);
  for (int round = 0; round < options.rounds; ++round) {
    if (options.get_only) {
      // no uploads
    } else if (round % 2 == 0) {  // alternate which side uploads first
      client_put.push_back(bench.ClientPut(client_key));
      curl_put.push_back(bench.CurlPut(curl_key));
    } else {
      curl_put.push_back(bench.CurlPut(curl_key));
      client_put.push_back(bench.ClientPut(client_key));
    }
    bench.Verify(client_key);
    if (!options.get_only) bench.Verify(curl_key);
    // Both sides read the same object (the client's upload), twice each in
    // the order client, curl, curl, client, after flushing the upload's dirty
    // pages, so neither side pays more for the writeback or a colder cache.
    sync();
    double client_first = bench.ClientGet(client_key);
    double curl_first = bench.CurlGet(client_key);
    double curl_second = bench.CurlGet(client_key);
    double client_second = bench.ClientGet(client_key);
    client_get.push_back((client_first + client_second) / 2);
    curl_get.push_back((curl_first + curl_second) / 2);
    if (!options.get_only) {
      std::printf("  round %d: PUT client %.0f MB/s, curl %.0f MB/s;", round + 1,
                  bench.size() / 1e6 / client_put.back(), bench.size() / 1e6 / curl_put.back());
    } else {
      std::printf("  round %d:", round + 1);
    }
    std::printf(" GET client %.0f MB/s, curl %.0f MB/s\n", bench.size() / 1e6 / client_get.back(),
                bench.size() / 1e6 / curl_get.back());
    std::fflush(stdout);
  }
  bench.Cleanup();

  auto rate = [&](const std::vector<double>& seconds) { return bench.size() / 1e6 / Median(seconds); };
  // Each round runs both sides back to back, so the per-round ratio is less
  // sensitive to other load on the machine than the ratio of medians.
  auto paired = [](const std::vector<double>& client_seconds, const std::vector<double>& curl_seconds) {
    std::vector<double> ratios;
    for (size_t i = 0; i < client_seconds.size(); ++i) ratios.push_back(curl_seconds[i] / client_seconds[i]);
    return Median(ratios);
  };
  std::printf("\n%-28s %14s %14s %12s %14s\n", "median of rounds", "objfs client", "curl", "client/curl",
              "paired ratio");
  if (!options.get_only) {
    std::printf("%-28s %9.0f MB/s %9.0f MB/s %12.2f %14.2f\n",
                ("PUT " + std::to_string(options.parallel) + " parallel parts").c_str(), rate(client_put),
                rate(curl_put), rate(client_put) / rate(curl_put), paired(client_put, curl_put));
  }
  std::printf("%-28s %9.0f MB/s %9.0f MB/s %12.2f %14.2f\n",
              ("GET " + std::to_string(options.parallel) + " parallel ranges").c_str(), rate(client_get),
              rate(curl_get), rate(client_get) / rate(curl_get), paired(client_get, curl_get));
  std::printf("CPU seconds in the timed sections (all rounds): PUT client %.1f, curl %.1f; "
              "GET client %.1f, curl %.1f\n",
              bench.cpu().client_put, bench.cpu().curl_put, bench.cpu().client_get, bench.cpu().curl_get);
  std::printf("load average before/after: %s / %s\n", load_before.c_str(), LoadAverage().c_str());

  bench.RemoveObjects({client_key, curl_key}, own_bucket);
  return 0;
}

}  // namespace
}  // namespace objfs::s3

int main(int argc, char** argv) { return objfs::s3::Main(argc, argv); }
