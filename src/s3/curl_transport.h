// CurlTransport: one HTTP/1.1 exchange over a pooled curl easy handle. It
// knows HTTP, not S3: the caller (CurlObjectClient) builds the URL and signed
// headers, decides what a status code means and whether to try again.
//
// Request bodies come from memory or from a file descriptor read with pread at
// the body's offset, in curl-sized chunks (the body is never copied whole);
// the body is re-read from its start when curl rewinds or the caller retries.
// Response bodies of 2xx answers go to the caller's ResponseSink as they
// arrive; other bodies (S3 <Error> documents) and 2xx bodies without a sink are
// collected in HttpResponse::body, up to kMaxBufferedBody.
//
// Connection setup: HTTP/1.1, TCP_NODELAY, TCP keepalive, connect timeout,
// low-speed (stall) abort, no redirects, no signals (NOSIGNAL, required with
// threads). "Expect: 100-continue" is sent only for bodies of at least
// kExpectContinueThreshold bytes, where waiting one round trip before sending
// lets a store reject (auth, precondition) without us pushing the body.
//
// Ownership: owns its CurlHandlePool. Borrows the request's body and sink for
// the duration of Perform().
//
// Thread-safety: Perform() may be called from any number of threads at once;
// each call leases its own easy handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "s3/curl_handles.h"
#include "s3/hash.h"
#include "s3/object_client.h"

namespace objfs::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
// Response headers by lower-case name; repeated headers joined with ", ".
using HeaderMap = std::map<std::string, std::string>;

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  HeaderList headers;         // sent as given (the signed set and more)
  const Body* body = nullptr;  // PUT/POST body; null sends an empty body
  // When set, fed every body byte as curl reads it (restarted when curl
  // rewinds the body to its start).
  Md5Hasher* body_md5 = nullptr;
};

struct HttpResponse {
  int status = 0;
  HeaderMap headers;
  std::string body;  // see the header comment for when this is filled
  // False when curl rewound the body to a point other than its start, so
  // HttpRequest::body_md5 did not see the body exactly once.
  bool body_md5_valid = true;

  const std::string& Header(const std::string& lower_name) const;
  bool Ok() const { return status >= 200 && status < 300; }
};

// Gets each chunk of a 2xx body; `head` has its status and headers complete.
// A non-OK Status aborts the transfer and Perform returns it.
using ResponseSink = std::function<Status(const HttpResponse& head, std::string_view chunk)>;

struct TransportOptions {
  std::string peer;  // "host:port", for error messages
  std::chrono::milliseconds connect_timeout{10000};
  int low_speed_seconds = 30;
  std::string ca_bundle;
  bool verify_tls = true;
  std::string user_agent;
  int max_connections = 64;
};

class CurlTransport {
 public:
  static constexpr uint64_t kExpectContinueThreshold = 1 << 20;
  static constexpr size_t kMaxBufferedBody = 64u << 20;

  explicit CurlTransport(TransportOptions options);
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  bool ok() const { return pool_.ok(); }

  // Performs one attempt. OK means a complete HTTP response arrived, whatever
  // its status. Otherwise: a connection-level failure (kUnavailable or
  // kTimeout, retryable, naming the peer), the sink's Status, or a body read
  // failure.
  Status Perform(const HttpRequest& request, const ResponseSink* sink, HttpResponse* response);

 private:
  const TransportOptions options_;
  CurlHandlePool pool_;
};

}  // namespace objfs::s3
