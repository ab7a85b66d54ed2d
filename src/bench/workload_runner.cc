#include "bench/workload_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "bench/subprocess.h"

namespace objfs::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Status Cancelled() { return Status(Code::kCancelled, "interrupted"); }

Status Errno(const std::string& what) {
  int err = errno;
  return Status(Code::kInternal, what + ": " + std::strerror(err)).WithErrno(err);
}

// RAII for a file descriptor; Close() reports close()'s own error (the commit
// point of many FUSE file systems).
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Fills `buffer` with bytes from a fixed PRNG (incompressible, reproducible).
void FillPattern(std::vector<char>* buffer, uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = 0; i + 8 <= buffer->size(); i += 8) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    std::memcpy(buffer->data() + i, &state, 8);
  }
}

std::string Rate(uint64_t bytes, double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %.1f MiB/s", FormatBytes(bytes).c_str(),
                seconds > 0 ? static_cast<double>(bytes) / 1048576.0 / seconds : 0.0);
  return buf;
}

int RemoveOne(const char* path, const struct stat*, int type, struct FTW*) {
  int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
  return rc == 0 || errno == ENOENT ? 0 : -1;
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (value == std::floor(value)) std::snprintf(buf, sizeof(buf), "%.0f %s", value, units[unit]);
  else std::snprintf(buf, sizeof(buf), "%.1f %s", value, units[unit]);
  return buf;
}

double Percentile(std::vector<double>* values, double p) {
  if (values->empty()) return 0;
  std::sort(values->begin(), values->end());
  double rank = std::ceil(p / 100.0 * static_cast<double>(values->size()));
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  if (index >= values->size()) index = values->size() - 1;
  return (*values)[index];
}

Status MakeDirs(const std::string& path) {
  std::string partial;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    partial = path.substr(0, slash);
    pos = slash + 1;
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir " + partial);
  }
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return Status::Ok();
  if (nftw(path.c_str(), RemoveOne, 64, FTW_DEPTH | FTW_PHYS) != 0) return Errno("remove " + path);
  return Status::Ok();
}

WorkloadRunner::WorkloadRunner(const BenchOptions& options, ProgressLine* progress)
    : options_(options), progress_(progress) {
  size_t size = std::max<uint64_t>({options.io_size, options.small_file_bytes,
                                    options.rand_read_bytes, 4096});
  buffer_.resize((size + 7) / 8 * 8);
  FillPattern(&buffer_, 0x6f626a6673ull);
}

Status WorkloadRunner::WriteFile(const std::string& file, uint64_t size) {
  Fd fd(open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return Errno("create " + file);
  uint64_t done = 0;
  auto start = Clock::now();
  while (done < size) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(options_.io_size, size - done));
    ssize_t w = write(fd.get(), buffer_.data(), chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + file);
    }
    done += static_cast<uint64_t>(w);
    progress_->Update(Rate(done, SecondsSince(start)));
    if (stop_ && stop_->load()) return Cancelled();
  }
  if (fd.Close() != 0) return Errno("close " + file);
  return Status::Ok();
}

Result<WorkloadResult> WorkloadRunner::SeqWrite(const std::string& file) {
  WorkloadResult result;
  result.workload = "seqwrite";
  auto start = Clock::now();
  OBJFS_RETURN_IF_ERROR(WriteFile(file, options_.size_bytes));
  result.seconds = SecondsSince(start);
  result.bytes = options_.size_bytes;
  result.ops = 1;
  result.ok = true;
  return result;
}

Result<WorkloadResult> WorkloadRunner::SeqRead(const std::string& file) {
  WorkloadResult result;
  result.workload = "seqread";
  auto start = Clock::now();
  Fd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Errno("open " + file);
  uint64_t done = 0;
  size_t chunk = static_cast<size_t>(options_.io_size);
  for (;;) {
    ssize_t r = read(fd.get(), buffer_.data(), chunk);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("read " + file);
    }
    if (r == 0) break;
    done += static_cast<uint64_t>(r);
    progress_->Update(Rate(done, SecondsSince(start)));
    if (stop_ && stop_->load()) return Cancelled();
  }
  fd.Close();
  result.seconds = SecondsSince(start);
  result.bytes = done;
  result.ops = 1;
  if (done != options_.size_bytes) {
    return Status(Code::kDataLoss, "read " + std::to_string(done) + " bytes of " + file +
                                       ", expected " + std::to_string(options_.size_bytes));
  }
  result.ok = true;
  return result;
}

Result<WorkloadResult> WorkloadRunner::SmallFiles(const std::string& dir) {
  OBJFS_RETURN_IF_ERROR(MakeDirs(dir));
  WorkloadResult result;
  result.workload = "smallfiles";
  auto start = Clock::now();
  for (int i = 0; i < options_.small_files; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "/small%05d.dat", i);
    std::string path = dir + name;
    Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return Errno("create " + path);
    uint64_t left = options_.small_file_bytes;
    while (left > 0) {
      ssize_t w = write(fd.get(), buffer_.data(), static_cast<size_t>(left));
      if (w < 0) {
        if (errno == EINTR) continue;
        return Errno("write " + path);
      }
      left -= static_cast<uint64_t>(w);
    }
    if (fd.Close() != 0) return Errno("close " + path);
    result.ops++;
    result.bytes += options_.small_file_bytes;
    if (stop_ && stop_->load()) return Cancelled();
    double elapsed = SecondsSince(start);
    progress_->Update(std::to_string(i + 1) + "/" + std::to_string(options_.small_files) +
                      " files, " + std::to_string(static_cast<int>(result.ops / std::max(elapsed, 1e-9))) +
                      " files/s");
  }
  result.seconds = SecondsSince(start);
  result.ok = true;
  return result;
}

Status WorkloadRunner::CreateEntries(const std::string& dir, int count) {
  OBJFS_RETURN_IF_ERROR(MakeDirs(dir));
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "/f%06d", i);
    std::string path = dir + name;
    Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid()) return Errno("create " + path);
    if (fd.Close() != 0) return Errno("close " + path);
    progress_->Update("fixture " + std::to_string(i + 1) + "/" + std::to_string(count));
    if (stop_ && stop_->load()) return Cancelled();
  }
  return Status::Ok();
}

Result<WorkloadResult> WorkloadRunner::ListDir(const std::string& dir, const std::string& row) {
  WorkloadResult result;
  result.workload = row;
  auto start = Clock::now();
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Errno("opendir " + dir);
  int dir_fd = dirfd(d);
  for (;;) {
    errno = 0;
    dirent* entry = readdir(d);
    if (entry == nullptr) {
      if (errno != 0) {
        Status status = Errno("readdir " + dir);
        closedir(d);
        return status;
      }
      break;
    }
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      Status status = Errno(std::string("lstat ") + entry->d_name);
      closedir(d);
      return status;
    }
    result.ops++;
    if (result.ops % 256 == 0) progress_->Update(std::to_string(result.ops) + " entries");
  }
  closedir(d);
  result.seconds = SecondsSince(start);
  result.ok = true;
  return result;
}

Result<WorkloadResult> WorkloadRunner::RandRead(const std::string& file) {
  WorkloadResult result;
  result.workload = "randread";
  Fd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Errno("open " + file);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Errno("stat " + file);
  uint64_t block = options_.rand_read_bytes;
  uint64_t slots = static_cast<uint64_t>(st.st_size) / block;
  if (slots == 0) return Status(Code::kInvalidArgument, file + " is smaller than one read");
  // Random access, as a database would announce it: no kernel readahead.
  posix_fadvise(fd.get(), 0, 0, POSIX_FADV_RANDOM);
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(options_.rand_reads));
  uint64_t state = 0x72616e64ull;
  auto start = Clock::now();
  for (int i = 0; i < options_.rand_reads; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    off_t offset = static_cast<off_t>((state % slots) * block);
    auto op_start = Clock::now();
    ssize_t r = pread(fd.get(), buffer_.data(), static_cast<size_t>(block), offset);
    if (r < 0) {
      if (errno == EINTR) {
        --i;
        continue;
      }
      return Errno("pread " + file);
    }
    if (static_cast<uint64_t>(r) != block) {
      return Status(Code::kDataLoss, "short pread at offset " + std::to_string(offset));
    }
    latencies_ms.push_back(SecondsSince(op_start) * 1000.0);
    result.ops++;
    result.bytes += block;
    double elapsed = SecondsSince(start);
    progress_->Update(std::to_string(i + 1) + "/" + std::to_string(options_.rand_reads) + " reads");
    if (stop_ && stop_->load()) return Cancelled();
    if (elapsed > options_.rand_read_max_seconds) {
      result.note = "stopped after " + std::to_string(options_.rand_read_max_seconds) + " s";
      break;
    }
  }
  result.seconds = SecondsSince(start);
  result.p50_ms = Percentile(&latencies_ms, 50);
  result.p99_ms = Percentile(&latencies_ms, 99);
  result.ok = true;
  return result;
}

Result<WorkloadResult> WorkloadRunner::Untar(const std::string& tar_file, int expected_files,
                                             const std::string& dest_dir) {
  OBJFS_RETURN_IF_ERROR(MakeDirs(dest_dir));
  WorkloadResult result;
  result.workload = "untar";
  progress_->Update("tar -xf");
  auto start = Clock::now();
  SpawnOptions spawn;
  spawn.argv = {"tar", "--no-same-owner", "-xf", tar_file, "-C", dest_dir};
  Result<ExitInfo> exit = RunCommand(spawn, std::chrono::minutes(30));
  if (!exit.ok()) return exit.status();
  result.seconds = SecondsSince(start);
  if (!exit->ok()) return Status(Code::kInternal, DescribeFailure("tar", *exit));
  // Untimed check that every file arrived.
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::vector<std::string> pending = {dest_dir};
  while (!pending.empty()) {
    std::string current = pending.back();
    pending.pop_back();
    DIR* d = opendir(current.c_str());
    if (d == nullptr) return Errno("opendir " + current);
    while (dirent* entry = readdir(d)) {
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
      std::string path = current + "/" + entry->d_name;
      struct stat st;
      if (lstat(path.c_str(), &st) != 0) {
        closedir(d);
        return Errno("lstat " + path);
      }
      if (S_ISDIR(st.st_mode)) pending.push_back(path);
      else if (S_ISREG(st.st_mode)) {
        files++;
        bytes += static_cast<uint64_t>(st.st_size);
      }
    }
    closedir(d);
  }
  if (files != static_cast<uint64_t>(expected_files)) {
    return Status(Code::kDataLoss, "untar produced " + std::to_string(files) + " files, expected " +
                                       std::to_string(expected_files));
  }
  result.ops = files;
  result.bytes = bytes;
  result.ok = true;
  return result;
}

}  // namespace objfs::bench
