// S3 XML: parsers for response bodies and builders for request bodies, over
// pugixml. Pure functions: no network, no state.
//
// Parsers return Result<...>: kInternal with a clear message for XML that does
// not parse or lacks its root element. A body whose root is <Error> (S3 sends
// those with HTTP 200 for CompleteMultipartUpload and copies) comes back as the
// error Status StatusFromHttp would give for it. ETags are returned without
// their quotes.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "s3/object_client.h"

namespace objfs::s3 {

// The fields of an S3 <Error> body.
struct S3ErrorInfo {
  std::string code;        // "NoSuchKey"
  std::string message;
  std::string request_id;
  std::string resource;
};

// ListObjectsV2 (list-type=2). With <EncodingType>url</EncodingType> keys,
// prefixes and StartAfter are URL-decoded.
Result<ListPage> ParseListObjectsV2(std::string_view xml);
// ListObjects (v1). When truncated, next_continuation_token is NextMarker, or
// the greatest of the last key and the last common prefix when S3 omits it
// (pass it back as `marker`).
Result<ListPage> ParseListObjectsV1(std::string_view xml);

Result<S3ErrorInfo> ParseError(std::string_view xml);

// InitiateMultipartUploadResult -> UploadId.
Result<std::string> ParseInitiateMultipartUpload(std::string_view xml);
// CompleteMultipartUploadResult -> ETag. An <Error> body is an error.
Result<std::string> ParseCompleteMultipartUpload(std::string_view xml);
// CopyObjectResult or CopyPartResult -> ETag. An <Error> body is an error.
Result<std::string> ParseCopyResult(std::string_view xml);

struct MultipartUploadsPage {
  std::vector<MultipartUploadInfo> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};
// ListMultipartUploadsResult.
Result<MultipartUploadsPage> ParseListMultipartUploadsPage(std::string_view xml);
// The uploads only (one page).
Result<std::vector<MultipartUploadInfo>> ParseListMultipartUploads(std::string_view xml);

// DeleteResult -> the keys that failed.
Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view xml);

// Tagging -> tags.
Result<Tags> ParseTagging(std::string_view xml);

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts);
std::string BuildDeleteObjects(const std::vector<std::string>& keys, bool quiet);
std::string BuildTagging(const Tags& tags);
// "" for us-east-1 (and for ""), else a CreateBucketConfiguration with the
// LocationConstraint.
std::string BuildCreateBucketConfiguration(const std::string& region);

// Escapes & < > " ' for XML text and attributes.
std::string XmlEscape(std::string_view text);

// Removes one pair of surrounding double quotes (also &quot; already decoded).
std::string StripEtagQuotes(std::string_view etag);

// "2009-10-12T17:50:30.000Z" (fraction and 'Z' optional, +hh:mm offsets
// honoured) -> seconds since the epoch. 0 when it does not parse.
std::time_t ParseIso8601(std::string_view text);
// RFC 1123 "Wed, 12 Oct 2009 17:50:00 GMT" (also RFC 850 and asctime forms)
// -> seconds since the epoch. 0 when it does not parse.
std::time_t ParseHttpDate(std::string_view text);

}  // namespace objfs::s3
