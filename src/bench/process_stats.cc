#include "bench/process_stats.h"

#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace objfs::bench {
namespace {

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

// Decodes the octal escapes (\040 for space) mountinfo uses in paths.
std::string UnescapeMountPath(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      int value = 0;
      bool octal = true;
      for (size_t j = 1; j <= 3; ++j) {
        char c = i + j < text.size() ? text[i + j] : 'x';
        if (c < '0' || c > '7') octal = false;
        else value = value * 8 + (c - '0');
      }
      if (octal) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

struct MountEntry {
  std::string mount_point;
  std::string fs_type;
};

std::vector<MountEntry> ReadMounts() {
  std::vector<MountEntry> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> parts;
    std::string field;
    while (fields >> field) parts.push_back(field);
    size_t dash = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i] == "-") {
        dash = i;
        break;
      }
    }
    if (parts.size() < 5 || dash == 0 || dash + 1 >= parts.size()) continue;
    mounts.push_back({UnescapeMountPath(parts[4]), parts[dash + 1]});
  }
  return mounts;
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return path;
  return buf;
}

}  // namespace

Result<double> ParseCpuSecondsFromStat(std::string_view stat_text, long ticks_per_second) {
  size_t close_paren = stat_text.rfind(')');
  if (close_paren == std::string_view::npos || ticks_per_second <= 0) {
    return Status(Code::kInvalidArgument, "malformed /proc/PID/stat");
  }
  // After ") " come fields 3 (state) onward; utime is field 14, stime field 15.
  std::istringstream rest{std::string(stat_text.substr(close_paren + 1))};
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int index = 3; index <= 15; ++index) {
    if (!(rest >> field)) return Status(Code::kInvalidArgument, "short /proc/PID/stat");
    if (index == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (index == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
}

Result<ProcessStats> ParseMemoryFromStatus(std::string_view status_text) {
  ProcessStats stats;
  bool found_hwm = false;
  std::istringstream in{std::string(status_text)};
  std::string line;
  while (std::getline(in, line)) {
    auto value_kb = [&](std::string_view key) -> long long {
      if (line.rfind(key, 0) != 0) return -1;
      return std::strtoll(line.c_str() + key.size(), nullptr, 10);
    };
    if (long long kb = value_kb("VmHWM:"); kb >= 0) {
      stats.peak_rss_bytes = static_cast<uint64_t>(kb) * 1024;
      found_hwm = true;
    }
    if (long long kb = value_kb("VmRSS:"); kb >= 0) stats.rss_bytes = static_cast<uint64_t>(kb) * 1024;
  }
  if (!found_hwm) return Status(Code::kNotFound, "no VmHWM in /proc/PID/status");
  return stats;
}

Result<ProcessStats> ReadProcessStats(pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  std::string stat_text;
  std::string status_text;
  if (!ReadWholeFile(base + "/stat", &stat_text) || !ReadWholeFile(base + "/status", &status_text)) {
    return Status(Code::kNotFound, "process " + std::to_string(pid) + " is gone");
  }
  Result<double> cpu = ParseCpuSecondsFromStat(stat_text, sysconf(_SC_CLK_TCK));
  if (!cpu.ok()) return cpu.status();
  Result<ProcessStats> stats = ParseMemoryFromStatus(status_text);
  if (!stats.ok()) return stats.status();
  stats->cpu_seconds = *cpu;
  return stats;
}

Result<pid_t> FindFuseDaemon(const std::string& mount_point) {
  std::string wanted = RealPath(mount_point);
  std::vector<pid_t> holders;
  std::vector<pid_t> named;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return Status(Code::kInternal, "cannot open /proc");
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string fd_dir = std::string("/proc/") + entry->d_name + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;
    bool holds_fuse = false;
    while (dirent* fd = readdir(fds)) {
      char target[PATH_MAX];
      std::string link = fd_dir + "/" + fd->d_name;
      ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      if (std::string_view(target) == "/dev/fuse") {
        holds_fuse = true;
        break;
      }
    }
    closedir(fds);
    if (!holds_fuse) continue;
    holders.push_back(static_cast<pid_t>(pid));
    std::string cmdline;
    ReadWholeFile(std::string("/proc/") + entry->d_name + "/cmdline", &cmdline);
    std::string arg;
    std::istringstream args(cmdline);
    while (std::getline(args, arg, '\0')) {
      if (arg == mount_point || arg == wanted || (!arg.empty() && RealPath(arg) == wanted)) {
        named.push_back(static_cast<pid_t>(pid));
        break;
      }
    }
  }
  closedir(proc);
  if (named.size() == 1) return named[0];
  if (named.empty() && holders.size() == 1) return holders[0];
  return Status(Code::kNotFound, "cannot tell which process serves " + mount_point + " (" +
                                     std::to_string(holders.size()) + " hold /dev/fuse)");
}

bool IsMountPoint(const std::string& path) {
  std::string wanted = RealPath(path);
  for (const MountEntry& m : ReadMounts()) {
    if (m.mount_point == wanted) return true;
  }
  return false;
}

MountInfo MountOf(const std::string& path) {
  std::string wanted = RealPath(path);
  MountInfo best;
  size_t best_len = 0;
  for (const MountEntry& m : ReadMounts()) {
    const std::string& mp = m.mount_point;
    bool contains = wanted == mp || mp == "/" ||
                    (wanted.rfind(mp, 0) == 0 && wanted.size() > mp.size() && wanted[mp.size()] == '/');
    if (contains && mp.size() >= best_len) {
      best_len = mp.size();
      best = {m.mount_point, m.fs_type};
    }
  }
  return best;
}

}  // namespace objfs::bench
