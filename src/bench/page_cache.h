// Dropping the kernel page cache (and dentry/inode caches) before cold phases.
//
// Writes "3" to /proc/sys/vm/drop_caches after sync(2). That needs root (or
// CAP_SYS_ADMIN) and a writable /proc/sys; when it is not possible the caller
// gets a Status saying why, and the benchmark reports that the phase was not
// cold rather than pretending it was.
//
// Thread-safety: stateless.
#pragma once

#include "base/status.h"
#include "bench/progress_line.h"

namespace objfs::bench {

Status DropPageCache();

// For a cold phase: drops the page cache when `wanted` (--no-drop-caches
// turns it off), says on `progress` why when it could not, and returns
// whether the phase really starts cold.
bool DropPageCacheForPhase(bool wanted, ProgressLine* progress);

}  // namespace objfs::bench
