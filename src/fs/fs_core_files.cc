// FsCoreImpl: construction, open files (read, write, commit), SetAttr,
// statfs and sync. See fs_core_impl.h for the locking rules.
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/log.h"
#include "fs/errno_map.h"
#include "fs/fs_core_impl.h"
#include "fs/name_filter.h"

namespace objfs::fs {
namespace {

Status DescribeInitError(const Status& s, const std::string& what) {
  Status out = s;
  switch (s.code()) {
    case Code::kNotFound:
      return Status(Code::kNotFound, what + " does not exist").WithHttp(s.http_status(), s.s3_code(), s.request_id());
    case Code::kPermissionDenied:
      return Status(Code::kPermissionDenied, "access denied to " + what + " (check the credentials): " + s.message())
          .WithHttp(s.http_status(), s.s3_code(), s.request_id());
    case Code::kUnavailable:
    case Code::kTimeout:
      return Status(s.code(), "S3 endpoint unreachable while checking " + what + ": " + s.message());
    default:
      out.Annotate("checking " + what);
      return out;
  }
}

FsConfig Normalized(FsConfig config) {
  if (!config.prefix.empty() && config.prefix.back() != '/') config.prefix += '/';
  while (!config.prefix.empty() && config.prefix.front() == '/') config.prefix.erase(0, 1);
  if (config.staging_dir.empty()) config.staging_dir = "/tmp";
  return config;
}

}  // namespace

FsCoreImpl::FsCoreImpl(FsConfig config, std::shared_ptr<s3::ObjectClient> client)
    : config_(Normalized(std::move(config))),
      client_(std::make_shared<CountingClient>(std::move(client))),
      capacity_(config_.capacity_bytes),
      budget_(std::max<uint64_t>(config_.cache_bytes, 16ull << 20)) {
  executor_ = std::make_unique<IoExecutor>(std::max(1, config_.max_parallel_requests));
  meta_executor_ = std::make_unique<IoExecutor>(std::max(1, config_.metadata_parallel_requests));
  PageCacheOptions opts;
  opts.max_parallel_requests = std::max(1, config_.max_parallel_requests);
  opts.executor = executor_.get();
  cache_ = std::make_unique<PageCache>(*client_, config_.bucket, budget_, opts);
  data_ctx_.client = client_.get();
  data_ctx_.bucket = config_.bucket;
  data_ctx_.budget = &budget_;
  data_ctx_.executor = executor_.get();
  data_ctx_.staging_dir = config_.staging_dir.empty() ? "/tmp" : config_.staging_dir;
  data_ctx_.max_parallel_parts = std::max(1, std::min(8, config_.max_parallel_requests));
  data_ctx_.next_generation = [this] { return next_generation_.fetch_add(1); };
}

FsCoreImpl::~FsCoreImpl() {
  stopping_ = true;
  {
    std::lock_guard lock(usage_mu_);
    if (usage_thread_.joinable()) usage_thread_.join();
  }
  // Readers and streams go before the cache and the executor they use.
  std::unordered_map<uint64_t, std::shared_ptr<FileHandle>> handles;
  std::vector<std::shared_ptr<FileContent>> contents;
  {
    std::lock_guard lock(mu_);
    handles.swap(handles_);
    inodes_.ForEach([&](Inode& n) {
      if (n.content) contents.push_back(std::move(n.content));
    });
  }
  handles.clear();
  contents.clear();  // aborts unfinished streams, outside mu_
  // Prefetches still running on the shared executor touch the cache: let
  // them finish before it goes.
  executor_->Drain();
  cache_.reset();
  executor_.reset();
  meta_executor_.reset();  // runs what is queued (probes hold what they use)
}

Status FsCoreImpl::Init() {
  std::error_code ec;
  std::filesystem::create_directories(config_.staging_dir, ec);
  if (ec || !std::filesystem::is_directory(config_.staging_dir)) {
    return Status(Code::kInvalidArgument, "staging directory " + config_.staging_dir + " is not usable: " +
                                              (ec ? ec.message() : std::string("not a directory")));
  }
  std::string what = "bucket '" + config_.bucket + "'";
  Status s = client_->HeadBucket(config_.bucket);
  if (!s.ok()) return DescribeInitError(s, what);
  s3::ListRequest req;
  req.prefix = config_.prefix;
  req.delimiter = "/";
  req.max_keys = 1;
  Result<s3::ListPage> page = client_->ListObjects(config_.bucket, req);
  if (!page.ok()) return DescribeInitError(page.status(), what + " prefix '" + config_.prefix + "'");
  std::lock_guard lock(usage_mu_);
  initialized_ = true;
  if (capacity_.load() > 0 && !usage_thread_.joinable()) usage_thread_ = std::thread([this] { CountUsage(); });
  return Status::Ok();
}

void FsCoreImpl::SetCapacity(uint64_t capacity_bytes) {
  capacity_.store(capacity_bytes);
  std::lock_guard lock(usage_mu_);
  if (capacity_bytes > 0 && initialized_ && !usage_thread_.joinable()) {
    usage_thread_ = std::thread([this] { CountUsage(); });
  }
}

// One listing of everything under the prefix, at start: the usage the quota
// starts from. Afterwards usage moves only by objfs' own deltas.
void FsCoreImpl::CountUsage() {
  s3::ListRequest req;
  req.prefix = config_.prefix;
  req.max_keys = 1000;
  uint64_t total = 0;
  for (;;) {
    if (stopping_) return;
    Result<s3::ListPage> page = client_->ListObjects(config_.bucket, req);
    if (!page.ok()) {
      LOG_WARN("counting the starting usage of " << config_.bucket << "/" << config_.prefix << ": "
                                                 << page.status().ToString());
      return;
    }
    for (const auto& o : page->objects) total += o.size;
    if (!page->truncated || page->next_continuation_token.empty()) break;
    req.continuation_token = page->next_continuation_token;
  }
  AddUsed(static_cast<int64_t>(total));
  usage_exact_ = true;
  LOG_INFO("starting usage of " << config_.bucket << "/" << config_.prefix << ": " << total << " bytes");
}

void FsCoreImpl::AddUsed(int64_t delta) { used_bytes_.fetch_add(delta, std::memory_order_relaxed); }

bool FsCoreImpl::WouldExceedCapacity(uint64_t growth) const {
  uint64_t cap = capacity_.load(std::memory_order_relaxed);
  if (cap == 0 || growth == 0) return false;
  int64_t used = std::max<int64_t>(0, used_bytes_.load(std::memory_order_relaxed));
  return static_cast<uint64_t>(used) + growth > cap;
}

FsStats FsCoreImpl::Stats() const {
  FsStats st;
  st.capacity_bytes = capacity_.load();
  st.used_bytes = static_cast<uint64_t>(std::max<int64_t>(0, used_bytes_.load()));
  st.used_bytes_exact = usage_exact_.load();
  {
    std::lock_guard lock(mu_);
    st.used_inodes = inodes_.size();
    st.open_handles = handles_.size();
  }
  st.bytes_read = bytes_read_.load();
  st.bytes_written = bytes_written_.load();
  RequestCounts c = client_->Counts();
  st.s3_head = c.head;
  st.s3_get = c.get;
  st.s3_put = c.put;
  st.s3_list = c.list;
  st.s3_copy = c.copy;
  st.s3_delete = c.del;
  st.s3_errors = c.errors;
  st.upload_failures = upload_failures_.load();
  return st;
}

ErrnoOr<struct statvfs> FsCoreImpl::StatFs() {
  struct statvfs sv {};
  const uint64_t bsize = 4096;
  uint64_t cap = capacity_.load();
  uint64_t used = static_cast<uint64_t>(std::max<int64_t>(0, used_bytes_.load()));
  uint64_t total = cap ? cap : (1ull << 50);  // unlimited: report 1 PiB
  uint64_t free = total > used ? total - used : 0;
  sv.f_bsize = bsize;
  sv.f_frsize = bsize;
  sv.f_blocks = total / bsize;
  sv.f_bfree = free / bsize;
  sv.f_bavail = free / bsize;
  uint64_t inodes;
  {
    std::lock_guard lock(mu_);
    inodes = inodes_.size();
  }
  sv.f_files = 1ull << 32;
  sv.f_ffree = sv.f_files - std::min<uint64_t>(inodes, sv.f_files);
  sv.f_favail = sv.f_ffree;
  sv.f_namemax = kMaxNameBytes;
  return sv;
}

// ---------------------------------------------------------------- content

std::shared_ptr<FileContent> FsCoreImpl::ContentLocked(Inode& inode) {
  ObjectVersion v{KeyOfLocked(inode), inode.etag, inode.size, inode.content_generation};
  if (!inode.content) {
    inode.content = std::make_shared<FileContent>(data_ctx_, std::move(v));
  } else if (!inode.content->dirty() && inode.content->base().etag != inode.etag) {
    // Only reached from paths that hold no io_mu and see a clean content: the
    // object was replaced by another client (GetAttr saw the new ETag).
    inode.content->RebaseExternal(std::move(v));
  }
  return inode.content;
}

void FsCoreImpl::SyncFromContentLocked(Inode& inode, const FileContent& content, bool data_changed) {
  uint64_t new_size = content.size();
  if (!inode.delete_on_release && inode.linked) {
    AddUsed(static_cast<int64_t>(new_size) - static_cast<int64_t>(inode.size));
  }
  inode.size = new_size;
  if (!content.dirty()) {
    const ObjectVersion& b = content.base();
    if (b.generation != 0 && b.generation != inode.content_generation) {
      if (inode.content_generation != 0) cache_->Invalidate(inode.content_generation);
      inode.content_generation = b.generation;
    }
    RememberGenerationLocked(b.key, b.etag, b.generation);
    inode.etag = b.etag;
    inode.meta_known = true;
  }
  if (data_changed) inode.meta.mtime = inode.meta.ctime = WallClockNow();
  inode.attr_expiry = Expiry();
  inode.updated_at = Clock::now();
}

Status FsCoreImpl::CommitContent(uint64_t ino, FileContent& content) {
  std::string key;
  s3::PutOptions put;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node || node->delete_on_release) return Status::Ok();
    key = KeyOfLocked(*node);
    put = PutOptionsLocked(*node);
  }
  Result<FileContent::Committed> r = content.Commit(key, put);
  if (!r.ok()) {
    upload_failures_.fetch_add(1);
    LOG_ERROR("saving " << config_.bucket << "/" << key << " failed: " << r.status().ToString());
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(ino)) SyncFromContentLocked(*node, content, false);
    return r.status();
  }
  if (!r->uploaded) return Status::Ok();
  std::string etag;
  uint64_t size = 0;
  bool fix_meta = false;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return Status::Ok();
    SyncFromContentLocked(*node, content, false);
    node->last_modified = std::time(nullptr);
    if (auto lo = local_only_.find(node->parent); lo != local_only_.end()) {
      lo->second.erase(ino);
      if (lo->second.empty()) local_only_.erase(lo);
    }
    if (r->streamed) {
      // A stream's metadata was fixed when it began; mtime stays as written
      // there, but a chmod/chown during the write needs one metadata copy.
      auto m = r->stream_metadata;
      if (!node->mtime_explicit) {
        if (auto t = m.find("mtime"); t != m.end()) {
          if (auto ts = ParseTime(t->second)) node->meta.mtime = *ts;
        }
      }
      fix_meta = m["mode"] != put.metadata["mode"] || m["uid"] != put.metadata["uid"] ||
                 m["gid"] != put.metadata["gid"] || (node->mtime_explicit && m["mtime"] != put.metadata["mtime"]);
    }
    if (node->linked) InvalidateDirLocked(node->parent);
    etag = node->etag;
    size = node->size;
    put = PutOptionsLocked(*node);
  }
  if (fix_meta) {
    Result<std::string> c = CopyKey(key, key, size, etag, &put);
    if (!c.ok()) return c.status();
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(ino)) {
      node->etag = *c;
      node->updated_at = Clock::now();
      ObjectVersion v = content.base();
      v.etag = *c;
      content.Rebase(v);
    }
  }
  return Status::Ok();
}

ErrnoStatus FsCoreImpl::CommitInode(uint64_t ino, const std::shared_ptr<FileContent>& content) {
  std::lock_guard io(content->io_mu());
  Status s = CommitContent(ino, *content);
  if (!s.ok()) {
    // Whatever went wrong in the store, the caller learns its data is not saved.
    return Err(ErrnoFromStatus(FsOp::kCommit, s));
  }
  return ErrnoStatus::Ok();
}

// ---------------------------------------------------------------- open / create

ErrnoOr<OpenReply> FsCoreImpl::OpenLocked(Inode& inode, int flags, std::shared_ptr<FileContent>* content) {
  using R = ErrnoOr<OpenReply>;
  if (inode.is_dir()) return R::Error(EISDIR);
  bool writable = (flags & O_ACCMODE) != O_RDONLY;
  if (config_.read_only && (writable || (flags & O_TRUNC))) return R::Error(EROFS);
  if (inode.is_symlink()) return R::Error(ELOOP);
  *content = ContentLocked(inode);
  ++inode.open_count;
  auto h = std::make_shared<FileHandle>();
  h->ino = inode.ino;
  h->writable = writable;
  h->content = *content;
  h->external_seen = (*content)->external_changes();
  OpenReply reply;
  reply.fh = next_fh_++;
  reply.keep_cache = !(flags & O_TRUNC) && inode.last_open_generation == inode.content_generation &&
                     !(*content)->dirty();
  inode.last_open_generation = inode.content_generation;
  handles_[reply.fh] = std::move(h);
  return reply;
}

ErrnoOr<OpenReply> FsCoreImpl::Open(uint64_t ino, int flags) {
  using R = ErrnoOr<OpenReply>;
  // Close-to-open: refresh stale attributes (one HEAD) before opening.
  ErrnoOr<AttrReply> attr = GetAttr(ino);
  if (!attr.ok()) return R::Error(attr.error());
  std::shared_ptr<FileContent> content;
  ErrnoOr<OpenReply> reply = R::Error(ENOENT);
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return R::Error(ENOENT);
    reply = OpenLocked(*node, flags, &content);
    if (!reply.ok()) return reply;
  }
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
    Status s;
    {
      std::lock_guard io(content->io_mu());
      std::string key;
      s3::PutOptions put;
      {
        std::lock_guard lock(mu_);
        Inode* node = inodes_.Get(ino);
        if (node) {
          key = KeyOfLocked(*node);
          put = PutOptionsLocked(*node);
        }
      }
      s = content->Truncate(0, key, put);
      std::lock_guard lock(mu_);
      if (Inode* node = inodes_.Get(ino)) SyncFromContentLocked(*node, *content, content->dirty());
    }
    if (!s.ok()) {
      (void)Release(ino, reply->fh);  // no lock held here: Release commits and locks
      return R::Error(ErrnoFromStatus(s));
    }
  }
  return reply;
}

ErrnoOr<Entry> FsCoreImpl::CreateObject(uint64_t parent, std::string_view name, mode_t mode, bool exclusive,
                                        const RequestContext& ctx, bool defer) {
  using R = ErrnoOr<Entry>;
  ErrnoOr<std::string> pkey = ParentKey(parent);
  if (!pkey.ok()) return R::Error(pkey.error());
  FileMeta meta = NewMeta(S_IFREG | (mode & 07777), ctx);
  std::string key = *pkey + std::string(name);
  std::string etag;
  if (!defer) {
    s3::PutOptions put;
    put.metadata = EncodeMeta(meta);
    if (exclusive) put.if_none_match = "*";
    Result<s3::PutResult> r = client_->PutObject(config_.bucket, key, s3::Body::FromMemory({}), put);
    if (!r.ok() && exclusive && r.status().code() == Code::kUnimplemented) {
      // A store without conditional writes: the existence check above stands.
      put.if_none_match.clear();
      r = client_->PutObject(config_.bucket, key, s3::Body::FromMemory({}), put);
    }
    if (!r.ok()) {
      return R::Error(exclusive ? ErrnoFromStatus(FsOp::kExclusiveCreate, r.status())
                                : ErrnoFromStatus(r.status()));
    }
    etag = r->etag;
  }
  std::lock_guard lock(mu_);
  if (!inodes_.Get(parent)) return R::Error(ENOENT);
  Probe p;
  p.exists = true;
  p.kind = ObjectKind::kFile;
  p.meta = meta;
  p.meta_known = true;
  p.etag = etag;
  p.last_modified = std::time(nullptr);
  Inode& node = UpsertLocked(parent, name, p);
  if (defer) {
    // Whatever the inode held before (a replaced object) is gone: the new
    // content is empty and dirty until its first commit point writes it.
    SetContentVersionLocked(node, "", 0);
    node.meta = meta;
    node.meta_known = true;
    node.symlink_target.clear();
    node.updated_at = Clock::now();
    node.content = std::make_shared<FileContent>(
        data_ctx_, ObjectVersion{key, "", 0, node.content_generation}, /*is_new=*/true);
    local_only_[parent].insert(node.ino);
  }
  pending_deletes_.erase(key);
  EraseNegativeLocked(parent, name);
  InvalidateDirLocked(parent);
  return EntryOfLocked(node, true);
}

std::vector<DirListingEntry> FsCoreImpl::LocalOnlyEntriesLocked(uint64_t dir) {
  std::vector<DirListingEntry> out;
  auto it = local_only_.find(dir);
  if (it == local_only_.end()) return out;
  for (auto i = it->second.begin(); i != it->second.end();) {
    Inode* n = inodes_.Get(*i);
    bool still = n && n->linked && n->parent == dir && !n->is_dir() && n->etag.empty() && n->content &&
                 n->content->dirty();
    if (!still) {
      i = it->second.erase(i);
      continue;
    }
    DirListingEntry e;
    e.name = n->name;
    e.kind = ObjectKind::kFile;
    e.size = n->size;
    e.last_modified = n->meta.mtime.tv_sec;
    out.push_back(std::move(e));
    ++i;
  }
  if (it->second.empty()) local_only_.erase(it);
  return out;
}

ErrnoOr<Entry> FsCoreImpl::Mknod(uint64_t parent, std::string_view name, mode_t mode, const RequestContext& ctx) {
  using R = ErrnoOr<Entry>;
  if (config_.read_only) return R::Error(EROFS);
  if ((mode & S_IFMT) != S_IFREG && (mode & S_IFMT) != 0) return R::Error(EPERM);
  if (int e = CheckNewName(name)) return R::Error(e);
  ErrnoOr<uint64_t> existing = Resolve(parent, name, false, nullptr);
  if (existing.ok()) return R::Error(EEXIST);
  if (existing.error() != ENOENT) return R::Error(existing.error());
  return CreateObject(parent, name, mode, /*exclusive=*/false, ctx, /*defer=*/false);
}

ErrnoOr<CreateReply> FsCoreImpl::Create(uint64_t parent, std::string_view name, mode_t mode, int flags,
                                        const RequestContext& ctx) {
  using R = ErrnoOr<CreateReply>;
  if (config_.read_only) return R::Error(EROFS);
  if (int e = CheckNewName(name)) return R::Error(e);
  Entry entry;
  ErrnoOr<uint64_t> existing = Resolve(parent, name, /*count=*/false, nullptr);
  if (existing.ok()) {
    if (flags & O_EXCL) return R::Error(EEXIST);
    ErrnoOr<uint64_t> counted = Resolve(parent, name, /*count=*/true, &entry);
    if (!counted.ok()) return R::Error(counted.error());
    if (S_ISDIR(entry.attr.st_mode)) {
      Forget(entry.ino, 1);
      return R::Error(EISDIR);
    }
    ErrnoOr<OpenReply> open = Open(entry.ino, flags);
    if (!open.ok()) {
      Forget(entry.ino, 1);
      return R::Error(open.error());
    }
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(entry.ino)) entry.attr = StatOfLocked(*node);
    return CreateReply{entry, *open};
  }
  if (existing.error() != ENOENT) return R::Error(existing.error());
  // The object is written when the file is first closed or synced: one PUT
  // per new file instead of an empty one now and the data later.
  ErrnoOr<Entry> created = CreateObject(parent, name, mode, (flags & O_EXCL) != 0, ctx, /*defer=*/true);
  if (!created.ok()) return R::Error(created.error());
  std::shared_ptr<FileContent> content;
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(created->ino);
  if (!node) return R::Error(ENOENT);
  ErrnoOr<OpenReply> open = OpenLocked(*node, flags & ~O_TRUNC, &content);
  if (!open.ok()) {
    --node->nlookup;
    return R::Error(open.error());
  }
  return CreateReply{*created, *open};
}

// ---------------------------------------------------------------- read / write

ErrnoOr<size_t> FsCoreImpl::Read(uint64_t ino, uint64_t fh, uint64_t offset, std::span<char> out) {
  std::vector<ReadSlice> slices;
  ErrnoOr<size_t> n = ReadSlices(ino, fh, offset, out.size(), &slices);
  if (!n.ok()) return n;
  size_t at = 0;
  for (const ReadSlice& slice : slices) {
    std::memcpy(out.data() + at, slice.data, slice.size);
    at += slice.size;
  }
  return n;
}

ErrnoOr<size_t> FsCoreImpl::ReadSlices(uint64_t ino, uint64_t fh, uint64_t offset, size_t size,
                                       std::vector<ReadSlice>* slices) {
  using R = ErrnoOr<size_t>;
  std::shared_ptr<FileHandle> h;
  {
    std::lock_guard lock(mu_);
    auto it = handles_.find(fh);
    if (it == handles_.end() || it->second->ino != ino) return R::Error(EBADF);
    h = it->second;
  }
  FileContent& content = *h->content;
  if (content.external_changes() != h->external_seen) return R::Error(ESTALE);
  ObjectVersion version;
  {
    std::lock_guard io(content.io_mu());
    if (content.mode() == FileContent::Mode::kStream) {
      // A stream cannot be read back: save it, then read the object.
      Status s = CommitContent(ino, content);
      if (!s.ok()) return R::Error(ErrnoFromStatus(FsOp::kCommit, s));
    }
    if (content.reads_local()) {
      std::shared_ptr<char[]> buffer(new char[std::max<size_t>(size, 1)]);
      Result<size_t> n = content.ReadLocal(offset, std::span<char>(buffer.get(), size));
      if (!n.ok()) return R::Error(ErrnoFromStatus(n.status()));
      if (*n > 0) slices->push_back(ReadSlice{buffer, buffer.get(), *n});
      bytes_read_.fetch_add(*n, std::memory_order_relaxed);
      return *n;
    }
    if (content.dirty()) return size_t{0};  // truncated to empty, not saved yet
    version = content.base();
  }
  if (version.size == 0 || offset >= version.size) return size_t{0};
  std::shared_ptr<ObjectReader> reader;
  {
    std::lock_guard rl(h->reader_mu);
    if (!h->reader || h->reader_generation != version.generation) {
      h->reader = cache_->OpenReader(version);
      h->reader_generation = version.generation;
    }
    reader = h->reader;
  }
  Result<size_t> n = reader->ReadSlices(offset, size, slices);
  if (!n.ok()) {
    LOG_WARN("read " << config_.bucket << "/" << version.key << " at " << offset << ": " << n.status().ToString());
    return R::Error(ErrnoFromStatus(FsOp::kRead, n.status()));
  }
  bytes_read_.fetch_add(*n, std::memory_order_relaxed);
  return *n;
}

ErrnoOr<size_t> FsCoreImpl::Write(uint64_t ino, uint64_t fh, uint64_t offset, std::span<const char> data) {
  using R = ErrnoOr<size_t>;
  if (config_.read_only) return R::Error(EROFS);
  std::shared_ptr<FileHandle> h;
  {
    std::lock_guard lock(mu_);
    auto it = handles_.find(fh);
    if (it == handles_.end() || it->second->ino != ino) return R::Error(EBADF);
    h = it->second;
  }
  if (!h->writable) return R::Error(EBADF);
  FileContent& content = *h->content;
  std::lock_guard io(content.io_mu());
  uint64_t end = offset + data.size();
  uint64_t size = content.size();
  if (end > size && WouldExceedCapacity(end - size)) return R::Error(ENOSPC);
  std::string key;
  s3::PutOptions put;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return R::Error(ENOENT);
    node->meta.mtime = node->meta.ctime = WallClockNow();
    node->mtime_explicit = false;
    key = KeyOfLocked(*node);
    put = PutOptionsLocked(*node);
  }
  Status s = content.Write(offset, data, key, put, /*may_stream=*/true);
  {
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(ino)) SyncFromContentLocked(*node, content, s.ok());
  }
  if (!s.ok()) {
    LOG_ERROR("write " << config_.bucket << "/" << key << " at " << offset << ": " << s.ToString());
    return R::Error(ErrnoFromStatus(FsOp::kWrite, s));
  }
  bytes_written_.fetch_add(data.size(), std::memory_order_relaxed);
  return data.size();
}

ErrnoStatus FsCoreImpl::Flush(uint64_t ino, uint64_t fh) {
  std::shared_ptr<FileHandle> h;
  {
    std::lock_guard lock(mu_);
    auto it = handles_.find(fh);
    if (it == handles_.end() || it->second->ino != ino) return Err(EBADF);
    h = it->second;
  }
  if (!h->writable) return ErrnoStatus::Ok();
  return CommitInode(ino, h->content);
}

ErrnoStatus FsCoreImpl::Release(uint64_t ino, uint64_t fh) {
  std::shared_ptr<FileHandle> h;
  {
    std::lock_guard lock(mu_);
    auto it = handles_.find(fh);
    if (it == handles_.end() || it->second->ino != ino) return Err(EBADF);
    h = std::move(it->second);
    handles_.erase(it);
  }
  ErrnoStatus result;
  if (h->writable) {
    result = CommitInode(ino, h->content);
    if (!result.ok()) LOG_ERROR("release: data of inode " << ino << " is still not saved (kept for a retry)");
  }
  std::string delete_key;
  std::shared_ptr<FileContent> discard;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (node) {
      if (node->open_count > 0) --node->open_count;
      if (node->open_count == 0) {
        if (node->delete_on_release) {
          discard = std::move(node->content);
          node->content.reset();
          if (pending_deletes_.erase(node->pending_delete_key)) delete_key = node->pending_delete_key;
          node->delete_on_release = false;
        } else if (node->content && !node->content->dirty()) {
          node->content.reset();
        }
        inodes_.MaybeErase(ino);
      }
    }
  }
  h.reset();
  if (discard) {
    std::lock_guard io(discard->io_mu());
    discard->Discard();
  }
  if (!delete_key.empty()) {
    Status s = client_->DeleteObject(config_.bucket, delete_key);
    if (!s.ok()) LOG_WARN("deleting unlinked " << delete_key << ": " << s.ToString());
  }
  return result;
}

// ---------------------------------------------------------------- setattr

ErrnoOr<AttrReply> FsCoreImpl::SetAttr(uint64_t ino, const SetAttrRequest& req, std::optional<uint64_t> fh) {
  using R = ErrnoOr<AttrReply>;
  if (config_.read_only) return R::Error(EROFS);
  if (req.size) {
    std::shared_ptr<FileContent> content;
    bool open = false;
    {
      std::lock_guard lock(mu_);
      Inode* node = inodes_.Get(ino);
      if (!node) return R::Error(ENOENT);
      if (node->is_dir()) return R::Error(EISDIR);
      if (!S_ISREG(node->meta.mode)) return R::Error(EINVAL);
      if (fh) {
        auto it = handles_.find(*fh);
        if (it != handles_.end()) content = it->second->content;
      }
      if (!content) content = ContentLocked(*node);
      open = node->open_count > 0;
    }
    std::lock_guard io(content->io_mu());
    uint64_t size = content->size();
    if (*req.size > size && WouldExceedCapacity(*req.size - size)) return R::Error(ENOSPC);
    std::string key;
    s3::PutOptions put;
    {
      std::lock_guard lock(mu_);
      Inode* node = inodes_.Get(ino);
      if (!node) return R::Error(ENOENT);
      key = KeyOfLocked(*node);
      put = PutOptionsLocked(*node);
    }
    Status s = content->Truncate(*req.size, key, put);
    {
      std::lock_guard lock(mu_);
      if (Inode* node = inodes_.Get(ino)) SyncFromContentLocked(*node, *content, s.ok() && *req.size != size);
    }
    if (!s.ok()) return R::Error(ErrnoFromStatus(s));
    // truncate(2) without an open file has no later commit point: save now.
    if (!open) {
      Status c = CommitContent(ino, *content);
      if (!c.ok()) return R::Error(ErrnoFromStatus(FsOp::kCommit, c));
    }
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(ino); node && node->open_count == 0 && node->content && !node->content->dirty()) {
      node->content.reset();
    }
  }
  bool meta_change = req.mode || req.uid || req.gid || req.atime || req.mtime;
  if (meta_change) {
    {
      std::lock_guard lock(mu_);
      Inode* node = inodes_.Get(ino);
      if (!node) return R::Error(ENOENT);
      struct timespec now = WallClockNow();
      if (req.mode) node->meta.mode = (node->meta.mode & S_IFMT) | (*req.mode & 07777);
      if (req.uid) node->meta.uid = *req.uid;
      if (req.gid) node->meta.gid = *req.gid;
      if (req.atime) node->meta.atime = req.atime->tv_nsec == UTIME_NOW ? now : *req.atime;
      if (req.mtime) {
        node->meta.mtime = req.mtime->tv_nsec == UTIME_NOW ? now : *req.mtime;
        node->mtime_explicit = true;
      }
      node->meta.ctime = now;
      node->meta_known = true;
      node->updated_at = Clock::now();
    }
    Status s = PersistMeta(ino);
    if (!s.ok()) {
      LOG_WARN("saving attributes of inode " << ino << ": " << s.ToString());
      return R::Error(ErrnoFromStatus(FsOp::kSetMetadata, s));
    }
  }
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(ino);
  if (!node) return R::Error(ENOENT);
  node->attr_expiry = Expiry();
  return AttrReply{StatOfLocked(*node), ttl()};
}

// ---------------------------------------------------------------- sync

Status FsCoreImpl::SyncAll() {
  std::vector<std::pair<uint64_t, std::shared_ptr<FileContent>>> pending;
  {
    std::lock_guard lock(mu_);
    inodes_.ForEach([&](Inode& n) {
      if (n.content) pending.emplace_back(n.ino, n.content);
    });
  }
  Status first;
  for (auto& [ino, content] : pending) {
    Status s;
    {
      std::lock_guard io(content->io_mu());
      s = CommitContent(ino, *content);
    }
    if (!s.ok() && first.ok()) first = s;
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(ino); node && node->open_count == 0 && node->content && !node->content->dirty()) {
      node->content.reset();
      inodes_.MaybeErase(ino);
    }
  }
  return first;
}

}  // namespace objfs::fs
