// Helpers CurlObjectClient uses to build S3 requests and read S3 responses:
// argument validation, request headers for writes, body digests, ETag checks,
// and ObjectInfo from response headers. Kept apart from the client so the
// client file holds the operations only.
//
// Thread-safety: pure functions (DigestBody reads the body's fd with pread,
// which leaves the fd's offset alone); safe from any thread.
#pragma once

#include <string>

#include "base/status.h"
#include "s3/curl_transport.h"
#include "s3/object_client.h"

namespace objfs::s3 {

// "PutObject bucket/key" (or "ListObjects bucket") for messages.
std::string DescribeRequest(const std::string& operation, const std::string& bucket, const std::string& key);

// kInvalidArgument for an empty bucket, an empty key, or a key over 1024 bytes.
Status ValidateObjectName(const std::string& operation, const std::string& bucket, const std::string& key);
Status ValidateBucketName(const std::string& operation, const std::string& bucket);
// kInvalidArgument for an empty upload id or a part number outside 1..10000.
Status ValidatePart(const std::string& operation, const std::string& upload_id, int part_number);

// Metadata keys: lower-case HTTP token characters. Metadata values, the
// content type and If-None-Match: printable ASCII without leading/trailing
// blanks. kInvalidArgument names the offending key and byte.
Status ValidatePutOptions(const PutOptions& options);

// Content-Type (default application/octet-stream) and x-amz-meta-* headers.
void AddPutHeaders(const PutOptions& options, HeaderList* headers);

// Content-Type and Content-MD5 for a small XML request body; returns the hex
// SHA-256 of the body, to sign it with.
std::string AddXmlBodyHeaders(const std::string& xml, HeaderList* headers);

struct BodyDigest {
  std::string md5_base64;  // the Content-MD5 value
  std::string md5_hex;     // the ETag a plain PUT or part should get back
};
// MD5 of the body (memory, or the file range read with pread in 1 MiB steps).
// kDataLoss when the file ends before the body's length.
Result<BodyDigest> DigestBody(const Body& body);

// OK when the response's ETag is `md5_hex` (or the store reports SSE-KMS /
// SSE-C, whose ETags are not MD5s); kDataLoss otherwise.
Status CheckUploadEtag(const HttpResponse& response, const std::string& md5_hex, const std::string& what);

// Size (Content-Range total, else Content-Length), ETag, Last-Modified,
// Content-Type and x-amz-meta-* of a HEAD or GET answer.
ObjectInfo InfoFromHeaders(const HttpResponse& response);

// The first byte of a 206 answer's Content-Range ("bytes 100-199/1000" -> 100);
// UINT64_MAX when the header is missing or malformed.
uint64_t RangeStart(const HttpResponse& response);

// The x-amz-copy-source value: "/bucket/key" with the key URI-encoded.
std::string CopySource(const std::string& bucket, const std::string& key);

}  // namespace objfs::s3
