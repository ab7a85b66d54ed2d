// CurlObjectClient: the real ObjectClient, speaking the S3 REST API over
// libcurl (AWS S3, MinIO, Ceph RGW, s3rver).
//
// Requests run on the calling thread over a pooled easy handle (see
// s3/curl_handles.h for why a pool of easy handles sharing one connection
// cache rather than a CURLM loop); callers get parallelism by calling from
// several threads, up to ClientConfig::max_connections in flight.
//
// Signing: SigV4 header form (s3/sigv4.h) with fresh credentials from the
// provider on every attempt; anonymous (unsigned) when there is no provider or
// it yields empty credentials. Object bodies (PutObject, UploadPart) are sent
// with x-amz-content-sha256: UNSIGNED-PAYLOAD plus Content-MD5: one MD5 pass
// over the body gives the store an integrity check it enforces (BadDigest) and
// gives us the ETag to expect, instead of a second full SHA-256 pass. Small XML
// bodies (CompleteMultipartUpload, DeleteObjects, tagging, bucket
// configuration) are signed with their SHA-256 and also carry Content-MD5.
//
// Integrity: the ETag of a PutObject or UploadPart must equal the hex MD5 of
// what we sent, else kDataLoss — except when the store reports SSE-KMS or
// SSE-C encryption, whose ETags are not MD5s. ClientConfig::body_checksum
// chooses whether that MD5 is computed before sending (and sent as
// Content-MD5, the default) or while sending (see BodyChecksum). GETs must
// deliver exactly the announced length (a short body is a retryable failure).
//
// Retries (RetryPolicy from ClientConfig::retry): connection failures, stalls,
// timeouts, 5xx, 429, SlowDown, RequestTimeout, InternalError, with capped
// exponential backoff and full jitter. A GET that already handed bytes to the
// sink resumes after the last delivered byte with If-Match pinned to the ETag
// first seen (the sink never sees a byte twice); if the object changed in
// between, the GET fails with kAborted. Bodies from file descriptors are
// re-read with pread on each attempt. A sink's own error is never retried.
//
// Errors: S3 <Error> bodies become Status values through StatusFromHttp with
// HTTP status, S3 code, request id and the retryable flag; HEAD answers have
// no body, so a 404 there becomes kNotFound with s3 code NoSuchKey (objects)
// or NoSuchBucket (HeadBucket). Messages name the operation, bucket and key,
// and for connection failures the endpoint host:port; never credentials.
//
// Metadata: keys must be lower-case HTTP token characters; values must be
// printable ASCII (0x20-0x7e) without leading or trailing blanks, otherwise the
// write fails with kInvalidArgument (nothing is silently altered).
//
// Listing: ListObjectsV2 (encoding-type=url); falls back to ListObjects v1 for
// the rest of the client's life when the store answers list-type=2 with
// NotImplemented or answers it as v1 (ClientConfig::list_v1 forces v1).
//
// Thread-safety: all methods may be called concurrently from any thread.
// Members are const after construction except the pool (internally locked),
// use_list_v1_ (atomic) and rng_ (guarded by rng_mu_).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "s3/client_config.h"
#include "s3/curl_transport.h"
#include "s3/endpoint.h"
#include "s3/object_client.h"
#include "s3/retry_policy.h"

namespace objfs::s3 {

class CurlObjectClient final : public ObjectClient {
 public:
  // Validates `config` (endpoint URL, region, limits): kInvalidArgument with a
  // message naming the bad field.
  static Result<std::unique_ptr<CurlObjectClient>> Create(const ClientConfig& config);

  CurlObjectClient(const CurlObjectClient&) = delete;
  CurlObjectClient& operator=(const CurlObjectClient&) = delete;
  ~CurlObjectClient() override;

  Result<ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) override;
  Result<ObjectInfo> GetObject(const GetRequest& request, const DataSink& sink) override;
  Result<PutResult> PutObject(const std::string& bucket, const std::string& key, const Body& body,
                              const PutOptions& options) override;
  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                            const PutOptions& options) override;
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, const Body& body) override;
  Result<std::string> UploadPartCopy(const std::string& bucket, const std::string& key,
                                     const std::string& upload_id, int part_number, const std::string& src_bucket,
                                     const std::string& src_key, std::optional<ByteRange> src_range,
                                     const std::string& src_if_match) override;
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id,
                                              const std::vector<CompletedPart>& parts) override;
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id) override;
  Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(const std::string& bucket,
                                                                const std::string& prefix) override;
  Result<std::string> CopyObject(const CopyRequest& request) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Result<std::vector<DeleteError>> DeleteObjects(const std::string& bucket,
                                                 const std::vector<std::string>& keys) override;
  Result<ListPage> ListObjects(const std::string& bucket, const ListRequest& request) override;
  Status CreateBucket(const std::string& bucket) override;
  Status DeleteBucket(const std::string& bucket) override;
  Status HeadBucket(const std::string& bucket) override;
  Result<Tags> GetBucketTagging(const std::string& bucket) override;
  Status PutBucketTagging(const std::string& bucket, const Tags& tags) override;

  // The endpoint requests go to (after defaulting to AWS for the region).
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  // What a 404 without an <Error> body means for a request.
  enum class Missing { kKey, kBucket, kUpload };

  // One S3 request, before signing.
  struct S3Request {
    S3Request(const char* op, std::string verb, std::string bucket_name, std::string object_key = "",
              const Body* request_body = nullptr)
        : operation(op),
          method(std::move(verb)),
          bucket(std::move(bucket_name)),
          key(std::move(object_key)),
          body(request_body) {}

    const char* operation = "";  // for messages: "PutObject"
    std::string method;
    std::string bucket;
    std::string key;
    QueryParams query;
    HeaderList headers;          // extra headers; all are signed
    const Body* body = nullptr;  // null: no body
    Md5Hasher* body_md5 = nullptr;  // see HttpRequest::body_md5
    std::string payload_hash;    // empty: UNSIGNED-PAYLOAD
    Missing missing = Missing::kKey;
  };

  CurlObjectClient(const ClientConfig& config, Endpoint endpoint);

  // One attempt: signs, sends, and turns a non-2xx answer into a Status.
  Status Attempt(const S3Request& request, const ResponseSink* sink, HttpResponse* response);
  // Attempt() under the retry policy. `response` holds the last answer.
  Status Execute(const S3Request& request, HttpResponse* response);
  // Runs `attempt` until it succeeds, fails for good, or the policy gives up.
  // `attempt` sets *give_up to stop retrying regardless of the Status.
  Status RetryLoop(const std::string& what, const std::function<Status(bool* give_up)>& attempt);

  // Sends a PutObject/UploadPart request with its body checked as
  // ClientConfig::body_checksum says; *md5_hex gets the body's MD5.
  Status SendObjectBody(S3Request& request, const Body& body, std::string* md5_hex, HttpResponse* response);

  Status ErrorFromResponse(const S3Request& request, const HttpResponse& response) const;
  Result<ListPage> ListV1(const std::string& bucket, const ListRequest& request);
  uint64_t RandomBits();

  const ClientConfig config_;
  const Endpoint endpoint_;
  const RetryPolicy retry_;
  CurlTransport transport_;
  std::atomic<bool> use_list_v1_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // guarded by rng_mu_
};

// Builds a CurlObjectClient from `config` (see CurlObjectClient::Create).
Result<std::unique_ptr<ObjectClient>> MakeCurlClient(const ClientConfig& config);

}  // namespace objfs::s3
