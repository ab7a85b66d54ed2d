// ObjectClient: the typed S3 operations objfs uses, and nothing about files.
//
// Implementations:
//   - CurlObjectClient (s3/curl_client.h): real S3 over HTTP(S) with SigV4,
//     connection reuse, retries with capped exponential backoff and jitter.
//   - MemoryObjectClient (s3/memory_client.h): an in-memory store with S3
//     semantics (ETags, pagination, delimiters, multipart) for unit tests.
//   - FaultInjectingClient (s3/fault_client.h): wraps another client and fails
//     chosen operations, for testing error paths.
//
// Ownership: callers own every buffer they pass in; a client never keeps a
// pointer to caller memory after a call returns.
//
// Thread-safety: every ObjectClient method may be called concurrently from any
// number of threads. Parallelism (dozens of range GETs or part uploads in
// flight) comes from callers issuing calls on several threads; implementations
// pool connections so those calls reuse them.
//
// Errors: every call returns a Status/Result. S3 errors keep their S3 code
// ("NoSuchKey", "NoSuchBucket", "SlowDown", ...), HTTP status and request id.
// NoSuchKey and NoSuchBucket are Code::kNotFound; tell them apart with
// s3_code() or IsNoSuchKey()/IsNoSuchBucket().
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace objfs::s3 {

// User metadata: keys are lower-case without the "x-amz-meta-" prefix.
using Metadata = std::map<std::string, std::string>;
using Tags = std::map<std::string, std::string>;

// A byte range [offset, offset + length). length > 0.
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// What HEAD (and GET) report about an object.
struct ObjectInfo {
  uint64_t size = 0;            // whole object size, also for ranged GETs
  std::string etag;             // with its quotes stripped
  std::time_t last_modified = 0;  // seconds since the epoch, UTC
  std::string content_type;
  Metadata metadata;
};

// One entry of a listing page.
struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // quotes stripped
  std::time_t last_modified = 0;
};

struct ListRequest {
  std::string prefix;
  std::string delimiter;           // usually "/" or empty
  std::string continuation_token;  // from the previous page's next_continuation_token
  std::string start_after;
  int max_keys = 1000;
};

struct ListPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;  // full prefixes including the delimiter
  bool truncated = false;
  std::string next_continuation_token;       // empty when !truncated
};

// The body of a PutObject or UploadPart: bytes in memory, or a range of an
// open file descriptor (read with pread, so the fd's offset is untouched).
struct Body {
  static Body FromMemory(std::string_view data) {
    Body b;
    b.data = data;
    b.length = data.size();
    return b;
  }
  static Body FromFile(int fd, uint64_t offset, uint64_t length) {
    Body b;
    b.fd = fd;
    b.offset = offset;
    b.length = length;
    return b;
  }
  std::string_view data;  // used when fd < 0
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct PutOptions {
  std::string content_type;  // empty: application/octet-stream
  Metadata metadata;
  // "*" makes the write fail with kFailedPrecondition when the key exists
  // (where the store supports conditional writes).
  std::string if_none_match;
};

struct PutResult {
  std::string etag;
};

struct GetRequest {
  std::string bucket;
  std::string key;
  std::optional<ByteRange> range;  // absent: the whole object
  std::string if_match;            // an ETag; mismatch fails with kFailedPrecondition
};

// Receives the body of a GET in order, chunk by chunk. Returning a non-OK
// Status aborts the transfer and GetObject returns that Status.
using DataSink = std::function<Status(std::string_view chunk)>;

struct CompletedPart {
  int part_number = 0;
  std::string etag;
};

struct MultipartUploadInfo {
  std::string key;
  std::string upload_id;
  std::time_t initiated = 0;
};

enum class MetadataDirective { kCopy, kReplace };

struct CopyRequest {
  std::string src_bucket;
  std::string src_key;
  std::string dst_bucket;
  std::string dst_key;
  MetadataDirective directive = MetadataDirective::kCopy;
  PutOptions options;         // used with kReplace
  std::string src_if_match;   // copy only if the source still has this ETag
};

struct DeleteError {
  std::string key;
  std::string code;
  std::string message;
};

class ObjectClient {
 public:
  virtual ~ObjectClient() = default;

  virtual Result<ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) = 0;

  // Streams the (range of the) object into `sink`. A range that starts past the
  // end fails with kOutOfRange; one that runs past the end is cut short.
  virtual Result<ObjectInfo> GetObject(const GetRequest& request, const DataSink& sink) = 0;

  virtual Result<PutResult> PutObject(const std::string& bucket, const std::string& key, const Body& body,
                                      const PutOptions& options) = 0;

  // Returns the upload id.
  virtual Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                    const PutOptions& options) = 0;
  // Returns the part's ETag. part_number is 1..10000.
  virtual Result<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number, const Body& body) = 0;
  // Copies a range of another object into a part. Returns the part's ETag.
  virtual Result<std::string> UploadPartCopy(const std::string& bucket, const std::string& key,
                                             const std::string& upload_id, int part_number,
                                             const std::string& src_bucket, const std::string& src_key,
                                             std::optional<ByteRange> src_range,
                                             const std::string& src_if_match) = 0;
  // Returns the ETag of the assembled object.
  virtual Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<CompletedPart>& parts) = 0;
  virtual Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) = 0;
  virtual Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(const std::string& bucket,
                                                                        const std::string& prefix) = 0;

  // Single-request server-side copy (objects up to 5 GiB). Returns the new ETag.
  virtual Result<std::string> CopyObject(const CopyRequest& request) = 0;

  // Deleting a key that does not exist succeeds, as in S3.
  virtual Status DeleteObject(const std::string& bucket, const std::string& key) = 0;
  // Deletes up to 1000 keys in one request; returns the keys that failed.
  virtual Result<std::vector<DeleteError>> DeleteObjects(const std::string& bucket,
                                                         const std::vector<std::string>& keys) = 0;

  virtual Result<ListPage> ListObjects(const std::string& bucket, const ListRequest& request) = 0;

  virtual Status CreateBucket(const std::string& bucket) = 0;
  virtual Status DeleteBucket(const std::string& bucket) = 0;
  virtual Status HeadBucket(const std::string& bucket) = 0;
  virtual Result<Tags> GetBucketTagging(const std::string& bucket) = 0;
  virtual Status PutBucketTagging(const std::string& bucket, const Tags& tags) = 0;

  // Convenience over GetObject: reads up to out.size() bytes at `offset` into
  // `out`; returns the number of bytes read (short only at end of object).
  Result<uint64_t> GetObjectRange(const std::string& bucket, const std::string& key, uint64_t offset,
                                  std::span<char> out, const std::string& if_match = {});
};

bool IsNoSuchKey(const Status& status);
bool IsNoSuchBucket(const Status& status);

// S3 limits that callers plan around.
inline constexpr uint64_t kMinPartSize = 5ull << 20;          // all parts but the last
inline constexpr uint64_t kMaxPartSize = 5ull << 30;
inline constexpr int kMaxParts = 10000;
inline constexpr uint64_t kMaxSingleCopySize = 5ull << 30;     // CopyObject limit
inline constexpr uint64_t kMaxObjectSize = 5ull << 40;

}  // namespace objfs::s3
