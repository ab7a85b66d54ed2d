// The one place where a Status becomes an errno (style rule: translate errors
// once per boundary). FsCore calls ErrnoFromStatus for every failure that came
// from S3 or the engine; nothing else in src/fs maps codes to errnos.
//
// Thread-safety: pure functions.
#pragma once

#include "base/status.h"

namespace objfs::fs {

// A positive errno for a non-OK status:
//   errno_hint() if set; kNotFound -> ENOENT; kAlreadyExists -> EEXIST;
//   kPermissionDenied -> EACCES; kInvalidArgument -> EINVAL;
//   kFailedPrecondition -> ESTALE (the object changed under us);
//   kOutOfRange -> EINVAL; kResourceExhausted -> ENOSPC; kUnimplemented ->
//   ENOTSUP; kCancelled -> EINTR; kUnavailable, kTimeout, kDataLoss, kAborted,
//   kInternal -> EIO.
int ErrnoFromStatus(const Status& status);

// What the failing operation was, where that changes the answer.
enum class FsOp {
  kRead,             // ESTALE when the object changed or vanished under an open file
  kWrite,            // ENOSPC and ESTALE as such; any other failure is EIO
  kCommit,           // flush/fsync/close/truncate upload: ENOSPC/EDQUOT as such, else EIO
  kSetMetadata,      // ESTALE when the object changed meanwhile, else EIO
  kExclusiveCreate,  // PreconditionFailed on If-None-Match: EEXIST
};
int ErrnoFromStatus(FsOp op, const Status& status);

}  // namespace objfs::fs
