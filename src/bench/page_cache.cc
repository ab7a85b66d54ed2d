#include "bench/page_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace objfs::bench {

Status DropPageCache() {
  sync();
  int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Status(Code::kPermissionDenied,
                  std::string("cannot open /proc/sys/vm/drop_caches: ") + std::strerror(err) +
                      (geteuid() != 0 ? " (not root)" : ""))
        .WithErrno(err);
  }
  ssize_t written = write(fd, "3\n", 2);
  int err = errno;
  close(fd);
  if (written != 2) {
    return Status(Code::kPermissionDenied,
                  std::string("writing /proc/sys/vm/drop_caches failed: ") + std::strerror(err))
        .WithErrno(err);
  }
  return Status::Ok();
}

bool DropPageCacheForPhase(bool wanted, ProgressLine* progress) {
  if (!wanted) return false;
  Status dropped = DropPageCache();
  if (!dropped.ok()) {
    progress->Message("page cache not dropped: " + dropped.message());
    return false;
  }
  return true;
}

}  // namespace objfs::bench
