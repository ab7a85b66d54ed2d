// objfs: one binary, several subcommands (mount, umount, csi, bench, version).
//
// Also answers to the names mount(8) and mount.fuse3 use:
//   mount.objfs BUCKET MOUNTPOINT -o OPTS    (mount -t objfs, fstab type objfs)
//   objfs BUCKET MOUNTPOINT -o OPTS          (mount.fuse3 for type fuse.objfs)
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_command.h"
#include "cli/mount_command.h"
#include "cli/umount_command.h"
#include "csi/csi_command.h"

namespace {

constexpr char kUsage[] = R"(usage: objfs COMMAND [ARGS...]

objfs presents an S3 bucket (or a prefix of one) as a POSIX filesystem.

Commands:
  mount     mount BUCKET[/PREFIX] at a directory        (objfs mount --help)
  umount    unmount after pending uploads are committed (objfs umount --help)
  csi       run the Kubernetes CSI plugin               (objfs csi --help)
  bench     benchmark a FUSE filesystem                 (objfs bench --help)
  version   print the version

For /etc/fstab, use type fuse.objfs (through mount.fuse3) or objfs (through the
mount.objfs helper); see docs/configuration.md.
)";

std::string_view BaseName(const char* path) {
  std::string_view p(path == nullptr ? "" : path);
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

std::vector<std::string> Args(int argc, char** argv, int first) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view self = BaseName(argc > 0 ? argv[0] : nullptr);
  if (self == "mount.objfs" || self == "mount.fuse.objfs") {
    return objfs::cli::RunMountCommand(Args(argc, argv, 1), /*helper_mode=*/true);
  }
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "version" || command == "--version" || command == "-V") {
    std::puts("objfs " OBJFS_VERSION);
    return 0;
  }
  if (command == "mount") return objfs::cli::RunMountCommand(Args(argc, argv, 2), /*helper_mode=*/false);
  if (command == "umount" || command == "unmount") return objfs::cli::RunUmountCommand(Args(argc, argv, 2));
  if (command == "csi") return objfs::csi::RunCsiCommand(argc - 1, argv + 1);
  if (command == "bench") return objfs::bench::RunBenchCommand(argc - 1, argv + 1);
  if (!command.empty() && command[0] != '-') {
    // mount.fuse3 runs "objfs BUCKET MOUNTPOINT -o OPTIONS" for fuse.objfs entries.
    return objfs::cli::RunMountCommand(Args(argc, argv, 1), /*helper_mode=*/false);
  }
  std::fprintf(stderr, "objfs: unknown option '%s'\n\n%s", argv[1], kUsage);
  return 2;
}
