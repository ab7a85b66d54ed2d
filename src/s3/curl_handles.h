// RAII wrappers for libcurl handles and the pool of easy handles the S3 client
// runs its requests on.
//
// Design (why a pool and not a CURLM event loop): every ObjectClient call runs
// synchronously on the caller's thread with curl_easy_perform on an easy handle
// leased from CurlHandlePool. Parallelism comes from callers' threads, as the
// ObjectClient contract says; a GET's sink therefore runs on the caller's
// thread and a slow sink only slows its own transfer (with one CURLM loop it
// would stall every transfer). All handles of a pool share one CURLSH holding
// the DNS cache and TLS session ids; the share's lock callbacks use one mutex
// per curl_lock_data kind, owned by the CurlShare (no globals). Connections
// are NOT shared: libcurl does not support a shared connection cache used
// from concurrent threads (CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT), and with
// it two requests were seen waiting in curl_multi_poll for minutes. Each easy
// handle keeps its own keep-alive connection instead, and since idle handles
// are reused LIFO, a request almost always finds a warm one.
// The pool caps the requests in flight at `max_in_flight`: Acquire() blocks
// while that many leases are out. A returned handle is curl_easy_reset, which
// keeps its share attachment and its open connection.
//
// Ownership: CurlShare owns its CURLSH; CurlHandlePool owns its CurlShare and
// every easy handle it made; a Lease borrows one handle and gives it back on
// destruction. The pool must outlive its leases.
//
// Thread-safety: CurlHandlePool::Acquire and Lease destruction are safe from
// any thread; one leased handle is used by one thread at a time. CurlSlist and
// CurlEasy are not synchronised.
#pragma once

#include <curl/curl.h>

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace objfs::s3 {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

// A curl_slist of request headers, freed on destruction.
class CurlSlist {
 public:
  CurlSlist() = default;
  CurlSlist(const CurlSlist&) = delete;
  CurlSlist& operator=(const CurlSlist&) = delete;
  ~CurlSlist() { curl_slist_free_all(list_); }

  // Appends one "Name: value" line. False when curl is out of memory.
  bool Append(const std::string& line);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// A CURLSH sharing connections, DNS and TLS sessions between easy handles,
// with the lock callbacks it needs to be used from several threads.
class CurlShare {
 public:
  CurlShare();
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;
  ~CurlShare();

  bool ok() const { return share_ != nullptr; }
  CURLSH* get() const { return share_; }

 private:
  static void Lock(CURL* handle, curl_lock_data data, curl_lock_access access, void* self);
  static void Unlock(CURL* handle, curl_lock_data data, void* self);

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

class CurlHandlePool {
 public:
  // A leased easy handle; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(CurlHandlePool* pool, CurlEasy handle) : pool_(pool), handle_(std::move(handle)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    CURL* get() const { return handle_.get(); }
    explicit operator bool() const { return handle_ != nullptr; }

   private:
    CurlHandlePool* pool_;
    CurlEasy handle_;
  };

  explicit CurlHandlePool(int max_in_flight);
  CurlHandlePool(const CurlHandlePool&) = delete;
  CurlHandlePool& operator=(const CurlHandlePool&) = delete;
  ~CurlHandlePool();

  // False when curl could not create the share (out of memory).
  bool ok() const { return share_.ok(); }

  // Waits for a free slot and returns a handle attached to the share, reset to
  // default options. An empty lease means curl_easy_init failed.
  Lease Acquire();

  int max_in_flight() const { return max_in_flight_; }

 private:
  void Release(CurlEasy handle);

  const int max_in_flight_;
  CurlShare share_;  // declared before idle_ so handles are freed first

  std::mutex mu_;
  std::condition_variable slot_free_;
  int in_flight_ = 0;            // guarded by mu_
  std::vector<CurlEasy> idle_;   // guarded by mu_
};

}  // namespace objfs::s3
