#include "bench/system_mount.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace objfs::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string TailOf(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > bytes) text = "..." + text.substr(text.size() - bytes);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string TrimSlashes(std::string prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix;
}

}  // namespace

Result<SpawnOptions> SystemMount::CommandFor(const MountConfig& config,
                                             const std::string& mount_point) {
  SpawnOptions spawn;
  std::string prefix = TrimSlashes(config.prefix);
  if (config.system == "objfs") {
    std::string binary = config.objfs_binary.empty() ? "/proc/self/exe" : config.objfs_binary;
    spawn.argv = {binary, "mount", "--foreground", "--endpoint", config.endpoint,
                  "--region", config.region, "--path-style"};
    for (const std::string& a : config.extra_args) spawn.argv.push_back(a);
    spawn.argv.push_back(prefix.empty() ? config.bucket : config.bucket + "/" + prefix);
    spawn.argv.push_back(mount_point);
    spawn.env = {{"AWS_ACCESS_KEY_ID", config.credentials.access_key},
                 {"AWS_SECRET_ACCESS_KEY", config.credentials.secret_key}};
  } else if (config.system == "s3fs") {
    std::string passwd = config.scratch_dir + "/s3fs-passwd";
    {
      std::ofstream out(passwd, std::ios::trunc);
      out << config.credentials.access_key << ":" << config.credentials.secret_key << "\n";
    }
    if (chmod(passwd.c_str(), 0600) != 0) {
      return Status(Code::kInternal, "cannot chmod " + passwd);
    }
    spawn.argv = {"s3fs", prefix.empty() ? config.bucket : config.bucket + ":/" + prefix,
                  mount_point, "-f",
                  "-o", "url=" + config.endpoint,
                  "-o", "use_path_request_style",
                  "-o", "passwd_file=" + passwd,
                  "-o", "endpoint=" + config.region};
    for (const std::string& a : config.extra_args) spawn.argv.push_back(a);
  } else if (config.system == "rclone") {
    std::string rclone_conf = config.scratch_dir + "/rclone.conf";
    { std::ofstream out(rclone_conf, std::ios::trunc); }
    spawn.argv = {"rclone", "mount",
                  "objfsbench:" + (prefix.empty() ? config.bucket : config.bucket + "/" + prefix),
                  mount_point, "--config", rclone_conf,
                  "--vfs-cache-mode", "writes",
                  "--cache-dir",
                  config.cache_dir.empty() ? config.scratch_dir + "/rclone-cache" : config.cache_dir};
    for (const std::string& a : config.extra_args) spawn.argv.push_back(a);
    spawn.env = {{"RCLONE_CONFIG_OBJFSBENCH_TYPE", "s3"},
                 {"RCLONE_CONFIG_OBJFSBENCH_PROVIDER", "Other"},
                 {"RCLONE_CONFIG_OBJFSBENCH_ENV_AUTH", "false"},
                 {"RCLONE_CONFIG_OBJFSBENCH_ACCESS_KEY_ID", config.credentials.access_key},
                 {"RCLONE_CONFIG_OBJFSBENCH_SECRET_ACCESS_KEY", config.credentials.secret_key},
                 {"RCLONE_CONFIG_OBJFSBENCH_ENDPOINT", config.endpoint},
                 {"RCLONE_CONFIG_OBJFSBENCH_REGION", config.region},
                 {"RCLONE_CONFIG_OBJFSBENCH_FORCE_PATH_STYLE", "true"}};
    // rclone cannot combine a custom CA bundle with its plain-http transport.
    if (config.endpoint.rfind("http://", 0) == 0) spawn.unset_env = {"AWS_CA_BUNDLE"};
    if (!config.credentials.session_token.empty()) {
      spawn.env.push_back({"RCLONE_CONFIG_OBJFSBENCH_SESSION_TOKEN", config.credentials.session_token});
    }
  } else {
    return Status(Code::kInvalidArgument, "cannot mount system '" + config.system + "'");
  }
  return spawn;
}

Result<std::unique_ptr<SystemMount>> SystemMount::Start(const MountConfig& config,
                                                        const std::string& mount_point) {
  if (IsMountPoint(mount_point)) {
    return Status(Code::kFailedPrecondition, mount_point + " is already a mount point");
  }
  if (mkdir(mount_point.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status(Code::kInternal, "cannot create " + mount_point);
  }
  Result<SpawnOptions> spawn = CommandFor(config, mount_point);
  if (!spawn.ok()) return spawn.status();
  std::unique_ptr<SystemMount> mount(new SystemMount());
  mount->mount_point_ = mount_point;
  mount->log_path_ = config.scratch_dir + "/" + config.system + "-daemon.log";
  spawn->stdout_path = mount->log_path_;
  spawn->stderr_path = mount->log_path_;
  { std::ofstream truncate(mount->log_path_, std::ios::trunc); }
  OBJFS_RETURN_IF_ERROR(mount->process_.Start(*spawn));

  auto deadline = Clock::now() + std::chrono::duration<double>(config.timeout_seconds);
  while (!IsMountPoint(mount_point)) {
    if (mount->process_.Exited()) {
      Result<ExitInfo> exit = mount->process_.Wait(std::chrono::milliseconds(100));
      return Status(Code::kUnavailable,
                    config.system + " exited before mounting (" +
                        (exit.ok() ? std::to_string(exit->exit_code) : std::string("?")) +
                        "): " + TailOf(mount->log_path_, 600));
    }
    if (Clock::now() > deadline) {
      return Status(Code::kTimeout, config.system + " did not mount " + mount_point + " within " +
                                        std::to_string(static_cast<int>(config.timeout_seconds)) +
                                        " s: " + TailOf(mount->log_path_, 600));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  mount->mounted_ = true;
  // The mount is in the table before the daemon answers; wait for a first stat.
  struct stat st;
  while (stat(mount_point.c_str(), &st) != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return mount;
}

SystemMount::~SystemMount() {
  if (mounted_ || process_.running()) {
    Result<UnmountReport> report = Unmount();
    (void)report;
  }
}

Result<ProcessStats> SystemMount::Stats() const { return ReadProcessStats(process_.pid()); }

Status ForceUnmount(const std::string& mount_point, bool* lazy) {
  *lazy = false;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!IsMountPoint(mount_point)) return Status::Ok();
    SpawnOptions spawn;
    spawn.argv = {"fusermount3", "-u", mount_point};
    Result<ExitInfo> exit = RunCommand(spawn, std::chrono::seconds(60));
    if (exit.ok() && exit->ok()) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
  }
  SpawnOptions lazy_spawn;
  lazy_spawn.argv = {"fusermount3", "-uz", mount_point};
  Result<ExitInfo> exit = RunCommand(lazy_spawn, std::chrono::seconds(60));
  *lazy = true;
  if (IsMountPoint(mount_point)) {
    return Status(Code::kInternal, "could not unmount " + mount_point +
                                       (exit.ok() ? ": " + DescribeFailure("fusermount3", *exit) : ""));
  }
  return Status::Ok();
}

Result<UnmountReport> SystemMount::Unmount() {
  UnmountReport report;
  auto start = Clock::now();
  Status unmounted = Status::Ok();
  if (mounted_) {
    unmounted = ForceUnmount(mount_point_, &report.lazy);
    mounted_ = false;
  }
  if (process_.running()) {
    // The daemon exits once the kernel lets go; give pending uploads time.
    Result<ExitInfo> exit = process_.Wait(std::chrono::minutes(10));
    if (!exit.ok()) {
      process_.Stop(std::chrono::seconds(10));
      return Status(Code::kTimeout, "daemon did not exit within 10 minutes of unmount");
    }
    report.cpu_seconds = exit->cpu_seconds;
    report.peak_rss_bytes = exit->max_rss_bytes;
  }
  report.unmount_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rmdir(mount_point_.c_str());
  if (!unmounted.ok()) return unmounted;
  return report;
}

}  // namespace objfs::bench
