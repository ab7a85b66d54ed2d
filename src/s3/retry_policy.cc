#include "s3/retry_policy.h"

#include <algorithm>
#include <optional>
#include <string_view>

namespace objfs::s3 {

namespace {

struct Mapping {
  Code code;
  bool retryable;
};

// Mappings decided by the S3 error code alone, whatever the HTTP status.
std::optional<Mapping> MapByS3Code(std::string_view s3_code) {
  if (s3_code.empty()) return std::nullopt;
  if (s3_code == "NoSuchKey" || s3_code == "NoSuchBucket" || s3_code == "NoSuchUpload" ||
      s3_code == "NoSuchTagSet" || s3_code == "NoSuchVersion") {
    return Mapping{Code::kNotFound, false};
  }
  if (s3_code == "RequestTimeout" || s3_code == "SlowDown" || s3_code == "ServiceUnavailable" ||
      s3_code == "InternalError" || s3_code == "Throttling" || s3_code == "ThrottlingException" ||
      s3_code == "RequestLimitExceeded" || s3_code == "TooManyRequests" || s3_code == "RequestThrottled") {
    return Mapping{Code::kUnavailable, true};
  }
  if (s3_code == "BucketAlreadyOwnedByYou" || s3_code == "BucketAlreadyExists") {
    return Mapping{Code::kAlreadyExists, false};
  }
  if (s3_code == "BucketNotEmpty" || s3_code == "PreconditionFailed") {
    return Mapping{Code::kFailedPrecondition, false};
  }
  if (s3_code == "InvalidRange") return Mapping{Code::kOutOfRange, false};
  if (s3_code == "OperationAborted" || s3_code == "ConditionalRequestConflict") {
    return Mapping{Code::kAborted, true};
  }
  if (s3_code == "AccessDenied" || s3_code == "SignatureDoesNotMatch" || s3_code == "InvalidAccessKeyId" ||
      s3_code == "ExpiredToken" || s3_code == "InvalidToken" || s3_code == "TokenRefreshRequired" ||
      s3_code == "AllAccessDisabled" || s3_code == "AccountProblem") {
    return Mapping{Code::kPermissionDenied, false};
  }
  if (s3_code == "NotImplemented") return Mapping{Code::kUnimplemented, false};
  if (s3_code == "InvalidPart" || s3_code == "InvalidPartOrder" || s3_code == "EntityTooSmall" ||
      s3_code == "EntityTooLarge" || s3_code == "MalformedXML" || s3_code == "InvalidArgument" ||
      s3_code == "InvalidRequest" || s3_code == "InvalidBucketName" || s3_code == "KeyTooLongError" ||
      s3_code == "InvalidDigest" || s3_code == "MetadataTooLarge") {
    return Mapping{Code::kInvalidArgument, false};
  }
  // The body arrived damaged; sending it again can succeed.
  if (s3_code == "BadDigest" || s3_code == "XAmzContentSHA256Mismatch" || s3_code == "IncompleteBody") {
    return Mapping{Code::kDataLoss, true};
  }
  return std::nullopt;
}

Mapping MapByHttpStatus(int http_status) {
  switch (http_status) {
    case 304:
    case 412: return {Code::kFailedPrecondition, false};
    case 401:
    case 403: return {Code::kPermissionDenied, false};
    case 404: return {Code::kNotFound, false};
    case 408: return {Code::kUnavailable, true};
    case 409: return {Code::kAborted, false};
    case 416: return {Code::kOutOfRange, false};
    case 429: return {Code::kUnavailable, true};
    case 501: return {Code::kUnimplemented, false};
    default: break;
  }
  if (http_status >= 500 && http_status <= 599) return {Code::kUnavailable, true};
  if (http_status >= 400 && http_status <= 499) return {Code::kInvalidArgument, false};
  // 2xx carrying an <Error>, a redirect (wrong region or endpoint), or
  // anything else unexpected: not something a retry fixes.
  if (http_status >= 300 && http_status <= 399) return {Code::kInvalidArgument, false};
  return {Code::kInternal, false};
}

}  // namespace

RetryPolicy::RetryPolicy(RetryOptions options) : options_(options) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (options_.base_delay.count() < 0) options_.base_delay = std::chrono::milliseconds(0);
  if (options_.max_delay < options_.base_delay) options_.max_delay = options_.base_delay;
}

bool RetryPolicy::ShouldRetry(const Status& status, int attempts_made) const {
  if (status.ok() || !status.retryable()) return false;
  return attempts_made < options_.max_attempts;
}

std::chrono::milliseconds RetryPolicy::Backoff(int attempts_made, uint64_t random_bits) const {
  const uint64_t base = static_cast<uint64_t>(options_.base_delay.count());
  const uint64_t cap = static_cast<uint64_t>(options_.max_delay.count());
  // base * 2^(attempts_made-1), saturating at cap without overflow.
  uint64_t ceiling = base;
  for (int i = 1; i < attempts_made && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  // Full jitter: uniform in [0, ceiling].
  uint64_t delay = ceiling == 0 ? 0 : random_bits % (ceiling + 1);
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

Status StatusFromHttp(int http_status, const S3ErrorInfo& info) {
  Mapping mapping = MapByHttpStatus(http_status);
  // A 404 is "not found" whatever its body says; other statuses defer to a
  // known S3 code (RequestTimeout is a 400 that a retry can fix; SlowDown
  // and InternalError can arrive with odd statuses, or inside a 200).
  if (http_status != 404) {
    if (std::optional<Mapping> by_code = MapByS3Code(info.code)) mapping = *by_code;
  }
  if (http_status == 501) mapping = {Code::kUnimplemented, false};

  std::string message;
  if (!info.code.empty()) {
    message = info.code;
    if (!info.message.empty()) message += ": " + info.message;
  } else if (!info.message.empty()) {
    message = info.message;
  } else {
    message = "HTTP " + std::to_string(http_status);
  }
  if (!info.resource.empty()) message += " [" + info.resource + "]";

  Status status(mapping.code, std::move(message));
  status.WithHttp(http_status, info.code, info.request_id).WithRetryable(mapping.retryable);
  return status;
}

}  // namespace objfs::s3
