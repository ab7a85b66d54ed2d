// VolumeLocks: at most one CSI operation per volume at a time.
//
// The CO should never send two calls for one volume at once, but after a CO
// restart it may; the spec lets a plugin answer ABORTED then, which is what
// the services do when TryLock fails. Keys are volume ids (controller calls by
// name use the name). A Guard releases its key when destroyed.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace objfs::csi {

class VolumeLocks {
 public:
  class Guard {
   public:
    Guard(VolumeLocks* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    Guard(Guard&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) { other.owner_ = nullptr; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard();

   private:
    VolumeLocks* owner_;
    std::string key_;
  };

  // Empty when an operation on `key` is already in flight.
  std::optional<Guard> TryLock(const std::string& key);

 private:
  void Unlock(const std::string& key);

  std::mutex mu_;
  std::set<std::string> busy_;  // guarded by mu_
};

}  // namespace objfs::csi
