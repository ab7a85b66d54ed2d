// MountTable: the mounts the kernel reports in /proc/self/mountinfo, parsed
// (octal escapes such as "\040" decoded), so `objfs mount` can refuse a
// mountpoint that is already mounted and `objfs umount` can check that a path
// is an objfs mount.
//
// Thread-safety: a value; Load() reads the file once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace objfs::cli {

struct MountEntry {
  std::string device;       // "major:minor"
  std::string mountpoint;
  std::string fstype;       // "fuse.objfs", "ext4", ...
  std::string source;       // "objfs:bucket/prefix", "/dev/sda1", ...
};

class MountTable {
 public:
  // Reads /proc/self/mountinfo (or `path`).
  static Result<MountTable> Load(const std::string& path = "/proc/self/mountinfo");
  // Parses mountinfo text. Exposed for tests.
  static MountTable Parse(std::string_view text);

  // The last (topmost) mount at exactly `mountpoint`, if any.
  std::optional<MountEntry> Find(const std::string& mountpoint) const;
  const std::vector<MountEntry>& entries() const { return entries_; }

 private:
  std::vector<MountEntry> entries_;
};

// "\040" -> " " (mountinfo escapes space, tab, newline and backslash).
std::string UnescapeMountField(std::string_view field);

}  // namespace objfs::cli
