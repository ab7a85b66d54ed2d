// The `objfs csi` subcommand: parses its flags and runs the CSI plugin
// (Identity + Controller and/or Node services) on a unix socket until SIGINT
// or SIGTERM.
//
// Ownership: RunCsiCommand owns everything it creates (server, services,
// mounts of staged volumes stay mounted across a restart by design).
//
// Thread-safety: call once per process, from the main thread.
#pragma once

namespace objfs::csi {

// argv[0] is "csi"; the remaining arguments are the subcommand's flags.
// Returns the process exit code (0 on a clean shutdown or --help/--version,
// 2 on bad flags, 1 on runtime failure).
int RunCsiCommand(int argc, char** argv);

}  // namespace objfs::csi
