#include "s3/curl_transport.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace objfs::s3 {
namespace {

constexpr long kDownloadBufferSize = 512 * 1024;  // CURL_MAX_READ_SIZE
constexpr long kUploadBufferSize = 1024 * 1024;

// State shared with curl's callbacks for one transfer.
struct Transfer {
  const Body* body = nullptr;
  uint64_t body_pos = 0;
  Status body_error;
  Md5Hasher* body_md5 = nullptr;
  bool body_md5_valid = true;

  const ResponseSink* sink = nullptr;
  Status sink_error;
  HttpResponse* response = nullptr;
  bool buffer_overflow = false;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const Body& body = *t->body;
  const uint64_t remaining = body.length - t->body_pos;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, size * count));
  if (want == 0) return 0;
  if (body.fd < 0) {
    std::memcpy(buffer, body.data.data() + t->body_pos, want);
    if (t->body_md5 != nullptr) t->body_md5->Update(std::string_view(buffer, want));
    t->body_pos += want;
    return want;
  }
  ssize_t got;
  do {
    got = pread(body.fd, buffer, want, static_cast<off_t>(body.offset + t->body_pos));
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    int err = errno;
    t->body_error = Status(Code::kInternal, std::string("reading the request body from its file: ") +
                                                std::strerror(err))
                        .WithErrno(err);
    return CURL_READFUNC_ABORT;
  }
  if (got == 0) {
    t->body_error = Status(Code::kDataLoss, "the request body's file ended " +
                                                std::to_string(remaining) + " bytes before the body's length");
    return CURL_READFUNC_ABORT;
  }
  if (t->body_md5 != nullptr) t->body_md5->Update(std::string_view(buffer, static_cast<size_t>(got)));
  t->body_pos += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

int SeekBody(void* userdata, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(userdata);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > t->body->length) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->body_pos = static_cast<uint64_t>(offset);
  if (t->body_md5 != nullptr) {
    (void)t->body_md5->FinishRaw();  // restart: the body is sent again from `offset`
    if (offset != 0) t->body_md5_valid = false;
  }
  return CURL_SEEKFUNC_OK;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after "100 Continue" or any interim answer): start over.
    t->response->headers.clear();
    t->response->status = 0;
    size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      int status = 0;
      for (size_t i = space + 1; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
        status = status * 10 + (line[i] - '0');
      }
      t->response->status = status;
    }
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = Trim(line.substr(colon + 1));
  auto [it, inserted] = t->response->headers.try_emplace(std::move(name), value);
  if (!inserted) {
    it->second += ", ";
    it->second += value;
  }
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t n = size * count;
  if (t->sink != nullptr && t->response->Ok()) {
    Status s = (*t->sink)(*t->response, std::string_view(data, n));
    if (!s.ok()) {
      t->sink_error = std::move(s);
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    return n;
  }
  if (t->response->body.size() + n > CurlTransport::kMaxBufferedBody) {
    t->buffer_overflow = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

Status CurlFailure(CURLcode code, const char* error_buffer, const std::string& peer, const std::string& method) {
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  std::string message = method + " to " + peer + " failed: " + detail + " (curl error " +
                        std::to_string(static_cast<int>(code)) + ")";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(Code::kTimeout, std::move(message)).WithRetryable(true);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return Status(Code::kUnavailable, std::move(message)).WithRetryable(true);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Status(Code::kUnavailable, "TLS verification: " + message);
    case CURLE_OUT_OF_MEMORY:
      return Status(Code::kResourceExhausted, std::move(message));
    default:
      return Status(Code::kUnavailable, std::move(message));
  }
}

}  // namespace

const std::string& HttpResponse::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

CurlTransport::CurlTransport(TransportOptions options)
    : options_(std::move(options)), pool_(options_.max_connections) {}

Status CurlTransport::Perform(const HttpRequest& request, const ResponseSink* sink, HttpResponse* response) {
  *response = HttpResponse();
  // Everything the handle points at is declared before the lease, so it
  // outlives the handle's use (the lease resets the handle when it goes).
  Transfer t;
  t.body = request.body;
  t.body_md5 = request.body_md5;
  t.sink = sink;
  t.response = response;
  char error_buffer[CURL_ERROR_SIZE];
  error_buffer[0] = '\0';

  CurlSlist headers;
  for (const auto& [name, value] : request.headers) {
    if (!headers.Append(name + ": " + value)) return Status(Code::kResourceExhausted, "curl_slist_append failed");
  }
  const uint64_t body_length = request.body != nullptr ? request.body->length : 0;
  const bool sends_body = request.method == "PUT" || request.method == "POST";
  if (sends_body) {
    // curl adds "Expect: 100-continue" to every PUT by itself; keep it only
    // where the round trip it costs can save sending a large body.
    if (!headers.Append(body_length >= kExpectContinueThreshold ? "Expect: 100-continue" : "Expect:")) {
      return Status(Code::kResourceExhausted, "curl_slist_append failed");
    }
  }
  static const Body kEmptyBody;
  if (sends_body && t.body == nullptr) t.body = &kEmptyBody;

  CurlHandlePool::Lease lease = pool_.Acquire();
  if (!lease) return Status(Code::kResourceExhausted, "curl_easy_init failed");
  CURL* h = lease.get();
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // Keys may hold "." and ".." segments; squashing them would change the key
  // and break the signature.
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 15L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  if (options_.low_speed_seconds > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_seconds));
  }
  // Each handle keeps its own connection (see curl_handles.h); one endpoint,
  // so a couple of cached connections per handle is plenty.
  curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 2L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, kDownloadBufferSize);
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBufferSize);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 1000L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  if (!options_.user_agent.empty()) curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  if (!options_.verify_tls) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_length));
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_length));
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (sends_body) {
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
  }

  CURLcode code = curl_easy_perform(h);
  response->body_md5_valid = t.body_md5_valid;
  if (!t.sink_error.ok()) return t.sink_error;
  if (!t.body_error.ok()) return t.body_error;
  if (t.buffer_overflow) {
    return Status(Code::kResourceExhausted, request.method + " to " + options_.peer + ": response body larger than " +
                                                std::to_string(kMaxBufferedBody) + " bytes");
  }
  if (code != CURLE_OK) return CurlFailure(code, error_buffer, options_.peer, request.method);
  return Status::Ok();
}

}  // namespace objfs::s3
