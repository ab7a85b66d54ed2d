#include "s3/memory_client.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "s3/hash.h"

namespace objfs::s3 {
namespace {

constexpr size_t kSinkChunk = 64 * 1024;

Status S3Error(Code code, int http, std::string s3_code, std::string message) {
  Status status(code, std::move(message));
  status.WithHttp(http, std::move(s3_code), "memory");
  return status;
}

Status NoSuchBucket(const std::string& bucket) {
  return S3Error(Code::kNotFound, 404, "NoSuchBucket", "The specified bucket does not exist: " + bucket);
}

Status NoSuchKey(const std::string& key) {
  return S3Error(Code::kNotFound, 404, "NoSuchKey", "The specified key does not exist: " + key);
}

Status NoSuchUpload(const std::string& upload_id) {
  return S3Error(Code::kNotFound, 404, "NoSuchUpload", "The specified upload does not exist: " + upload_id);
}

std::string Md5Raw(std::string_view data) {
  Md5Hasher md5;
  md5.Update(data);
  return md5.FinishRaw();
}

Result<std::string> ReadBody(const Body& body) {
  if (body.fd < 0) return std::string(body.data.substr(0, body.length));
  std::string out(body.length, '\0');
  uint64_t done = 0;
  while (done < body.length) {
    ssize_t n = ::pread(body.fd, out.data() + done, body.length - done, static_cast<off_t>(body.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status(Code::kInternal, std::string("reading body: ") + std::strerror(errno)).WithErrno(errno);
    if (n == 0) return Status(Code::kDataLoss, "body file ended before the declared length");
    done += static_cast<uint64_t>(n);
  }
  return out;
}

Status CheckPartNumber(int part_number) {
  if (part_number < 1 || part_number > kMaxParts) {
    return S3Error(Code::kInvalidArgument, 400, "InvalidArgument",
                   "Part number must be an integer between 1 and 10000");
  }
  return Status::Ok();
}

}  // namespace

struct MemoryObjectClient::Object {
  std::shared_ptr<const std::string> data;
  ObjectInfo info;
};

struct MemoryObjectClient::Upload {
  std::string key;
  PutOptions options;
  std::time_t initiated = 0;
  std::map<int, std::pair<std::string, std::string>> parts;  // number -> (etag, data)
};

struct MemoryObjectClient::Bucket {
  std::map<std::string, Object> objects;
  std::map<std::string, Upload> uploads;  // upload id -> upload
  Tags tags;
};

MemoryObjectClient::MemoryObjectClient() = default;
MemoryObjectClient::~MemoryObjectClient() = default;

void MemoryObjectClient::Count(const char* operation) {
  std::lock_guard lock(mu_);
  ++calls_[operation];
}

uint64_t MemoryObjectClient::CallCount(const std::string& operation) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

void MemoryObjectClient::ResetCounts() {
  std::lock_guard lock(mu_);
  calls_.clear();
}

uint64_t MemoryObjectClient::StoredBytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& [name, bucket] : buckets_) {
    for (const auto& [key, object] : bucket->objects) total += object.data->size();
  }
  return total;
}

Result<MemoryObjectClient::Bucket*> MemoryObjectClient::FindBucket(const std::string& bucket) {
  auto it = buckets_.find(bucket);
  if (it == buckets_.end()) return NoSuchBucket(bucket);
  return it->second.get();
}

Result<ObjectInfo> MemoryObjectClient::HeadObject(const std::string& bucket, const std::string& key) {
  Count("HeadObject");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return NoSuchKey(key);
  return it->second.info;
}

Result<ObjectInfo> MemoryObjectClient::GetObject(const GetRequest& request, const DataSink& sink) {
  Count("GetObject");
  std::shared_ptr<const std::string> data;
  ObjectInfo info;
  {
    std::lock_guard lock(mu_);
    auto b = FindBucket(request.bucket);
    if (!b.ok()) return b.status();
    auto it = (*b)->objects.find(request.key);
    if (it == (*b)->objects.end()) return NoSuchKey(request.key);
    data = it->second.data;
    info = it->second.info;
  }
  if (!request.if_match.empty() && request.if_match != info.etag) {
    return S3Error(Code::kFailedPrecondition, 412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold");
  }
  uint64_t begin = 0;
  uint64_t end = data->size();
  if (request.range) {
    if (request.range->length == 0 || request.range->offset >= data->size()) {
      return S3Error(Code::kOutOfRange, 416, "InvalidRange", "The requested range is not satisfiable");
    }
    begin = request.range->offset;
    end = std::min<uint64_t>(data->size(), begin + request.range->length);
  }
  for (uint64_t pos = begin; pos < end; pos += kSinkChunk) {
    uint64_t n = std::min<uint64_t>(kSinkChunk, end - pos);
    Status status = sink(std::string_view(data->data() + pos, n));
    if (!status.ok()) return status;
  }
  return info;
}

Result<PutResult> MemoryObjectClient::PutObject(const std::string& bucket, const std::string& key, const Body& body,
                                                const PutOptions& options) {
  Count("PutObject");
  auto bytes = ReadBody(body);
  if (!bytes.ok()) return bytes.status();
  Object object;
  object.info.size = bytes->size();
  object.info.etag = HexEncode(Md5Raw(*bytes));
  object.info.last_modified = std::time(nullptr);
  object.info.content_type = options.content_type.empty() ? "application/octet-stream" : options.content_type;
  object.info.metadata = options.metadata;
  object.data = std::make_shared<const std::string>(std::move(bytes).value());
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  if (options.if_none_match == "*" && (*b)->objects.count(key) != 0) {
    return S3Error(Code::kFailedPrecondition, 412, "PreconditionFailed", "The object already exists");
  }
  PutResult result{object.info.etag};
  (*b)->objects[key] = std::move(object);
  return result;
}

Result<std::string> MemoryObjectClient::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                              const PutOptions& options) {
  Count("CreateMultipartUpload");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  std::string id = "upload-" + std::to_string(next_upload_id_++);
  Upload upload;
  upload.key = key;
  upload.options = options;
  upload.initiated = std::time(nullptr);
  (*b)->uploads.emplace(id, std::move(upload));
  return id;
}

Result<std::string> MemoryObjectClient::UploadPart(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id, int part_number, const Body& body) {
  Count("UploadPart");
  OBJFS_RETURN_IF_ERROR(CheckPartNumber(part_number));
  auto bytes = ReadBody(body);
  if (!bytes.ok()) return bytes.status();
  std::string etag = HexEncode(Md5Raw(*bytes));
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  auto it = (*b)->uploads.find(upload_id);
  if (it == (*b)->uploads.end() || it->second.key != key) return NoSuchUpload(upload_id);
  it->second.parts[part_number] = {etag, std::move(bytes).value()};
  return etag;
}

Result<std::string> MemoryObjectClient::UploadPartCopy(const std::string& bucket, const std::string& key,
                                                       const std::string& upload_id, int part_number,
                                                       const std::string& src_bucket, const std::string& src_key,
                                                       std::optional<ByteRange> src_range,
                                                       const std::string& src_if_match) {
  Count("UploadPartCopy");
  OBJFS_RETURN_IF_ERROR(CheckPartNumber(part_number));
  std::lock_guard lock(mu_);
  auto src = FindBucket(src_bucket);
  if (!src.ok()) return src.status();
  auto obj = (*src)->objects.find(src_key);
  if (obj == (*src)->objects.end()) return NoSuchKey(src_key);
  if (!src_if_match.empty() && src_if_match != obj->second.info.etag) {
    return S3Error(Code::kFailedPrecondition, 412, "PreconditionFailed", "copy source ETag does not match");
  }
  const std::string& data = *obj->second.data;
  std::string piece = data;
  if (src_range) {
    if (src_range->length == 0 || src_range->offset + src_range->length > data.size()) {
      return S3Error(Code::kInvalidArgument, 400, "InvalidArgument", "The x-amz-copy-source-range is out of bounds");
    }
    piece = data.substr(src_range->offset, src_range->length);
  }
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  auto it = (*b)->uploads.find(upload_id);
  if (it == (*b)->uploads.end() || it->second.key != key) return NoSuchUpload(upload_id);
  std::string etag = HexEncode(Md5Raw(piece));
  it->second.parts[part_number] = {etag, std::move(piece)};
  return etag;
}

Result<std::string> MemoryObjectClient::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                                const std::string& upload_id,
                                                                const std::vector<CompletedPart>& parts) {
  Count("CompleteMultipartUpload");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  auto it = (*b)->uploads.find(upload_id);
  if (it == (*b)->uploads.end() || it->second.key != key) return NoSuchUpload(upload_id);
  if (parts.empty()) {
    return S3Error(Code::kInvalidArgument, 400, "MalformedXML", "The XML you provided was not well-formed");
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].part_number <= parts[i - 1].part_number) {
      return S3Error(Code::kInvalidArgument, 400, "InvalidPartOrder", "The list of parts was not in ascending order");
    }
  }
  const Upload& upload = it->second;
  std::string body;
  std::string md5s;
  for (size_t i = 0; i < parts.size(); ++i) {
    const CompletedPart& part = parts[i];
    auto stored = upload.parts.find(part.part_number);
    if (stored == upload.parts.end() || stored->second.first != part.etag) {
      return S3Error(Code::kInvalidArgument, 400, "InvalidPart", "One or more of the specified parts could not be found");
    }
    if (i + 1 < parts.size() && stored->second.second.size() < kMinPartSize) {
      return S3Error(Code::kInvalidArgument, 400, "EntityTooSmall",
                     "Your proposed upload is smaller than the minimum allowed size");
    }
    body += stored->second.second;
    md5s += Md5Raw(stored->second.second);
  }
  Object object;
  object.info.size = body.size();
  object.info.etag = HexEncode(Md5Raw(md5s)) + "-" + std::to_string(parts.size());
  object.info.last_modified = std::time(nullptr);
  object.info.content_type =
      upload.options.content_type.empty() ? "application/octet-stream" : upload.options.content_type;
  object.info.metadata = upload.options.metadata;
  object.data = std::make_shared<const std::string>(std::move(body));
  std::string etag = object.info.etag;
  (*b)->objects[key] = std::move(object);
  (*b)->uploads.erase(it);
  return etag;
}

Status MemoryObjectClient::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id) {
  Count("AbortMultipartUpload");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  auto it = (*b)->uploads.find(upload_id);
  if (it == (*b)->uploads.end() || it->second.key != key) return NoSuchUpload(upload_id);
  (*b)->uploads.erase(it);
  return Status::Ok();
}

Result<std::vector<MultipartUploadInfo>> MemoryObjectClient::ListMultipartUploads(const std::string& bucket,
                                                                                  const std::string& prefix) {
  Count("ListMultipartUploads");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  std::vector<MultipartUploadInfo> out;
  for (const auto& [id, upload] : (*b)->uploads) {
    if (upload.key.compare(0, prefix.size(), prefix) == 0) out.push_back({upload.key, id, upload.initiated});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& c) { return a.key < c.key; });
  return out;
}

Result<std::string> MemoryObjectClient::CopyObject(const CopyRequest& request) {
  Count("CopyObject");
  std::lock_guard lock(mu_);
  auto src = FindBucket(request.src_bucket);
  if (!src.ok()) return src.status();
  auto obj = (*src)->objects.find(request.src_key);
  if (obj == (*src)->objects.end()) return NoSuchKey(request.src_key);
  if (!request.src_if_match.empty() && request.src_if_match != obj->second.info.etag) {
    return S3Error(Code::kFailedPrecondition, 412, "PreconditionFailed", "copy source ETag does not match");
  }
  if (obj->second.data->size() > kMaxSingleCopySize) {
    return S3Error(Code::kInvalidArgument, 400, "InvalidRequest",
                   "The specified copy source is larger than the maximum allowable size for a copy source");
  }
  auto dst = FindBucket(request.dst_bucket);
  if (!dst.ok()) return dst.status();
  bool same = request.src_bucket == request.dst_bucket && request.src_key == request.dst_key;
  if (same && request.directive == MetadataDirective::kCopy) {
    return S3Error(Code::kInvalidArgument, 400, "InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to itself without "
                   "changing the object's metadata");
  }
  Object copy = obj->second;
  copy.info.last_modified = std::time(nullptr);
  if (request.directive == MetadataDirective::kReplace) {
    copy.info.metadata = request.options.metadata;
    copy.info.content_type =
        request.options.content_type.empty() ? "application/octet-stream" : request.options.content_type;
  }
  // A copied multipart object keeps its content but gets a plain MD5 ETag, as S3 does for single copies.
  copy.info.etag = HexEncode(Md5Raw(*copy.data));
  std::string etag = copy.info.etag;
  (*dst)->objects[request.dst_key] = std::move(copy);
  return etag;
}

Status MemoryObjectClient::DeleteObject(const std::string& bucket, const std::string& key) {
  Count("DeleteObject");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  (*b)->objects.erase(key);
  return Status::Ok();
}

Result<std::vector<DeleteError>> MemoryObjectClient::DeleteObjects(const std::string& bucket,
                                                                   const std::vector<std::string>& keys) {
  Count("DeleteObjects");
  if (keys.size() > 1000) {
    return S3Error(Code::kInvalidArgument, 400, "MalformedXML", "DeleteObjects takes at most 1000 keys");
  }
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  for (const auto& key : keys) (*b)->objects.erase(key);
  return std::vector<DeleteError>{};
}

Result<ListPage> MemoryObjectClient::ListObjects(const std::string& bucket, const ListRequest& request) {
  Count("ListObjects");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  const auto& objects = (*b)->objects;
  // The continuation token is the last key or common prefix returned; both list after it.
  std::string after = request.continuation_token.empty() ? request.start_after : request.continuation_token;
  int max_keys = request.max_keys <= 0 ? 1000 : std::min(request.max_keys, 1000);
  ListPage page;
  auto it = after.empty() ? objects.lower_bound(request.prefix) : objects.upper_bound(after);
  if (!request.delimiter.empty() && after.size() >= request.delimiter.size() &&
      after.compare(after.size() - request.delimiter.size(), std::string::npos, request.delimiter) == 0) {
    // Resuming after a common prefix: none of the keys under it may be listed again.
    while (it != objects.end() && it->first.compare(0, after.size(), after) == 0) ++it;
  }
  int returned = 0;
  std::string last;
  while (it != objects.end()) {
    const std::string& key = it->first;
    if (key.compare(0, request.prefix.size(), request.prefix) != 0) {
      if (key > request.prefix) break;
      ++it;
      continue;
    }
    if (returned == max_keys) {
      page.truncated = true;
      page.next_continuation_token = last;
      break;
    }
    if (!request.delimiter.empty()) {
      size_t pos = key.find(request.delimiter, request.prefix.size());
      if (pos != std::string::npos) {
        std::string common = key.substr(0, pos + request.delimiter.size());
        page.common_prefixes.push_back(common);
        ++returned;
        last = common;
        // Skip every key under this common prefix: the next candidate sorts after all of them.
        it = objects.lower_bound(common);
        while (it != objects.end() && it->first.compare(0, common.size(), common) == 0) ++it;
        continue;
      }
    }
    page.objects.push_back({key, it->second.data->size(), it->second.info.etag, it->second.info.last_modified});
    ++returned;
    last = key;
    ++it;
  }
  return page;
}

Status MemoryObjectClient::CreateBucket(const std::string& bucket) {
  Count("CreateBucket");
  std::lock_guard lock(mu_);
  if (buckets_.count(bucket) != 0) {
    return S3Error(Code::kAlreadyExists, 409, "BucketAlreadyOwnedByYou",
                   "Your previous request to create the named bucket succeeded and you already own it");
  }
  buckets_.emplace(bucket, std::make_unique<Bucket>());
  return Status::Ok();
}

Status MemoryObjectClient::DeleteBucket(const std::string& bucket) {
  Count("DeleteBucket");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  if (!(*b)->objects.empty()) {
    return S3Error(Code::kFailedPrecondition, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
  }
  buckets_.erase(bucket);
  return Status::Ok();
}

Status MemoryObjectClient::HeadBucket(const std::string& bucket) {
  Count("HeadBucket");
  std::lock_guard lock(mu_);
  return FindBucket(bucket).status();
}

Result<Tags> MemoryObjectClient::GetBucketTagging(const std::string& bucket) {
  Count("GetBucketTagging");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  if ((*b)->tags.empty()) return S3Error(Code::kNotFound, 404, "NoSuchTagSet", "The TagSet does not exist");
  return (*b)->tags;
}

Status MemoryObjectClient::PutBucketTagging(const std::string& bucket, const Tags& tags) {
  Count("PutBucketTagging");
  std::lock_guard lock(mu_);
  auto b = FindBucket(bucket);
  if (!b.ok()) return b.status();
  (*b)->tags = tags;
  return Status::Ok();
}

}  // namespace objfs::s3
