#include "cli/umount_command.h"

#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "cli/mount_table.h"
#include "cli/runtime_paths.h"

extern char** environ;

namespace objfs::cli {
namespace {

constexpr char kUsage[] = R"(usage: objfs umount [--lazy] MOUNTPOINT

Unmounts an objfs mount. Returns once the objfs process serving it has
committed every pending upload to S3 and exited (exit 0); fails without
touching the mount when files are still open in it (exit 1).

  -l, --lazy   detach even when busy: programs keep their open files until they
               close them; objfs uploads and exits after that (no waiting here)
  -h, --help   this text

Sending SIGTERM or SIGINT to the objfs process also commits and unmounts.
)";

// The absolute path of `path`; for a dead FUSE mount (ENOTCONN) the path made
// absolute without resolving it.
std::string AbsolutePath(const std::string& path) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) != nullptr) return resolved;
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

int RunProgram(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

}  // namespace

int RunUmountCommand(const std::vector<std::string>& args) {
  bool lazy = false;
  std::optional<std::string> target;
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "-l" || a == "--lazy" || a == "-z") {
      lazy = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "objfs umount: unknown option '%s'\nTry 'objfs umount --help'.\n", a.c_str());
      return 2;
    } else if (target) {
      std::fprintf(stderr, "objfs umount: expected one MOUNTPOINT\nTry 'objfs umount --help'.\n");
      return 2;
    } else {
      target = a;
    }
  }
  if (!target) {
    std::fprintf(stderr, "objfs umount: expected MOUNTPOINT\nTry 'objfs umount --help'.\n");
    return 2;
  }
  std::string mountpoint = AbsolutePath(*target);
  auto table = MountTable::Load();
  if (!table.ok()) {
    std::fprintf(stderr, "objfs umount: %s\n", table.status().message().c_str());
    return 1;
  }
  auto entry = table->Find(mountpoint);
  if (!entry) {
    std::fprintf(stderr, "objfs umount: %s is not mounted\n", mountpoint.c_str());
    return 1;
  }
  if (entry->fstype != "fuse.objfs") {
    std::fprintf(stderr, "objfs umount: %s is not an objfs mount (it is %s from %s)\n", mountpoint.c_str(),
                 entry->fstype.c_str(), entry->source.c_str());
    return 1;
  }
  std::string pid_file = PidFilePath(mountpoint);
  std::optional<pid_t> pid = ReadLivePid(pid_file);

  if (geteuid() == 0) {
    if (umount2(mountpoint.c_str(), UMOUNT_NOFOLLOW | (lazy ? MNT_DETACH : 0)) != 0) {
      int err = errno;
      if (err == EBUSY) {
        std::fprintf(stderr,
                     "objfs umount: %s is busy: files are open or a process works inside it "
                     "(close them, or use --lazy)\n",
                     mountpoint.c_str());
      } else {
        std::fprintf(stderr, "objfs umount: %s: %s\n", mountpoint.c_str(), std::strerror(err));
      }
      return 1;
    }
  } else {
    std::vector<std::string> cmd = {"fusermount3", "-u"};
    if (lazy) cmd.push_back("-z");
    cmd.push_back(mountpoint);
    int rc = RunProgram(cmd);
    if (rc != 0) {
      if (rc < 0) std::fprintf(stderr, "objfs umount: could not run fusermount3\n");
      return 1;
    }
  }
  if (lazy || !pid) return 0;

  // The session has ended; wait for the process to commit and exit.
  bool told = false;
  for (int waited_ms = 0; kill(*pid, 0) == 0; waited_ms += 50) {
    // A zombie child of ours cannot happen here (the daemon is not our child),
    // but a process in state Z still answers kill(0): check /proc.
    char state = 0;
    if (FILE* f = std::fopen(("/proc/" + std::to_string(*pid) + "/stat").c_str(), "r")) {
      int ignored_pid = 0;
      char comm[256];
      if (std::fscanf(f, "%d %255s %c", &ignored_pid, comm, &state) != 3) state = 0;
      std::fclose(f);
    }
    if (state == 'Z') break;
    if (!told && waited_ms >= 2000) {
      std::fprintf(stderr, "objfs umount: waiting for objfs (pid %d) to finish uploading...\n", *pid);
      told = true;
    }
    usleep(50 * 1000);
  }
  if (ReadLivePid(pid_file) == std::nullopt && access(pid_file.c_str(), F_OK) == 0) {
    // The process exited but left its pid file: it could not commit everything.
    std::fprintf(stderr,
                 "objfs umount: objfs (pid %d) exited without committing every pending write; see its log\n", *pid);
    unlink(pid_file.c_str());
    return 1;
  }
  return 0;
}

}  // namespace objfs::cli
