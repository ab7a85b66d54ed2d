// RetryPolicy decides whether a failed S3 request is worth another attempt and
// how long to wait first (capped exponential backoff with full jitter).
// StatusFromHttp turns an HTTP status plus the parsed S3 <Error> into a Status,
// once, at the src/s3 boundary.
//
// The policy holds no clock and no random source: the caller passes the
// random bits, so the policy is deterministic and testable.
//
// Thread-safety: RetryPolicy is immutable after construction; share freely.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/status.h"
#include "s3/s3_xml.h"

namespace objfs::s3 {

struct RetryOptions {
  int max_attempts = 6;  // total attempts including the first; 1 = no retries
  std::chrono::milliseconds base_delay{50};
  std::chrono::milliseconds max_delay{5000};
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options);

  // True when `status` is retryable and fewer than max_attempts attempts have
  // been made (attempts_made counts the one that just failed, so >= 1).
  bool ShouldRetry(const Status& status, int attempts_made) const;

  // Delay before the next attempt: uniform in [0, min(max_delay,
  // base_delay * 2^(attempts_made-1))], chosen by `random_bits`.
  std::chrono::milliseconds Backoff(int attempts_made, uint64_t random_bits) const;

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
};

// Maps an HTTP error status and S3 error body to a Status that keeps the HTTP
// status, S3 code and request id:
//   404 NoSuchKey/NoSuchBucket/NoSuchUpload (any 404) -> kNotFound
//   403 -> kPermissionDenied
//   400 -> kInvalidArgument, except RequestTimeout -> kUnavailable (retryable)
//   409 BucketAlreadyOwnedByYou/BucketAlreadyExists -> kAlreadyExists,
//       BucketNotEmpty -> kFailedPrecondition, other 409 -> kAborted
//   412 -> kFailedPrecondition, 416 -> kOutOfRange
//   429, 503, SlowDown -> kUnavailable (retryable)
//   501 -> kUnimplemented; other 5xx -> kUnavailable (retryable)
//   InternalError (any status) -> retryable
//   BadDigest / XAmzContentSHA256Mismatch -> kDataLoss (retryable: resend)
//   InvalidPart, EntityTooSmall, MalformedXML, ... -> kInvalidArgument
//   an <Error> inside a 200 with a code not listed -> kInternal
Status StatusFromHttp(int http_status, const S3ErrorInfo& info);

}  // namespace objfs::s3
