#include "fs/errno_map.h"

#include <cerrno>

namespace objfs::fs {

int ErrnoFromStatus(const Status& status) {
  if (status.ok()) return 0;
  if (status.errno_hint() > 0) return status.errno_hint();
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kAlreadyExists:
      return EEXIST;
    case Code::kPermissionDenied:
      return EACCES;
    case Code::kInvalidArgument:
    case Code::kOutOfRange:
      return EINVAL;
    case Code::kFailedPrecondition:
      return ESTALE;
    case Code::kResourceExhausted:
      return ENOSPC;
    case Code::kUnimplemented:
      return ENOTSUP;
    case Code::kCancelled:
      return EINTR;
    case Code::kUnavailable:
    case Code::kTimeout:
    case Code::kDataLoss:
    case Code::kAborted:
    case Code::kInternal:
      return EIO;
  }
  return EIO;
}

int ErrnoFromStatus(FsOp op, const Status& status) {
  if (status.ok()) return 0;
  int e = ErrnoFromStatus(status);
  switch (op) {
    case FsOp::kRead:
      if (status.code() == Code::kFailedPrecondition) return ESTALE;
      if (status.code() == Code::kNotFound && status.s3_code() != "NoSuchBucket") return ESTALE;
      return e;
    case FsOp::kWrite:
      return e == ENOSPC || e == ESTALE ? e : EIO;
    case FsOp::kCommit:
      return e == ENOSPC || e == EDQUOT ? e : EIO;
    case FsOp::kSetMetadata:
      return e == ESTALE ? e : EIO;
    case FsOp::kExclusiveCreate:
      return status.code() == Code::kFailedPrecondition ? EEXIST : e;
  }
  return e;
}

}  // namespace objfs::fs
