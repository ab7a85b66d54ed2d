#include "cli/mount_options.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace objfs::cli {
namespace {

Status Invalid(std::string message) { return Status(Code::kInvalidArgument, std::move(message)); }

bool HasWhitespace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); });
}

// Options that mount(8), mount.fuse3 and fstab pass along and that mean
// nothing to objfs (or that objfs always does, like default_permissions).
bool IsIgnoredMountOption(std::string_view name) {
  static constexpr std::string_view kIgnored[] = {
      "rw",          "defaults",    "dev",        "nodev",       "suid",         "nosuid",
      "exec",        "noexec",      "auto",       "noauto",      "user",         "nouser",
      "users",       "owner",       "group",      "nofail",      "_netdev",      "async",
      "sync",        "atime",       "noatime",    "relatime",    "norelatime",   "strictatime",
      "nostrictatime", "diratime",  "nodiratime", "lazytime",    "nolazytime",   "silent",
      "loud",        "default_permissions",        "default-permissions",        "iversion",
      "noiversion",  "mand",        "nomand",     "nouser_xattr",
  };
  if (std::find(std::begin(kIgnored), std::end(kIgnored), name) != std::end(kIgnored)) return true;
  // x-systemd.*, x-gvfs-*, comment=... (util-linux userspace options), and the
  // fsname/subtype mount.fuse3 may add.
  return name.starts_with("x-") || name == "comment" || name == "fsname" || name == "subtype";
}

// Canonical long name for an -o spelling (already '_' -> '-').
std::string_view CanonicalName(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"ro", "read-only"},
      {"url", "endpoint"},  // s3fs spelling
      {"use-path-request-style", "path-style"},
      {"pathstyle", "path-style"},
      {"virtual-hosted-style", "virtual-host"},
      {"cafile", "ca-bundle"},
      {"no-check-certificate", "no-verify-tls"},
      {"insecure", "no-verify-tls"},
      {"metadata-ttl-seconds", "metadata-ttl"},
      {"cache", "cache-size"},
      {"foreground", "foreground"},
  };
  for (const auto& [alias, canonical] : kAliases) {
    if (alias == name) return canonical;
  }
  return name;
}

Result<uint64_t> ParseUnsigned(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Invalid(std::string(what) + ": '" + std::string(text) + "' is not a non-negative integer");
  }
  return value;
}

Result<uid_t> ParseUid(std::string_view text) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    auto v = ParseUnsigned(text, "--uid");
    if (!v.ok()) return v.status();
    if (*v > 0xfffffffeu) return Invalid("--uid: " + std::string(text) + " is out of range");
    return static_cast<uid_t>(*v);
  }
  std::string name(text);
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return Invalid("--uid: no user named '" + name + "'");
  }
  return found->pw_uid;
}

Result<gid_t> ParseGid(std::string_view text) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    auto v = ParseUnsigned(text, "--gid");
    if (!v.ok()) return v.status();
    if (*v > 0xfffffffeu) return Invalid("--gid: " + std::string(text) + " is out of range");
    return static_cast<gid_t>(*v);
  }
  std::string name(text);
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return Invalid("--gid: no group named '" + name + "'");
  }
  return found->gr_gid;
}

Status NeedValue(std::string_view name, const std::optional<std::string_view>& value) {
  if (!value.has_value() || value->empty()) {
    return Invalid("option '" + std::string(name) + "' needs a value (" + std::string(name) + "=VALUE)");
  }
  return Status::Ok();
}

Status NoValue(std::string_view name, const std::optional<std::string_view>& value) {
  if (value.has_value()) return Invalid("option '" + std::string(name) + "' takes no value");
  return Status::Ok();
}

}  // namespace

Result<uint64_t> ParseSize(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return Invalid("size is empty");
  // Strip "B" / "iB".
  if (s.size() > 2 && (s.ends_with("iB") || s.ends_with("ib"))) {
    s.remove_suffix(2);
  } else if (s.size() > 1 && (s.back() == 'B' || s.back() == 'b')) {
    s.remove_suffix(1);
  }
  uint64_t multiplier = 1;
  if (!s.empty()) {
    switch (std::tolower(static_cast<unsigned char>(s.back()))) {
      case 'k': multiplier = 1ull << 10; break;
      case 'm': multiplier = 1ull << 20; break;
      case 'g': multiplier = 1ull << 30; break;
      case 't': multiplier = 1ull << 40; break;
      default: break;
    }
    if (multiplier != 1) s.remove_suffix(1);
  }
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }) ||
      std::count(s.begin(), s.end(), '.') > 1 || s.front() == '.' || s.back() == '.') {
    return Invalid("'" + std::string(text) + "' is not a size (examples: 4096, 512M, 1.5G)");
  }
  std::string number(s);
  double value = std::strtod(number.c_str(), nullptr);
  double bytes = value * static_cast<double>(multiplier);
  if (!std::isfinite(bytes) || bytes >= 18446744073709551615.0) {
    return Invalid("size '" + std::string(text) + "' is too large");
  }
  return static_cast<uint64_t>(bytes);
}

Result<mode_t> ParseMode(std::string_view text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; })) {
    return Invalid("'" + std::string(text) + "' is not an octal mode (examples: 644, 0755)");
  }
  unsigned value = 0;
  for (char c : text) value = value * 8 + static_cast<unsigned>(c - '0');
  if (value > 07777) return Invalid("mode '" + std::string(text) + "' is larger than 07777");
  return static_cast<mode_t>(value);
}

uint64_t DefaultCacheBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  uint64_t ram = (pages > 0 && page_size > 0) ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                                              : (8ull << 30);
  return std::max<uint64_t>(64ull << 20, std::min<uint64_t>(1ull << 30, ram / 8));
}

Status SplitBucketPrefix(std::string_view spec, std::string* bucket, std::string* prefix) {
  if (spec.starts_with("s3://")) spec.remove_prefix(5);
  if (spec.empty()) return Invalid("the bucket is empty (expected BUCKET or BUCKET/PREFIX)");
  if (HasWhitespace(spec)) return Invalid("bucket/prefix '" + std::string(spec) + "' contains whitespace");
  size_t slash = spec.find('/');
  std::string_view b = spec.substr(0, slash);
  if (b.empty()) return Invalid("'" + std::string(spec) + "' does not start with a bucket name");
  std::string p;
  if (slash != std::string_view::npos) {
    std::string_view rest = spec.substr(slash + 1);
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    while (!rest.empty()) {
      size_t next = rest.find('/');
      std::string_view segment = rest.substr(0, next);
      if (segment.empty() || segment == "." || segment == "..") {
        return Invalid("prefix in '" + std::string(spec) + "' has an empty, '.' or '..' segment");
      }
      p.append(segment);
      p.push_back('/');
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }
  *bucket = std::string(b);
  *prefix = std::move(p);
  return Status::Ok();
}

Status ApplyMountOption(std::string_view name, std::optional<std::string_view> value, MountOptions* o) {
  if (name == "endpoint") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    if (!value->starts_with("http://") && !value->starts_with("https://")) {
      return Invalid("endpoint '" + std::string(*value) + "' must start with http:// or https://");
    }
    o->endpoint = std::string(*value);
  } else if (name == "region") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    o->region = std::string(*value);
  } else if (name == "profile") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    o->profile = std::string(*value);
  } else if (name == "credentials-file") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    o->credentials_file = std::string(*value);
  } else if (name == "path-style") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->addressing = Addressing::kPath;
  } else if (name == "virtual-host") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->addressing = Addressing::kVirtualHost;
  } else if (name == "ca-bundle") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    o->ca_bundle = std::string(*value);
  } else if (name == "no-verify-tls") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->verify_tls = false;
  } else if (name == "read-only") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->read_only = true;
  } else if (name == "attrs-from-listing") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->attrs_from_listing = true;
  } else if (name == "uid") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    auto uid = ParseUid(*value);
    if (!uid.ok()) return uid.status();
    o->uid = *uid;
  } else if (name == "gid") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    auto gid = ParseGid(*value);
    if (!gid.ok()) return gid.status();
    o->gid = *gid;
  } else if (name == "file-mode" || name == "dir-mode") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    auto mode = ParseMode(*value);
    if (!mode.ok()) return Status(mode.status()).Annotate(name);
    (name == "file-mode" ? o->file_mode : o->dir_mode) = *mode;
  } else if (name == "allow-other") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->allow_other = true;
  } else if (name == "metadata-ttl") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    std::string text(*value);
    char* end = nullptr;
    double ttl = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(ttl) || ttl < 0 || ttl > 86400 * 365) {
      return Invalid("metadata-ttl: '" + text + "' is not a number of seconds (0 or more)");
    }
    o->metadata_ttl_seconds = ttl;
  } else if (name == "cache-size") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    auto size = ParseSize(*value);
    if (!size.ok()) return Status(size.status()).Annotate(name);
    if (*size < (16ull << 20)) return Invalid("cache-size: at least 16M is needed");
    o->cache_bytes = *size;
  } else if (name == "capacity") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    auto size = ParseSize(*value);
    if (!size.ok()) return Status(size.status()).Annotate(name);
    o->capacity_bytes = *size;
  } else if (name == "staging-dir") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    o->staging_dir = std::string(*value);
  } else if (name == "max-threads") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    auto n = ParseUnsigned(*value, name);
    if (!n.ok()) return n.status();
    if (*n < 1 || *n > 1024) return Invalid("max-threads: must be between 1 and 1024");
    o->max_threads = static_cast<int>(*n);
  } else if (name == "allow-nonempty" || name == "nonempty") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->allow_nonempty = true;
  } else if (name == "foreground") {
    OBJFS_RETURN_IF_ERROR(NoValue(name, value));
    o->foreground = true;
  } else if (name == "log-level") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    if (!ParseLogLevel(*value, &o->log_level)) {
      return Invalid("log-level: '" + std::string(*value) + "' is not one of error, warn, info, debug, trace");
    }
  } else if (name == "log-file") {
    OBJFS_RETURN_IF_ERROR(NeedValue(name, value));
    o->log_file = std::string(*value);
  } else {
    return Invalid("unknown option '" + std::string(name) + "' (see objfs mount --help)");
  }
  return Status::Ok();
}

Status ApplyOptionList(std::string_view list, MountOptions* options) {
  std::vector<std::string> items(1);
  for (size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (c == '\\' && i + 1 < list.size()) {
      items.back().push_back(list[++i]);
    } else if (c == ',') {
      items.emplace_back();
    } else {
      items.back().push_back(c);
    }
  }
  for (const std::string& item : items) {
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string raw_name = item.substr(0, eq);
    if (IsIgnoredMountOption(raw_name)) continue;
    std::string name = raw_name;
    std::replace(name.begin(), name.end(), '_', '-');
    if (IsIgnoredMountOption(name)) continue;
    std::optional<std::string_view> value;
    if (eq != std::string::npos) value = std::string_view(item).substr(eq + 1);
    Status s = ApplyMountOption(CanonicalName(name), value, options);
    if (!s.ok()) return s.Annotate("-o " + raw_name);
  }
  return Status::Ok();
}

Result<MountOptions> ParseMountArgs(const std::vector<std::string>& args, bool helper_mode) {
  MountOptions options;
  std::vector<std::string> positionals;
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positionals || arg.empty() || arg[0] != '-' || arg == "-") {
      positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg.starts_with("--")) {
      std::string_view body = std::string_view(arg).substr(2);
      size_t eq = body.find('=');
      std::string name(body.substr(0, eq));
      std::optional<std::string_view> value;
      if (eq != std::string_view::npos) value = body.substr(eq + 1);
      // Flags take no value; every other option takes the next argument.
      static constexpr std::string_view kFlags[] = {"path-style", "virtual-host", "no-verify-tls", "read-only",
                                                    "allow-other", "allow-nonempty", "foreground",
                                                    "attrs-from-listing"};
      bool is_flag = std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags);
      if (name == "option") {
        name = "o";
      }
      if (!is_flag && !value.has_value()) {
        if (i + 1 >= args.size()) return Invalid("option --" + name + " needs a value");
        value = args[++i];
      }
      if (name == "o") {
        OBJFS_RETURN_IF_ERROR(ApplyOptionList(*value, &options));
        continue;
      }
      Status s = ApplyMountOption(name, value, &options);
      if (!s.ok()) {
        if (s.message().starts_with("unknown option")) {
          return Invalid("unknown option --" + name + " (see objfs mount --help)");
        }
        return s.Annotate("--" + name);
      }
      continue;
    }
    // Short options: -o LIST / -oLIST, -f, and the mount helper's -s -n -v -t.
    char flag = arg[1];
    if (flag == 'o') {
      std::string list;
      if (arg.size() > 2) {
        list = arg.substr(2);
      } else {
        if (i + 1 >= args.size()) return Invalid("option -o needs a list (-o name[=value][,name...])");
        list = args[++i];
      }
      OBJFS_RETURN_IF_ERROR(ApplyOptionList(list, &options));
      continue;
    }
    if (helper_mode && flag == 't') {
      if (arg.size() == 2) ++i;  // the type ("objfs" / "fuse.objfs") is implied
      continue;
    }
    bool all_known = true;
    for (size_t k = 1; k < arg.size(); ++k) {
      char c = arg[k];
      if (helper_mode && (c == 's' || c == 'n' || c == 'v')) continue;  // sloppy, no mtab, verbose
      if (helper_mode && c == 'f') {
        options.fake = true;
        continue;
      }
      if (!helper_mode && c == 'f') {
        options.foreground = true;
        continue;
      }
      all_known = false;
    }
    if (!all_known) return Invalid("unknown option '" + arg + "' (see objfs mount --help)");
  }
  if (positionals.size() != 2) {
    return Invalid(positionals.size() < 2 ? "expected BUCKET[/PREFIX] and MOUNTPOINT"
                                           : "too many arguments: expected BUCKET[/PREFIX] MOUNTPOINT");
  }
  OBJFS_RETURN_IF_ERROR(SplitBucketPrefix(positionals[0], &options.bucket, &options.prefix));
  options.mountpoint = positionals[1];
  if (options.mountpoint.empty()) return Invalid("the mountpoint is empty");
  return options;
}

std::string MountUsage() {
  return R"(usage: objfs mount [OPTIONS] BUCKET[/PREFIX] MOUNTPOINT
       objfs BUCKET[/PREFIX] MOUNTPOINT -o OPTIONS      (as run by mount.fuse3)
       mount.objfs BUCKET[/PREFIX] MOUNTPOINT -o OPTIONS (mount -t objfs / fstab)

Mounts an S3 bucket, or the part of it under PREFIX, at MOUNTPOINT. Without
--foreground objfs returns once the mount is live (exit 0) or prints why it
failed (exit 1); usage errors exit 2.

S3 connection:
  --endpoint URL          S3 endpoint, http(s)://host[:port] (default: AWS for the region)
  --region NAME           signing region (default: $AWS_REGION, profile config, us-east-1)
  --profile NAME          profile in ~/.aws/credentials and ~/.aws/config
  --credentials-file PATH shared credentials file to read instead of ~/.aws/credentials
  --path-style            address buckets as URL paths (default for custom endpoints)
  --virtual-host          address buckets as host names (default for AWS)
  --ca-bundle PATH        PEM file of CAs to trust for https endpoints
  --no-verify-tls         INSECURE: do not verify the endpoint's TLS certificate
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
then the profile in the shared credentials and config files; never from
command-line values.

Filesystem:
  --read-only             mount read-only (writes fail with EROFS)
  --uid UID, --gid GID    owner of objects without objfs/s3fs metadata (default: you)
  --file-mode MODE        octal mode of such files (default 0644)
  --dir-mode MODE         octal mode of such directories (default 0755)
  --allow-other           let other users access the mount (the kernel checks modes)
  --allow-nonempty        mount over a directory that is not empty (-o nonempty)
  --metadata-ttl SECONDS  how long attributes and listings are cached (default 1)
  --attrs-from-listing    take attributes of listed objects from the listing (size,
                          Last-Modified; mount's owner and modes) instead of a HEAD
                          each: `ls -l` costs one listing pass, but modes, owners and
                          symlinks stored in object metadata show only once looked up
  --cache-size SIZE       memory budget for cached data, e.g. 512M, 1G
                          (default min(1G, RAM/8))
  --capacity SIZE         quota: writes beyond SIZE fail with ENOSPC (default none)
  --staging-dir DIR       local directory for staging random writes (default $TMPDIR or /tmp)
  --max-threads N         FUSE worker threads (default 32)

Process:
  -f, --foreground        stay in the foreground and log to stderr
  --log-level LEVEL       error, warn, info (default), debug, trace
  --log-file PATH         log file when daemonized (default: /var/log/objfs/MOUNT.log
                          for root, ~/.local/state/objfs/MOUNT.log otherwise)
  -o OPT[,OPT...]         the options above as name or name=value (ro, allow_other,
                          uid=1000, endpoint=URL, ...); standard mount options
                          (rw, dev, suid, nofail, _netdev, x-systemd.*) are ignored
  -h, --help              this text

Unmount with `objfs umount MOUNTPOINT` (waits for pending uploads), or send the
daemon SIGTERM/SIGINT.
)";
}

}  // namespace objfs::cli
