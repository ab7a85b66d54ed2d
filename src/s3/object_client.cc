#include "s3/object_client.h"

#include <cstring>

namespace objfs::s3 {

Result<uint64_t> ObjectClient::GetObjectRange(const std::string& bucket, const std::string& key, uint64_t offset,
                                              std::span<char> out, const std::string& if_match) {
  if (out.empty()) return uint64_t{0};
  GetRequest request{bucket, key, ByteRange{offset, out.size()}, if_match};
  uint64_t filled = 0;
  Result<ObjectInfo> info = GetObject(request, [&](std::string_view chunk) -> Status {
    if (chunk.size() > out.size() - filled) {
      return Status(Code::kDataLoss, "server sent more bytes than the requested range");
    }
    std::memcpy(out.data() + filled, chunk.data(), chunk.size());
    filled += chunk.size();
    return Status::Ok();
  });
  if (!info.ok()) return info.status();
  return filled;
}

bool IsNoSuchKey(const Status& status) {
  // A HEAD 404 has no body, so its S3 code may be unknown: treat that as NoSuchKey too.
  return status.code() == Code::kNotFound && (status.s3_code() == "NoSuchKey" || status.s3_code().empty());
}

bool IsNoSuchBucket(const Status& status) {
  return status.code() == Code::kNotFound && status.s3_code() == "NoSuchBucket";
}

}  // namespace objfs::s3
