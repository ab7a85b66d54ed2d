#include "cli/mount_command.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "base/log.h"
#include "cli/daemon.h"
#include "cli/mount_options.h"
#include "cli/mount_table.h"
#include "cli/runtime_paths.h"
#include "fs/fs_config.h"
#include "fs/fs_core.h"
#include "fs/fuse_mount.h"
#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"

namespace objfs::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

Status MountpointError(const std::string& path, int err) {
  if (err == ENOENT) return Status(Code::kNotFound, "mountpoint " + path + " does not exist");
  if (err == ENOTCONN) {
    return Status(Code::kFailedPrecondition,
                  "mountpoint " + path + " is a dead FUSE mount (its process exited); run 'objfs umount " + path +
                      "' or 'fusermount3 -u " + path + "' first");
  }
  return Status(Code::kFailedPrecondition, "mountpoint " + path + ": " + std::strerror(err));
}

// Checks that `path` can be mounted on; returns its absolute, resolved form.
Result<std::string> CheckMountpoint(const std::string& path, bool allow_nonempty) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) == nullptr) return MountpointError(path, errno);
  std::string mountpoint = resolved;
  struct stat st {};
  if (stat(mountpoint.c_str(), &st) != 0) return MountpointError(path, errno);
  if (!S_ISDIR(st.st_mode)) return Status(Code::kFailedPrecondition, "mountpoint " + path + " is not a directory");
  auto table = MountTable::Load();
  if (!table.ok()) return table.status();
  if (auto entry = table->Find(mountpoint)) {
    return Status(Code::kAlreadyExists, "mountpoint " + mountpoint + " is already mounted (" + entry->fstype +
                                            " from " + entry->source + ")");
  }
  if (!allow_nonempty) {
    DIR* dir = opendir(mountpoint.c_str());
    if (dir == nullptr) return Status(Code::kFailedPrecondition, "mountpoint " + path + ": " + std::strerror(errno));
    bool empty = true;
    while (dirent* e = readdir(dir)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
        empty = false;
        break;
      }
    }
    closedir(dir);
    if (!empty) {
      return Status(Code::kFailedPrecondition,
                    "mountpoint " + mountpoint + " is not empty (use --allow-nonempty / -o nonempty to mount over it)");
    }
  }
  return mountpoint;
}

s3::AddressingStyle ToAddressing(Addressing a) {
  switch (a) {
    case Addressing::kPath: return s3::AddressingStyle::kPath;
    case Addressing::kVirtualHost: return s3::AddressingStyle::kVirtualHost;
    case Addressing::kAuto: break;
  }
  return s3::AddressingStyle::kAuto;
}

std::string Describe(const MountOptions& o) {
  std::string where = "s3://" + o.bucket + "/" + o.prefix;
  return where + (o.endpoint.empty() ? "" : " at " + o.endpoint);
}

// Builds the client and the filesystem core and checks the bucket.
Result<std::shared_ptr<fs::FsCore>> BuildCore(const MountOptions& o) {
  s3::CredentialSources sources;
  sources.profile = o.profile;
  sources.credentials_file = o.credentials_file;
  auto provider = s3::ResolveCredentials(sources);
  if (!provider.ok()) return Status(provider.status()).Annotate("no usable S3 credentials");
  LOG_INFO("credentials from " << (*provider)->Describe());

  s3::ClientConfig config;
  config.endpoint = o.endpoint;
  config.region = o.region;
  if (config.region.empty()) config.region = s3::ResolveRegion(sources);
  if (config.region.empty()) config.region = "us-east-1";
  config.addressing = ToAddressing(o.addressing);
  config.ca_bundle = o.ca_bundle;
  config.verify_tls = o.verify_tls;
  config.credentials = *provider;
  auto client = s3::MakeCurlClient(config);
  if (!client.ok()) return Status(client.status()).Annotate("bad S3 settings");

  fs::FsConfig fs_config;
  fs_config.bucket = o.bucket;
  fs_config.prefix = o.prefix;
  fs_config.read_only = o.read_only;
  fs_config.uid = o.uid.value_or(getuid());
  fs_config.gid = o.gid.value_or(getgid());
  fs_config.file_mode = o.file_mode;
  fs_config.dir_mode = o.dir_mode;
  fs_config.allow_other = o.allow_other;
  fs_config.metadata_ttl_seconds = o.metadata_ttl_seconds;
  fs_config.attrs_from_listing = o.attrs_from_listing;
  fs_config.cache_bytes = o.cache_bytes.value_or(DefaultCacheBytes());
  if (!o.staging_dir.empty()) {
    fs_config.staging_dir = o.staging_dir;
  } else if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && tmp[0] == '/') {
    fs_config.staging_dir = tmp;
  }
  fs_config.capacity_bytes = o.capacity_bytes;

  std::shared_ptr<s3::ObjectClient> shared_client = std::move(*client);
  auto core = std::make_shared<fs::FsCore>(fs_config, shared_client);
  Status init = core->Init();
  if (!init.ok()) return init.Annotate("cannot mount " + Describe(o));
  return core;
}

// Serves until the mount ends; handles SIGTERM/SIGINT on a thread of its own.
int Serve(std::unique_ptr<fs::FuseMount> mount_owned, const sigset_t& signals, const std::string& pid_file) {
  std::shared_ptr<fs::FuseMount> mount = std::move(mount_owned);
  // Held while a signal is being acted on, and by the main thread while it
  // tears the mount down, so the two never overlap.
  auto handling_mu = std::make_shared<std::mutex>();
  auto shutting_down = std::make_shared<bool>(false);
  fs::FuseMount* raw = mount.get();
  std::thread([raw, signals, handling_mu, shutting_down] {
    int terminations = 0;
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      std::lock_guard<std::mutex> lock(*handling_mu);
      if (*shutting_down) return;
      if (sig == SIGHUP) {
        LOG_INFO("SIGHUP ignored (send SIGTERM or run objfs umount to unmount)");
        continue;
      }
      ++terminations;
      LOG_INFO("received " << strsignal(sig) << ": committing pending writes and unmounting " << raw->mountpoint());
      Status s = raw->Unmount(terminations == 1 ? fs::UnmountMode::kGraceful : fs::UnmountMode::kLazy);
      if (!s.ok() && terminations == 1 && s.errno_hint() == EBUSY) {
        LOG_WARN(s.message() << "; detaching lazily: open files keep working until they are closed");
        s = raw->Unmount(fs::UnmountMode::kLazy);
      }
      if (s.ok()) return;
      LOG_ERROR(s.ToString() << "; still mounted. Send the signal again to detach anyway");
    }
  }).detach();

  mount->Wait();
  std::lock_guard<std::mutex> lock(*handling_mu);
  *shutting_down = true;
  // After an outside unmount (umount(8), fusermount3 -u): commit what is left.
  Status s = mount->Unmount(fs::UnmountMode::kLazy);
  for (int attempt = 1; !s.ok() && attempt < 5; ++attempt) {
    LOG_ERROR("committing pending writes: " << s.ToString() << " (attempt " << attempt << " of 5)");
    sleep(static_cast<unsigned>(attempt * 2));
    s = mount->Unmount(fs::UnmountMode::kLazy);
  }
  mount.reset();
  if (!s.ok()) {
    // The pid file stays, so `objfs umount` can tell that the exit was not clean.
    LOG_ERROR("exiting with uncommitted writes: " << s.ToString());
    return kExitFailure;
  }
  unlink(pid_file.c_str());
  LOG_INFO("objfs exiting; every write was committed");
  return 0;
}

}  // namespace

int RunMountCommand(const std::vector<std::string>& args, bool helper_mode) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(MountUsage().c_str(), stdout);
      return 0;
    }
    if (a == "--") break;
  }
  auto parsed = ParseMountArgs(args, helper_mode);
  if (!parsed.ok()) {
    std::fprintf(stderr, "objfs mount: %s\nTry 'objfs mount --help'.\n", parsed.status().message().c_str());
    return kExitUsage;
  }
  MountOptions options = std::move(*parsed);
  SetLogLevel(options.log_level);
  if (!options.verify_tls) {
    std::fputs(
        "objfs: WARNING: --no-verify-tls is INSECURE: the endpoint's TLS certificate is not checked, so anyone on "
        "the network path can read and alter your data and steal your credentials.\n",
        stderr);
  }

  auto mountpoint = CheckMountpoint(options.mountpoint, options.allow_nonempty);
  if (!mountpoint.ok()) {
    std::fprintf(stderr, "objfs: %s\n", mountpoint.status().message().c_str());
    return kExitFailure;
  }
  options.mountpoint = *mountpoint;
  if (options.fake) return 0;

  std::optional<Daemon> daemon;
  if (!options.foreground) {
    std::string log_path = options.log_file.empty() ? DefaultLogPath(options.mountpoint) : options.log_file;
    size_t slash = log_path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      Status made = MakeDirs(log_path.substr(0, slash), 0755);
      if (!made.ok()) {
        std::fprintf(stderr, "objfs: log directory: %s\n", made.message().c_str());
        return kExitFailure;
      }
    }
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) {
      std::fprintf(stderr, "objfs: cannot open log file %s: %s\n", log_path.c_str(), std::strerror(errno));
      return kExitFailure;
    }
    auto d = Daemon::Daemonize(log_fd, log_path);
    close(log_fd);
    if (!d.ok()) {
      std::fprintf(stderr, "objfs: cannot start in the background: %s\n", d.status().message().c_str());
      return kExitFailure;
    }
    daemon.emplace(std::move(*d));
  }

  auto fail = [&](const Status& status) {
    LOG_ERROR(status.message());
    if (daemon) {
      daemon->ReportFailure(status.message());
    } else {
      std::fprintf(stderr, "objfs: %s\n", status.message().c_str());
    }
    return kExitFailure;
  };

  // Termination signals are taken by one thread with sigwait(); every thread
  // created from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  LOG_INFO("objfs " OBJFS_VERSION " mounting " << Describe(options) << " at " << options.mountpoint
                                                << " (pid " << getpid() << ")");
  if (!options.verify_tls) LOG_WARN("TLS certificate verification is OFF (--no-verify-tls): this is insecure");
  auto core = BuildCore(options);
  if (!core.ok()) return fail(core.status());

  fs::FuseMountOptions mount_options;
  mount_options.mountpoint = options.mountpoint;
  std::string prefix = options.prefix;
  if (!prefix.empty()) prefix.pop_back();
  mount_options.fsname = "objfs:" + options.bucket + (prefix.empty() ? "" : "/" + prefix);
  mount_options.read_only = options.read_only;
  mount_options.allow_other = options.allow_other;
  if (options.max_threads > 0) mount_options.max_threads = options.max_threads;
  auto mount = fs::FuseMount::Start(*core, mount_options);
  if (!mount.ok()) return fail(mount.status());

  // The mount answers only once the kernel's INIT went through the loop.
  struct stat root {};
  if (stat(options.mountpoint.c_str(), &root) != 0) {
    Status err(Code::kUnavailable, "the new mount at " + options.mountpoint + " does not answer: " + std::strerror(errno));
    Status ignored = (*mount)->Unmount(fs::UnmountMode::kLazy);
    (void)ignored;
    return fail(err);
  }

  std::string pid_file = PidFilePath(options.mountpoint);
  Status pid_written = WritePidFile(pid_file, getpid());
  if (!pid_written.ok()) LOG_WARN(pid_written.message() << " (objfs umount will not wait for this process)");
  LOG_INFO("mounted " << Describe(options) << " at " << options.mountpoint);
  if (daemon) {
    daemon->ReportReady();
    daemon.reset();
  }
  return Serve(std::move(*mount), signals, pid_file);
}

}  // namespace objfs::cli
