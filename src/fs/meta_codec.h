// MetaCodec: file attributes <-> s3fs-compatible object metadata.
//
// s3fs stores POSIX attributes as user metadata, and objfs reads and writes the
// same headers so a bucket moves between the two either way:
//   x-amz-meta-mode   st_mode in decimal, file type bits included
//                     (33188 = S_IFREG|0644, 16877 = S_IFDIR|0755,
//                     41471 = S_IFLNK|0777)
//   x-amz-meta-uid, x-amz-meta-gid   decimal ids
//   x-amz-meta-mtime  seconds since the epoch; s3fs writes whole seconds,
//                     other tools a fraction ("1700000000.25" or nine digits
//                     of nanoseconds) — both parse, the fraction as a decimal
//   x-amz-meta-ctime, x-amz-meta-atime   read when present; objfs writes ctime
// Directories are zero-byte "dir/" objects with Content-Type
// application/x-directory. Missing or unparsable values fall back to the
// mount's uid/gid/file_mode/dir_mode and the object's Last-Modified time.
//
// Thread-safety: pure functions.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "fs/fs_config.h"
#include "s3/object_client.h"

namespace objfs::fs {

inline constexpr const char* kDirContentType = "application/x-directory";

// The attributes objfs persists with an object.
struct FileMeta {
  mode_t mode = 0;  // with type bits
  uid_t uid = 0;
  gid_t gid = 0;
  struct timespec mtime {};
  struct timespec ctime {};
  struct timespec atime {};
};

enum class ObjectKind { kFile, kDir };

// Attributes for an object (or dir marker) from its HEAD/GET answer.
// `kind` says what the key looked like ("x/" markers are directories); a mode
// header that says symlink wins over kFile.
FileMeta DecodeMeta(const s3::ObjectInfo& info, ObjectKind kind, const FsConfig& config);

// Defaults for an object known only from a listing (no metadata seen yet).
FileMeta DefaultMeta(ObjectKind kind, std::time_t last_modified, const FsConfig& config);

// The x-amz-meta-* map (keys without the prefix) for `meta`.
s3::Metadata EncodeMeta(const FileMeta& meta);

// "1700000000" or "1700000000.250000000".
std::string FormatTime(const struct timespec& ts);
std::optional<struct timespec> ParseTime(std::string_view text);

}  // namespace objfs::fs
