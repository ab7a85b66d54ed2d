#include "s3/curl_request_util.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

#include "s3/endpoint.h"
#include "s3/hash.h"
#include "s3/s3_xml.h"

namespace objfs::s3 {
namespace {

constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kDigestChunk = 1 << 20;

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// Printable ASCII, no leading/trailing blanks: what survives an HTTP header
// and its SigV4 canonical form unchanged.
Status CheckHeaderValue(const std::string& what, const std::string& value) {
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c > 0x7e) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      return Status(Code::kInvalidArgument, what + " has byte " + hex + " at position " + std::to_string(i) +
                                                "; only printable ASCII (0x20-0x7e) can travel in an HTTP header, "
                                                "so encode the value first");
    }
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) {
    return Status(Code::kInvalidArgument,
                  what + " starts or ends with a blank, which HTTP would strip; trim or encode it first");
  }
  return Status::Ok();
}

uint64_t ParseUint(std::string_view text) {
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string DescribeRequest(const std::string& operation, const std::string& bucket, const std::string& key) {
  std::string out = operation;
  out += ' ';
  out += bucket;
  if (!key.empty()) {
    out += '/';
    out += key;
  }
  return out;
}

Status ValidateBucketName(const std::string& operation, const std::string& bucket) {
  if (bucket.empty()) return Status(Code::kInvalidArgument, operation + ": empty bucket name");
  if (bucket.find('/') != std::string::npos) {
    return Status(Code::kInvalidArgument, operation + ": bucket name \"" + bucket + "\" contains '/'");
  }
  return Status::Ok();
}

Status ValidateObjectName(const std::string& operation, const std::string& bucket, const std::string& key) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName(operation, bucket));
  if (key.empty()) return Status(Code::kInvalidArgument, operation + " " + bucket + ": empty object key");
  if (key.size() > kMaxKeyBytes) {
    return Status(Code::kInvalidArgument, operation + " " + bucket + ": key of " + std::to_string(key.size()) +
                                              " bytes is longer than S3's 1024");
  }
  return Status::Ok();
}

Status ValidatePart(const std::string& operation, const std::string& upload_id, int part_number) {
  if (upload_id.empty()) return Status(Code::kInvalidArgument, operation + ": empty upload id");
  if (part_number < 1 || part_number > kMaxParts) {
    return Status(Code::kInvalidArgument,
                  operation + ": part number " + std::to_string(part_number) + " is outside 1..10000");
  }
  return Status::Ok();
}

Status ValidatePutOptions(const PutOptions& options) {
  for (const auto& [key, value] : options.metadata) {
    if (key.empty()) return Status(Code::kInvalidArgument, "empty metadata key");
    for (char c : key) {
      if (!IsTokenChar(c) || (c >= 'A' && c <= 'Z')) {
        return Status(Code::kInvalidArgument, "metadata key \"" + key +
                                                  "\" must consist of lower-case HTTP token characters");
      }
    }
    OBJFS_RETURN_IF_ERROR(CheckHeaderValue("metadata value of \"" + key + "\"", value));
  }
  OBJFS_RETURN_IF_ERROR(CheckHeaderValue("content type", options.content_type));
  OBJFS_RETURN_IF_ERROR(CheckHeaderValue("If-None-Match", options.if_none_match));
  return Status::Ok();
}

void AddPutHeaders(const PutOptions& options, HeaderList* headers) {
  headers->emplace_back("Content-Type",
                        options.content_type.empty() ? "application/octet-stream" : options.content_type);
  for (const auto& [key, value] : options.metadata) headers->emplace_back("x-amz-meta-" + key, value);
}

std::string AddXmlBodyHeaders(const std::string& xml, HeaderList* headers) {
  headers->emplace_back("Content-Type", "application/xml");
  headers->emplace_back("Content-MD5", Md5Base64(xml));
  return Sha256Hex(xml);
}

Result<BodyDigest> DigestBody(const Body& body) {
  Md5Hasher md5;
  if (body.fd < 0) {
    if (body.length > body.data.size()) {
      return Status(Code::kInvalidArgument, "body length " + std::to_string(body.length) +
                                                " exceeds its " + std::to_string(body.data.size()) + " bytes");
    }
    md5.Update(body.data.substr(0, body.length));
  } else {
    std::vector<char> buffer(static_cast<size_t>(std::min<uint64_t>(kDigestChunk, body.length)));
    uint64_t done = 0;
    while (done < body.length) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), body.length - done));
      ssize_t got = pread(body.fd, buffer.data(), want, static_cast<off_t>(body.offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        int err = errno;
        return Status(Code::kInternal, std::string("reading the body's file: ") + std::strerror(err))
            .WithErrno(err);
      }
      if (got == 0) {
        return Status(Code::kDataLoss, "the body's file ends " + std::to_string(body.length - done) +
                                           " bytes before the body's length");
      }
      md5.Update(std::string_view(buffer.data(), static_cast<size_t>(got)));
      done += static_cast<uint64_t>(got);
    }
  }
  std::string raw = md5.FinishRaw();
  return BodyDigest{Base64Encode(raw), HexEncode(raw)};
}

Status CheckUploadEtag(const HttpResponse& response, const std::string& md5_hex, const std::string& what) {
  std::string etag = Lower(StripEtagQuotes(response.Header("etag")));
  if (etag == md5_hex) return Status::Ok();
  // With SSE-KMS and SSE-C the ETag is not the MD5 of the data; the store
  // already checked Content-MD5.
  if (response.Header("x-amz-server-side-encryption").starts_with("aws:kms") ||
      !response.Header("x-amz-server-side-encryption-customer-algorithm").empty()) {
    return Status::Ok();
  }
  if (etag.empty()) return Status(Code::kDataLoss, what + ": the store answered without an ETag");
  return Status(Code::kDataLoss,
                what + ": the store's ETag " + etag + " is not the MD5 of the bytes sent (" + md5_hex + ")");
}

ObjectInfo InfoFromHeaders(const HttpResponse& response) {
  ObjectInfo info;
  info.etag = StripEtagQuotes(response.Header("etag"));
  info.last_modified = ParseHttpDate(response.Header("last-modified"));
  info.content_type = response.Header("content-type");
  const std::string& content_range = response.Header("content-range");  // "bytes 0-9/100"
  size_t slash = content_range.rfind('/');
  if (slash != std::string::npos && content_range.compare(slash + 1, std::string::npos, "*") != 0) {
    info.size = ParseUint(std::string_view(content_range).substr(slash + 1));
  } else {
    info.size = ParseUint(response.Header("content-length"));
  }
  static constexpr std::string_view kMetaPrefix = "x-amz-meta-";
  for (const auto& [name, value] : response.headers) {
    if (name.size() > kMetaPrefix.size() && name.starts_with(kMetaPrefix)) {
      info.metadata[name.substr(kMetaPrefix.size())] = value;
    }
  }
  return info;
}

uint64_t RangeStart(const HttpResponse& response) {
  std::string_view range = response.Header("content-range");
  if (!range.starts_with("bytes ")) return UINT64_MAX;
  range.remove_prefix(6);
  uint64_t start = 0;
  auto [end, error] = std::from_chars(range.data(), range.data() + range.size(), start);
  if (error != std::errc() || end == range.data() || end == range.data() + range.size() || *end != '-') {
    return UINT64_MAX;
  }
  return start;
}

std::string CopySource(const std::string& bucket, const std::string& key) {
  return "/" + bucket + "/" + UriEncode(key, /*encode_slash=*/false);
}

}  // namespace objfs::s3
