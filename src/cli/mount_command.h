// The `objfs mount` subcommand, also reached as `objfs BUCKET MOUNTPOINT -o
// OPTS` (how mount.fuse3 runs a fuse.objfs fstab entry) and as `mount.objfs`
// (the mount(8) helper for type objfs).
//
// Order of work: parse and validate options (exit 2 on bad usage); check the
// mountpoint (exists, is a directory, is empty, is not mounted); open the log
// file; fork unless --foreground (the parent exits 0 only once the child
// reports the mount live, else prints the child's error and exits 1); resolve
// credentials, build the S3 client, FsCore::Init() (bucket, credentials and
// endpoint are checked here), mount with FuseMount, write the pid file, report
// ready. Then it serves until the filesystem is unmounted (objfs umount,
// umount(8), fusermount3 -u) or SIGTERM/SIGINT arrives, commits pending
// uploads, and exits (0 when everything was committed).
//
// Ownership: owns the process: signal mask, log destination, pid file.
//
// Thread-safety: call once per process, from the main thread, before any other
// thread exists.
#pragma once

#include <string>
#include <vector>

namespace objfs::cli {

// `args` are the arguments after "mount" (or after argv[0] for the helper
// forms). `helper_mode`: invoked as mount.objfs (accepts -s -n -v -f -t).
// Returns the process exit code.
int RunMountCommand(const std::vector<std::string>& args, bool helper_mode);

}  // namespace objfs::cli
