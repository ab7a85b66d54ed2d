// MountOptions: everything `objfs mount` is told on its command line, and the
// parser that fills it from long options (--endpoint URL) and from fstab-style
// `-o name[=value][,name...]` lists. Both spellings go through one table, so an
// option means the same thing in either form ("--read-only" == "-o ro",
// "--allow-other" == "-o allow_other"; in -o lists '-' and '_' are the same).
//
// Standard mount(8)/fuse options that mount.fuse3 and mount(8) pass along (rw,
// dev, suid, exec, auto, user, nofail, _netdev, x-systemd.*, ...) are accepted
// and ignored. Anything else unknown is an error: kInvalidArgument with a
// message that names the option; the CLI turns that into exit status 2.
//
// Secrets never travel as option values: credentials come from the
// environment, a profile, or --credentials-file PATH.
//
// Thread-safety: values and pure functions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"

namespace objfs::cli {

enum class Addressing { kAuto, kPath, kVirtualHost };

struct MountOptions {
  // Positional arguments.
  std::string bucket;
  std::string prefix;  // "" or "a/b/" (always ends in '/')
  std::string mountpoint;

  // S3 connection.
  std::string endpoint;  // "" = AWS for the region
  std::string region;    // "" = from AWS_REGION / profile config, else us-east-1
  std::string profile;
  std::string credentials_file;
  Addressing addressing = Addressing::kAuto;
  std::string ca_bundle;
  bool verify_tls = true;

  // Filesystem.
  bool read_only = false;
  std::optional<uid_t> uid;  // unset: the uid of the mounting user
  std::optional<gid_t> gid;
  mode_t file_mode = 0644;
  mode_t dir_mode = 0755;
  bool allow_other = false;
  bool allow_nonempty = false;  // mount over a non-empty directory
  double metadata_ttl_seconds = 1.0;
  bool attrs_from_listing = false;
  std::optional<uint64_t> cache_bytes;  // unset: DefaultCacheBytes()
  std::string staging_dir;             // "" = $TMPDIR or /tmp
  uint64_t capacity_bytes = 0;         // 0 = no quota
  int max_threads = 0;                 // 0 = FuseMount's default

  // Process.
  bool foreground = false;
  LogLevel log_level = LogLevel::kInfo;
  std::string log_file;  // "" = default location when daemonized
  bool fake = false;     // mount helper -f: validate only, do not mount
};

// Parses the arguments after the subcommand name (for `objfs mount`) or after
// argv[0] (mount helper forms). Exactly two positionals are required:
// BUCKET[/PREFIX] (an optional "s3://" is stripped) and MOUNTPOINT.
// `helper_mode` accepts the mount(8) helper flags -s -n -v -f and -t TYPE.
Result<MountOptions> ParseMountArgs(const std::vector<std::string>& args, bool helper_mode);

// Applies one option by its canonical long name without dashes ("endpoint",
// "read-only", ...). `value` is empty for flags. Exposed for tests.
Status ApplyMountOption(std::string_view name, std::optional<std::string_view> value, MountOptions* options);

// Applies a comma-separated -o list ("ro,uid=1000,endpoint=http://h:9000").
// A backslash escapes the next character (for commas inside values).
Status ApplyOptionList(std::string_view list, MountOptions* options);

// Splits "bucket/some/prefix" into bucket "bucket" and prefix "some/prefix/".
// Rejects an empty bucket, whitespace, and empty, "." or ".." prefix segments.
Status SplitBucketPrefix(std::string_view spec, std::string* bucket, std::string* prefix);

// "512M", "1G", "1.5G", "4096", "64k": bytes. K/M/G/T are binary (1024-based);
// an optional trailing "B" or "iB" is accepted.
Result<uint64_t> ParseSize(std::string_view text);

// An octal permission mode "0644" / "644" / "755"; at most 07777.
Result<mode_t> ParseMode(std::string_view text);

// min(1 GiB, RAM / 8), at least 64 MiB.
uint64_t DefaultCacheBytes();

// The text of `objfs mount --help`.
std::string MountUsage();

}  // namespace objfs::cli
