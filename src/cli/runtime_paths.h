// Where objfs keeps the files of a running mount: the pid file that lets
// `objfs umount` find and wait for the daemon, and the default log file of a
// daemonized mount. Each is named after the mountpoint's absolute path.
//
//   pid file:  root: /run/objfs/ID.pid
//              others: $XDG_RUNTIME_DIR/objfs/ID.pid, else /tmp/objfs-UID/ID.pid
//   log file:  root: /var/log/objfs/ID.log
//              others: $XDG_STATE_HOME/objfs/ID.log, else ~/.local/state/objfs/ID.log
// ID is the path with '/' turned into '-' and bytes outside [A-Za-z0-9._]
// %-escaped ("/mnt/my data" -> "mnt-my%20data").
//
// Thread-safety: pure functions over the environment.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/status.h"

namespace objfs::cli {

std::string MountId(const std::string& absolute_mountpoint);
std::string PidFilePath(const std::string& absolute_mountpoint);
std::string DefaultLogPath(const std::string& absolute_mountpoint);

// mkdir -p with `mode` for the directories it creates.
Status MakeDirs(const std::string& path, mode_t mode);

// Writes "PID\n" to `path` atomically (temp file + rename).
Status WritePidFile(const std::string& path, pid_t pid);
// The pid in `path` when the file exists and names a live objfs process.
std::optional<pid_t> ReadLivePid(const std::string& path);

}  // namespace objfs::cli
