// WorkloadRunner: the timed file-system workloads, run on plain directories.
//
// Knows nothing about mounts or S3: every workload is ordinary POSIX calls on a
// path (open/write/close, pread, readdir + lstat, tar(1)), so it measures any
// file system the way applications see it. Untimed fixture helpers create what
// a workload needs (a big file, a directory of N entries). Callers decide about
// fresh mounts and dropped caches; results say what the caller reported.
//
// Ownership: holds a reference to the options and the progress line, which
// must outlive it; owns a 1 MiB-ish I/O buffer.
// Thread-safety: one thread at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/bench_options.h"
#include "bench/progress_line.h"
#include "bench/workload_result.h"

namespace objfs::bench {

class WorkloadRunner {
 public:
  WorkloadRunner(const BenchOptions& options, ProgressLine* progress);

  // Writes options.size_bytes to `file` in io_size writes; timed until close() returns.
  Result<WorkloadResult> SeqWrite(const std::string& file);
  // Reads `file` to the end in io_size reads.
  Result<WorkloadResult> SeqRead(const std::string& file);
  // Creates `dir` (untimed) and in it options.small_files files of small_file_bytes.
  Result<WorkloadResult> SmallFiles(const std::string& dir);
  // readdir + lstat of every entry of `dir` (what `ls -l` does); `row` names the result.
  Result<WorkloadResult> ListDir(const std::string& dir, const std::string& row);
  // options.rand_reads preads of rand_read_bytes at random aligned offsets of `file`.
  Result<WorkloadResult> RandRead(const std::string& file);
  // Extracts `tar_file` with tar(1) into `dest_dir` (created, untimed) and checks the count.
  Result<WorkloadResult> Untar(const std::string& tar_file, int expected_files,
                               const std::string& dest_dir);

  // Loops stop with kCancelled once *stop becomes true (e.g. on SIGINT).
  void set_stop_flag(const std::atomic<bool>* stop) { stop_ = stop; }

  // Untimed fixtures.
  Status WriteFile(const std::string& file, uint64_t size);
  Status CreateEntries(const std::string& dir, int count);

 private:
  const BenchOptions& options_;
  ProgressLine* progress_;
  std::vector<char> buffer_;
  const std::atomic<bool>* stop_ = nullptr;
};

// mkdir -p.
Status MakeDirs(const std::string& path);
// rm -rf (nftw, depth first); missing paths are fine.
Status RemoveTree(const std::string& path);
// The p-th percentile (0..100) of `values` (sorted in place), nearest-rank.
double Percentile(std::vector<double>* values, double p);
// "1.5 GiB", "300 MiB", "4 KiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace objfs::bench
