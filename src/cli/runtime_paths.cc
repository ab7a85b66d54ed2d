#include "cli/runtime_paths.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace objfs::cli {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && v[0] == '/') ? std::string(v) : fallback;
}

std::string HomeDir() {
  const char* home = std::getenv("HOME");
  return (home != nullptr && home[0] == '/') ? std::string(home) : std::string("/tmp");
}

}  // namespace

std::string MountId(const std::string& absolute_mountpoint) {
  std::string id;
  std::string_view path = absolute_mountpoint;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return "root";
  for (unsigned char c : path) {
    if (c == '/') {
      id.push_back('-');
    } else if (std::isalnum(c) || c == '.' || c == '_') {
      id.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      id += buf;
    }
  }
  return id;
}

std::string PidFilePath(const std::string& absolute_mountpoint) {
  std::string dir;
  if (geteuid() == 0) {
    dir = "/run/objfs";
  } else {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    dir = (runtime != nullptr && runtime[0] == '/') ? std::string(runtime) + "/objfs"
                                                    : "/tmp/objfs-" + std::to_string(geteuid());
  }
  return dir + "/" + MountId(absolute_mountpoint) + ".pid";
}

std::string DefaultLogPath(const std::string& absolute_mountpoint) {
  std::string dir = geteuid() == 0 ? std::string("/var/log/objfs")
                                   : EnvOr("XDG_STATE_HOME", HomeDir() + "/.local/state") + "/objfs";
  return dir + "/" + MountId(absolute_mountpoint) + ".log";
}

Status MakeDirs(const std::string& path, mode_t mode) {
  if (path.empty()) return Status::Ok();
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    size_t next = path.find('/', pos + 1);
    partial = path.substr(0, next);
    pos = next;
    if (partial.empty() || partial == "/") continue;
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return Status(Code::kInternal, "cannot create directory " + partial + ": " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status(Code::kInternal, path + " is not a directory");
  }
  return Status::Ok();
}

Status WritePidFile(const std::string& path, pid_t pid) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) OBJFS_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash), 0700));
  std::string tmp = path + ".tmp." + std::to_string(pid);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status(Code::kInternal, "cannot write pid file " + tmp + ": " + std::strerror(errno));
  std::string text = std::to_string(pid) + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return Status(Code::kInternal, "cannot write pid file " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::optional<pid_t> ReadLivePid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return std::nullopt;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return std::nullopt;
  // Guard against a recycled pid: the process must be an objfs binary.
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string argv0;
  std::getline(cmdline, argv0, '\0');
  if (argv0.find("objfs") == std::string::npos) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace objfs::cli
