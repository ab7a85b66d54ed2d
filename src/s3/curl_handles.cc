#include "s3/curl_handles.h"

namespace objfs::s3 {

bool CurlSlist::Append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_, line.c_str());
  if (next == nullptr) return false;
  list_ = next;
  return true;
}

CurlShare::CurlShare() {
  // Reference-counted inside libcurl and thread-safe in the versions we build
  // against (curl_version_info reports CURL_VERSION_THREADSAFE).
  curl_global_init(CURL_GLOBAL_DEFAULT);
  share_ = curl_share_init();
  if (share_ == nullptr) return;
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::Lock);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::Unlock);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CurlShare::~CurlShare() {
  if (share_ != nullptr) curl_share_cleanup(share_);
  curl_global_cleanup();
}

void CurlShare::Lock(CURL* /*handle*/, curl_lock_data data, curl_lock_access /*access*/, void* self) {
  auto* share = static_cast<CurlShare*>(self);
  share->mutexes_[static_cast<size_t>(data) % share->mutexes_.size()].lock();
}

void CurlShare::Unlock(CURL* /*handle*/, curl_lock_data data, void* self) {
  auto* share = static_cast<CurlShare*>(self);
  share->mutexes_[static_cast<size_t>(data) % share->mutexes_.size()].unlock();
}

CurlHandlePool::CurlHandlePool(int max_in_flight) : max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight) {}

CurlHandlePool::~CurlHandlePool() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();  // detach every handle before the share goes
}

CurlHandlePool::Lease CurlHandlePool::Acquire() {
  CurlEasy handle;
  {
    std::unique_lock<std::mutex> lock(mu_);
    slot_free_.wait(lock, [this] { return in_flight_ < max_in_flight_; });
    ++in_flight_;
    if (!idle_.empty()) {
      handle = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!handle) {
    handle.reset(curl_easy_init());
    if (handle && share_.ok()) curl_easy_setopt(handle.get(), CURLOPT_SHARE, share_.get());
    if (!handle) {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      slot_free_.notify_one();
      return Lease(nullptr, nullptr);
    }
  }
  return Lease(this, std::move(handle));
}

void CurlHandlePool::Release(CurlEasy handle) {
  // Reset outside the lock: it clears options (headers, callbacks pointing at
  // a finished request) but keeps the share, so connections stay reusable.
  curl_easy_reset(handle.get());
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(handle));
  --in_flight_;
  slot_free_.notify_one();
}

CurlHandlePool::Lease::~Lease() {
  if (pool_ != nullptr && handle_) pool_->Release(std::move(handle_));
}

}  // namespace objfs::s3
