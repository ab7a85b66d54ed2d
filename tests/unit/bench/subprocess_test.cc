#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>
#include <string>

#include "bench/subprocess.h"
#include "bench/system_mount.h"

using namespace objfs::bench;

TEST_CASE("RunCommand captures output, exit code and stdin") {
  SpawnOptions spawn;
  spawn.argv = {"sh", "-c", "cat; echo err >&2; exit 3"};
  spawn.stdin_data = std::string(200000, 'x');  // larger than a pipe buffer
  auto exit = RunCommand(spawn, std::chrono::seconds(30));
  REQUIRE(exit.ok());
  CHECK(exit->exit_code == 3);
  CHECK(exit->out.size() == 200000);
  CHECK(exit->err == "err\n");
  CHECK(DescribeFailure("sh", *exit).find("exited 3: err") != std::string::npos);
}

TEST_CASE("environment overrides and removals reach the child") {
  SpawnOptions spawn;
  spawn.argv = {"sh", "-c", "echo \"$OBJFS_T1:${HOME:-unset}\""};
  spawn.env = {{"OBJFS_T1", "v1"}};
  spawn.unset_env = {"HOME"};
  auto exit = RunCommand(spawn, std::chrono::seconds(30));
  REQUIRE(exit.ok());
  CHECK(exit->out == "v1:unset\n");
}

TEST_CASE("a command that overruns its timeout is killed and reported") {
  SpawnOptions spawn;
  spawn.argv = {"sleep", "30"};
  auto exit = RunCommand(spawn, std::chrono::milliseconds(200));
  REQUIRE_FALSE(exit.ok());
  CHECK(exit.status().code() == objfs::Code::kTimeout);
}

TEST_CASE("a missing program exits 127") {
  SpawnOptions spawn;
  spawn.argv = {"/nonexistent/objfs-no-such-program"};
  auto exit = RunCommand(spawn, std::chrono::seconds(30));
  REQUIRE(exit.ok());
  CHECK(exit->exit_code == 127);
}

TEST_CASE("mount commands for each system") {
  MountConfig config;
  config.endpoint = "http://127.0.0.1:9000";
  config.bucket = "b";
  config.prefix = "p/";
  config.credentials.access_key = "AK";
  config.credentials.secret_key = "SK";
  char dir_template[] = "/tmp/objfs-mount-cmd-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  config.scratch_dir = dir_template;

  config.system = "s3fs";
  auto s3fs = SystemMount::CommandFor(config, "/mnt/x");
  REQUIRE(s3fs.ok());
  CHECK(s3fs->argv[0] == "s3fs");
  CHECK(s3fs->argv[1] == "b:/p");
  CHECK(s3fs->argv[2] == "/mnt/x");
  CHECK(s3fs->argv[3] == "-f");
  struct stat st;
  REQUIRE(stat((config.scratch_dir + "/s3fs-passwd").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  config.system = "rclone";
  auto rclone = SystemMount::CommandFor(config, "/mnt/x");
  REQUIRE(rclone.ok());
  CHECK(rclone->argv[1] == "mount");
  CHECK(rclone->argv[2] == "objfsbench:b/p");
  bool has_endpoint = false;
  for (const auto& [k, v] : rclone->env) has_endpoint |= k == "RCLONE_CONFIG_OBJFSBENCH_ENDPOINT" && v == config.endpoint;
  CHECK(has_endpoint);
  for (const std::string& a : rclone->argv) CHECK(a.find("SK") == std::string::npos);

  config.system = "objfs";
  config.objfs_binary = "/usr/bin/objfs";
  auto objfs = SystemMount::CommandFor(config, "/mnt/x");
  REQUIRE(objfs.ok());
  CHECK(objfs->argv[0] == "/usr/bin/objfs");
  CHECK(objfs->argv[1] == "mount");
  CHECK(objfs->argv[objfs->argv.size() - 2] == "b/p");
  CHECK(objfs->argv.back() == "/mnt/x");

  config.system = "goofys";
  CHECK_FALSE(SystemMount::CommandFor(config, "/mnt/x").ok());
  unlink((config.scratch_dir + "/s3fs-passwd").c_str());
  unlink((config.scratch_dir + "/rclone.conf").c_str());
  rmdir(config.scratch_dir.c_str());
}
