// The FUSE low-level callbacks: thin functions that decode a request, call
// FsCore, and reply exactly once. The session's userdata must be the FsCore*.
// Nothing else in objfs includes fuse_lowlevel.h except this adapter and
// fs/fuse_mount.cc.
#pragma once

struct fuse_lowlevel_ops;

namespace objfs::fs {

// The operations table for fuse_session_new(); static storage.
const fuse_lowlevel_ops& FuseOperations();

}  // namespace objfs::fs
