// ScriptedHttpServer: a small HTTP/1.1 server on 127.0.0.1 whose answers a
// test scripts request by request, to drive the S3 client through what a real
// store rarely does on demand: throttling, connections dropped mid-body,
// errors inside 200 answers, stores without ListObjectsV2, stalls. It records
// every request (method, target, lower-case headers, body) for the test to
// check the wire format.
//
// Ownership: owns its listening socket, its connections and their threads;
// the destructor closes everything and joins.
//
// Thread-safety: the handler runs on connection threads, one request at a time
// per connection (serialised across connections by mu_); requests() and
// connections() may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace objfs::s3::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct ScriptedResponse {
  std::string raw;           // bytes written back verbatim
  bool close_after = false;  // close the connection after writing `raw`
  bool stall = false;        // write nothing and hold the connection open
};

// "HTTP/1.1 <status> X\r\n<headers>Content-Length: n\r\n\r\n<body>".
// `content_length` overrides the announced length (to send a short body).
ScriptedResponse HttpAnswer(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::string& body, long long content_length = -1);
// An S3 <Error> answer.
ScriptedResponse S3ErrorAnswer(int status, const std::string& code, const std::string& message,
                               const std::string& request_id = "req-123");

class ScriptedHttpServer {
 public:
  // Gets each request and its index (0-based, over all connections).
  using Handler = std::function<ScriptedResponse(const RecordedRequest& request, int index)>;

  explicit ScriptedHttpServer(Handler handler);
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;
  ~ScriptedHttpServer();

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::vector<RecordedRequest> requests() const;
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;  // guarded by mu_
  std::vector<int> client_fds_;            // guarded by mu_
  std::vector<std::thread> workers_;       // guarded by mu_
};

}  // namespace objfs::s3::testing
