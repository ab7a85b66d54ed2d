#include "csi/volume_params.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace objfs::csi {
namespace {

const std::set<std::string>& StoreKeys() {
  static const std::set<std::string> keys = {"endpoint", "region", "addressingStyle", "caBundle", "verifyTls"};
  return keys;
}

const std::set<std::string>& MountKeys() {
  static const std::set<std::string> keys = {"uid",        "gid",         "fileMode",        "dirMode",
                                              "cacheBytes", "metadataTTL", "attrsFromListing"};
  return keys;
}

Result<uint64_t> ParseUnsigned(const std::string& key, const std::string& text, int base) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status(Code::kInvalidArgument, key + ": not a number: \"" + text + "\"");
  }
  return value;
}

}  // namespace

Result<VolumeParams> ParseVolumeParams(const StringMap& parameters) {
  VolumeParams params;
  std::string mode;
  for (const auto& [key, value] : parameters) {
    if (key.rfind("csi.storage.k8s.io/", 0) == 0) continue;
    if (key == "provisioningMode") {
      mode = value;
    } else if (key == "bucket") {
      params.shared_bucket = value;
    } else if (key == "prefix") {
      params.base_prefix = value;
    } else if (key == "bucketPrefix") {
      params.bucket_prefix = value;
    } else if (key == "retainData") {
      if (value != "true" && value != "false") {
        return Status(Code::kInvalidArgument, "retainData must be true or false");
      }
      params.retain = value == "true";
    } else if (StoreKeys().count(key) || MountKeys().count(key)) {
      params.context[key] = value;
    } else {
      return Status(Code::kInvalidArgument, "unknown parameter \"" + key + "\"");
    }
  }
  if (mode.empty()) mode = params.shared_bucket.empty() ? "bucket" : "prefix";
  if (mode == "bucket") {
    params.kind = VolumeKind::kBucket;
    if (!params.shared_bucket.empty() || !params.base_prefix.empty()) {
      return Status(Code::kInvalidArgument, "bucket and prefix are for provisioningMode prefix");
    }
  } else if (mode == "prefix") {
    params.kind = VolumeKind::kPrefix;
    if (params.shared_bucket.empty()) {
      return Status(Code::kInvalidArgument, "provisioningMode prefix needs the shared bucket (parameter bucket)");
    }
    while (!params.base_prefix.empty() && params.base_prefix.front() == '/') params.base_prefix.erase(0, 1);
    if (!params.base_prefix.empty() && params.base_prefix.back() != '/') params.base_prefix += '/';
  } else {
    return Status(Code::kInvalidArgument, "provisioningMode must be bucket or prefix");
  }
  auto mount = ParseMountSettings(params.context);
  if (!mount.ok()) return mount.status();
  return params;
}

Result<MountSettings> ParseMountSettings(const StringMap& context) {
  MountSettings settings;
  auto number = [&](const char* key, int base) -> Result<std::optional<uint64_t>> {
    auto it = context.find(key);
    if (it == context.end() || it->second.empty()) return std::optional<uint64_t>();
    auto value = ParseUnsigned(key, it->second, base);
    if (!value.ok()) return value.status();
    return std::optional<uint64_t>(*value);
  };
  auto uid = number("uid", 10);
  if (!uid.ok()) return uid.status();
  if (*uid) settings.uid = static_cast<uid_t>(**uid);
  auto gid = number("gid", 10);
  if (!gid.ok()) return gid.status();
  if (*gid) settings.gid = static_cast<gid_t>(**gid);
  auto file_mode = number("fileMode", 8);
  if (!file_mode.ok()) return file_mode.status();
  if (*file_mode) {
    if (**file_mode > 07777) return Status(Code::kInvalidArgument, "fileMode must be an octal mode");
    settings.file_mode = static_cast<mode_t>(**file_mode);
  }
  auto dir_mode = number("dirMode", 8);
  if (!dir_mode.ok()) return dir_mode.status();
  if (*dir_mode) {
    if (**dir_mode > 07777) return Status(Code::kInvalidArgument, "dirMode must be an octal mode");
    settings.dir_mode = static_cast<mode_t>(**dir_mode);
  }
  auto cache = number("cacheBytes", 10);
  if (!cache.ok()) return cache.status();
  if (*cache) settings.cache_bytes = **cache;
  if (auto it = context.find("metadataTTL"); it != context.end() && !it->second.empty()) {
    char* end = nullptr;
    double ttl = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0' || !std::isfinite(ttl) || ttl < 0 || ttl > 86400.0 * 365) {
      return Status(Code::kInvalidArgument, "metadataTTL: not a number of seconds (0 or more): \"" + it->second + "\"");
    }
    settings.metadata_ttl_seconds = ttl;
  }
  if (auto it = context.find("attrsFromListing"); it != context.end() && !it->second.empty()) {
    if (it->second != "true" && it->second != "false") {
      return Status(Code::kInvalidArgument, "attrsFromListing must be true or false");
    }
    settings.attrs_from_listing = it->second == "true";
  }
  auto capacity = number("capacityBytes", 10);
  if (!capacity.ok()) return capacity.status();
  if (*capacity) settings.capacity_bytes = **capacity;
  return settings;
}

}  // namespace objfs::csi
