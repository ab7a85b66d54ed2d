#include "fs/meta_codec.h"

#include <charconv>
#include <cstdio>

namespace objfs::fs {
namespace {

template <typename T>
std::optional<T> ParseUnsigned(const s3::Metadata& meta, const char* name) {
  auto it = meta.find(name);
  if (it == meta.end()) return std::nullopt;
  const std::string& s = it->second;
  unsigned long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return static_cast<T>(v);
}

std::optional<struct timespec> ParseTimeHeader(const s3::Metadata& meta, const char* name) {
  auto it = meta.find(name);
  if (it == meta.end()) return std::nullopt;
  return ParseTime(it->second);
}

}  // namespace

std::optional<struct timespec> ParseTime(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  long long sec = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), sec);
  if (ec != std::errc() || end != whole.data() + whole.size() || whole.empty()) return std::nullopt;
  long nsec = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = text.substr(dot + 1);
    int digits = 0;
    for (char c : frac) {
      if (c < '0' || c > '9') return std::nullopt;
      if (digits < 9) {
        nsec = nsec * 10 + (c - '0');
        ++digits;
      }
    }
    for (; digits < 9; ++digits) nsec *= 10;
  }
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(sec);
  ts.tv_nsec = nsec;
  return ts;
}

std::string FormatTime(const struct timespec& ts) {
  char buf[48];
  if (ts.tv_nsec == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(ts.tv_sec));
  } else {
    std::snprintf(buf, sizeof buf, "%lld.%09ld", static_cast<long long>(ts.tv_sec), ts.tv_nsec);
  }
  return buf;
}

FileMeta DefaultMeta(ObjectKind kind, std::time_t last_modified, const FsConfig& config) {
  FileMeta m;
  m.mode = kind == ObjectKind::kDir ? (S_IFDIR | (config.dir_mode & 07777))
                                    : (S_IFREG | (config.file_mode & 07777));
  m.uid = config.uid;
  m.gid = config.gid;
  m.mtime.tv_sec = last_modified;
  m.ctime = m.mtime;
  m.atime = m.mtime;
  return m;
}

FileMeta DecodeMeta(const s3::ObjectInfo& info, ObjectKind kind, const FsConfig& config) {
  if (info.content_type == kDirContentType) kind = ObjectKind::kDir;
  FileMeta m = DefaultMeta(kind, info.last_modified, config);
  if (auto mode = ParseUnsigned<mode_t>(info.metadata, "mode")) {
    mode_t type = *mode & S_IFMT;
    mode_t perms = *mode & 07777;
    if (kind == ObjectKind::kDir) {
      m.mode = S_IFDIR | perms;  // a "dir/" key is a directory whatever the header says
    } else if (type == S_IFLNK) {
      m.mode = S_IFLNK | perms;
    } else {
      m.mode = S_IFREG | perms;
    }
  }
  if (auto uid = ParseUnsigned<uid_t>(info.metadata, "uid")) m.uid = *uid;
  if (auto gid = ParseUnsigned<gid_t>(info.metadata, "gid")) m.gid = *gid;
  if (auto t = ParseTimeHeader(info.metadata, "mtime")) m.mtime = *t;
  m.ctime = m.mtime;
  m.atime = m.mtime;
  if (auto t = ParseTimeHeader(info.metadata, "ctime")) m.ctime = *t;
  if (auto t = ParseTimeHeader(info.metadata, "atime")) m.atime = *t;
  return m;
}

s3::Metadata EncodeMeta(const FileMeta& meta) {
  s3::Metadata out;
  out["mode"] = std::to_string(static_cast<unsigned>(meta.mode));
  out["uid"] = std::to_string(static_cast<unsigned>(meta.uid));
  out["gid"] = std::to_string(static_cast<unsigned>(meta.gid));
  out["mtime"] = FormatTime(meta.mtime);
  out["ctime"] = FormatTime(meta.ctime);
  return out;
}

}  // namespace objfs::fs
