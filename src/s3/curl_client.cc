#include "s3/curl_client.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

#include "base/log.h"
#include "s3/curl_request_util.h"
#include "s3/hash.h"
#include "s3/s3_xml.h"
#include "s3/sigv4.h"

namespace objfs::s3 {
namespace {

// " [bytes=a-b]" for a ranged request, for the trace log.
template <typename Headers>
std::string TraceRange(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "Range") return " [" + value + "]";
  }
  return "";
}

constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

#ifndef OBJFS_VERSION
#define OBJFS_VERSION "dev"
#endif

std::string DefaultS3Code(int http_status, bool missing_bucket, bool missing_upload) {
  switch (http_status) {
    case 400: return "BadRequest";
    case 403: return "AccessDenied";
    case 404: return missing_bucket ? "NoSuchBucket" : (missing_upload ? "NoSuchUpload" : "NoSuchKey");
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 412: return "PreconditionFailed";
    case 416: return "InvalidRange";
    case 429: return "SlowDown";
    case 500: return "InternalError";
    case 501: return "NotImplemented";
    case 503: return "ServiceUnavailable";
    default: return "";
  }
}

// "host:port" with the port always present, for error messages.
std::string PeerName(const Endpoint& endpoint) {
  std::string host = endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]" : endpoint.host;
  return host + ":" + std::to_string(endpoint.port);
}

// The endpoint URL for messages, without any user:password@ part.
std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos && (slash == std::string::npos || at < slash)) {
    return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
  }
  return url;
}

}  // namespace

Result<std::unique_ptr<CurlObjectClient>> CurlObjectClient::Create(const ClientConfig& config) {
  Endpoint endpoint;
  if (config.endpoint.empty()) {
    endpoint = AwsEndpointForRegion(config.region);
  } else {
    Result<Endpoint> parsed = ParseEndpoint(config.endpoint);
    if (!parsed.ok()) {
      return Status(Code::kInvalidArgument, "endpoint \"" + RedactUrl(config.endpoint) +
                                                "\" is not a valid http(s) URL: " + parsed.status().message());
    }
    endpoint = *parsed;
  }
  for (char c : config.region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status(Code::kInvalidArgument, "region \"" + config.region + "\" has characters other than a-z 0-9 -");
    }
  }
  if (config.max_connections < 1) {
    return Status(Code::kInvalidArgument, "max_connections must be at least 1");
  }
  if (config.retry.max_attempts < 1) {
    return Status(Code::kInvalidArgument, "retry.max_attempts must be at least 1");
  }
  if (config.connect_timeout.count() <= 0) {
    return Status(Code::kInvalidArgument, "connect_timeout must be positive");
  }
  if (config.low_speed_seconds < 0) {
    return Status(Code::kInvalidArgument, "low_speed_seconds must not be negative");
  }
  if (!config.ca_bundle.empty() && access(config.ca_bundle.c_str(), R_OK) != 0) {
    int err = errno;
    return Status(Code::kInvalidArgument,
                  "ca_bundle \"" + config.ca_bundle + "\" cannot be read: " + std::strerror(err));
  }
  std::unique_ptr<CurlObjectClient> client(new CurlObjectClient(config, std::move(endpoint)));
  if (!client->transport_.ok()) {
    return Status(Code::kResourceExhausted, "libcurl could not create its connection share");
  }
  return client;
}

Result<std::unique_ptr<ObjectClient>> MakeCurlClient(const ClientConfig& config) {
  Result<std::unique_ptr<CurlObjectClient>> client = CurlObjectClient::Create(config);
  if (!client.ok()) return client.status();
  return std::unique_ptr<ObjectClient>(std::move(client).value());
}

CurlObjectClient::CurlObjectClient(const ClientConfig& config, Endpoint endpoint)
    : config_(config),
      endpoint_(std::move(endpoint)),
      retry_(config.retry),
      transport_(TransportOptions{
          .peer = PeerName(endpoint_),
          .connect_timeout = config.connect_timeout,
          .low_speed_seconds = config.low_speed_seconds,
          .ca_bundle = config.ca_bundle,
          .verify_tls = config.verify_tls,
          .user_agent = config.user_agent.empty() ? std::string("objfs/") + OBJFS_VERSION : config.user_agent,
          .max_connections = config.max_connections,
      }),
      use_list_v1_(config.list_v1),
      rng_(std::random_device{}()) {}

CurlObjectClient::~CurlObjectClient() = default;

uint64_t CurlObjectClient::RandomBits() {
  std::lock_guard<std::mutex> lock(rng_mu_);
  return rng_();
}

Status CurlObjectClient::Attempt(const S3Request& request, const ResponseSink* sink, HttpResponse* response) {
  RequestTarget target = BuildRequestTarget(endpoint_, config_.addressing, request.bucket, request.key, request.query);
  HttpRequest http;
  http.method = request.method;
  http.url = std::move(target.url);
  http.body = request.body;
  http.body_md5 = request.body_md5;
  http.headers = request.headers;
  http.headers.emplace_back("Host", target.host_header);
  if (config_.credentials) {
    Result<Credentials> credentials = config_.credentials->Get();
    if (!credentials.ok()) {
      Status status = credentials.status();
      return status.Annotate(DescribeRequest(request.operation, request.bucket, request.key) + ": credentials");
    }
    if (!credentials->empty()) {
      std::string payload_hash = request.payload_hash.empty() ? kUnsignedPayload : request.payload_hash;
      http.headers.emplace_back("x-amz-content-sha256", payload_hash);
      SigningRequest signing{request.method, target.canonical_uri, target.canonical_query, http.headers,
                             payload_hash};
      SigningKeyMaterial key{credentials->access_key_id, credentials->secret_access_key,
                             credentials->session_token};
      SigningScope scope{config_.region.empty() ? "us-east-1" : config_.region, "s3", std::time(nullptr)};
      for (auto& header : SignV4(signing, key, scope)) http.headers.push_back(std::move(header));
    }
  }
  const auto started = std::chrono::steady_clock::now();
  Status status = transport_.Perform(http, sink, response);
  LOG_TRACE(request.method << " " << request.bucket << "/" << request.key << TraceRange(request.headers) << " -> "
                           << (status.ok() ? std::to_string(response->status) : status.ToString()) << " in "
                           << std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                      .count()
                           << " us");
  if (!status.ok()) return status;
  if (response->Ok()) return Status::Ok();
  return ErrorFromResponse(request, *response);
}

Status CurlObjectClient::ErrorFromResponse(const S3Request& request, const HttpResponse& response) const {
  S3ErrorInfo info;
  if (!response.body.empty()) {
    Result<S3ErrorInfo> parsed = ParseError(response.body);
    if (parsed.ok()) info = *parsed;
  }
  if (info.code.empty()) {
    info.code = DefaultS3Code(response.status, request.missing == Missing::kBucket,
                              request.missing == Missing::kUpload);
  }
  if (info.request_id.empty()) info.request_id = response.Header("x-amz-request-id");
  if (info.message.empty()) {
    info.message = "HTTP " + std::to_string(response.status) + (info.code.empty() ? "" : " " + info.code);
  }
  Status status = StatusFromHttp(response.status, info);
  if (status.ok()) {
    status = Status(Code::kInternal, "unexpected HTTP status " + std::to_string(response.status))
                 .WithHttp(response.status, info.code, info.request_id);
  }
  return status.Annotate(DescribeRequest(request.operation, request.bucket, request.key));
}

Status CurlObjectClient::RetryLoop(const std::string& what, const std::function<Status(bool* give_up)>& attempt) {
  for (int attempts = 1;; ++attempts) {
    bool give_up = false;
    Status status = attempt(&give_up);
    if (status.ok() || give_up || !retry_.ShouldRetry(status, attempts)) return status;
    std::chrono::milliseconds delay = retry_.Backoff(attempts, RandomBits());
    LOG_DEBUG(what << ": attempt " << attempts << " failed (" << status.ToString() << "); retrying in "
                   << delay.count() << " ms");
    std::this_thread::sleep_for(delay);
  }
}

Status CurlObjectClient::Execute(const S3Request& request, HttpResponse* response) {
  return RetryLoop(request.operation, [&](bool*) { return Attempt(request, nullptr, response); });
}

Status CurlObjectClient::SendObjectBody(S3Request& request, const Body& body, std::string* md5_hex,
                                        HttpResponse* response) {
  const std::string what = DescribeRequest(request.operation, request.bucket, request.key);
  if (config_.body_checksum == BodyChecksum::kContentMd5) {
    Result<BodyDigest> digest = DigestBody(body);
    if (!digest.ok()) return Status(digest.status()).Annotate(what);
    request.headers.emplace_back("Content-MD5", digest->md5_base64);
    *md5_hex = digest->md5_hex;
    return Execute(request, response);
  }
  if (body.fd < 0 && body.length > body.data.size()) {
    return Status(Code::kInvalidArgument, what + ": body length exceeds its data");
  }
  return RetryLoop(request.operation, [&](bool*) -> Status {
    Md5Hasher md5;  // fresh for every attempt: each one sends the whole body
    request.body_md5 = &md5;
    Status status = Attempt(request, nullptr, response);
    request.body_md5 = nullptr;
    if (!status.ok()) return status;
    if (response->body_md5_valid) {
      *md5_hex = HexEncode(md5.FinishRaw());
      return Status::Ok();
    }
    // curl re-sent part of the body: hash it again from the source.
    Result<BodyDigest> digest = DigestBody(body);
    if (!digest.ok()) return Status(digest.status()).Annotate(what);
    *md5_hex = digest->md5_hex;
    return Status::Ok();
  });
}

Result<ObjectInfo> CurlObjectClient::HeadObject(const std::string& bucket, const std::string& key) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("HeadObject", bucket, key));
  S3Request request("HeadObject", "HEAD", bucket, key);
  HttpResponse response;
  OBJFS_RETURN_IF_ERROR(Execute(request, &response));
  return InfoFromHeaders(response);
}

Result<ObjectInfo> CurlObjectClient::GetObject(const GetRequest& get, const DataSink& sink) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("GetObject", get.bucket, get.key));
  if (get.range && get.range->length == 0) {
    return Status(Code::kInvalidArgument, DescribeRequest("GetObject", get.bucket, get.key) + ": empty range");
  }
  uint64_t delivered = 0;       // bytes handed to `sink` over all attempts
  std::optional<ObjectInfo> info;
  Status sink_status;

  Status status = RetryLoop("GetObject", [&](bool* give_up) -> Status {
    S3Request request("GetObject", "GET", get.bucket, get.key);
    // Where this attempt starts: after the bytes earlier attempts delivered.
    const uint64_t first = (get.range ? get.range->offset : 0) + delivered;
    const bool ranged = get.range.has_value() || delivered > 0;
    if (delivered > 0 && info) {
      // A failure after the last byte arrived (a reset while closing): done.
      uint64_t end = get.range ? std::min(get.range->offset + get.range->length, info->size) : info->size;
      if (first >= end) return Status::Ok();
    }
    uint64_t wanted = get.range ? get.range->length - delivered : UINT64_MAX;
    if (ranged) {
      std::string range = "bytes=" + std::to_string(first) + "-";
      if (get.range) range += std::to_string(get.range->offset + get.range->length - 1);
      request.headers.emplace_back("Range", range);
    }
    // Later attempts must read the version whose first bytes the sink has.
    std::string if_match = !get.if_match.empty() ? get.if_match : (delivered > 0 && info ? info->etag : "");
    if (!if_match.empty()) request.headers.emplace_back("If-Match", "\"" + StripEtagQuotes(if_match) + "\"");

    bool head_seen = false;
    uint64_t skip = 0;  // bytes to drop when a store ignores Range and sends 200
    ResponseSink response_sink = [&](const HttpResponse& head, std::string_view chunk) -> Status {
      if (!head_seen) {
        head_seen = true;
        ObjectInfo seen = InfoFromHeaders(head);
        if (info && !info->etag.empty() && seen.etag != info->etag) {
          *give_up = true;
          return Status(Code::kAborted, DescribeRequest("GetObject", get.bucket, get.key) +
                                            ": the object changed while it was being read (ETag " + info->etag +
                                            " became " + seen.etag + ")");
        }
        if (!info) info = std::move(seen);
        if (head.status == 200 && ranged) skip = first;  // the store ignored Range
        if (head.status == 206 && RangeStart(head) != first) {
          *give_up = true;
          return Status(Code::kDataLoss, DescribeRequest("GetObject", get.bucket, get.key) +
                                             ": asked for bytes from " + std::to_string(first) +
                                             ", the store sent Content-Range " + head.Header("content-range"));
        }
      }
      if (skip > 0) {
        size_t dropped = static_cast<size_t>(std::min<uint64_t>(skip, chunk.size()));
        chunk.remove_prefix(dropped);
        skip -= dropped;
      }
      if (chunk.size() > wanted) chunk = chunk.substr(0, static_cast<size_t>(wanted));
      if (chunk.empty()) return Status::Ok();
      Status s = sink(chunk);
      if (!s.ok()) {
        *give_up = true;
        sink_status = s;
        return s;
      }
      delivered += chunk.size();
      wanted -= chunk.size();
      return Status::Ok();
    };
    HttpResponse response;
    Status s = Attempt(request, &response_sink, &response);
    if (!s.ok()) {
      if (delivered > 0 && response.status == 412 && get.if_match.empty()) {
        *give_up = true;
        return Status(Code::kAborted, DescribeRequest("GetObject", get.bucket, get.key) +
                                          ": the object changed while it was being read (resuming after " +
                                          std::to_string(delivered) + " bytes)");
      }
      return s;
    }
    if (!info) info = InfoFromHeaders(response);  // empty body: the sink never ran
    return Status::Ok();
  });
  if (!sink_status.ok()) return sink_status;
  if (!status.ok()) return status;
  return std::move(*info);
}

Result<PutResult> CurlObjectClient::PutObject(const std::string& bucket, const std::string& key, const Body& body,
                                              const PutOptions& options) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("PutObject", bucket, key));
  OBJFS_RETURN_IF_ERROR(ValidatePutOptions(options));
  S3Request request("PutObject", "PUT", bucket, key, &body);
  AddPutHeaders(options, &request.headers);
  if (!options.if_none_match.empty()) request.headers.emplace_back("If-None-Match", options.if_none_match);
  HttpResponse response;
  std::string md5_hex;
  OBJFS_RETURN_IF_ERROR(SendObjectBody(request, body, &md5_hex, &response));
  OBJFS_RETURN_IF_ERROR(CheckUploadEtag(response, md5_hex, DescribeRequest("PutObject", bucket, key)));
  return PutResult{StripEtagQuotes(response.Header("etag"))};
}

Result<std::string> CurlObjectClient::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                            const PutOptions& options) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("CreateMultipartUpload", bucket, key));
  OBJFS_RETURN_IF_ERROR(ValidatePutOptions(options));
  S3Request request("CreateMultipartUpload", "POST", bucket, key);
  request.query.emplace_back("uploads", "");
  AddPutHeaders(options, &request.headers);
  HttpResponse response;
  OBJFS_RETURN_IF_ERROR(Execute(request, &response));
  Result<std::string> upload_id = ParseInitiateMultipartUpload(response.body);
  if (!upload_id.ok()) {
    return Status(upload_id.status()).Annotate(DescribeRequest("CreateMultipartUpload", bucket, key));
  }
  return upload_id;
}

Result<std::string> CurlObjectClient::UploadPart(const std::string& bucket, const std::string& key,
                                                 const std::string& upload_id, int part_number, const Body& body) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("UploadPart", bucket, key));
  OBJFS_RETURN_IF_ERROR(ValidatePart("UploadPart", upload_id, part_number));
  S3Request request("UploadPart", "PUT", bucket, key, &body);
  request.missing = Missing::kUpload;
  request.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  HttpResponse response;
  std::string md5_hex;
  OBJFS_RETURN_IF_ERROR(SendObjectBody(request, body, &md5_hex, &response));
  OBJFS_RETURN_IF_ERROR(CheckUploadEtag(response, md5_hex,
                                        DescribeRequest("UploadPart", bucket, key) + " part " +
                                            std::to_string(part_number)));
  return StripEtagQuotes(response.Header("etag"));
}

Result<std::string> CurlObjectClient::UploadPartCopy(const std::string& bucket, const std::string& key,
                                                     const std::string& upload_id, int part_number,
                                                     const std::string& src_bucket, const std::string& src_key,
                                                     std::optional<ByteRange> src_range,
                                                     const std::string& src_if_match) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("UploadPartCopy", bucket, key));
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("UploadPartCopy source", src_bucket, src_key));
  OBJFS_RETURN_IF_ERROR(ValidatePart("UploadPartCopy", upload_id, part_number));
  if (src_range && src_range->length == 0) {
    return Status(Code::kInvalidArgument, DescribeRequest("UploadPartCopy", bucket, key) + ": empty source range");
  }
  S3Request request("UploadPartCopy", "PUT", bucket, key);
  request.missing = Missing::kUpload;
  request.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  request.headers.emplace_back("x-amz-copy-source", CopySource(src_bucket, src_key));
  if (src_range) {
    request.headers.emplace_back("x-amz-copy-source-range",
                                 "bytes=" + std::to_string(src_range->offset) + "-" +
                                     std::to_string(src_range->offset + src_range->length - 1));
  }
  if (!src_if_match.empty()) {
    request.headers.emplace_back("x-amz-copy-source-if-match", "\"" + StripEtagQuotes(src_if_match) + "\"");
  }
  HttpResponse response;
  Result<std::string> etag = Status(Code::kInternal, "not attempted");
  OBJFS_RETURN_IF_ERROR(RetryLoop("UploadPartCopy", [&](bool*) -> Status {
    Status s = Attempt(request, nullptr, &response);
    if (!s.ok()) return s;
    // A copy can fail after its 200 status line: the error is in the body.
    etag = ParseCopyResult(response.body);
    if (!etag.ok()) return Status(etag.status()).Annotate(DescribeRequest("UploadPartCopy", bucket, key));
    return Status::Ok();
  }));
  return etag;
}

Result<std::string> CurlObjectClient::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                              const std::string& upload_id,
                                                              const std::vector<CompletedPart>& parts) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("CompleteMultipartUpload", bucket, key));
  OBJFS_RETURN_IF_ERROR(ValidatePart("CompleteMultipartUpload", upload_id, 1));
  if (parts.empty()) {
    return Status(Code::kInvalidArgument,
                  DescribeRequest("CompleteMultipartUpload", bucket, key) + ": no parts to complete");
  }
  const std::string xml = BuildCompleteMultipartUpload(parts);
  const Body body = Body::FromMemory(xml);
  S3Request request("CompleteMultipartUpload", "POST", bucket, key, &body);
  request.missing = Missing::kUpload;
  request.query = {{"uploadId", upload_id}};
  request.payload_hash = AddXmlBodyHeaders(xml, &request.headers);
  HttpResponse response;
  Result<std::string> etag = Status(Code::kInternal, "not attempted");
  OBJFS_RETURN_IF_ERROR(RetryLoop("CompleteMultipartUpload", [&](bool*) -> Status {
    Status s = Attempt(request, nullptr, &response);
    if (!s.ok()) return s;
    etag = ParseCompleteMultipartUpload(response.body);
    if (!etag.ok()) {
      return Status(etag.status()).Annotate(DescribeRequest("CompleteMultipartUpload", bucket, key));
    }
    return Status::Ok();
  }));
  return etag;
}

Status CurlObjectClient::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("AbortMultipartUpload", bucket, key));
  OBJFS_RETURN_IF_ERROR(ValidatePart("AbortMultipartUpload", upload_id, 1));
  S3Request request("AbortMultipartUpload", "DELETE", bucket, key);
  request.missing = Missing::kUpload;
  request.query = {{"uploadId", upload_id}};
  HttpResponse response;
  return Execute(request, &response);
}

Result<std::vector<MultipartUploadInfo>> CurlObjectClient::ListMultipartUploads(const std::string& bucket,
                                                                                const std::string& prefix) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("ListMultipartUploads", bucket));
  std::vector<MultipartUploadInfo> uploads;
  std::string key_marker;
  std::string upload_id_marker;
  for (;;) {
    S3Request request("ListMultipartUploads", "GET", bucket);
    request.missing = Missing::kBucket;
    request.query = {{"uploads", ""}};
    if (!prefix.empty()) request.query.emplace_back("prefix", prefix);
    if (!key_marker.empty()) request.query.emplace_back("key-marker", key_marker);
    if (!upload_id_marker.empty()) request.query.emplace_back("upload-id-marker", upload_id_marker);
    HttpResponse response;
    OBJFS_RETURN_IF_ERROR(Execute(request, &response));
    Result<MultipartUploadsPage> page = ParseListMultipartUploadsPage(response.body);
    if (!page.ok()) return Status(page.status()).Annotate(DescribeRequest("ListMultipartUploads", bucket, ""));
    for (auto& upload : page->uploads) uploads.push_back(std::move(upload));
    if (!page->truncated) break;
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == upload_id_marker) {
      return Status(Code::kInternal, DescribeRequest("ListMultipartUploads", bucket, "") +
                                         ": truncated page without new markers");
    }
    key_marker = page->next_key_marker;
    upload_id_marker = page->next_upload_id_marker;
  }
  return uploads;
}

Result<std::string> CurlObjectClient::CopyObject(const CopyRequest& copy) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("CopyObject", copy.dst_bucket, copy.dst_key));
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("CopyObject source", copy.src_bucket, copy.src_key));
  S3Request request("CopyObject", "PUT", copy.dst_bucket, copy.dst_key);
  request.headers.emplace_back("x-amz-copy-source", CopySource(copy.src_bucket, copy.src_key));
  if (copy.directive == MetadataDirective::kReplace) {
    OBJFS_RETURN_IF_ERROR(ValidatePutOptions(copy.options));
    request.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
    AddPutHeaders(copy.options, &request.headers);
  } else {
    request.headers.emplace_back("x-amz-metadata-directive", "COPY");
  }
  if (!copy.src_if_match.empty()) {
    request.headers.emplace_back("x-amz-copy-source-if-match", "\"" + StripEtagQuotes(copy.src_if_match) + "\"");
  }
  HttpResponse response;
  Result<std::string> etag = Status(Code::kInternal, "not attempted");
  OBJFS_RETURN_IF_ERROR(RetryLoop("CopyObject", [&](bool*) -> Status {
    Status s = Attempt(request, nullptr, &response);
    if (!s.ok()) return s;
    etag = ParseCopyResult(response.body);
    if (!etag.ok()) {
      return Status(etag.status()).Annotate(DescribeRequest("CopyObject", copy.dst_bucket, copy.dst_key));
    }
    return Status::Ok();
  }));
  return etag;
}

Status CurlObjectClient::DeleteObject(const std::string& bucket, const std::string& key) {
  OBJFS_RETURN_IF_ERROR(ValidateObjectName("DeleteObject", bucket, key));
  S3Request request("DeleteObject", "DELETE", bucket, key);
  HttpResponse response;
  Status status = Execute(request, &response);
  // S3 answers 204 for a missing key; some stores answer 404 NoSuchKey.
  if (!status.ok() && IsNoSuchKey(status) && status.s3_code() == "NoSuchKey") return Status::Ok();
  return status;
}

Result<std::vector<DeleteError>> CurlObjectClient::DeleteObjects(const std::string& bucket,
                                                                 const std::vector<std::string>& keys) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("DeleteObjects", bucket));
  if (keys.empty()) return std::vector<DeleteError>{};
  if (keys.size() > 1000) {
    return Status(Code::kInvalidArgument, DescribeRequest("DeleteObjects", bucket, "") + ": " +
                                              std::to_string(keys.size()) + " keys, at most 1000 per request");
  }
  for (const std::string& key : keys) OBJFS_RETURN_IF_ERROR(ValidateObjectName("DeleteObjects", bucket, key));
  const std::string xml = BuildDeleteObjects(keys, /*quiet=*/true);
  const Body body = Body::FromMemory(xml);
  S3Request request("DeleteObjects", "POST", bucket, "", &body);
  request.missing = Missing::kBucket;
  request.query = {{"delete", ""}};
  request.payload_hash = AddXmlBodyHeaders(xml, &request.headers);
  HttpResponse response;
  OBJFS_RETURN_IF_ERROR(Execute(request, &response));
  Result<std::vector<DeleteError>> errors = ParseDeleteResult(response.body);
  if (!errors.ok()) return Status(errors.status()).Annotate(DescribeRequest("DeleteObjects", bucket, ""));
  return errors;
}

Result<ListPage> CurlObjectClient::ListObjects(const std::string& bucket, const ListRequest& list) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("ListObjects", bucket));
  if (use_list_v1_.load(std::memory_order_relaxed)) return ListV1(bucket, list);
  S3Request request("ListObjectsV2", "GET", bucket);
  request.missing = Missing::kBucket;
  request.query = {{"list-type", "2"}, {"encoding-type", "url"}};
  if (!list.prefix.empty()) request.query.emplace_back("prefix", list.prefix);
  if (!list.delimiter.empty()) request.query.emplace_back("delimiter", list.delimiter);
  if (!list.continuation_token.empty()) request.query.emplace_back("continuation-token", list.continuation_token);
  if (!list.start_after.empty()) request.query.emplace_back("start-after", list.start_after);
  if (list.max_keys > 0) request.query.emplace_back("max-keys", std::to_string(list.max_keys));
  HttpResponse response;
  Status status = Execute(request, &response);
  if (status.code() == Code::kUnimplemented || (!status.ok() && status.s3_code() == "NotImplemented")) {
    LOG_INFO("ListObjects " << bucket << ": the store does not implement ListObjectsV2; using ListObjects v1");
    use_list_v1_.store(true, std::memory_order_relaxed);
    return ListV1(bucket, list);
  }
  if (!status.ok()) return status;
  // A store that ignores list-type=2 answers in v1 form (Marker, no KeyCount).
  if (response.body.find("<KeyCount") == std::string::npos && response.body.find("<Marker") != std::string::npos) {
    LOG_INFO("ListObjects " << bucket << ": the store answered ListObjectsV2 in v1 form; using ListObjects v1");
    use_list_v1_.store(true, std::memory_order_relaxed);
    return ListV1(bucket, list);
  }
  Result<ListPage> page = ParseListObjectsV2(response.body);
  if (!page.ok()) return Status(page.status()).Annotate(DescribeRequest("ListObjectsV2", bucket, ""));
  return page;
}

Result<ListPage> CurlObjectClient::ListV1(const std::string& bucket, const ListRequest& list) {
  S3Request request("ListObjects", "GET", bucket);
  request.missing = Missing::kBucket;
  if (!list.prefix.empty()) request.query.emplace_back("prefix", list.prefix);
  if (!list.delimiter.empty()) request.query.emplace_back("delimiter", list.delimiter);
  // v1 pages by marker: our continuation token is the marker ParseListObjectsV1 gave.
  const std::string& marker = !list.continuation_token.empty() ? list.continuation_token : list.start_after;
  if (!marker.empty()) request.query.emplace_back("marker", marker);
  if (list.max_keys > 0) request.query.emplace_back("max-keys", std::to_string(list.max_keys));
  HttpResponse response;
  OBJFS_RETURN_IF_ERROR(Execute(request, &response));
  Result<ListPage> page = ParseListObjectsV1(response.body);
  if (!page.ok()) return Status(page.status()).Annotate(DescribeRequest("ListObjects", bucket, ""));
  return page;
}

Status CurlObjectClient::CreateBucket(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("CreateBucket", bucket));
  const std::string xml = BuildCreateBucketConfiguration(config_.region);
  const Body body = Body::FromMemory(xml);
  S3Request request("CreateBucket", "PUT", bucket, "", &body);
  request.missing = Missing::kBucket;
  if (!xml.empty()) request.payload_hash = AddXmlBodyHeaders(xml, &request.headers);
  HttpResponse response;
  return Execute(request, &response);
}

Status CurlObjectClient::DeleteBucket(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("DeleteBucket", bucket));
  S3Request request("DeleteBucket", "DELETE", bucket);
  request.missing = Missing::kBucket;
  HttpResponse response;
  return Execute(request, &response);
}

Status CurlObjectClient::HeadBucket(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("HeadBucket", bucket));
  S3Request request("HeadBucket", "HEAD", bucket);
  request.missing = Missing::kBucket;
  HttpResponse response;
  return Execute(request, &response);
}

Result<Tags> CurlObjectClient::GetBucketTagging(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("GetBucketTagging", bucket));
  S3Request request("GetBucketTagging", "GET", bucket);
  request.missing = Missing::kBucket;
  request.query = {{"tagging", ""}};
  HttpResponse response;
  Status status = Execute(request, &response);
  if (status.s3_code() == "NoSuchTagSet") return Tags{};  // a bucket without tags
  OBJFS_RETURN_IF_ERROR(status);
  Result<Tags> tags = ParseTagging(response.body);
  if (!tags.ok()) return Status(tags.status()).Annotate(DescribeRequest("GetBucketTagging", bucket, ""));
  return tags;
}

Status CurlObjectClient::PutBucketTagging(const std::string& bucket, const Tags& tags) {
  OBJFS_RETURN_IF_ERROR(ValidateBucketName("PutBucketTagging", bucket));
  HttpResponse response;
  if (tags.empty()) {
    S3Request request("DeleteBucketTagging", "DELETE", bucket);
    request.missing = Missing::kBucket;
    request.query = {{"tagging", ""}};
    return Execute(request, &response);
  }
  const std::string xml = BuildTagging(tags);
  const Body body = Body::FromMemory(xml);
  S3Request request("PutBucketTagging", "PUT", bucket, "", &body);
  request.missing = Missing::kBucket;
  request.query = {{"tagging", ""}};
  request.payload_hash = AddXmlBodyHeaders(xml, &request.headers);
  return Execute(request, &response);
}

}  // namespace objfs::s3
