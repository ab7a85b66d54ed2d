#include "csi/volume_locks.h"

namespace objfs::csi {

VolumeLocks::Guard::~Guard() {
  if (owner_ != nullptr) owner_->Unlock(key_);
}

std::optional<VolumeLocks::Guard> VolumeLocks::TryLock(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!busy_.insert(key).second) return std::nullopt;
  return std::optional<Guard>(std::in_place, this, key);
}

void VolumeLocks::Unlock(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  busy_.erase(key);
}

}  // namespace objfs::csi
