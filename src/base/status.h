// Status and Result<T>: errors as values, shared by every objfs module.
//
// A Status is either OK or carries a Code plus the details a caller needs to
// decide what to do and a human needs to diagnose it: the HTTP status, the S3
// error code and request id (when the error came from a store), whether a retry
// can succeed, an errno hint, and a message. Messages never contain secrets.
//
// Translation happens once per boundary: src/s3 turns HTTP/XML into a Status,
// src/fs turns a Status into an errno (fs/errno_map.h), src/csi turns it into a
// gRPC code. Nothing here throws.
//
// Thread-safety: values; a Status or Result is safe to share read-only.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace objfs {

enum class Code : uint8_t {
  kOk = 0,
  kNotFound,            // NoSuchKey, NoSuchBucket, NoSuchUpload, ENOENT
  kAlreadyExists,       // BucketAlreadyOwnedByYou, EEXIST
  kPermissionDenied,    // AccessDenied, SignatureDoesNotMatch, bad credentials
  kInvalidArgument,     // malformed request or option
  kFailedPrecondition,  // PreconditionFailed (If-Match), BucketNotEmpty
  kOutOfRange,          // InvalidRange
  kResourceExhausted,   // quota, memory budget, ENOSPC
  kUnavailable,         // connection refused/reset, 5xx, throttling
  kTimeout,             // connect or transfer timed out
  kDataLoss,            // checksum/ETag mismatch, short body
  kAborted,             // concurrent operation conflict
  kCancelled,
  kUnimplemented,
  kInternal,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Details filled in by the layer that saw the error. Zero / empty when unknown.
  int http_status() const { return http_status_; }
  const std::string& s3_code() const { return s3_code_; }
  const std::string& request_id() const { return request_id_; }
  bool retryable() const { return retryable_; }
  int errno_hint() const { return errno_hint_; }

  Status& WithHttp(int http_status, std::string s3_code, std::string request_id) {
    http_status_ = http_status;
    s3_code_ = std::move(s3_code);
    request_id_ = std::move(request_id);
    return *this;
  }
  Status& WithRetryable(bool retryable) {
    retryable_ = retryable;
    return *this;
  }
  Status& WithErrno(int err) {
    errno_hint_ = err;
    return *this;
  }
  // Prefixes the message with context ("PutObject bucket/key: ").
  Status& Annotate(std::string_view context);

  // "NotFound: message (http 404, NoSuchKey, request id X)".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  bool retryable_ = false;
  int http_status_ = 0;
  int errno_hint_ = 0;
  std::string message_;
  std::string s3_code_;
  std::string request_id_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result built from an OK status has no value");
    if (status_.ok()) status_ = Status(Code::kInternal, "Result built from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace objfs

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define OBJFS_RETURN_IF_ERROR(expr)           \
  do {                                        \
    ::objfs::Status objfs_status_ = (expr);   \
    if (!objfs_status_.ok()) return objfs_status_; \
  } while (0)
