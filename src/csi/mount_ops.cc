#include "csi/mount_ops.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace objfs::csi {
namespace {

Status ErrnoStatus(int err, const std::string& what) {
  Code code = Code::kInternal;
  if (err == EPERM || err == EACCES) code = Code::kPermissionDenied;
  if (err == ENOENT) code = Code::kNotFound;
  if (err == EBUSY) code = Code::kFailedPrecondition;
  if (err == EINVAL) code = Code::kInvalidArgument;
  return Status(code, what + ": " + std::strerror(err)).WithErrno(err);
}

// /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(const std::string& field) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) && octal(field[i + 2]) &&
        octal(field[i + 3])) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += field[i];
  }
  return out;
}

std::string Normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

bool IsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::string wanted = Normalize(path);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    if (Unescape(mount_point) == wanted) return true;
  }
  return false;
}

MountState ProbeMount(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOTCONN || err == ESTALE || err == EIO || err == ECONNABORTED) return MountState::kDead;
    return IsMountPoint(path) ? MountState::kDead : MountState::kNotMounted;
  }
  return IsMountPoint(path) ? MountState::kHealthy : MountState::kNotMounted;
}

Status BindMount(const std::string& source, const std::string& target, bool read_only) {
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return ErrnoStatus(errno, "bind mount " + source + " on " + target);
  }
  if (read_only) {
    if (mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      Status failed = ErrnoStatus(errno, "remount " + target + " read-only");
      umount2(target.c_str(), MNT_DETACH);
      return failed;
    }
  }
  return Status::Ok();
}

Status UnmountPath(const std::string& path, bool lazy) {
  if (umount2(path.c_str(), lazy ? MNT_DETACH : 0) == 0) return Status::Ok();
  int err = errno;
  if (err == EINVAL || err == ENOENT) return Status::Ok();  // nothing mounted there
  return ErrnoStatus(err, "unmount " + path);
}

Status MakeDirs(const std::string& path, unsigned mode) {
  if (path.empty()) return Status(Code::kInvalidArgument, "empty path");
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir " + partial);
    }
  }
  return Status::Ok();
}

}  // namespace objfs::csi
