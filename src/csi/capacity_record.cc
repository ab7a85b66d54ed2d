#include "csi/capacity_record.h"

#include <charconv>

#include "base/log.h"
#include "csi/volume_storage.h"

namespace objfs::csi {
namespace {

constexpr char kCapacityTag[] = "objfs.io/capacity-bytes";
constexpr char kCapacityMeta[] = "objfs-capacity-bytes";

std::optional<uint64_t> ParseBytes(const std::string& text) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool TaggingUnsupported(const Status& status) {
  return status.code() == Code::kUnimplemented || status.s3_code() == "NotImplemented" ||
         status.http_status() == 501;
}

}  // namespace

Status CapacityRecords::WriteObject(s3::ObjectClient& client, const std::string& bucket,
                                    const std::string& key, uint64_t capacity_bytes) const {
  std::string body = "objfs volume record\ncapacity_bytes=" + std::to_string(capacity_bytes) + "\n";
  s3::PutOptions options;
  options.content_type = "text/plain";
  options.metadata[kCapacityMeta] = std::to_string(capacity_bytes);
  auto put = client.PutObject(bucket, key, s3::Body::FromMemory(body), options);
  if (!put.ok()) return Status(put.status()).Annotate("writing capacity record " + bucket + "/" + key);
  return Status::Ok();
}

Result<std::optional<uint64_t>> CapacityRecords::ReadObject(s3::ObjectClient& client, const std::string& bucket,
                                                            const std::string& key) const {
  auto head = client.HeadObject(bucket, key);
  if (!head.ok()) {
    if (head.status().code() == Code::kNotFound) return std::optional<uint64_t>();
    return Status(head.status()).Annotate("reading capacity record " + bucket + "/" + key);
  }
  auto it = head->metadata.find(kCapacityMeta);
  if (it == head->metadata.end()) {
    return Status(Code::kDataLoss, "capacity record " + bucket + "/" + key + " has no capacity");
  }
  auto bytes = ParseBytes(it->second);
  if (!bytes) return Status(Code::kDataLoss, "capacity record " + bucket + "/" + key + " is malformed");
  return std::optional<uint64_t>(*bytes);
}

Status CapacityRecords::Write(s3::ObjectClient& client, const VolumeId& volume, uint64_t capacity_bytes) const {
  if (volume.kind == VolumeKind::kPrefix) {
    return WriteObject(client, volume.bucket, volume.RecordKey(), capacity_bytes);
  }
  Status tagged = client.PutBucketTagging(volume.bucket, {{kCapacityTag, std::to_string(capacity_bytes)}});
  if (tagged.ok() || !TaggingUnsupported(tagged)) return tagged;
  LOG_DEBUG("bucket tagging unsupported by the store; recording capacity of " << volume.bucket << " in "
                                                                            << record_bucket_);
  OBJFS_RETURN_IF_ERROR(EnsureBucket(client, record_bucket_));
  return WriteObject(client, record_bucket_, volume.bucket, capacity_bytes);
}

Result<std::optional<uint64_t>> CapacityRecords::Read(s3::ObjectClient& client, const VolumeId& volume) const {
  if (volume.kind == VolumeKind::kPrefix) return ReadObject(client, volume.bucket, volume.RecordKey());
  auto tags = client.GetBucketTagging(volume.bucket);
  if (tags.ok()) {
    auto it = tags->find(kCapacityTag);
    if (it != tags->end()) {
      auto bytes = ParseBytes(it->second);
      if (!bytes) return Status(Code::kDataLoss, "capacity tag of bucket " + volume.bucket + " is malformed");
      return std::optional<uint64_t>(*bytes);
    }
  } else if (s3::IsNoSuchBucket(tags.status())) {
    return std::optional<uint64_t>();
  } else if (!TaggingUnsupported(tags.status()) && tags.status().code() != Code::kNotFound) {
    return Status(tags.status()).Annotate("reading tags of bucket " + volume.bucket);
  }
  // No tag (NoSuchTagSet) or no tagging at all: the records bucket may hold it.
  auto record = ReadObject(client, record_bucket_, volume.bucket);
  if (!record.ok() && s3::IsNoSuchBucket(record.status())) return std::optional<uint64_t>();
  return record;
}

Status CapacityRecords::Remove(s3::ObjectClient& client, const VolumeId& volume) const {
  if (volume.kind == VolumeKind::kPrefix) return client.DeleteObject(volume.bucket, volume.RecordKey());
  // The tags go with the bucket; only the fallback record needs removing.
  Status removed = client.DeleteObject(record_bucket_, volume.bucket);
  if (!removed.ok() && removed.code() == Code::kNotFound) return Status::Ok();
  return removed;
}

}  // namespace objfs::csi
