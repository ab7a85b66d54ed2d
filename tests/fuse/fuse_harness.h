// The fuse test tier's harness: real `objfs` mounts on the local S3 server.
//
// Every mount is a child process (`objfs mount --foreground`, or the daemon
// form for CLI tests) started with a deadline for becoming live and stopped by
// SIGTERM (objfs commits and unmounts), then `fusermount3 -u -z` / umount -l
// and SIGKILL when it does not go away. Children of the test process get
// PR_SET_PDEATHSIG=SIGTERM, so a crashed test still unmounts; and the runner
// script (run_fuse_test.sh) lazily unmounts anything left under the test root
// and kills the pids the harness recorded there.
//
// Environment: OBJFS_TEST_ENDPOINT and AWS_* (tools/s3server/s3server.sh),
// OBJFS_BINARY (tests/meson.build), OBJFS_FUSE_TEST_ROOT (the runner; a fresh
// directory under /tmp otherwise).
//
// Thread-safety: test-thread only.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "s3/object_client.h"

namespace objfs::fusetest {

struct TestEnv {
  std::string endpoint;  // OBJFS_TEST_ENDPOINT
  std::string binary;    // OBJFS_BINARY
  std::string root;      // scratch directory for mountpoints, logs, local copies
};

// Reads the environment once; fails the current test with a clear message when
// OBJFS_TEST_ENDPOINT or OBJFS_BINARY is missing.
const TestEnv& Env();

// A client for checking objects behind objfs' back.
s3::ObjectClient& S3();
// Creates a fresh, empty bucket with a unique name.
std::string NewBucket();

// A fresh directory under the test root.
std::string NewDir(const std::string& name);

struct RunResult {
  int exit_code = -1;  // -1: killed (timeout) or could not run
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct RunOptions {
  std::string cwd;
  std::map<std::string, std::string> env;  // added to (or replacing) the inherited environment
  std::vector<std::string> unset_env;
  int timeout_seconds = 300;
  std::string stdin_text;
};

// Runs a program (argv[0] looked up in PATH) and captures its output.
RunResult Run(const std::vector<std::string>& argv, const RunOptions& options = {});
// Runs `script` with /bin/sh -c.
RunResult Shell(const std::string& script, const RunOptions& options = {});

// The mountinfo entry at `path`: "fstype source" or empty when not mounted.
std::string MountedFsType(const std::string& path);
bool IsMounted(const std::string& path);
// Last resort: fusermount3 -u -z, then umount -l.
void ForceUnmount(const std::string& path);

class ScopedMount {
 public:
  // Mounts BUCKET_SPEC at a fresh mountpoint with `objfs mount --foreground`,
  // the test endpoint, --path-style and `extra_args`; waits (60 s at most)
  // until the mount is live. Fails the test (with the objfs log) otherwise.
  static std::unique_ptr<ScopedMount> Start(const std::string& bucket_spec,
                                            const std::vector<std::string>& extra_args = {});
  ~ScopedMount();
  ScopedMount(const ScopedMount&) = delete;
  ScopedMount& operator=(const ScopedMount&) = delete;

  const std::string& path() const { return mountpoint_; }
  std::string Path(const std::string& relative) const { return mountpoint_ + "/" + relative; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits for objfs to commit, unmount and exit; returns its
  // exit status (-1 when it had to be killed). Idempotent.
  int Stop();
  // Everything objfs logged so far.
  std::string Log() const;

 private:
  ScopedMount() = default;
  pid_t pid_ = -1;
  std::string mountpoint_;
  std::string log_path_;
  std::optional<int> exit_status_;
};

// Remembers a process the test started (e.g. an objfs daemon) so the runner
// script can kill it if the test dies.
void RecordPid(pid_t pid);

// Waits for process `pid` (our child or not) to exit, at most `seconds`.
bool WaitForExit(pid_t pid, int seconds);

// Files.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);
// Deterministic pseudo-random bytes.
std::string RandomBytes(size_t size, uint64_t seed);

// Objects.
std::optional<std::string> GetObjectBody(const std::string& bucket, const std::string& key);
std::optional<s3::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key);
void PutObject(const std::string& bucket, const std::string& key, const std::string& body,
               const s3::Metadata& metadata = {}, const std::string& content_type = "");
std::vector<std::string> ListKeys(const std::string& bucket, const std::string& prefix = "");

// A test fixture: a new bucket, mounted with default options.
struct MountedBucket {
  std::string bucket = NewBucket();
  std::unique_ptr<ScopedMount> mount = ScopedMount::Start(bucket);
  std::string P(const std::string& rel) const { return mount->Path(rel); }
  // Remounts, so reads come from S3 and not from anything objfs remembers.
  void Remount() {
    CHECK(mount->Stop() == 0);
    mount.reset();
    mount = ScopedMount::Start(bucket);
  }
};

}  // namespace objfs::fusetest
