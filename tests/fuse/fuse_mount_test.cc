// FuseMount in-process, as the CSI node plugin uses it: several mounts in one
// process at once, Unmount() committing before it detaches, refusing a busy
// mount (and staying live), idempotence, and Wait() returning after an
// outside unmount.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "fs/fs_config.h"
#include "fs/fs_core.h"
#include "fs/fuse_mount.h"
#include "fuse_harness.h"
#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"

namespace objfs::fusetest {
namespace {

std::shared_ptr<fs::FsCore> MakeCore(const std::string& bucket) {
  s3::CredentialSources sources;
  auto provider = s3::ResolveCredentials(sources);
  REQUIRE_MESSAGE(provider.ok(), provider.status().ToString());
  s3::ClientConfig config;
  config.endpoint = Env().endpoint;
  config.addressing = s3::AddressingStyle::kPath;
  config.credentials = *provider;
  auto client = s3::MakeCurlClient(config);
  REQUIRE_MESSAGE(client.ok(), client.status().ToString());
  fs::FsConfig fs_config;
  fs_config.bucket = bucket;
  fs_config.uid = getuid();
  fs_config.gid = getgid();
  fs_config.cache_bytes = 64ull << 20;
  std::shared_ptr<s3::ObjectClient> shared = std::move(*client);
  auto core = std::make_shared<fs::FsCore>(fs_config, shared);
  Status init = core->Init();
  REQUIRE_MESSAGE(init.ok(), init.ToString());
  return core;
}

// Unmounts whatever a failed check left behind.
struct MountGuard {
  std::string path;
  ~MountGuard() { ForceUnmount(path); }
};

std::unique_ptr<fs::FuseMount> StartMount(const std::string& bucket, const std::string& mountpoint) {
  fs::FuseMountOptions options;
  options.mountpoint = mountpoint;
  options.fsname = "objfs:" + bucket;
  auto mount = fs::FuseMount::Start(MakeCore(bucket), options);
  REQUIRE_MESSAGE(mount.ok(), mount.status().ToString());
  CHECK(MountedFsType(mountpoint) == "fuse.objfs objfs:" + bucket);
  return std::move(*mount);
}

TEST_CASE("two mounts in one process, each unmounted on its own, idempotently") {
  std::string b1 = NewBucket(), b2 = NewBucket();
  std::string m1 = NewDir("m1"), m2 = NewDir("m2");
  MountGuard g1{m1}, g2{m2};
  auto mount1 = StartMount(b1, m1);
  auto mount2 = StartMount(b2, m2);
  WriteFile(m1 + "/one", "first");
  WriteFile(m2 + "/two", "second");
  CHECK(access((m1 + "/two").c_str(), F_OK) != 0);

  Status s = mount1->Unmount();
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK_FALSE(IsMounted(m1));
  CHECK(mount1->LoopEnded());
  CHECK(mount1->Unmount().ok());  // idempotent
  mount1->Wait();                 // returns at once

  // The other mount is untouched.
  CHECK(ReadFile(m2 + "/two") == "second");
  CHECK(GetObjectBody(b1, "one") == "first");
  REQUIRE(mount2->Unmount().ok());
  CHECK_FALSE(IsMounted(m2));
  CHECK(GetObjectBody(b2, "two") == "second");
}

TEST_CASE("a graceful Unmount of a busy mount fails and leaves it live; lazy detaches") {
  std::string bucket = NewBucket();
  std::string mp = NewDir("m");
  MountGuard guard{mp};
  auto mount = StartMount(bucket, mp);
  int fd = open((mp + "/held").c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "abc", 3) == 3);
  Status busy = mount->Unmount();
  CHECK_FALSE(busy.ok());
  CHECK(busy.errno_hint() == EBUSY);
  CHECK(IsMounted(mp));
  CHECK_FALSE(mount->LoopEnded());
  // Still fully usable.
  REQUIRE(write(fd, "def", 3) == 3);
  REQUIRE(close(fd) == 0);
  CHECK(GetObjectBody(bucket, "held") == "abcdef");
  REQUIRE(mount->Unmount().ok());
  CHECK_FALSE(IsMounted(mp));
}

TEST_CASE("Wait returns after an outside unmount; Unmount then commits and releases") {
  std::string bucket = NewBucket();
  std::string mp = NewDir("m");
  MountGuard guard{mp};
  auto mount = StartMount(bucket, mp);
  WriteFile(mp + "/f", "data");
  RunResult u = Run({"fusermount3", "-u", mp});
  REQUIRE_MESSAGE(u.exit_code == 0, u.err);
  mount->Wait();
  CHECK(mount->LoopEnded());
  CHECK(mount->Unmount().ok());
  CHECK(GetObjectBody(bucket, "f") == "data");
}

TEST_CASE("the destructor unmounts a mount nobody unmounted") {
  std::string bucket = NewBucket();
  std::string mp = NewDir("m");
  MountGuard guard{mp};
  {
    auto mount = StartMount(bucket, mp);
    WriteFile(mp + "/f", "kept");
  }
  CHECK_FALSE(IsMounted(mp));
  CHECK(GetObjectBody(bucket, "f") == "kept");
}

TEST_CASE("Start fails cleanly on a missing mountpoint") {
  std::string bucket = NewBucket();
  fs::FuseMountOptions options;
  options.mountpoint = NewDir("m") + "/missing";
  options.fsname = "objfs:" + bucket;
  auto mount = fs::FuseMount::Start(MakeCore(bucket), options);
  CHECK_FALSE(mount.ok());
  CHECK(mount.status().message().find(options.mountpoint) != std::string::npos);
}

}  // namespace
}  // namespace objfs::fusetest
