// FsCoreImpl: rename (files and whole directories) and directory listing.
// See fs_core_impl.h for the locking rules.
#include <linux/fs.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "base/log.h"
#include "fs/errno_map.h"
#include "fs/fs_core_impl.h"
#include "fs/name_filter.h"

namespace objfs::fs {

// ---------------------------------------------------------------- rename

ErrnoStatus FsCoreImpl::Rename(uint64_t parent, std::string_view name, uint64_t new_parent,
                               std::string_view new_name, unsigned flags) {
  if (flags & ~static_cast<unsigned>(RENAME_NOREPLACE)) return Err(EINVAL);
  if (config_.read_only) return Err(EROFS);
  if (int e = CheckNewName(new_name)) return Err(e);
  ErrnoOr<uint64_t> src = Resolve(parent, name, false, nullptr);
  if (!src.ok()) return Err(src.error());
  ErrnoOr<uint64_t> dst = Resolve(new_parent, new_name, false, nullptr);
  if (!dst.ok() && dst.error() != ENOENT) return Err(dst.error());
  if (dst.ok() && *dst == *src) return ErrnoStatus::Ok();
  if (dst.ok() && (flags & RENAME_NOREPLACE)) return Err(EEXIST);

  bool src_dir = false, dst_dir = false;
  std::string src_key, dst_key, dst_parent_key;
  std::shared_ptr<FileContent> content;
  {
    std::lock_guard lock(mu_);
    Inode* s = inodes_.Get(*src);
    Inode* np = inodes_.Get(new_parent);
    if (!s || !np) return Err(ENOENT);
    if (!np->is_dir()) return Err(ENOTDIR);
    src_dir = s->is_dir();
    src_key = KeyOfLocked(*s);
    if (src_dir && inodes_.IsWithin(new_parent, *src)) return Err(EINVAL);
    if (dst.ok()) {
      Inode* d = inodes_.Get(*dst);
      if (!d) return Err(ENOENT);
      dst_dir = d->is_dir();
      if (src_dir && !dst_dir) return Err(ENOTDIR);
      if (!src_dir && dst_dir) return Err(EISDIR);
    }
    dst_key = ChildKeyLocked(*np, new_name, src_dir);
    content = s->content;
  }
  if (dst.ok() && dst_dir) {
    {
      std::lock_guard lock(mu_);
      if (!LocalOnlyEntriesLocked(*dst).empty()) return Err(ENOTEMPTY);
    }
    ErrnoOr<bool> empty = DirIsEmpty(dst_key);
    if (!empty.ok()) return Err(empty.error());
    if (!*empty) return Err(ENOTEMPTY);
  }
  if (src_dir) {
    ErrnoStatus r = RenameDir(*src, src_key, dst_key);
    if (!r.ok()) return r;
  } else {
    // Unsaved data goes to S3 first, under the old name.
    if (content) {
      ErrnoStatus c = CommitInode(*src, content);
      if (!c.ok()) return c;
    }
    std::string etag;
    uint64_t size = 0;
    {
      std::lock_guard lock(mu_);
      Inode* s = inodes_.Get(*src);
      if (!s) return Err(ENOENT);
      etag = s->etag;
      size = s->size;
    }
    Result<std::string> copied = CopyKey(src_key, dst_key, size, etag, nullptr);
    if (!copied.ok()) return Err(ErrnoFromStatus(copied.status()));
    Status del = client_->DeleteObject(config_.bucket, src_key);
    if (!del.ok()) LOG_WARN("rename: deleting " << src_key << " after copy: " << del.ToString());
    std::lock_guard lock(mu_);
    if (Inode* s = inodes_.Get(*src)) {
      s->etag = *copied;
      s->updated_at = Clock::now();
      if (s->content && !s->content->dirty()) {
        s->content->Rebase(ObjectVersion{dst_key, *copied, s->size, s->content_generation});
      }
    }
  }
  std::lock_guard lock(mu_);
  if (dst.ok()) {
    if (Inode* d = inodes_.Get(*dst)) {
      if (!d->is_dir()) AddUsed(-static_cast<int64_t>(d->size));
      inodes_.Unlink(*d);
      inodes_.MaybeErase(*dst);
    }
  }
  if (Inode* s = inodes_.Get(*src)) {
    inodes_.Move(*s, new_parent, std::string(new_name));
    s->meta.ctime = WallClockNow();
  }
  pending_deletes_.erase(dst_key);
  EraseNegativeLocked(new_parent, new_name);
  AddNegativeLocked(parent, name);
  InvalidateDirLocked(parent);
  InvalidateDirLocked(new_parent);
  if (src_dir) {
    dir_cache_.clear();
    negative_.clear();
    negative_order_.clear();
  }
  return ErrnoStatus::Ok();
}

// Copies every key under src_key to dst_key, then deletes the originals.
// Not atomic: a crash midway leaves both trees partly present (documented).
ErrnoStatus FsCoreImpl::RenameDir(uint64_t src_ino, const std::string& src_key, const std::string& dst_key) {
  // Commit unsaved files below the directory first.
  std::vector<std::pair<uint64_t, std::shared_ptr<FileContent>>> dirty;
  {
    std::lock_guard lock(mu_);
    inodes_.ForEach([&](Inode& n) {
      if (n.content && n.content->dirty() && n.linked && inodes_.IsWithin(n.ino, src_ino)) {
        dirty.emplace_back(n.ino, n.content);
      }
    });
  }
  for (auto& [ino, content] : dirty) {
    ErrnoStatus c = CommitInode(ino, content);
    if (!c.ok()) return c;
  }
  std::vector<std::string> done;
  std::map<std::string, std::string> new_etags;  // new key -> etag
  s3::ListRequest req;
  req.prefix = src_key;
  for (;;) {
    Result<s3::ListPage> page = client_->ListObjects(config_.bucket, req);
    if (!page.ok()) return Err(ErrnoFromStatus(page.status()));
    for (const auto& o : page->objects) {
      std::string to = dst_key + o.key.substr(src_key.size());
      Result<std::string> r = CopyKey(o.key, to, o.size, o.etag, nullptr);
      if (!r.ok()) {
        LOG_ERROR("rename of directory " << src_key << " stopped at " << o.key << ": " << r.status().ToString());
        return Err(ErrnoFromStatus(r.status()));
      }
      done.push_back(o.key);
      new_etags[to] = *r;
    }
    if (!page->truncated || page->next_continuation_token.empty()) break;
    req.continuation_token = page->next_continuation_token;
  }
  for (size_t i = 0; i < done.size(); i += 1000) {
    std::vector<std::string> batch(done.begin() + i, done.begin() + std::min(done.size(), i + 1000));
    Result<std::vector<s3::DeleteError>> r = client_->DeleteObjects(config_.bucket, batch);
    if (!r.ok()) {
      LOG_ERROR("rename of directory " << src_key << ": deleting the old keys: " << r.status().ToString());
      return Err(ErrnoFromStatus(r.status()));
    }
    for (const auto& e : *r) LOG_WARN("rename: could not delete " << e.key << ": " << e.code);
  }
  // Open files below the directory now read their objects under the new keys.
  std::lock_guard lock(mu_);
  inodes_.ForEach([&](Inode& n) {
    if (n.is_dir() || !inodes_.IsWithin(n.ino, src_ino) || n.ino == src_ino) return;
    std::string old_key = KeyOfLocked(n);
    std::string new_key = dst_key + old_key.substr(src_key.size());
    auto it = new_etags.find(new_key);
    if (it == new_etags.end()) return;
    n.etag = it->second;
    n.updated_at = Clock::now();
    if (n.content && !n.content->dirty()) {
      n.content->Rebase(ObjectVersion{new_key, it->second, n.size, n.content_generation});
    }
  });
  return ErrnoStatus::Ok();
}

// ---------------------------------------------------------------- directories

ErrnoOr<std::shared_ptr<const DirListing>> FsCoreImpl::Listing(uint64_t dir_ino) {
  using R = ErrnoOr<std::shared_ptr<const DirListing>>;
  std::string key;
  uint64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(dir_ino);
    if (!node) return R::Error(ENOENT);
    if (!node->is_dir()) return R::Error(ENOTDIR);
    if (auto fresh = FreshListingLocked(dir_ino, /*current_epoch=*/true)) return fresh;
    key = KeyOfLocked(*node);
    epoch = node->dir_epoch;
  }
  Result<std::shared_ptr<const DirListing>> listing = DirListing::Fetch(*client_, config_.bucket, key);
  if (!listing.ok()) {
    LOG_WARN("listing " << config_.bucket << "/" << key << ": " << listing.status().ToString());
    return R::Error(ErrnoFromStatus(listing.status()));
  }
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(dir_ino);
  if (node && node->dir_epoch == epoch) {  // nothing changed inside while listing
    CacheListingLocked(dir_ino, *listing, epoch);
  }
  return *listing;
}

ErrnoOr<uint64_t> FsCoreImpl::OpenDir(uint64_t ino) {
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(ino);
  if (!node) return ErrnoOr<uint64_t>::Error(ENOENT);
  if (!node->is_dir()) return ErrnoOr<uint64_t>::Error(ENOTDIR);
  auto h = std::make_shared<DirHandle>();
  h->ino = ino;
  uint64_t dh = next_fh_++;
  dir_handles_[dh] = std::move(h);
  return dh;
}

ErrnoStatus FsCoreImpl::ReleaseDir(uint64_t dh) {
  std::lock_guard lock(mu_);
  dir_handles_.erase(dh);
  return ErrnoStatus::Ok();
}

ErrnoStatus FsCoreImpl::ReadDir(uint64_t ino, uint64_t dh, uint64_t offset, const DirFiller& filler, bool plus) {
  std::shared_ptr<DirHandle> h;
  {
    std::lock_guard lock(mu_);
    auto it = dir_handles_.find(dh);
    if (it == dir_handles_.end() || it->second->ino != ino) return Err(EBADF);
    h = it->second;
  }
  std::shared_ptr<const DirListing> listing;
  {
    std::lock_guard hl(h->mu);
    listing = h->listing;
  }
  bool stale = listing && Clock::now() - listing->fetched_at() > std::chrono::duration<double>(ttl());
  if (!listing || (offset == 0 && stale)) {
    ErrnoOr<std::shared_ptr<const DirListing>> fresh = Listing(ino);
    if (!fresh.ok()) return Err(fresh.error());
    listing = *fresh;
    {
      // Files created here and not yet written to S3 are entries too.
      std::lock_guard lock(mu_);
      std::vector<DirListingEntry> local = LocalOnlyEntriesLocked(ino);
      if (!local.empty()) {
        std::vector<DirListingEntry> merged = listing->entries();
        merged.insert(merged.end(), std::make_move_iterator(local.begin()), std::make_move_iterator(local.end()));
        listing = DirListing::FromEntries(std::move(merged), listing->fetched_at());
      }
    }
    std::lock_guard hl(h->mu);
    h->listing = listing;
  }

  struct stat dot {};
  dot.st_mode = S_IFDIR;
  if (offset == 0) {
    dot.st_ino = ino;
    Entry e;
    e.ino = 0;  // "." and ".." carry no lookup (the kernel ignores them)
    e.attr = dot;
    if (!filler(DirEntryView{".", &dot, plus ? &e : nullptr, 1})) return ErrnoStatus::Ok();
    offset = 1;
  }
  if (offset == 1) {
    dot.st_ino = ino;  // the parent's number is not needed by the kernel
    Entry e;
    e.attr = dot;
    if (!filler(DirEntryView{"..", &dot, plus ? &e : nullptr, 2})) return ErrnoStatus::Ok();
    offset = 2;
  }
  const auto& entries = listing->entries();
  std::string dir_key;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return Err(ENOENT);
    dir_key = KeyOfLocked(*node);
  }
  for (uint64_t i = offset - 2; i < entries.size(); ++i) {
    const DirListingEntry& le = entries[i];
    uint64_t next = i + 3;
    Entry e;
    bool counted = false;
    {
      std::lock_guard lock(mu_);
      if (le.kind == ObjectKind::kFile && pending_deletes_.count(dir_key + le.name)) continue;
      if (!inodes_.Get(ino)) return Err(ENOENT);
      Inode* child = inodes_.Child(ino, le.name);
      // A listing carries no object metadata (mode, owner, mtime, symlink-ness).
      // An entry whose metadata this mount has not read yet goes out without a
      // node id: the kernel then looks the name up (one HEAD, usually already
      // done by stat-ahead) before it believes any attribute, so s3fs-written
      // modes and symlinks are right.
      if (plus && !config_.attrs_from_listing && NeedsProbeLocked(ino, dir_key, le)) {
        e.ino = 0;
        e.attr.st_ino = child ? child->ino : (std::hash<std::string>()(le.name) | (1ull << 63));
        // Directories are directories; a file may still turn out to be a symlink.
        e.attr.st_mode = le.kind == ObjectKind::kDir ? S_IFDIR : 0;
      } else if (plus) {
        Probe p;
        p.exists = true;
        p.kind = le.kind;
        p.size = le.size;
        p.etag = le.etag;
        p.last_modified = le.last_modified;
        p.observed_at = listing->fetched_at();
        p.meta = DefaultMeta(le.kind, le.kind == ObjectKind::kDir ? started_wall_ : le.last_modified, config_);
        p.meta_known = le.kind == ObjectKind::kDir && (!child || !child->dir_marker);
        bool keep = child && child->is_dir() == (le.kind == ObjectKind::kDir) &&
                    (child->content && child->content->dirty());
        Inode* node = child;
        if (!keep) {
          if (child && le.kind == ObjectKind::kDir && child->is_dir()) {
            child->attr_expiry = Expiry();  // the listing confirms it; its marker metadata is unchanged
          } else {
            node = &UpsertLocked(ino, le.name, p);
          }
        }
        e = EntryOfLocked(*node, true);
        counted = true;
      } else {
        e.attr.st_ino = child ? child->ino : (std::hash<std::string>()(le.name) | (1ull << 63));
        e.attr.st_mode = le.kind == ObjectKind::kDir ? S_IFDIR : S_IFREG;
        if (child) e.attr.st_mode = child->meta.mode & S_IFMT;
      }
    }
    bool taken = filler(DirEntryView{le.name, &e.attr, plus ? &e : nullptr, next});
    if (!taken) {
      if (counted) Forget(e.ino, 1);
      break;
    }
  }
  return ErrnoStatus::Ok();
}

}  // namespace objfs::fs
