// The objfs command line on real mounts: help texts, usage errors, every
// startup failure issue 3 names (missing bucket, bad credentials, unreachable
// endpoint, mountpoint missing / not a directory / not empty / already
// mounted), the daemon's readiness, `objfs umount` waiting for uploads and
// refusing busy mounts, SIGTERM, read-only mounts, and the fstab entry points
// (mount.objfs helper, `objfs BUCKET DIR -o ...` and mount.fuse3 -t fuse.objfs,
// as `mount -t fuse.objfs` runs them).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "cli/runtime_paths.h"
#include "fuse_harness.h"

namespace objfs::fusetest {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Mounts in the background (the default, daemonized form); returns the result
// of the `objfs mount` command itself.
RunResult DaemonMount(const std::vector<std::string>& args, const RunOptions& options = {}) {
  std::vector<std::string> argv = {Env().binary, "mount"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o = options;
  o.timeout_seconds = 120;
  return Run(argv, o);
}

// The daemon serving `mountpoint`, from its pid file.
pid_t DaemonPid(const std::string& mountpoint) {
  std::ifstream in(cli::PidFilePath(mountpoint));
  pid_t pid = -1;
  in >> pid;
  return pid;
}

// Unmounts a daemon mount at the end of a test, whatever happened.
struct DaemonGuard {
  std::string mountpoint;
  ~DaemonGuard() {
    if (!IsMounted(mountpoint)) return;
    pid_t pid = DaemonPid(mountpoint);
    RunOptions o;
    o.timeout_seconds = 120;
    Run({Env().binary, "umount", mountpoint}, o);
    ForceUnmount(mountpoint);
    if (pid > 0) WaitForExit(pid, 30);
  }
};

std::vector<std::string> EndpointArgs() { return {"--endpoint", Env().endpoint, "--path-style"}; }

// A new bucket mounted by a daemonized `objfs mount`, unmounted at scope end.
struct DaemonMounted {
  std::string bucket = NewBucket();
  std::string mp = NewDir("mnt");
  DaemonGuard guard{mp};
  pid_t pid = -1;
  DaemonMounted() {
    std::vector<std::string> a = EndpointArgs();
    a.push_back(bucket);
    a.push_back(mp);
    RunResult r = DaemonMount(a);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    pid = DaemonPid(mp);
    REQUIRE(pid > 0);
    RecordPid(pid);
  }
};

TEST_CASE("objfs --help lists the subcommands and every subcommand has --help") {
  RunResult help = Run({Env().binary, "--help"});
  CHECK(help.exit_code == 0);
  for (const char* sub : {"mount", "umount", "csi", "bench", "version"}) {
    CHECK_MESSAGE(Contains(help.out, sub), "objfs --help does not mention ", sub);
  }
  for (const char* sub : {"mount", "umount", "csi", "bench"}) {
    RunResult r = Run({Env().binary, sub, "--help"});
    CHECK_MESSAGE(r.exit_code == 0, "objfs ", sub, " --help exited ", r.exit_code, ": ", r.err);
    CHECK_MESSAGE(r.out.size() > 40, "objfs ", sub, " --help printed too little: ", r.out);
  }
  RunResult mount_help = Run({Env().binary, "mount", "--help"});
  for (const char* opt : {"--endpoint", "--region", "--profile", "--path-style", "--virtual-host", "--ca-bundle",
                          "--no-verify-tls", "--read-only", "--uid", "--gid", "--file-mode", "--dir-mode",
                          "--allow-other", "--metadata-ttl", "--cache-size", "--staging-dir", "--foreground",
                          "--log-level", "--log-file", "-o"}) {
    CHECK_MESSAGE(Contains(mount_help.out, opt), "objfs mount --help does not mention ", opt);
  }
  CHECK(Contains(mount_help.out, "INSECURE"));
  RunResult version = Run({Env().binary, "version"});
  CHECK(version.exit_code == 0);
  CHECK(Contains(version.out, "objfs "));
  RunResult none = Run({Env().binary});
  CHECK(none.exit_code == 2);
  RunResult bad = Run({Env().binary, "--frob"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("usage errors exit 2 with a message naming the problem") {
  std::string dir = NewDir("usage");
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  std::vector<Case> cases = {
      {{"--uid", "nobody-such-user-xyz", "b", dir}, "uid"},
      {{"--file-mode", "0999", "b", dir}, "octal"},
      {{"--cache-size", "lots", "b", dir}, "size"},
      {{"-o", "bogus_option", "b", dir}, "bogus_option"},
      {{"-o", "secret_access_key=abc", "b", dir}, "unknown option"},
      {{"b"}, "MOUNTPOINT"},
      {{"--metadata-ttl", "soon", "b", dir}, "metadata-ttl"},
  };
  for (const Case& c : cases) {
    RunResult r = DaemonMount(c.args);
    CHECK_MESSAGE(r.exit_code == 2, "args ", c.args[0], ": exit ", r.exit_code, " ", r.err);
    CHECK_MESSAGE(Contains(r.err, c.expect), "args ", c.args[0], ": message was: ", r.err);
  }
  CHECK_FALSE(IsMounted(dir));
}

TEST_CASE("mountpoint errors: missing, not a directory, not empty, already mounted") {
  std::string bucket = NewBucket();
  std::string base = NewDir("mp");
  std::vector<std::string> args = EndpointArgs();

  auto expect_failure = [&](const std::string& mountpoint, const std::string& expect) {
    std::vector<std::string> a = args;
    a.push_back(bucket);
    a.push_back(mountpoint);
    RunResult r = DaemonMount(a);
    CHECK_MESSAGE(r.exit_code == 1, mountpoint, ": exit ", r.exit_code, " ", r.err);
    CHECK_MESSAGE(Contains(r.err, expect), mountpoint, ": message was: ", r.err);
  };
  expect_failure(base + "/missing", "does not exist");
  WriteFile(base + "/file", "x");
  expect_failure(base + "/file", "not a directory");
  REQUIRE(mkdir((base + "/full").c_str(), 0755) == 0);
  WriteFile(base + "/full/something", "x");
  expect_failure(base + "/full", "not empty");

  auto mount = ScopedMount::Start(bucket);
  expect_failure(mount->path(), "already mounted");
  // The first mount is unharmed.
  WriteFile(mount->Path("still-works"), "yes");
  CHECK(ReadFile(mount->Path("still-works")) == "yes");
}

TEST_CASE("S3 errors at startup: missing bucket, bad credentials, unreachable endpoint") {
  std::string bucket = NewBucket();
  SUBCASE("missing bucket") {
    std::string mp = NewDir("mnt");
    std::vector<std::string> a = EndpointArgs();
    a.push_back("no-such-bucket-objfs-test");
    a.push_back(mp);
    RunResult r = DaemonMount(a);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(Contains(r.err, "no-such-bucket-objfs-test"), r.err);
    CHECK_MESSAGE((Contains(r.err, "not exist") || Contains(r.err, "NoSuchBucket")), r.err);
    CHECK_FALSE(IsMounted(mp));
  }
  SUBCASE("bad credentials") {
    std::string mp = NewDir("mnt");
    std::vector<std::string> a = EndpointArgs();
    a.push_back(bucket);
    a.push_back(mp);
    RunOptions o;
    o.env = {{"AWS_ACCESS_KEY_ID", "WRONGKEY"}, {"AWS_SECRET_ACCESS_KEY", "wrong-secret"}};
    RunResult r = DaemonMount(a, o);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE((Contains(r.err, "denied") || Contains(r.err, "credentials") || Contains(r.err, "403")), r.err);
    CHECK_FALSE(Contains(r.err, "wrong-secret"));
    CHECK_FALSE(IsMounted(mp));
  }
  SUBCASE("no credentials at all") {
    std::string mp = NewDir("mnt");
    std::string home = NewDir("home");
    std::vector<std::string> a = EndpointArgs();
    a.push_back(bucket);
    a.push_back(mp);
    RunOptions o;
    o.unset_env = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                   "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"};
    o.env = {{"HOME", home}};
    RunResult r = DaemonMount(a, o);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(Contains(r.err, "credentials"), r.err);
    CHECK_FALSE(IsMounted(mp));
  }
  SUBCASE("unreachable endpoint") {
    std::string mp = NewDir("mnt");
    RunResult r = DaemonMount({"--endpoint", "http://127.0.0.1:1", "--path-style", bucket, mp});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(Contains(r.err, "127.0.0.1:1"), r.err);
    CHECK_FALSE(IsMounted(mp));
  }
  SUBCASE("credentials from --credentials-file and --profile") {
    std::string mp = NewDir("mnt");
    std::string dir = NewDir("aws");
    WriteFile(dir + "/credentials",
              "[other]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
    RunOptions o;
    o.unset_env = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"};
    o.env = {{"HOME", dir}};
    RunResult r = DaemonMount({"--endpoint", Env().endpoint, "--path-style", "--credentials-file",
                               dir + "/credentials", "--profile", "other", bucket, mp},
                              o);
    DaemonGuard guard{mp};
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    WriteFile(mp + "/f", "profile works");
    CHECK(GetObjectBody(bucket, "f") == "profile works");
  }
}

TEST_CASE("daemon: returns once live; objfs umount waits for uploads and refuses busy mounts") {
  std::string bucket = NewBucket();
  std::string mp = NewDir("mnt");
  std::vector<std::string> a = EndpointArgs();
  a.push_back(bucket + "/sub/dir");
  a.push_back(mp);
  RunResult r = DaemonMount(a);
  DaemonGuard guard{mp};
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  // Live as soon as the command returned.
  std::string fstype = MountedFsType(mp);
  CHECK(fstype == "fuse.objfs objfs:" + bucket + "/sub/dir");
  pid_t pid = DaemonPid(mp);
  REQUIRE(pid > 0);
  RecordPid(pid);

  std::string data = RandomBytes(7 << 20, 42);
  WriteFile(mp + "/big.bin", data);
  WriteFile(mp + "/small.txt", "hello");

  // Busy: a file is open.
  int fd = open((mp + "/small.txt").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  RunResult busy = Run({Env().binary, "umount", mp});
  CHECK(busy.exit_code == 1);
  CHECK_MESSAGE(Contains(busy.err, "busy"), busy.err);
  CHECK(IsMounted(mp));
  char c = 0;
  CHECK(read(fd, &c, 1) == 1);
  close(fd);

  RunResult un = Run({Env().binary, "umount", mp});
  CHECK_MESSAGE(un.exit_code == 0, un.err);
  CHECK_FALSE(IsMounted(mp));
  // objfs umount returned only after the daemon exited (a zombie counts: in a
  // container nobody may reap it).
  CHECK(WaitForExit(pid, 1));
  CHECK(GetObjectBody(bucket, "sub/dir/big.bin") == data);
  CHECK(GetObjectBody(bucket, "sub/dir/small.txt") == "hello");

  RunResult again = Run({Env().binary, "umount", mp});
  CHECK(again.exit_code == 1);
  CHECK_MESSAGE(Contains(again.err, "not mounted"), again.err);
}

TEST_CASE("SIGTERM and SIGINT commit and unmount") {
  for (int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    DaemonMounted d;
    const std::string& bucket = d.bucket;
    const std::string& mp = d.mp;
    const pid_t pid = d.pid;
    std::string data = RandomBytes(3 << 20, 7);
    WriteFile(mp + "/f.bin", data);
    REQUIRE(kill(pid, sig) == 0);
    REQUIRE_MESSAGE(WaitForExit(pid, 120), "objfs did not exit after the signal");
    CHECK_FALSE(IsMounted(mp));
    CHECK(GetObjectBody(bucket, "f.bin") == data);
    // A clean exit removes the pid file.
    CHECK(access(cli::PidFilePath(mp).c_str(), F_OK) != 0);
  }
}

TEST_CASE("SIGTERM with a file open for writing: detached, the file keeps working, nothing is lost") {
  DaemonMounted d;
  const std::string& bucket = d.bucket;
  const std::string& mp = d.mp;
  const pid_t pid = d.pid;
  int fd = open((mp + "/open.bin").c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  std::string first = RandomBytes(1 << 20, 1);
  REQUIRE(write(fd, first.data(), first.size()) == static_cast<ssize_t>(first.size()));
  REQUIRE(kill(pid, SIGTERM) == 0);
  // The busy mount is detached lazily: gone from the mount table, still served.
  for (int i = 0; i < 6000 && IsMounted(mp); ++i) usleep(10000);
  REQUIRE_FALSE(IsMounted(mp));
  std::string second = RandomBytes(1 << 20, 2);
  REQUIRE(write(fd, second.data(), second.size()) == static_cast<ssize_t>(second.size()));
  REQUIRE(close(fd) == 0);
  REQUIRE_MESSAGE(WaitForExit(pid, 120), "objfs did not exit after the last file was closed");
  CHECK(GetObjectBody(bucket, "open.bin") == first + second);
}

TEST_CASE("an outside umount (umount(8) / fusermount3 -u) ends the daemon cleanly") {
  DaemonMounted d;
  const std::string& bucket = d.bucket;
  const std::string& mp = d.mp;
  const pid_t pid = d.pid;
  WriteFile(mp + "/x", "x-data");
  RunResult u = Run({"fusermount3", "-u", mp});
  REQUIRE_MESSAGE(u.exit_code == 0, u.err);
  REQUIRE_MESSAGE(WaitForExit(pid, 120), "objfs did not exit after fusermount3 -u");
  CHECK(GetObjectBody(bucket, "x") == "x-data");
}

TEST_CASE("read-only mounts refuse writes with EROFS") {
  std::string bucket = NewBucket();
  PutObject(bucket, "existing.txt", "old");
  for (const std::vector<std::string>& ro : {std::vector<std::string>{"--read-only"},
                                             std::vector<std::string>{"-o", "ro"}}) {
    auto m = ScopedMount::Start(bucket, ro);
    CHECK(ReadFile(m->Path("existing.txt")) == "old");
    errno = 0;
    CHECK(open(m->Path("new.txt").c_str(), O_WRONLY | O_CREAT, 0644) == -1);
    CHECK(errno == EROFS);
    errno = 0;
    CHECK(open(m->Path("existing.txt").c_str(), O_WRONLY) == -1);
    CHECK(errno == EROFS);
    CHECK(mkdir(m->Path("d").c_str(), 0755) == -1);
    CHECK(errno == EROFS);
    CHECK(unlink(m->Path("existing.txt").c_str()) == -1);
    CHECK(errno == EROFS);
    CHECK(Contains(Shell("grep ' " + m->path() + " ' /proc/mounts").out, " ro,"));
  }
  CHECK(GetObjectBody(bucket, "existing.txt") == "old");
  CHECK_FALSE(HeadObject(bucket, "new.txt").has_value());
}

TEST_CASE("fstab entry points: mount.objfs helper, objfs BUCKET DIR -o, mount.fuse3 -t fuse.objfs") {
  std::string bucket = NewBucket();
  PutObject(bucket, "hello.txt", "hello fstab");
  std::string opts = "endpoint=" + Env().endpoint +
                     ",path_style,rw,nosuid,nodev,noatime,_netdev,nofail,x-systemd.automount,allow_other,uid=1234";

  SUBCASE("mount.objfs BUCKET DIR -o OPTS (what mount -t objfs runs)") {
    std::string bindir = NewDir("bin");
    REQUIRE(symlink(Env().binary.c_str(), (bindir + "/mount.objfs").c_str()) == 0);
    std::string mp = NewDir("mnt");
    RunOptions o;
    o.timeout_seconds = 120;
    RunResult r = Run({bindir + "/mount.objfs", bucket, mp, "-o", opts}, o);
    DaemonGuard guard{mp};
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    RecordPid(DaemonPid(mp));
    CHECK(ReadFile(mp + "/hello.txt") == "hello fstab");
    struct stat st {};
    REQUIRE(stat((mp + "/hello.txt").c_str(), &st) == 0);
    CHECK(st.st_uid == 1234u);
    CHECK(Contains(Shell("grep ' " + mp + " ' /proc/mounts").out, "allow_other"));
    RunResult un = Run({Env().binary, "umount", mp});
    CHECK_MESSAGE(un.exit_code == 0, un.err);
  }
  SUBCASE("objfs BUCKET DIR -o OPTS (what mount.fuse3 runs)") {
    std::string mp = NewDir("mnt");
    RunOptions o;
    o.timeout_seconds = 120;
    RunResult r = Run({Env().binary, bucket, mp, "-o", opts + ",ro"}, o);
    DaemonGuard guard{mp};
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    RecordPid(DaemonPid(mp));
    CHECK(ReadFile(mp + "/hello.txt") == "hello fstab");
    CHECK(open((mp + "/w").c_str(), O_WRONLY | O_CREAT, 0644) == -1);
    CHECK(errno == EROFS);
  }
  SUBCASE("mount.fuse3 BUCKET DIR -t fuse.objfs -o OPTS (what mount -t fuse.objfs runs)") {
    // util-linux mount(8) runs mount.fuse3 with a fixed PATH, so it finds objfs
    // only once installed (/usr/bin, /usr/local/bin); the test runs the
    // mount.fuse3 step itself with the built binary on PATH.
    if (geteuid() != 0 || access("/usr/sbin/mount.fuse3", X_OK) != 0) {
      MESSAGE("skipped: needs root and mount.fuse3");
      return;
    }
    std::string bindir = NewDir("bin");
    REQUIRE(symlink(Env().binary.c_str(), (bindir + "/objfs").c_str()) == 0);
    std::string mp = NewDir("mnt");
    RunOptions o;
    o.timeout_seconds = 120;
    const char* path = std::getenv("PATH");
    o.env = {{"PATH", bindir + ":" + (path ? path : "/usr/sbin:/usr/bin:/sbin:/bin")}};
    RunResult r = Run({"/usr/sbin/mount.fuse3", bucket, mp, "-t", "fuse.objfs", "-o", opts}, o);
    DaemonGuard guard{mp};
    REQUIRE_MESSAGE(r.exit_code == 0, r.out, r.err);
    RecordPid(DaemonPid(mp));
    CHECK(MountedFsType(mp) == "fuse.objfs objfs:" + bucket);
    CHECK(ReadFile(mp + "/hello.txt") == "hello fstab");
    WriteFile(mp + "/via-mount.txt", "written");
    RunResult un = Run({"umount", mp}, o);
    CHECK_MESSAGE(un.exit_code == 0, un.err);
    pid_t pid = DaemonPid(mp);
    if (pid > 0) CHECK(WaitForExit(pid, 120));
    CHECK(GetObjectBody(bucket, "via-mount.txt") == "written");
  }
}

TEST_CASE("--no-verify-tls warns loudly") {
  std::string mp = NewDir("mnt");
  RunResult r = DaemonMount({"--no-verify-tls", "--endpoint", "http://127.0.0.1:1", "b", mp});
  CHECK(Contains(r.err, "INSECURE"));
  CHECK(r.exit_code == 1);
}

}  // namespace
}  // namespace objfs::fusetest

namespace objfs::fusetest {
namespace {

TEST_CASE("a mount whose process died: mount explains, objfs umount cleans up") {
  std::string bucket = NewBucket();
  auto m = ScopedMount::Start(bucket);
  REQUIRE(kill(m->pid(), SIGKILL) == 0);
  // The kernel keeps the dead mount: every access fails with ENOTCONN.
  struct stat st {};
  for (int i = 0; i < 500 && stat(m->path().c_str(), &st) == 0; ++i) usleep(10000);
  CHECK(errno == ENOTCONN);
  RunResult again = DaemonMount({"--endpoint", Env().endpoint, "--path-style", bucket, m->path()});
  CHECK(again.exit_code == 1);
  CHECK_MESSAGE(Contains(again.err, "dead FUSE mount"), again.err);
  RunResult un = Run({Env().binary, "umount", m->path()});
  CHECK_MESSAGE(un.exit_code == 0, un.err);
  CHECK_FALSE(IsMounted(m->path()));
  RunResult fresh = DaemonMount({"--endpoint", Env().endpoint, "--path-style", bucket, m->path()});
  DaemonGuard guard{m->path()};
  CHECK_MESSAGE(fresh.exit_code == 0, fresh.err);
  if (fresh.exit_code == 0) {
    RecordPid(DaemonPid(m->path()));
    CHECK(Run({Env().binary, "umount", m->path()}).exit_code == 0);
  }
}

}  // namespace
}  // namespace objfs::fusetest
