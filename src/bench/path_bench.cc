#include "bench/path_bench.h"

#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <optional>

#include "bench/page_cache.h"
#include "bench/process_stats.h"
#include "bench/tar_builder.h"
#include "bench/workload_runner.h"

namespace objfs::bench {

PathBench::PathBench(const BenchOptions& options, ProgressLine* progress)
    : options_(options), progress_(progress) {}

Result<std::vector<WorkloadResult>> PathBench::Run(RunInfo* info) {
  struct stat st;
  if (stat(options_.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status(Code::kInvalidArgument, options_.path + " is not a directory");
  }
  MountInfo mount = MountOf(options_.path);
  std::string system = mount.fs_type.empty() ? "dir" : mount.fs_type;
  info->systems = {system};
  std::optional<pid_t> daemon;
  if (mount.fs_type.rfind("fuse", 0) == 0) {
    Result<pid_t> pid = FindFuseDaemon(mount.mount_point);
    if (pid.ok()) {
      daemon = *pid;
      info->notes.push_back("FUSE daemon pid " + std::to_string(*pid) + " serves " +
                            mount.mount_point + "; peak RSS is VmHWM since it started");
    } else {
      info->notes.push_back("daemon CPU/RSS not measured: " + pid.status().message());
    }
  }
  info->notes.push_back(
      "PATH mode: the file system's own caches stay warm between phases (no remount); "
      "use --compare for fresh mounts");

  std::string base = options_.path + "/objfs-bench-" + std::to_string(getpid());
  OBJFS_RETURN_IF_ERROR(MakeDirs(base));
  WorkloadRunner runner(options_, progress_);
  std::vector<WorkloadResult> results;
  std::string seq_file = base + "/seq.bin";
  bool seq_ready = false;

  auto ensure_seq_file = [&]() -> Status {
    if (seq_ready) return Status::Ok();
    progress_->Phase("fixture: writing " + FormatBytes(options_.size_bytes) + " file");
    OBJFS_RETURN_IF_ERROR(runner.WriteFile(seq_file, options_.size_bytes));
    seq_ready = true;
    return Status::Ok();
  };
  // Runs one measured step and records it (also when it fails).
  auto measure = [&](const std::string& row, bool cold,
                     const std::function<Result<WorkloadResult>()>& body) {
    progress_->Phase(row + " on " + system);
    bool dropped = cold && DropPageCacheForPhase(options_.drop_caches, progress_);
    std::optional<ProcessStats> before;
    if (daemon) {
      Result<ProcessStats> s = ReadProcessStats(*daemon);
      if (s.ok()) before = *s;
    }
    Result<WorkloadResult> r = body();
    WorkloadResult result;
    if (r.ok()) {
      result = *r;
    } else {
      result.ok = false;
      result.error = r.status().ToString();
    }
    result.workload = row;
    result.system = system;
    result.cache_dropped = dropped;
    if (daemon && before) {
      Result<ProcessStats> after = ReadProcessStats(*daemon);
      if (after.ok()) {
        result.daemon_cpu_seconds = after->cpu_seconds - before->cpu_seconds;
        result.daemon_peak_rss_bytes = after->peak_rss_bytes;
      }
    }
    results.push_back(result);
  };

  for (WorkloadKind kind : options_.workloads) {
    switch (kind) {
      case WorkloadKind::kSeqWrite:
        measure("seqwrite", false, [&]() -> Result<WorkloadResult> {
          Result<WorkloadResult> r = runner.SeqWrite(seq_file);
          if (r.ok()) seq_ready = true;
          return r;
        });
        break;
      case WorkloadKind::kSeqRead: {
        Status ready = ensure_seq_file();
        measure("seqread", true, [&]() -> Result<WorkloadResult> {
          if (!ready.ok()) return ready;
          return runner.SeqRead(seq_file);
        });
        break;
      }
      case WorkloadKind::kSmallFiles:
        measure("smallfiles", false, [&] { return runner.SmallFiles(base + "/small"); });
        break;
      case WorkloadKind::kLs: {
        progress_->Phase("fixture: " + std::to_string(options_.ls_entries) + " entries");
        Status created = runner.CreateEntries(base + "/ls", options_.ls_entries);
        measure("ls_cold", true, [&]() -> Result<WorkloadResult> {
          if (!created.ok()) return created;
          return runner.ListDir(base + "/ls", "ls_cold");
        });
        measure("ls_warm", false, [&]() -> Result<WorkloadResult> {
          if (!created.ok()) return created;
          return runner.ListDir(base + "/ls", "ls_warm");
        });
        break;
      }
      case WorkloadKind::kRandRead: {
        Status ready = ensure_seq_file();
        measure("randread", true, [&]() -> Result<WorkloadResult> {
          if (!ready.ok()) return ready;
          return runner.RandRead(seq_file);
        });
        break;
      }
      case WorkloadKind::kUntar: {
        TarBuilder tar(options_.tar_files, 42);
        std::string tar_path =
            options_.work_dir + "/objfs-bench-" + std::to_string(getpid()) + ".tar";
        Status written = tar.WriteTo(tar_path);
        measure("untar", false, [&]() -> Result<WorkloadResult> {
          if (!written.ok()) return written;
          return runner.Untar(tar_path, tar.file_count(), base + "/untar");
        });
        unlink(tar_path.c_str());
        break;
      }
    }
  }
  progress_->Finish();
  if (!options_.keep) {
    progress_->Phase("removing " + base);
    Status removed = RemoveTree(base);
    if (!removed.ok()) info->notes.push_back("cleanup failed: " + removed.message());
    progress_->Finish();
  }
  return results;
}

}  // namespace objfs::bench
