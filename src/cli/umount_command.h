// The `objfs umount` subcommand: unmounts an objfs mount and waits until its
// process has committed every pending upload and exited.
//
// It detaches the mount itself (umount2 as root, `fusermount3 -u` otherwise),
// which the kernel refuses while files are open (exit 1, mount untouched); the
// objfs process then sees its session end, commits what is left
// (FsCore::SyncAll) and exits. The process is found through its pid file
// (cli/runtime_paths.h). --lazy detaches a busy mount anyway and does not wait.
//
// Thread-safety: call once per process, from the main thread.
#pragma once

#include <string>
#include <vector>

namespace objfs::cli {

// `args` are the arguments after "umount". Returns the process exit code.
int RunUmountCommand(const std::vector<std::string>& args);

}  // namespace objfs::cli
