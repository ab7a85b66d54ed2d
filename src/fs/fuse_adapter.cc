// Thin FUSE low-level callbacks over FsCore: decode, call, reply exactly once.
// Reply is the guard that makes "exactly once" hold: every callback builds one
// and it sends EIO from its destructor if the callback returned without
// replying. No lock is held here, so no lock is ever held across a reply.
#include "fs/fuse_adapter.h"

#include <sys/uio.h>

#include <fuse_lowlevel.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "base/log.h"
#include "fs/fs_core.h"

namespace objfs::fs {
namespace {

class Reply {
 public:
  explicit Reply(fuse_req_t req) : req_(req) {}
  ~Reply() {
    if (!sent_) fuse_reply_err(req_, EIO);
  }
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;

  void Err(int err) { Send([&] { fuse_reply_err(req_, err); }); }
  void Ok() { Err(0); }
  void None() { Send([&] { fuse_reply_none(req_); }); }
  void EntryOut(const Entry& e) {
    fuse_entry_param p = Param(e);
    Send([&] { fuse_reply_entry(req_, &p); });
  }
  void Attr(const AttrReply& a) { Send([&] { fuse_reply_attr(req_, &a.attr, a.timeout); }); }
  void Readlink(const std::string& target) { Send([&] { fuse_reply_readlink(req_, target.c_str()); }); }
  void Open(const OpenReply& o, fuse_file_info* fi) {
    fi->fh = o.fh;
    fi->keep_cache = o.keep_cache;
    fi->direct_io = o.direct_io;
    Send([&] { fuse_reply_open(req_, fi); });
  }
  void Create(const CreateReply& c, fuse_file_info* fi) {
    fuse_entry_param p = Param(c.entry);
    fi->fh = c.open.fh;
    fi->keep_cache = c.open.keep_cache;
    fi->direct_io = c.open.direct_io;
    Send([&] { fuse_reply_create(req_, &p, fi); });
  }
  void Buf(const char* data, size_t size) { Send([&] { fuse_reply_buf(req_, data, size); }); }
  void Iov(const struct iovec* iov, int count) { Send([&] { fuse_reply_iov(req_, iov, count); }); }
  void Written(size_t count) { Send([&] { fuse_reply_write(req_, count); }); }
  void Statfs(const struct statvfs& sv) { Send([&] { fuse_reply_statfs(req_, &sv); }); }

  template <typename T>
  bool FailIfError(const ErrnoOr<T>& r) {
    if (r.ok()) return false;
    Err(r.error());
    return true;
  }

  static fuse_entry_param Param(const Entry& e) {
    fuse_entry_param p;
    std::memset(&p, 0, sizeof p);
    p.ino = e.ino;
    p.generation = e.generation;
    p.attr = e.attr;
    p.attr_timeout = e.attr_timeout;
    p.entry_timeout = e.entry_timeout;
    return p;
  }

 private:
  template <typename F>
  void Send(F&& f) {
    if (sent_) return;
    sent_ = true;
    f();
  }
  fuse_req_t req_;
  bool sent_ = false;
};

FsCore& Core(fuse_req_t req) { return *static_cast<FsCore*>(fuse_req_userdata(req)); }

RequestContext Ctx(fuse_req_t req) {
  const fuse_ctx* c = fuse_req_ctx(req);
  RequestContext ctx;
  ctx.uid = c->uid;
  ctx.gid = c->gid;
  ctx.umask = c->umask;
  ctx.pid = c->pid;
  return ctx;
}

void OnInit(void* userdata, fuse_conn_info* conn) {
  (void)userdata;
  conn->max_write = 1u << 20;
  conn->max_readahead = 1u << 20;
  const unsigned wanted[] = {FUSE_CAP_READDIRPLUS, FUSE_CAP_READDIRPLUS_AUTO, FUSE_CAP_PARALLEL_DIROPS,
                             FUSE_CAP_ATOMIC_O_TRUNC, FUSE_CAP_AUTO_INVAL_DATA, FUSE_CAP_ASYNC_READ};
  for (unsigned cap : wanted) {
    if (conn->capable & cap) conn->want |= cap;
  }
  // The kernel must not cache writes: close()/fsync() are our commit points.
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  conn->time_gran = 1;
}

void OnDestroy(void* userdata) {
  auto* core = static_cast<FsCore*>(userdata);
  Status s = core->SyncAll();
  if (!s.ok()) LOG_ERROR("unmount: unsaved data could not be uploaded: " << s.ToString());
}

void OnLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Reply r(req);
  auto e = Core(req).Lookup(parent, name);
  if (r.FailIfError(e)) return;
  r.EntryOut(*e);
}

void OnForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Reply r(req);
  Core(req).Forget(ino, nlookup);
  r.None();
}

void OnForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Reply r(req);
  std::vector<std::pair<uint64_t, uint64_t>> items;
  items.reserve(count);
  for (size_t i = 0; i < count; ++i) items.emplace_back(forgets[i].ino, forgets[i].nlookup);
  Core(req).ForgetMulti(items);
  r.None();
}

void OnGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Reply r(req);
  auto a = Core(req).GetAttr(ino);
  if (r.FailIfError(a)) return;
  r.Attr(*a);
}

void OnSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  Reply r(req);
  SetAttrRequest s;
  if (to_set & FUSE_SET_ATTR_MODE) s.mode = attr->st_mode;
  if (to_set & FUSE_SET_ATTR_UID) s.uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) s.gid = attr->st_gid;
  if (to_set & FUSE_SET_ATTR_SIZE) s.size = static_cast<uint64_t>(attr->st_size);
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
    s.atime = timespec{0, UTIME_NOW};
  } else if (to_set & FUSE_SET_ATTR_ATIME) {
    s.atime = attr->st_atim;
  }
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    s.mtime = timespec{0, UTIME_NOW};
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    s.mtime = attr->st_mtim;
  }
  std::optional<uint64_t> fh;
  if (fi) fh = fi->fh;
  auto a = Core(req).SetAttr(ino, s, fh, Ctx(req));
  if (r.FailIfError(a)) return;
  r.Attr(*a);
}

void OnReadlink(fuse_req_t req, fuse_ino_t ino) {
  Reply r(req);
  auto t = Core(req).ReadLink(ino);
  if (r.FailIfError(t)) return;
  r.Readlink(*t);
}

void OnMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Reply r(req);
  auto e = Core(req).Mknod(parent, name, mode, rdev, Ctx(req));
  if (r.FailIfError(e)) return;
  r.EntryOut(*e);
}

void OnMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Reply r(req);
  auto e = Core(req).Mkdir(parent, name, mode, Ctx(req));
  if (r.FailIfError(e)) return;
  r.EntryOut(*e);
}

void OnUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Reply r(req);
  r.Err(Core(req).Unlink(parent, name).error());
}

void OnRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Reply r(req);
  r.Err(Core(req).Rmdir(parent, name).error());
}

void OnSymlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  Reply r(req);
  auto e = Core(req).Symlink(link, parent, name, Ctx(req));
  if (r.FailIfError(e)) return;
  r.EntryOut(*e);
}

void OnRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
              unsigned int flags) {
  Reply r(req);
  r.Err(Core(req).Rename(parent, name, newparent, newname, flags).error());
}

void OnLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Reply r(req);
  auto e = Core(req).Link(ino, newparent, newname);
  if (r.FailIfError(e)) return;
  r.EntryOut(*e);
}

void OnOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Reply r(req);
  auto o = Core(req).Open(ino, fi->flags);
  if (r.FailIfError(o)) return;
  r.Open(*o, fi);
}

void OnCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Reply r(req);
  auto c = Core(req).Create(parent, name, mode, fi->flags, Ctx(req));
  if (r.FailIfError(c)) return;
  r.Create(*c, fi);
}

void OnRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Reply r(req);
  // Written straight from the cached blocks (the slices pin them until the
  // reply is out): no copy into a reply buffer first.
  std::vector<ReadSlice> slices;
  auto n = Core(req).ReadSlices(ino, fi->fh, static_cast<uint64_t>(off), size, &slices);
  if (r.FailIfError(n)) return;
  std::vector<struct iovec> iov(slices.size());
  for (size_t i = 0; i < slices.size(); ++i) {
    iov[i].iov_base = const_cast<char*>(slices[i].data);  // fuse_reply_iov only reads it
    iov[i].iov_len = slices[i].size;
  }
  r.Iov(iov.data(), static_cast<int>(iov.size()));
}

void OnWrite(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  Reply r(req);
  auto n = Core(req).Write(ino, fi->fh, static_cast<uint64_t>(off), std::span<const char>(buf, size));
  if (r.FailIfError(n)) return;
  r.Written(*n);
}

void OnFlush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Reply r(req);
  r.Err(Core(req).Flush(ino, fi->fh).error());
}

void OnRelease(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Reply r(req);
  r.Err(Core(req).Release(ino, fi->fh).error());
}

void OnFsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Reply r(req);
  r.Err(Core(req).Fsync(ino, fi->fh, datasync != 0).error());
}

void OnOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Reply r(req);
  auto dh = Core(req).OpenDir(ino);
  if (r.FailIfError(dh)) return;
  fi->fh = *dh;
  fi->cache_readdir = 0;
  r.Open(OpenReply{*dh, false, false}, fi);
}

void ReadDirCommon(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  Reply r(req);
  std::vector<char> buf(size);
  size_t used = 0;
  DirFiller filler = [&](const DirEntryView& e) -> bool {
    std::string name(e.name);
    size_t need;
    if (plus) {
      fuse_entry_param p = Reply::Param(*e.entry);
      need = fuse_add_direntry_plus(req, buf.data() + used, size - used, name.c_str(), &p,
                                    static_cast<off_t>(e.next_offset));
    } else {
      need = fuse_add_direntry(req, buf.data() + used, size - used, name.c_str(), e.attr,
                               static_cast<off_t>(e.next_offset));
    }
    if (need > size - used) return false;
    used += need;
    return true;
  };
  FsCore& core = Core(req);
  ErrnoStatus s = plus ? core.ReadDirPlus(ino, fi->fh, static_cast<uint64_t>(off), filler)
                       : core.ReadDir(ino, fi->fh, static_cast<uint64_t>(off), filler);
  if (!s.ok()) {
    r.Err(s.error());
    return;
  }
  r.Buf(buf.data(), used);
}

void OnReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, ino, size, off, fi, false);
}

void OnReaddirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, ino, size, off, fi, true);
}

void OnReleasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Reply r(req);
  r.Err(Core(req).ReleaseDir(ino, fi->fh).error());
}

void OnFsyncdir(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info* fi) {
  Reply r(req);
  r.Err(Core(req).FsyncDir(ino, fi->fh).error());
}

void OnStatfs(fuse_req_t req, fuse_ino_t ino) {
  Reply r(req);
  auto sv = Core(req).StatFs(ino);
  if (r.FailIfError(sv)) return;
  r.Statfs(*sv);
}

fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops;
  std::memset(&ops, 0, sizeof ops);
  ops.init = OnInit;
  ops.destroy = OnDestroy;
  ops.lookup = OnLookup;
  ops.forget = OnForget;
  ops.forget_multi = OnForgetMulti;
  ops.getattr = OnGetattr;
  ops.setattr = OnSetattr;
  ops.readlink = OnReadlink;
  ops.mknod = OnMknod;
  ops.mkdir = OnMkdir;
  ops.unlink = OnUnlink;
  ops.rmdir = OnRmdir;
  ops.symlink = OnSymlink;
  ops.rename = OnRename;
  ops.link = OnLink;
  ops.open = OnOpen;
  ops.create = OnCreate;
  ops.read = OnRead;
  ops.write = OnWrite;
  ops.flush = OnFlush;
  ops.release = OnRelease;
  ops.fsync = OnFsync;
  ops.opendir = OnOpendir;
  ops.readdir = OnReaddir;
  ops.readdirplus = OnReaddirplus;
  ops.releasedir = OnReleasedir;
  ops.fsyncdir = OnFsyncdir;
  ops.statfs = OnStatfs;
  return ops;
}

}  // namespace

const fuse_lowlevel_ops& FuseOperations() {
  static const fuse_lowlevel_ops ops = MakeOps();
  return ops;
}

}  // namespace objfs::fs
