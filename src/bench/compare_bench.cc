#include "bench/compare_bench.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <thread>

#include "bench/page_cache.h"
#include "bench/system_mount.h"
#include "bench/tar_builder.h"
#include "bench/workload_runner.h"

namespace objfs::bench {
namespace {

std::string SelfExe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "/proc/self/exe";
  buf[n] = '\0';
  return buf;
}

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// A free 127.0.0.1 port (bound and released; the proxy binds it right after).
Result<int> FreeLocalPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(Code::kInternal, "socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return Status(Code::kInternal, "cannot bind a local port");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

std::string SeqKeyName(uint64_t size) { return "fixtures/seq-" + std::to_string(size) + ".bin"; }
std::string LsDirName(int entries) { return "fixtures/ls-" + std::to_string(entries); }

// The median of several runs of one row on one system (by its headline
// value; failed runs count as failures), with every run's value in its note.
WorkloadResult MedianRun(std::vector<WorkloadResult> runs) {
  if (runs.size() == 1) return std::move(runs.front());
  std::vector<WorkloadResult> ok;
  std::ostringstream values;
  int failed = 0;
  for (WorkloadResult& r : runs) {
    if (!r.ok) {
      ++failed;
      continue;
    }
    Headline h = HeadlineOf(r);
    values << (ok.empty() ? "" : ", ") << std::setprecision(4) << h.value;
    ok.push_back(std::move(r));
  }
  if (ok.empty()) return std::move(runs.front());
  std::sort(ok.begin(), ok.end(),
            [](const WorkloadResult& a, const WorkloadResult& b) { return HeadlineOf(a).value < HeadlineOf(b).value; });
  WorkloadResult median = std::move(ok[(ok.size() - 1) / 2]);
  std::string note = "median of " + std::to_string(ok.size()) + " runs (" + values.str() + " " +
                     HeadlineOf(median).unit + ")";
  if (failed > 0) note += "; " + std::to_string(failed) + " more failed";
  median.note = median.note.empty() ? note : median.note + "; " + note;
  return median;
}

WorkloadResult Failed(const std::string& row, const std::string& system, const std::string& error) {
  WorkloadResult r;
  r.workload = row;
  r.system = system;
  r.ok = false;
  r.error = error;
  return r;
}

}  // namespace

CompareBench::CompareBench(const BenchOptions& options, ProgressLine* progress,
                           const std::atomic<bool>* stop)
    : options_(options), progress_(progress), stop_(stop) {}

Status CompareBench::StartProxy(RunInfo* info) {
  std::string binary = options_.proxy_binary;
  if (binary.empty()) {
    std::string exe = SelfExe();
    std::string dir = exe.substr(0, exe.rfind('/'));
    for (const std::string& candidate :
         {dir + "/objfs-latency-proxy", dir + "/../../tools/latency_proxy/objfs-latency-proxy",
          std::string("/usr/local/bin/objfs-latency-proxy"), std::string("/usr/bin/objfs-latency-proxy")}) {
      if (Executable(candidate)) {
        binary = candidate;
        break;
      }
    }
    if (binary.empty()) {
      return Status(Code::kNotFound,
                    "objfs-latency-proxy not found next to " + exe + "; pass --proxy-binary");
    }
  }
  // endpoint is http://HOST:PORT
  std::string hostport = options_.endpoint.substr(std::string("http://").size());
  if (hostport.find('/') != std::string::npos) hostport = hostport.substr(0, hostport.find('/'));
  if (hostport.find(':') == std::string::npos) hostport += ":80";
  Result<int> port = FreeLocalPort();
  if (!port.ok()) return port.status();
  SpawnOptions spawn;
  spawn.argv = {binary, "--listen", "127.0.0.1:" + std::to_string(*port), "--target", hostport,
                "--delay-ms", std::to_string(options_.latency_ms)};
  spawn.stdout_path = scratch_ + "/latency-proxy.log";
  spawn.stderr_path = scratch_ + "/latency-proxy.log";
  proxy_ = std::make_unique<Subprocess>();
  OBJFS_RETURN_IF_ERROR(proxy_->Start(spawn));
  for (int i = 0; i < 200 && !CanConnect(*port); ++i) {
    if (proxy_->Exited()) return Status(Code::kUnavailable, "objfs-latency-proxy exited at start");
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!CanConnect(*port)) return Status(Code::kTimeout, "objfs-latency-proxy did not listen");
  measured_endpoint_ = "http://127.0.0.1:" + std::to_string(*port);
  info->notes.push_back("every system and curl went through objfs-latency-proxy (" + binary +
                        ") delaying each direction by " + std::to_string(options_.latency_ms) +
                        " ms (+" + std::to_string(2 * options_.latency_ms) + " ms per round trip)");
  return Status::Ok();
}

Status CompareBench::PrepareFixtures(const CurlS3& direct) {
  const std::string& p = options_.prefix;
  std::string empty_file = scratch_ + "/empty";
  { std::ofstream out(empty_file, std::ios::trunc); }
  std::vector<std::string> dirs = {p, p + "fixtures/", p + "run-" + run_id_ + "/"};
  for (const std::string& system : options_.compare) {
    if (system != "curl") dirs.push_back(p + "run-" + run_id_ + "/" + system + "/");
  }
  bool need_seq = options_.Selected(WorkloadKind::kSeqRead) || options_.Selected(WorkloadKind::kRandRead);
  bool need_ls = options_.Selected(WorkloadKind::kLs);
  if (need_ls) dirs.push_back(p + LsDirName(options_.ls_entries) + "/");
  progress_->Phase("fixtures: directory markers");
  OBJFS_RETURN_IF_ERROR(direct.PutMany(dirs, "", CurlS3::DirMetadataHeaders(), 8));

  if (need_seq) {
    std::string key = p + SeqKeyName(options_.size_bytes);
    Result<std::vector<S3ObjectInfo>> existing = direct.List(key);
    if (!existing.ok()) return existing.status();
    bool present = !existing->empty() && (*existing)[0].key == key &&
                   (*existing)[0].size == options_.size_bytes;
    if (!present) {
      progress_->Phase("fixtures: uploading " + FormatBytes(options_.size_bytes) + " object");
      // Part files, then one multipart upload.
      uint64_t min_part = 8ull << 20;
      uint64_t parts = std::max<uint64_t>(1, std::min<uint64_t>(64, options_.size_bytes / min_part));
      uint64_t part_size = (options_.size_bytes + parts - 1) / parts;
      WorkloadRunner writer(options_, progress_);
      std::vector<std::string> files;
      for (uint64_t i = 0, off = 0; off < options_.size_bytes; ++i, off += part_size) {
        std::string f = scratch_ + "/fixture-part-" + std::to_string(i);
        OBJFS_RETURN_IF_ERROR(writer.WriteFile(f, std::min(part_size, options_.size_bytes - off)));
        files.push_back(f);
      }
      Result<double> uploaded = direct.MultipartUpload(key, files, CurlS3::FileMetadataHeaders());
      for (const std::string& f : files) unlink(f.c_str());
      if (!uploaded.ok()) return uploaded.status();
    }
  }
  if (need_ls) {
    std::string dir = p + LsDirName(options_.ls_entries) + "/";
    Result<std::vector<S3ObjectInfo>> existing = direct.List(dir);
    if (!existing.ok()) return existing.status();
    // The marker itself is listed too.
    if (existing->size() != static_cast<size_t>(options_.ls_entries) + 1) {
      progress_->Phase("fixtures: " + std::to_string(options_.ls_entries) + " objects for ls");
      std::vector<std::string> keys;
      for (int i = 0; i < options_.ls_entries; ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "f%06d", i);
        keys.push_back(dir + name);
      }
      OBJFS_RETURN_IF_ERROR(direct.PutMany(keys, empty_file, CurlS3::FileMetadataHeaders(), 32));
    }
  }
  if (options_.Selected(WorkloadKind::kUntar)) {
    TarBuilder tar(options_.tar_files, 42);
    tar_path_ = scratch_ + "/untar.tar";
    tar_files_ = tar.file_count();
    OBJFS_RETURN_IF_ERROR(tar.WriteTo(tar_path_));
  }
  return Status::Ok();
}

WorkloadResult CompareBench::RunCurl(const CurlS3& measured, WorkloadKind kind) {
  std::string row(WorkloadName(kind));
  progress_->Phase(row + " on curl (" + std::to_string(options_.curl_parallel) + " parallel)");
  WorkloadResult result;
  result.workload = row;
  result.system = "curl";
  const std::string& p = options_.prefix;
  if (kind == WorkloadKind::kLs) {
    // The floor for a cold `ls -l`: listing the directory's keys, page by page.
    result.workload = "ls_cold";
    result.cache_dropped = DropPageCacheForPhase(options_.drop_caches, progress_);
    double cpu_before = measured.cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    Result<std::vector<S3ObjectInfo>> listed = measured.List(p + LsDirName(options_.ls_entries) + "/");
    if (!listed.ok()) return Failed("ls_cold", "curl", listed.status().ToString());
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.ops = listed->size();
    result.daemon_cpu_seconds = measured.cpu_seconds() - cpu_before;
    result.note = "ListObjectsV2 pages of 1000 keys, one after the other";
    result.ok = true;
    return result;
  }
  if (kind == WorkloadKind::kSmallFiles) {
    // The floor for creating files one at a time: one PUT after the other.
    std::string body = scratch_ + "/small-body";
    WorkloadRunner writer(options_, progress_);
    Status written = writer.WriteFile(body, options_.small_file_bytes);
    if (!written.ok()) return Failed(row, "curl", written.ToString());
    std::vector<std::string> keys;
    for (int i = 0; i < options_.small_files; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "small%05d.dat", i);
      keys.push_back(p + "run-" + run_id_ + "/curl/small/" + name);
    }
    double cpu_before = measured.cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    Status put = measured.PutMany(keys, body, CurlS3::FileMetadataHeaders(), 1);
    if (!put.ok()) return Failed(row, "curl", put.ToString());
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.ops = keys.size();
    result.bytes = keys.size() * options_.small_file_bytes;
    result.daemon_cpu_seconds = measured.cpu_seconds() - cpu_before;
    result.note = "sequential PUTs over one connection";
    result.ok = true;
    return result;
  }
  if (kind == WorkloadKind::kSeqRead) {
    result.cache_dropped = DropPageCacheForPhase(options_.drop_caches, progress_);
    double cpu_before = measured.cpu_seconds();
    Result<double> seconds =
        measured.ParallelRangeGet(p + SeqKeyName(options_.size_bytes), options_.size_bytes,
                                  options_.curl_parallel);
    if (!seconds.ok()) return Failed(row, "curl", seconds.status().ToString());
    result.seconds = *seconds;
    result.daemon_cpu_seconds = measured.cpu_seconds() - cpu_before;
  } else {
    // Part files are prepared untimed; the timed part is create + parallel parts + complete.
    uint64_t parts = static_cast<uint64_t>(options_.curl_parallel);
    uint64_t min_part = 5ull << 20;
    while (parts > 1 && options_.size_bytes / parts < min_part) --parts;
    uint64_t part_size = (options_.size_bytes + parts - 1) / parts;
    WorkloadRunner writer(options_, progress_);
    std::vector<std::string> files;
    for (uint64_t i = 0, off = 0; off < options_.size_bytes; ++i, off += part_size) {
      std::string f = scratch_ + "/curl-part-" + std::to_string(i);
      Status written = writer.WriteFile(f, std::min(part_size, options_.size_bytes - off));
      if (!written.ok()) return Failed(row, "curl", written.ToString());
      files.push_back(f);
    }
    result.cache_dropped = false;
    double cpu_before = measured.cpu_seconds();
    Result<double> seconds = measured.MultipartUpload(p + "run-" + run_id_ + "/curl/seqwrite.bin",
                                                      files, CurlS3::FileMetadataHeaders());
    for (const std::string& f : files) unlink(f.c_str());
    if (!seconds.ok()) return Failed(row, "curl", seconds.status().ToString());
    result.seconds = *seconds;
    result.daemon_cpu_seconds = measured.cpu_seconds() - cpu_before;
    result.note = std::to_string(files.size()) + " parts; part files read from local page cache";
  }
  result.bytes = options_.size_bytes;
  result.ops = 1;
  result.ok = true;
  return result;
}

std::vector<WorkloadResult> CompareBench::RunMounted(const std::string& system, WorkloadKind kind) {
  std::string name(WorkloadName(kind));
  std::vector<std::string> rows = kind == WorkloadKind::kLs
                                      ? std::vector<std::string>{"ls_cold", "ls_warm"}
                                      : std::vector<std::string>{name};
  auto all_failed = [&](const std::string& error) {
    std::vector<WorkloadResult> failed;
    for (const std::string& row : rows) failed.push_back(Failed(row, system, error));
    return failed;
  };
  progress_->Phase(name + " on " + system + ": mounting");
  bool dropped = DropPageCacheForPhase(options_.drop_caches, progress_);

  MountConfig config;
  config.system = system;
  config.endpoint = measured_endpoint_;
  config.bucket = options_.bucket;
  config.prefix = options_.prefix;
  config.region = options_.region;
  config.credentials = credentials_;
  config.scratch_dir = scratch_;
  config.objfs_binary = objfs_binary_;
  config.timeout_seconds = options_.mount_timeout_seconds;
  if (system == "objfs") config.extra_args = options_.objfs_args;
  if (system == "s3fs") config.extra_args = options_.s3fs_args;
  if (system == "rclone") config.extra_args = options_.rclone_args;
  config.cache_dir = scratch_ + "/" + system + "-cache-" + name;
  std::string mp = scratch_ + "/mnt-" + system;
  Result<std::unique_ptr<SystemMount>> mounted = SystemMount::Start(config, mp);
  if (!mounted.ok()) return all_failed("mount failed: " + mounted.status().ToString());
  SystemMount& mount = **mounted;
  Result<ProcessStats> at_mount = mount.Stats();

  WorkloadRunner runner(options_, progress_);
  runner.set_stop_flag(stop_);
  progress_->Phase(name + " on " + system);
  std::string out_dir = mp + "/run-" + run_id_ + "/" + system;
  std::string out_prefix = options_.prefix + "run-" + run_id_ + "/" + system + "/";
  std::vector<Result<WorkloadResult>> measured;
  // What must be in S3 once the last close() returned: key prefix and object count.
  std::string durable_prefix;
  size_t durable_expected = 0;
  switch (kind) {
    case WorkloadKind::kSeqWrite:
      measured.push_back(runner.SeqWrite(out_dir + "/seqwrite.bin"));
      durable_prefix = out_prefix + "seqwrite.bin";
      durable_expected = 1;
      break;
    case WorkloadKind::kSeqRead:
      measured.push_back(runner.SeqRead(mp + "/" + SeqKeyName(options_.size_bytes)));
      break;
    case WorkloadKind::kSmallFiles:
      measured.push_back(runner.SmallFiles(out_dir + "/small"));
      durable_prefix = out_prefix + "small/small";
      durable_expected = static_cast<size_t>(options_.small_files);
      break;
    case WorkloadKind::kLs:
      measured.push_back(runner.ListDir(mp + "/" + LsDirName(options_.ls_entries), "ls_cold"));
      measured.push_back(runner.ListDir(mp + "/" + LsDirName(options_.ls_entries), "ls_warm"));
      break;
    case WorkloadKind::kRandRead:
      measured.push_back(runner.RandRead(mp + "/" + SeqKeyName(options_.size_bytes)));
      break;
    case WorkloadKind::kUntar:
      measured.push_back(runner.Untar(tar_path_, tar_files_, out_dir + "/untar"));
      durable_prefix = out_prefix + "untar/tree/";
      durable_expected = static_cast<size_t>(tar_files_);
      break;
  }
  std::string durability_note;
  if (!durable_prefix.empty() && measured.back().ok()) {
    Result<std::vector<S3ObjectInfo>> listed = direct_->List(durable_prefix);
    if (listed.ok()) {
      size_t files = 0;
      for (const S3ObjectInfo& o : *listed) files += o.key.back() != '/';
      durability_note = "in S3 when close() returned: " + std::to_string(files) + "/" +
                        std::to_string(durable_expected);
    }
  }
  progress_->Phase(name + " on " + system + ": unmounting");
  Result<UnmountReport> unmounted = mount.Unmount();
  // Whatever the daemon left in its cache is dropped: the next mount starts clean.
  uint64_t left_in_cache = 0;
  if (system == "rclone") {
    SpawnOptions du;
    du.argv = {"du", "-sb", config.cache_dir + "/vfs"};
    Result<ExitInfo> size = RunCommand(du, std::chrono::seconds(60));
    if (size.ok() && size->ok()) left_in_cache = std::strtoull(size->out.c_str(), nullptr, 10);
  }
  Status cache_removed = RemoveTree(config.cache_dir);
  (void)cache_removed;
  // Systems that upload after close() may still do so before they exit.
  if (!durability_note.empty() &&
      durability_note.find(" " + std::to_string(durable_expected) + "/") == std::string::npos) {
    Result<std::vector<S3ObjectInfo>> listed = direct_->List(durable_prefix);
    if (listed.ok()) {
      size_t files = 0;
      for (const S3ObjectInfo& o : *listed) files += o.key.back() != '/';
      durability_note += "; after unmount: " + std::to_string(files) + "/" +
                         std::to_string(durable_expected);
    }
  }

  std::vector<WorkloadResult> results;
  for (size_t i = 0; i < rows.size(); ++i) {
    WorkloadResult r;
    if (i < measured.size() && measured[i].ok()) {
      r = *measured[i];
    } else {
      r.ok = false;
      r.error = i < measured.size() ? measured[i].status().ToString() : "not run";
      r.error += " (daemon log: " + mount.log_path() + ")";
    }
    r.workload = rows[i];
    r.system = system;
    r.cache_dropped = dropped || rows[i] == "ls_warm";
    if (rows[i] == "ls_warm") r.cache_dropped = false;
    if (i == 0 && unmounted.ok()) {
      r.daemon_cpu_seconds =
          unmounted->cpu_seconds - (at_mount.ok() ? at_mount->cpu_seconds : 0.0);
      r.daemon_peak_rss_bytes = unmounted->peak_rss_bytes;
      r.unmount_seconds = unmounted->unmount_seconds;
      if (kind == WorkloadKind::kLs) r.note = "CPU/RSS cover the cold and the warm pass";
    }
    if (!unmounted.ok()) {
      r.note += (r.note.empty() ? "" : "; ") + std::string("unmount: ") + unmounted.status().message();
    }
    if (!durability_note.empty()) r.note += (r.note.empty() ? "" : "; ") + durability_note;
    if (i == 0 && left_in_cache > 0) {
      r.note += (r.note.empty() ? "" : "; ") + FormatBytes(left_in_cache) +
                " left in its cache dir after exit";
    }
    results.push_back(r);
  }
  return results;
}

Result<std::vector<WorkloadResult>> CompareBench::Run(RunInfo* info) {
  Result<S3Credentials> credentials = S3Credentials::FromEnv();
  if (!credentials.ok()) return credentials.status();
  credentials_ = *credentials;
  scratch_ = options_.work_dir + "/objfs-bench-" + std::to_string(getpid());
  OBJFS_RETURN_IF_ERROR(MakeDirs(scratch_));
  {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%S", &tm);
    run_id_ = std::string(buf) + "-" + std::to_string(getpid());
  }
  objfs_binary_ = options_.objfs_binary.empty() ? SelfExe() : options_.objfs_binary;
  info->systems = options_.compare;
  measured_endpoint_ = options_.endpoint;
  if (options_.latency_ms > 0) OBJFS_RETURN_IF_ERROR(StartProxy(info));

  direct_ = std::make_unique<CurlS3>(options_.endpoint, options_.bucket, options_.region,
                                     credentials_, scratch_);
  CurlS3 measured(measured_endpoint_, options_.bucket, options_.region, credentials_, scratch_);
  progress_->Phase("bucket " + options_.bucket);
  OBJFS_RETURN_IF_ERROR(direct_->EnsureBucket());
  OBJFS_RETURN_IF_ERROR(PrepareFixtures(*direct_));

  std::vector<WorkloadResult> results;
  const int repeat = std::max(1, options_.repeat);
  for (WorkloadKind kind : options_.workloads) {
    // Runs of one row and system, in the order rows first appeared.
    std::vector<std::vector<WorkloadResult>> runs;
    auto add = [&](WorkloadResult r) {
      for (auto& group : runs) {
        if (group.front().workload == r.workload && group.front().system == r.system) {
          group.push_back(std::move(r));
          return;
        }
      }
      runs.push_back({std::move(r)});
    };
    for (int round = 0; round < repeat && !stop_->load(); ++round) {
      for (const std::string& system : options_.compare) {
        if (stop_->load()) break;
        if (repeat > 1) {
          progress_->Phase(std::string(WorkloadName(kind)) + ": round " + std::to_string(round + 1) + " of " +
                           std::to_string(repeat));
        }
        if (system == "curl") {
          if (kind == WorkloadKind::kSeqRead || kind == WorkloadKind::kSeqWrite ||
              kind == WorkloadKind::kSmallFiles || kind == WorkloadKind::kLs) {
            add(RunCurl(measured, kind));
          }
          continue;
        }
        for (WorkloadResult& r : RunMounted(system, kind)) add(std::move(r));
        progress_->Finish();
      }
    }
    for (auto& group : runs) results.push_back(MedianRun(std::move(group)));
  }
  if (repeat > 1) info->notes.push_back("every row is the median of " + std::to_string(repeat) + " runs");
  if (stop_->load()) info->notes.push_back("interrupted: results are partial");

  return results;
}

void CompareBench::Cleanup(bool all_ok, RunInfo* info) {
  if (!options_.keep && direct_) {
    progress_->Phase("cleanup: deleting s3://" + options_.bucket + "/" + options_.prefix);
    Status deleted = direct_->DeletePrefix(options_.prefix, 32);
    if (!deleted.ok()) info->notes.push_back("cleanup of objects failed: " + deleted.message());
    progress_->Finish();
  }
  // The scratch directory holds daemon logs and the s3fs password file: keep
  // it only when something failed, for the logs.
  if (all_ok && !scratch_.empty()) {
    Status removed = RemoveTree(scratch_);
    if (!removed.ok()) info->notes.push_back("cleanup of " + scratch_ + " failed");
  } else if (!all_ok) {
    unlink((scratch_ + "/s3fs-passwd").c_str());
    info->notes.push_back("daemon logs kept in " + scratch_);
  }
  if (proxy_) proxy_->Stop(std::chrono::seconds(2));
  proxy_.reset();
}

}  // namespace objfs::bench
