// MountOps: the few mount(2) operations the node service needs — bind mounts
// for NodePublish, unmounts, and telling a healthy mount from a dead one
// (a FUSE mount whose daemon is gone answers ENOTCONN).
//
// Thread-safety: pure functions over the kernel's mount table; callers
// serialize operations on the same path (the per-volume lock does).
#pragma once

#include <string>

#include "base/status.h"

namespace objfs::csi {

enum class MountState {
  kNotMounted,  // no mount at the path (the path may not exist)
  kHealthy,     // a mount answers at the path
  kDead,        // a mount is there but answers ENOTCONN / ESTALE / EIO
};

MountState ProbeMount(const std::string& path);

// True when `path` is a mount point in this process's mount namespace.
bool IsMountPoint(const std::string& path);

// mount --bind source target, then remount read-only when asked.
Status BindMount(const std::string& source, const std::string& target, bool read_only);

// umount2(path): OK when nothing is mounted there. `lazy` detaches a busy
// mount (MNT_DETACH).
Status UnmountPath(const std::string& path, bool lazy);

// mkdir -p with `mode` for the directories it creates.
Status MakeDirs(const std::string& path, unsigned mode);

}  // namespace objfs::csi
