// The `objfs bench` subcommand: measures FUSE filesystems.
//
// `objfs bench PATH` runs the workloads on any mounted directory (objfs, s3fs,
// rclone, a local dir). `objfs bench --compare objfs,s3fs,rclone --endpoint URL
// --bucket B` mounts each system itself, a fresh mount per workload, adds plain
// curl baselines, and prints the results side by side (table, --json, --svg).
//
// Ownership: RunBenchCommand owns every mount, child process and temporary file
// it creates and removes them before returning, also on errors.
//
// Thread-safety: call once per process, from the main thread.
#pragma once

namespace objfs::bench {

// argv[0] is "bench"; the remaining arguments are the subcommand's flags.
// Returns the process exit code (0 when every selected workload ran, or after
// --help; 2 on bad flags; 1 when a workload or a mount failed).
int RunBenchCommand(int argc, char** argv);

}  // namespace objfs::bench
