// RetryPolicy decisions and backoff bounds, and the HTTP/S3-error -> Status
// mapping done once at the S3 boundary.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <set>

#include "s3/object_client.h"
#include "s3/retry_policy.h"

using namespace objfs;
using namespace objfs::s3;
using std::chrono::milliseconds;

namespace {

Status FromHttp(int http, const char* code, const char* request_id = "REQ1") {
  return StatusFromHttp(http, S3ErrorInfo{code, "message text", request_id, "/bucket/key"});
}

}  // namespace

TEST_CASE("StatusFromHttp maps HTTP status and S3 code, keeping the details") {
  struct Case {
    int http;
    const char* code;
    Code want;
    bool retryable;
  };
  const Case cases[] = {
      {404, "NoSuchKey", Code::kNotFound, false},
      {404, "NoSuchBucket", Code::kNotFound, false},
      {404, "NoSuchUpload", Code::kNotFound, false},
      {404, "", Code::kNotFound, false},  // HEAD: no body
      {403, "AccessDenied", Code::kPermissionDenied, false},
      {403, "SignatureDoesNotMatch", Code::kPermissionDenied, false},
      {403, "", Code::kPermissionDenied, false},
      {400, "InvalidArgument", Code::kInvalidArgument, false},
      {400, "MalformedXML", Code::kInvalidArgument, false},
      {400, "RequestTimeout", Code::kUnavailable, true},
      {400, "BadDigest", Code::kDataLoss, true},
      {409, "BucketAlreadyOwnedByYou", Code::kAlreadyExists, false},
      {409, "BucketAlreadyExists", Code::kAlreadyExists, false},
      {409, "BucketNotEmpty", Code::kFailedPrecondition, false},
      {409, "OperationAborted", Code::kAborted, true},
      {412, "PreconditionFailed", Code::kFailedPrecondition, false},
      {412, "", Code::kFailedPrecondition, false},
      {304, "", Code::kFailedPrecondition, false},
      {416, "InvalidRange", Code::kOutOfRange, false},
      {416, "", Code::kOutOfRange, false},
      {429, "", Code::kUnavailable, true},
      {503, "SlowDown", Code::kUnavailable, true},
      {503, "", Code::kUnavailable, true},
      {500, "InternalError", Code::kUnavailable, true},
      {502, "", Code::kUnavailable, true},
      {504, "", Code::kUnavailable, true},
      {501, "NotImplemented", Code::kUnimplemented, false},
      {501, "", Code::kUnimplemented, false},
      {405, "MethodNotAllowed", Code::kInvalidArgument, false},
      {301, "PermanentRedirect", Code::kInvalidArgument, false},
      {200, "InternalError", Code::kUnavailable, true},  // <Error> inside a 200
      {200, "SomethingNew", Code::kInternal, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.http);
    CAPTURE(c.code);
    Status s = FromHttp(c.http, c.code);
    CHECK_FALSE(s.ok());
    CHECK(s.code() == c.want);
    CHECK(s.retryable() == c.retryable);
    CHECK(s.http_status() == c.http);
    CHECK(s.s3_code() == c.code);
    CHECK(s.request_id() == "REQ1");
  }
}

TEST_CASE("StatusFromHttp messages carry code, message and resource") {
  Status s = FromHttp(404, "NoSuchKey");
  CHECK(s.message() == "NoSuchKey: message text [/bucket/key]");
  CHECK(s.ToString() == "NotFound: NoSuchKey: message text [/bucket/key] (http 404, NoSuchKey, request id REQ1)");
  Status bare = StatusFromHttp(503, S3ErrorInfo{});
  CHECK(bare.message() == "HTTP 503");
}

TEST_CASE("NoSuchKey and NoSuchBucket stay distinguishable") {
  CHECK(IsNoSuchKey(FromHttp(404, "NoSuchKey")));
  CHECK_FALSE(IsNoSuchBucket(FromHttp(404, "NoSuchKey")));
  CHECK(IsNoSuchBucket(FromHttp(404, "NoSuchBucket")));
  CHECK_FALSE(IsNoSuchKey(FromHttp(404, "NoSuchBucket")));
}

TEST_CASE("ShouldRetry: only retryable errors, and only up to max_attempts") {
  RetryPolicy policy(RetryOptions{});  // 6 attempts
  Status slow = FromHttp(503, "SlowDown");
  for (int attempts = 1; attempts <= 5; ++attempts) {
    CAPTURE(attempts);
    CHECK(policy.ShouldRetry(slow, attempts));
  }
  CHECK_FALSE(policy.ShouldRetry(slow, 6));
  CHECK_FALSE(policy.ShouldRetry(slow, 7));

  CHECK_FALSE(policy.ShouldRetry(FromHttp(404, "NoSuchKey"), 1));
  CHECK_FALSE(policy.ShouldRetry(FromHttp(403, "AccessDenied"), 1));
  CHECK_FALSE(policy.ShouldRetry(FromHttp(400, "InvalidArgument"), 1));
  CHECK(policy.ShouldRetry(FromHttp(400, "RequestTimeout"), 1));
  CHECK(policy.ShouldRetry(FromHttp(500, "InternalError"), 1));
  CHECK(policy.ShouldRetry(FromHttp(429, ""), 1));
  CHECK_FALSE(policy.ShouldRetry(Status::Ok(), 1));

  // Transport errors set retryable themselves.
  Status reset = Status(Code::kUnavailable, "connection reset").WithRetryable(true);
  CHECK(policy.ShouldRetry(reset, 1));
  Status timeout = Status(Code::kTimeout, "stalled").WithRetryable(true);
  CHECK(policy.ShouldRetry(timeout, 2));

  RetryPolicy once(RetryOptions{1, milliseconds(50), milliseconds(5000)});
  CHECK_FALSE(once.ShouldRetry(slow, 1));
  RetryPolicy clamped(RetryOptions{0, milliseconds(50), milliseconds(5000)});
  CHECK(clamped.options().max_attempts == 1);
}

TEST_CASE("Backoff: full jitter under a capped exponential ceiling") {
  RetryPolicy policy(RetryOptions{10, milliseconds(50), milliseconds(5000)});
  // random_bits at the top of the range hits the ceiling exactly.
  auto ceiling = [&](int attempts) {
    uint64_t top = 0;
    for (uint64_t bits : {uint64_t{50}, uint64_t{100}, uint64_t{200}, uint64_t{400}, uint64_t{800}, uint64_t{1600},
                          uint64_t{3200}, uint64_t{5000}}) {
      top = std::max<uint64_t>(top, static_cast<uint64_t>(policy.Backoff(attempts, bits).count()));
    }
    return top;
  };
  CHECK(ceiling(1) == 50);
  CHECK(ceiling(2) == 100);
  CHECK(ceiling(3) == 200);
  CHECK(ceiling(4) == 400);
  CHECK(ceiling(7) == 3200);
  CHECK(ceiling(8) == 5000);   // 6400 capped
  CHECK(ceiling(60) == 5000);  // no overflow for large attempt counts
  CHECK(policy.Backoff(3, 0).count() == 0);
  CHECK(policy.Backoff(3, 201).count() == 0);  // uniform in [0, 200]: 201 wraps to 0

  // Over many random draws every delay stays in [0, ceiling] and the draws
  // spread out (jitter), for every attempt number.
  std::mt19937_64 rng(12345);
  for (int attempts = 1; attempts <= 12; ++attempts) {
    const int64_t cap = std::min<int64_t>(5000, int64_t{50} << (attempts - 1));
    std::set<int64_t> seen;
    for (int i = 0; i < 2000; ++i) {
      int64_t d = policy.Backoff(attempts, rng()).count();
      CHECK(d >= 0);
      CHECK(d <= cap);
      seen.insert(d);
    }
    CHECK(seen.size() > 20);
  }

  RetryPolicy no_delay(RetryOptions{3, milliseconds(0), milliseconds(0)});
  CHECK(no_delay.Backoff(2, 999).count() == 0);
}
