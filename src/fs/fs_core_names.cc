// FsCoreImpl: lookup, attributes, create and remove. See fs_core_impl.h for the
// locking rules.
#include <fcntl.h>
#include <linux/fs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <map>

#include "base/log.h"
#include "fs/errno_map.h"
#include "fs/fs_core_impl.h"
#include "fs/name_filter.h"

namespace objfs::fs {
namespace {

std::string NegKey(uint64_t parent, std::string_view name) {
  std::string k = std::to_string(parent);
  k += '/';
  k += name;
  return k;
}

}  // namespace

// ---------------------------------------------------------------- helpers

FsCoreImpl::Clock::time_point FsCoreImpl::Expiry() const {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ttl()));
}

std::string FsCoreImpl::KeyOfLocked(const Inode& inode) const {
  std::string path = inodes_.PathOf(inode);
  if (inode.ino == kRootIno) return config_.prefix;
  std::string key = config_.prefix + path;
  if (inode.is_dir()) key += '/';
  return key;
}

std::string FsCoreImpl::ChildKeyLocked(const Inode& parent, std::string_view name, bool dir) const {
  std::string key = KeyOfLocked(parent);
  key += name;
  if (dir) key += '/';
  return key;
}

struct stat FsCoreImpl::StatOfLocked(const Inode& inode) const {
  struct stat st {};
  st.st_ino = inode.ino;
  st.st_mode = inode.meta.mode;
  st.st_nlink = inode.is_dir() ? 2 : 1;
  st.st_uid = inode.meta.uid;
  st.st_gid = inode.meta.gid;
  st.st_size = static_cast<off_t>(inode.is_dir() ? 0 : inode.size);
  st.st_blksize = 1 << 20;
  st.st_blocks = static_cast<blkcnt_t>((st.st_size + 511) / 512);
  st.st_mtim = inode.meta.mtime;
  st.st_ctim = inode.meta.ctime;
  st.st_atim = inode.meta.atime;
  return st;
}

Entry FsCoreImpl::EntryOfLocked(Inode& inode, bool count) {
  if (count) ++inode.nlookup;
  Entry e;
  e.ino = inode.ino;
  e.generation = 0;
  e.attr = StatOfLocked(inode);
  e.attr_timeout = ttl();
  e.entry_timeout = ttl();
  return e;
}

std::shared_ptr<const DirListing> FsCoreImpl::FreshListingLocked(uint64_t dir_ino, bool current_epoch) {
  auto it = dir_cache_.find(dir_ino);
  if (it == dir_cache_.end()) return nullptr;
  auto age = Clock::now() - it->second.listing->fetched_at();
  // A stale listing stays cached (bounded) as a hint for Resolve.
  if (age > std::chrono::duration<double>(ttl())) return nullptr;
  if (current_epoch) {
    Inode* dir = inodes_.Get(dir_ino);
    if (!dir || dir->dir_epoch != it->second.epoch) return nullptr;
  }
  return it->second.listing;
}

void FsCoreImpl::CacheListingLocked(uint64_t dir_ino, std::shared_ptr<const DirListing> listing, uint64_t epoch) {
  // Bound the cache by directories and by entries; listings are rebuilt on
  // demand (open directory handles keep their own snapshot alive).
  constexpr size_t kMaxDirs = 256, kMaxEntries = 400000;
  size_t entries = listing->entries().size();
  for (const auto& [ino, cached] : dir_cache_) {
    if (ino != dir_ino) entries += cached.listing->entries().size();
  }
  if (dir_cache_.size() >= kMaxDirs || entries > kMaxEntries) dir_cache_.clear();
  dir_cache_[dir_ino] = CachedListing{std::move(listing), epoch};
}

void FsCoreImpl::InvalidateDirLocked(uint64_t dir_ino) {
  // The listing stays as the state of S3 before this change (see CachedListing).
  if (Inode* dir = inodes_.Get(dir_ino)) ++dir->dir_epoch;
}

bool FsCoreImpl::NegativeLocked(uint64_t parent, std::string_view name) {
  auto it = negative_.find(NegKey(parent, name));
  if (it == negative_.end()) return false;
  if (Clock::now() > it->second) {
    negative_.erase(it);
    return false;
  }
  return true;
}

void FsCoreImpl::AddNegativeLocked(uint64_t parent, std::string_view name) {
  if (config_.negative_cache_entries == 0) return;
  std::string key = NegKey(parent, name);
  auto [it, inserted] = negative_.insert_or_assign(key, Expiry());
  if (inserted) negative_order_.push_back(std::move(key));
  while (negative_.size() > config_.negative_cache_entries && !negative_order_.empty()) {
    negative_.erase(negative_order_.front());
    negative_order_.pop_front();
  }
  // Drop stale order entries so the deque stays bounded too.
  while (negative_order_.size() > 2 * config_.negative_cache_entries) {
    if (!negative_.count(negative_order_.front())) negative_order_.pop_front();
    else break;
  }
}

void FsCoreImpl::EraseNegativeLocked(uint64_t parent, std::string_view name) { negative_.erase(NegKey(parent, name)); }

uint64_t FsCoreImpl::GenerationForLocked(const std::string& key, const std::string& etag) {
  if (etag.empty()) return next_generation_.fetch_add(1);
  std::string id = key;
  id += '\0';
  id += etag;
  auto it = generations_.find(id);
  if (it != generations_.end()) return it->second;
  uint64_t g = next_generation_.fetch_add(1);
  RememberGenerationLocked(key, etag, g);
  return g;
}

void FsCoreImpl::RememberGenerationLocked(const std::string& key, const std::string& etag, uint64_t generation) {
  if (etag.empty() || generation == 0) return;
  // Bounded: forgetting only costs re-reading an object whose inode went.
  if (generations_.size() >= 65536) generations_.clear();
  std::string id = key;
  id += '\0';
  id += etag;
  generations_[std::move(id)] = generation;
}

void FsCoreImpl::SetContentVersionLocked(Inode& inode, const std::string& etag, uint64_t size) {
  if (inode.etag != etag || inode.content_generation == 0) {
    if (inode.content_generation != 0 && !inode.etag.empty() && inode.etag != etag && cache_) {
      cache_->Invalidate(inode.content_generation);  // that version is gone
    }
    inode.content_generation = inode.is_dir() ? 0 : GenerationForLocked(KeyOfLocked(inode), etag);
  }
  inode.etag = etag;
  inode.size = size;
}

void FsCoreImpl::ApplyProbeLocked(Inode& inode, const Probe& probe) {
  if (probe.observed_at < inode.updated_at) return;  // older than what we know
  inode.updated_at = probe.observed_at;
  bool local_data = inode.content && inode.content->dirty();
  if (local_data) {
    inode.attr_expiry = Expiry();
    return;  // our unsaved writes win over what S3 says
  }
  if (probe.kind == ObjectKind::kFile) {
    bool same_version = !inode.etag.empty() && inode.etag == probe.etag;
    if (!same_version) {
      AddUsed(static_cast<int64_t>(probe.size) - static_cast<int64_t>(inode.size));
      SetContentVersionLocked(inode, probe.etag, probe.size);
      inode.symlink_target.clear();
      inode.meta_known = false;
    }
    inode.last_modified = probe.last_modified;
    if (probe.meta_known) {
      inode.meta = probe.meta;
      inode.meta_known = true;
    } else if (!inode.meta_known) {
      inode.meta = probe.meta;
    }
  } else {
    inode.dir_marker = probe.dir_marker || inode.dir_marker;
    if (probe.dir_marker) {
      // The marker's: together they tell when its metadata changed (an empty
      // marker's ETag alone never changes).
      inode.etag = probe.etag;
      inode.last_modified = probe.last_modified;
    }
    if (probe.meta_known || !inode.meta_known) {
      inode.meta = probe.meta;
      inode.meta_known = probe.meta_known;
    }
  }
  inode.attr_expiry = Expiry();
}

Inode& FsCoreImpl::UpsertLocked(uint64_t parent, std::string_view name, const Probe& probe) {
  Inode* child = inodes_.Child(parent, name);
  bool want_dir = probe.kind == ObjectKind::kDir;
  if (child && child->is_dir() != want_dir && child->updated_at > probe.observed_at) {
    return *child;  // made here after S3 was asked: the probe is stale
  }
  if (child && child->is_dir() != want_dir) {
    // Replaced by the other kind behind our back.
    inodes_.Unlink(*child);
    inodes_.MaybeErase(child->ino);
    child = nullptr;
  }
  if (!child) {
    child = &inodes_.Add(parent, std::string(name), probe.meta);
    child->meta_known = probe.meta_known;
    child->dir_marker = probe.dir_marker;
    child->last_modified = probe.last_modified;
    child->updated_at = probe.observed_at;
    if (!want_dir) {
      SetContentVersionLocked(*child, probe.etag, probe.size);
    } else if (probe.dir_marker) {
      child->etag = probe.etag;  // the marker's (see ApplyProbeLocked)
    }
    child->attr_expiry = Expiry();
    return *child;
  }
  ApplyProbeLocked(*child, probe);
  return *child;
}

s3::PutOptions FsCoreImpl::PutOptionsLocked(const Inode& inode) const {
  s3::PutOptions put;
  put.metadata = EncodeMeta(inode.meta);
  if (inode.is_dir()) put.content_type = kDirContentType;
  return put;
}

FileMeta FsCoreImpl::NewMeta(mode_t type_and_mode, const RequestContext& ctx) const {
  FileMeta m;
  m.mode = (type_and_mode & S_IFMT) | (type_and_mode & 07777 & ~ctx.umask);
  m.uid = ctx.uid;
  m.gid = ctx.gid;
  m.mtime = m.ctime = m.atime = WallClockNow();
  return m;
}

// ---------------------------------------------------------------- probes

Result<FsCoreImpl::Probe> FsCoreImpl::ProbeFile(const std::string& key) {
  Probe p;
  Result<s3::ObjectInfo> info = client_->HeadObject(config_.bucket, key);
  if (!info.ok()) {
    if (info.status().code() == Code::kNotFound) return p;
    return info.status();
  }
  p.exists = true;
  p.kind = ObjectKind::kFile;
  p.meta = DecodeMeta(*info, ObjectKind::kFile, config_);
  p.meta_known = true;
  p.size = info->size;
  p.etag = info->etag;
  p.last_modified = info->last_modified;
  if (S_ISDIR(p.meta.mode)) p.meta.mode = S_IFREG | (p.meta.mode & 07777);
  return p;
}

Result<FsCoreImpl::Probe> FsCoreImpl::ProbeDirMarker(const std::string& dir_key) {
  Probe p;
  p.exists = true;
  p.kind = ObjectKind::kDir;
  Result<s3::ObjectInfo> info = client_->HeadObject(config_.bucket, dir_key);
  if (info.ok()) {
    p.meta = DecodeMeta(*info, ObjectKind::kDir, config_);
    p.meta_known = true;
    p.dir_marker = true;
    p.etag = info->etag;
    p.last_modified = info->last_modified;
    return p;
  }
  if (info.status().code() != Code::kNotFound) return info.status();
  p.meta = DefaultMeta(ObjectKind::kDir, started_wall_, config_);
  p.meta_known = true;  // an implicit directory has nothing more to learn
  return p;
}

Result<FsCoreImpl::Probe> FsCoreImpl::ProbeName(const std::string& key, std::optional<ObjectKind> known_kind) {
  if (known_kind == ObjectKind::kDir) return ProbeDirMarker(key + "/");
  if (known_kind == ObjectKind::kFile) {
    Result<Probe> f = ProbeFile(key);
    if (!f.ok() || f->exists) return f;
    // Gone since the listing: look again from scratch.
  }
  // HEAD "x" and LIST "x/" go out together (one round trip of latency);
  // when both exist the directory wins.
  auto head = std::make_shared<std::promise<Result<Probe>>>();
  std::future<Result<Probe>> head_result = head->get_future();
  meta_executor_->Submit([this, key, head] { head->set_value(ProbeFile(key)); });
  return ProbeBelow(key, [&] { return head_result.get(); });
}

Result<FsCoreImpl::Probe> FsCoreImpl::ProbeBelow(const std::string& key, const std::function<Result<Probe>()>& file_probe) {
  const Clock::time_point asked = Clock::now();
  s3::ListRequest req;
  req.prefix = key + "/";
  req.max_keys = 1;
  Result<s3::ListPage> page = client_->ListObjects(config_.bucket, req);
  Result<Probe> file = file_probe();
  if (!page.ok()) return page.status();
  if (!page->objects.empty() || !page->common_prefixes.empty()) {
    bool marker = !page->objects.empty() && page->objects.front().key == req.prefix;
    if (marker) return ProbeDirMarker(req.prefix);
    Probe p;
    p.observed_at = asked;
    p.exists = true;
    p.kind = ObjectKind::kDir;
    p.meta = DefaultMeta(ObjectKind::kDir, started_wall_, config_);
    p.meta_known = true;
    return p;
  }
  return file;
}

Result<FsCoreImpl::Probe> FsCoreImpl::ProbeDirByListing(uint64_t dir_ino, const std::string& key) {
  const std::string dir_key = key + "/";
  uint64_t epoch = 0;
  std::string marker_etag;
  std::time_t marker_time = 0;
  FileMeta meta;
  bool meta_known = false;
  {
    std::lock_guard lock(mu_);
    Inode* d = inodes_.Get(dir_ino);
    if (!d || !d->is_dir()) return ProbeName(key, std::nullopt);
    epoch = d->dir_epoch;
    marker_etag = d->etag;
    marker_time = d->last_modified;
    meta = d->meta;
    meta_known = d->meta_known && d->dir_marker;
  }
  Result<std::shared_ptr<const DirListing>> fetched = DirListing::Fetch(*client_, config_.bucket, dir_key, 1);
  if (!fetched.ok()) return fetched.status();
  const DirListing& listing = **fetched;
  if (!listing.has_marker() && listing.entries().empty()) {
    return ProbeName(key, std::nullopt);  // no longer a directory: gone, or a file now
  }
  {
    std::lock_guard lock(mu_);
    if (listing.complete()) {
      Inode* d = inodes_.Get(dir_ino);
      if (d && d->dir_epoch == epoch) CacheListingLocked(dir_ino, *fetched, epoch);
    } else {
      if (big_dirs_.size() > 1024) big_dirs_.clear();
      big_dirs_[dir_ino] = Clock::now() + std::chrono::minutes(1);
    }
  }
  if (listing.has_marker() && !(meta_known && !marker_etag.empty() && marker_etag == listing.marker_etag() &&
                                 marker_time != 0 && marker_time == listing.marker_last_modified())) {
    return ProbeDirMarker(dir_key);  // a new or changed marker: read its metadata
  }
  Probe p;
  p.exists = true;
  p.kind = ObjectKind::kDir;
  p.observed_at = listing.fetched_at();
  p.meta_known = true;
  if (listing.has_marker()) {
    p.meta = meta;
    p.dir_marker = true;
    p.etag = listing.marker_etag();
    p.last_modified = listing.marker_last_modified();
  } else {
    p.meta = DefaultMeta(ObjectKind::kDir, started_wall_, config_);  // implicit
  }
  return p;
}

Result<FsCoreImpl::Probe> FsCoreImpl::ProbeNameListingDir(uint64_t dir_ino, uint64_t epoch,
                                                          const std::string& dir_key, std::string_view name) {
  const std::string key = dir_key + std::string(name);
  auto head = std::make_shared<std::promise<Result<Probe>>>();
  std::future<Result<Probe>> head_result = head->get_future();
  meta_executor_->Submit([this, key, head] { head->set_value(ProbeFile(key)); });
  Result<std::shared_ptr<const DirListing>> listing = DirListing::Fetch(*client_, config_.bucket, dir_key, 1);
  Result<Probe> file = head_result.get();
  if (!listing.ok()) return listing.status();
  if (!(*listing)->complete()) {
    // Too large to list for one lookup: ask about this name alone from now on.
    {
      std::lock_guard lock(mu_);
      if (big_dirs_.size() > 1024) big_dirs_.clear();
      big_dirs_[dir_ino] = Clock::now() + std::chrono::minutes(1);
    }
    return ProbeBelow(key, [&] { return std::move(file); });  // the HEAD is done already
  }
  const DirListingEntry* e = (*listing)->Find(name);
  {
    std::lock_guard lock(mu_);
    big_dirs_.erase(dir_ino);
    Inode* dir = inodes_.Get(dir_ino);
    if (dir && dir->dir_epoch == epoch) CacheListingLocked(dir_ino, *listing, epoch);
  }
  if (!e) {
    Probe absent;
    absent.observed_at = (*listing)->fetched_at();
    return absent;
  }
  if (e->kind == ObjectKind::kDir) return ProbeDirMarker(key + "/");
  return file;  // the HEAD: metadata (or gone since the listing)
}

// ---------------------------------------------------------------- lookup

ErrnoOr<std::string> FsCoreImpl::ParentKey(uint64_t parent) {
  std::lock_guard lock(mu_);
  Inode* p = inodes_.Get(parent);
  if (!p) return ErrnoOr<std::string>::Error(ENOENT);
  if (!p->is_dir()) return ErrnoOr<std::string>::Error(ENOTDIR);
  return KeyOfLocked(*p);
}

bool FsCoreImpl::NeedsProbeLocked(uint64_t dir_ino, const std::string& dir_key, const DirListingEntry& le) {
  if (le.kind == ObjectKind::kFile && pending_deletes_.count(dir_key + le.name)) return false;
  Inode* child = inodes_.Child(dir_ino, le.name);
  if (!child) return true;
  if (child->content && child->content->dirty()) return false;  // our unsaved data is the truth
  return !(child->meta_known && child->is_dir() == (le.kind == ObjectKind::kDir) &&
           (le.kind == ObjectKind::kDir || child->etag == le.etag));
}

void FsCoreImpl::StatAheadLocked(uint64_t dir_ino, const std::shared_ptr<const DirListing>& listing,
                                 std::string_view name) {
  // Far enough ahead to keep every metadata connection busy while the caller
  // works through the entries one at a time.
  const uint64_t window = 4 * static_cast<uint64_t>(std::max(1, config_.metadata_parallel_requests));
  const DirListingEntry* found = listing->Find(name);
  Inode* dir = inodes_.Get(dir_ino);
  if (!found || !dir) return;
  const auto& entries = listing->entries();
  const uint64_t at = static_cast<uint64_t>(found - entries.data());
  if (stat_ahead_.size() > 1024) stat_ahead_.clear();
  StatAheadCursor& cursor = stat_ahead_[dir_ino];
  if (cursor.listing != listing) cursor = StatAheadCursor{listing, 0};
  const uint64_t from = std::max(at + 1, cursor.until);
  const uint64_t to = std::min<uint64_t>(entries.size(), at + 1 + window);
  if (from >= to) return;
  cursor.until = to;
  const std::string dir_key = KeyOfLocked(*dir);
  const auto now = Clock::now();
  for (uint64_t i = from; i < to; ++i) {
    const DirListingEntry& le = entries[i];
    if (!NeedsProbeLocked(dir_ino, dir_key, le)) continue;
    if (Inode* child = inodes_.Child(dir_ino, le.name); child && now < child->attr_expiry) continue;
    if (NegativeLocked(dir_ino, le.name)) continue;
    std::string key = dir_key + le.name;
    if (probes_in_flight_.count(key)) continue;
    auto done = std::make_shared<std::promise<void>>();
    probes_in_flight_.emplace(key, done->get_future().share());
    meta_executor_->Submit([this, done, key = std::move(key), dir_ino, name = le.name,
                            is_dir = le.kind == ObjectKind::kDir, epoch = dir->dir_epoch] {
      Result<Probe> probe = is_dir ? ProbeDirMarker(key + "/") : ProbeFile(key);
      {
        std::lock_guard lock(mu_);
        probes_in_flight_.erase(key);
        Inode* d = inodes_.Get(dir_ino);
        // Anything changed in the directory since (create, unlink, rename)
        // may have made the answer stale: then it is simply not used.
        if (probe.ok() && probe->exists && d && d->linked && d->dir_epoch == epoch && !pending_deletes_.count(key)) {
          UpsertLocked(dir_ino, name, *probe);
        }
      }
      done->set_value();
    });
  }
}

bool FsCoreImpl::AwaitProbeInFlight(const std::string& key) {
  std::shared_future<void> running;
  {
    std::lock_guard lock(mu_);
    auto it = probes_in_flight_.find(key);
    if (it == probes_in_flight_.end()) return false;
    running = it->second;
  }
  running.wait();
  return true;
}

ErrnoOr<uint64_t> FsCoreImpl::Resolve(uint64_t parent, std::string_view name, bool count, Entry* entry) {
  using R = ErrnoOr<uint64_t>;
  if (name.size() > kMaxNameBytes) return R::Error(ENAMETOOLONG);
  if (!IsValidName(name)) return R::Error(ENOENT);
  std::string key, dir_key;
  std::optional<ObjectKind> known_kind;
  uint64_t epoch = 0;
  bool list_dir = false;
  uint64_t revalidate_dir = 0;
  for (bool waited = false;; waited = true) {
    std::unique_lock lock(mu_);
    Inode* p = inodes_.Get(parent);
    if (!p) return R::Error(ENOENT);
    if (!p->is_dir()) return R::Error(ENOTDIR);
    epoch = p->dir_epoch;
    key = KeyOfLocked(*p) + std::string(name);
    Inode* child = inodes_.Child(parent, name);
    bool local = child && child->content && child->content->dirty();
    if (child && (local || Clock::now() < child->attr_expiry)) {
      if (entry) *entry = EntryOfLocked(*child, count);
      return child->ino;
    }
    if (pending_deletes_.count(key)) return R::Error(ENOENT);
    if (NegativeLocked(parent, name)) return R::Error(ENOENT);
    if (!waited && probes_in_flight_.count(key)) {
      // Stat-ahead is asking S3 about this very name: wait for its answer.
      std::shared_future<void> running = probes_in_flight_[key];
      lock.unlock();
      running.wait();
      continue;
    }
    // A listing past its TTL no longer proves existence, but a file it named
    // is still the likely answer: HEAD it alone (ProbeName falls back to the
    // full HEAD + LIST when it is gone). This keeps `ls -l` of a directory too
    // large to stat within one TTL at one request per entry.
    if (auto cached = dir_cache_.find(parent); cached != dir_cache_.end()) {
      const DirListingEntry* e = cached->second.listing->Find(name);
      if (e && e->kind == ObjectKind::kFile) known_kind = ObjectKind::kFile;
      if (e) StatAheadLocked(parent, cached->second.listing, name);
    }
    if (auto listing = FreshListingLocked(parent, /*current_epoch=*/false)) {
      const DirListingEntry* e = listing->Find(name);
      if (!e) {
        // Unless made here after the listing, the name does not exist.
        if (!child || child->updated_at < listing->fetched_at()) {
          AddNegativeLocked(parent, name);
          return R::Error(ENOENT);
        }
      } else {
        known_kind = e->kind;
        if (child && e->kind == ObjectKind::kFile && !child->is_dir() && child->meta_known &&
            child->etag == e->etag) {
          child->attr_expiry = Expiry();
          if (entry) *entry = EntryOfLocked(*child, count);
          return child->ino;
        }
        if (config_.attrs_from_listing && !(child && child->content && child->content->dirty())) {
          // The listing's attributes, as readdirplus gave them (no HEAD).
          Probe listed;
          listed.exists = true;
          listed.kind = e->kind;
          listed.size = e->size;
          listed.etag = e->etag;
          listed.last_modified = e->last_modified;
          listed.observed_at = listing->fetched_at();
          listed.meta = DefaultMeta(e->kind, e->kind == ObjectKind::kDir ? started_wall_ : e->last_modified, config_);
          listed.meta_known = false;
          Inode& node = UpsertLocked(parent, name, listed);
          node.attr_expiry = Expiry();
          if (entry) *entry = EntryOfLocked(node, count);
          return node.ino;
        }
      }
    }
    if (child && child->is_dir() && ttl() > 0) {
      // Listing a large directory to revalidate it would cost more than it
      // saves: those get the HEAD of their marker (and a LIST) as before.
      auto cached = dir_cache_.find(child->ino);
      auto big = big_dirs_.find(child->ino);
      bool large = (cached != dir_cache_.end() && cached->second.listing->entries().size() > 500) ||
                   (big != big_dirs_.end() && Clock::now() < big->second);
      if (!large) revalidate_dir = child->ino;
    } else if (!known_kind && !child && ttl() > 0 && !FreshListingLocked(parent, false)) {
      auto big = big_dirs_.find(parent);
      if (big == big_dirs_.end() || Clock::now() > big->second) {
        list_dir = true;
        dir_key = KeyOfLocked(*p);
      }
    }
    break;
  }
  Result<Probe> probe = revalidate_dir != 0 ? ProbeDirByListing(revalidate_dir, key)
                       : list_dir          ? ProbeNameListingDir(parent, epoch, dir_key, name)
                                           : ProbeName(key, known_kind);
  if (!probe.ok()) {
    LOG_WARN("lookup " << config_.bucket << "/" << key << ": " << probe.status().ToString());
    return R::Error(ErrnoFromStatus(probe.status()));
  }
  std::lock_guard lock(mu_);
  if (!probe->exists) {
    Inode* child = inodes_.Child(parent, name);
    if (child && ((child->content && child->content->dirty()) || child->updated_at > probe->observed_at)) {
      if (entry) *entry = EntryOfLocked(*child, count);
      return child->ino;
    }
    Inode* p = inodes_.Get(parent);
    if (p && p->dir_epoch == epoch) AddNegativeLocked(parent, name);
    return R::Error(ENOENT);
  }
  if (!inodes_.Get(parent)) return R::Error(ENOENT);
  Inode& node = UpsertLocked(parent, name, *probe);
  if (entry) *entry = EntryOfLocked(node, count);
  return node.ino;
}

ErrnoOr<Entry> FsCoreImpl::Lookup(uint64_t parent, std::string_view name) {
  Entry e;
  ErrnoOr<uint64_t> r = Resolve(parent, name, /*count=*/true, &e);
  if (!r.ok()) return ErrnoOr<Entry>::Error(r.error());
  return e;
}

void FsCoreImpl::Forget(uint64_t ino, uint64_t nlookup) {
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(ino);
  if (!node || ino == kRootIno) return;
  node->nlookup = nlookup >= node->nlookup ? 0 : node->nlookup - nlookup;
  inodes_.MaybeErase(ino);
}

// ---------------------------------------------------------------- attributes

ErrnoOr<AttrReply> FsCoreImpl::GetAttr(uint64_t ino) {
  using R = ErrnoOr<AttrReply>;
  std::string key;
  bool is_dir = false;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return R::Error(ENOENT);
    bool local = node->content && node->content->dirty();
    if (ino == kRootIno || local || !node->linked || Clock::now() < node->attr_expiry) {
      if (ino == kRootIno) node->meta = DefaultMeta(ObjectKind::kDir, started_wall_, config_);
      return AttrReply{StatOfLocked(*node), ttl()};
    }
    key = KeyOfLocked(*node);
    is_dir = node->is_dir();
    if (auto cached = dir_cache_.find(node->parent); cached != dir_cache_.end()) {
      StatAheadLocked(node->parent, cached->second.listing, node->name);
    }
  }
  if (AwaitProbeInFlight(is_dir ? key.substr(0, key.size() - 1) : key)) {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return R::Error(ENOENT);
    if (Clock::now() < node->attr_expiry) return AttrReply{StatOfLocked(*node), ttl()};
  }
  Result<Probe> probe = is_dir ? ProbeDirMarker(key) : ProbeFile(key);
  if (!probe.ok()) return R::Error(ErrnoFromStatus(probe.status()));
  if (is_dir && !probe->dir_marker) {
    // No marker: the directory exists only while some key is below it.
    ErrnoOr<bool> empty = DirIsEmpty(key);
    if (!empty.ok()) return R::Error(empty.error());
    if (*empty) probe->exists = false;
  }
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(ino);
  if (!node) return R::Error(ENOENT);
  if (!probe->exists) {
    if (node->open_count > 0 || (node->content && node->content->dirty()) ||
        (node->is_dir() && !LocalOnlyEntriesLocked(ino).empty())) {
      return AttrReply{StatOfLocked(*node), ttl()};
    }
    return R::Error(ENOENT);
  }
  ApplyProbeLocked(*node, *probe);
  return AttrReply{StatOfLocked(*node), ttl()};
}

Result<std::string> FsCoreImpl::CopyKey(const std::string& src, const std::string& dst, uint64_t size,
                                        const std::string& src_etag, const s3::PutOptions* replace) {
  if (size <= s3::kMaxSingleCopySize) {
    s3::CopyRequest req;
    req.src_bucket = config_.bucket;
    req.src_key = src;
    req.dst_bucket = config_.bucket;
    req.dst_key = dst;
    req.src_if_match = src_etag;
    if (replace) {
      req.directive = s3::MetadataDirective::kReplace;
      req.options = *replace;
    }
    return client_->CopyObject(req);
  }
  // Multipart copy: objects above 5 GiB cannot be copied in one request.
  s3::PutOptions put;
  if (replace) {
    put = *replace;
  } else {
    Result<s3::ObjectInfo> info = client_->HeadObject(config_.bucket, src);
    if (!info.ok()) return info.status();
    put.metadata = info->metadata;
    put.content_type = info->content_type;
  }
  Result<std::string> upload = client_->CreateMultipartUpload(config_.bucket, dst, put);
  if (!upload.ok()) return upload.status();
  uint64_t part = std::max<uint64_t>(1ull << 30, (size + s3::kMaxParts - 1) / s3::kMaxParts);
  std::vector<s3::CompletedPart> parts;
  int number = 1;
  for (uint64_t off = 0; off < size; off += part, ++number) {
    uint64_t len = std::min(part, size - off);
    Result<std::string> etag = client_->UploadPartCopy(config_.bucket, dst, *upload, number, config_.bucket, src,
                                                       s3::ByteRange{off, len}, src_etag);
    if (!etag.ok()) {
      (void)client_->AbortMultipartUpload(config_.bucket, dst, *upload);
      return etag.status();
    }
    parts.push_back({number, *etag});
  }
  Result<std::string> done = client_->CompleteMultipartUpload(config_.bucket, dst, *upload, parts);
  if (!done.ok()) (void)client_->AbortMultipartUpload(config_.bucket, dst, *upload);
  return done;
}

// Writes the inode's metadata to S3: a dir marker PUT for directories, an
// in-place CopyObject with replaced metadata for files and symlinks.
Status FsCoreImpl::PersistMeta(uint64_t ino) {
  std::string key, etag;
  uint64_t size = 0;
  s3::PutOptions put;
  bool is_dir = false;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node || ino == kRootIno || !node->linked) return Status::Ok();
    if (node->content && node->content->dirty()) return Status::Ok();  // goes with the data commit
    key = KeyOfLocked(*node);
    etag = node->etag;
    size = node->size;
    put = PutOptionsLocked(*node);
    is_dir = node->is_dir();
  }
  if (is_dir) {
    Result<s3::PutResult> r = client_->PutObject(config_.bucket, key, s3::Body::FromMemory({}), put);
    if (!r.ok()) return r.status();
    std::lock_guard lock(mu_);
    if (Inode* node = inodes_.Get(ino)) {
      node->dir_marker = true;
      node->etag = r->etag;
    }
    return Status::Ok();
  }
  Result<std::string> r = CopyKey(key, key, size, etag, &put);
  if (!r.ok()) return r.status();
  std::lock_guard lock(mu_);
  Inode* node = inodes_.Get(ino);
  if (!node) return Status::Ok();
  // Same bytes: keep the content generation so cached blocks stay valid.
  node->etag = *r;
  node->updated_at = Clock::now();
  node->meta_known = true;
  if (node->content && !node->content->dirty()) {
    ObjectVersion v = node->content->base();
    v.etag = *r;
    node->content->Rebase(v);
  }
  return Status::Ok();
}

ErrnoOr<std::string> FsCoreImpl::ReadLink(uint64_t ino) {
  using R = ErrnoOr<std::string>;
  std::string key, etag;
  uint64_t size = 0;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(ino);
    if (!node) return R::Error(ENOENT);
    if (!node->is_symlink()) return R::Error(EINVAL);
    if (!node->symlink_target.empty()) return node->symlink_target;
    key = KeyOfLocked(*node);
    etag = node->etag;
    size = node->size;
  }
  if (size > 4096) return R::Error(ENAMETOOLONG);
  std::string target;
  s3::GetRequest req{config_.bucket, key, std::nullopt, etag};
  Result<s3::ObjectInfo> info = client_->GetObject(req, [&](std::string_view chunk) -> Status {
    target.append(chunk);
    return Status::Ok();
  });
  if (!info.ok()) return R::Error(ErrnoFromStatus(info.status()));
  std::lock_guard lock(mu_);
  if (Inode* node = inodes_.Get(ino)) node->symlink_target = target;
  return target;
}

// ---------------------------------------------------------------- create / remove

ErrnoOr<Entry> FsCoreImpl::Mkdir(uint64_t parent, std::string_view name, mode_t mode, const RequestContext& ctx) {
  using R = ErrnoOr<Entry>;
  if (config_.read_only) return R::Error(EROFS);
  if (int e = CheckNewName(name)) return R::Error(e);
  ErrnoOr<uint64_t> existing = Resolve(parent, name, false, nullptr);
  if (existing.ok()) return R::Error(EEXIST);
  if (existing.error() != ENOENT) return R::Error(existing.error());
  ErrnoOr<std::string> pkey = ParentKey(parent);
  if (!pkey.ok()) return R::Error(pkey.error());
  FileMeta meta = NewMeta(S_IFDIR | (mode & 07777), ctx);
  s3::PutOptions put;
  put.content_type = kDirContentType;
  put.metadata = EncodeMeta(meta);
  std::string key = *pkey + std::string(name) + "/";
  Result<s3::PutResult> r = client_->PutObject(config_.bucket, key, s3::Body::FromMemory({}), put);
  if (!r.ok()) return R::Error(ErrnoFromStatus(r.status()));
  std::lock_guard lock(mu_);
  if (!inodes_.Get(parent)) return R::Error(ENOENT);
  Probe p;
  p.exists = true;
  p.kind = ObjectKind::kDir;
  p.meta = meta;
  p.meta_known = true;
  p.dir_marker = true;
  p.etag = r->etag;
  Inode& node = UpsertLocked(parent, name, p);
  EraseNegativeLocked(parent, name);
  InvalidateDirLocked(parent);
  return EntryOfLocked(node, true);
}

ErrnoOr<Entry> FsCoreImpl::Symlink(std::string_view target, uint64_t parent, std::string_view name,
                                   const RequestContext& ctx) {
  using R = ErrnoOr<Entry>;
  if (config_.read_only) return R::Error(EROFS);
  if (int e = CheckNewName(name)) return R::Error(e);
  if (target.empty() || target.size() > 4095) return R::Error(target.empty() ? ENOENT : ENAMETOOLONG);
  ErrnoOr<uint64_t> existing = Resolve(parent, name, false, nullptr);
  if (existing.ok()) return R::Error(EEXIST);
  if (existing.error() != ENOENT) return R::Error(existing.error());
  ErrnoOr<std::string> pkey = ParentKey(parent);
  if (!pkey.ok()) return R::Error(pkey.error());
  FileMeta meta = NewMeta(S_IFLNK | 0777, RequestContext{ctx.uid, ctx.gid, 0, ctx.pid});
  s3::PutOptions put;
  put.metadata = EncodeMeta(meta);
  std::string key = *pkey + std::string(name);
  Result<s3::PutResult> r = client_->PutObject(config_.bucket, key, s3::Body::FromMemory(target), put);
  if (!r.ok()) return R::Error(ErrnoFromStatus(r.status()));
  std::lock_guard lock(mu_);
  if (!inodes_.Get(parent)) return R::Error(ENOENT);
  Probe p;
  p.exists = true;
  p.kind = ObjectKind::kFile;
  p.meta = meta;
  p.meta_known = true;
  p.size = target.size();
  p.etag = r->etag;
  p.last_modified = std::time(nullptr);
  Inode& node = UpsertLocked(parent, name, p);
  node.symlink_target = std::string(target);
  AddUsed(static_cast<int64_t>(target.size()));
  pending_deletes_.erase(key);
  EraseNegativeLocked(parent, name);
  InvalidateDirLocked(parent);
  return EntryOfLocked(node, true);
}

ErrnoStatus FsCoreImpl::Unlink(uint64_t parent, std::string_view name) {
  if (config_.read_only) return Err(EROFS);
  ErrnoOr<uint64_t> ino = Resolve(parent, name, false, nullptr);
  if (!ino.ok()) return Err(ino.error());
  std::string key;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(*ino);
    if (!node) return Err(ENOENT);
    if (node->is_dir()) return Err(EISDIR);
    key = KeyOfLocked(*node);
    if (node->open_count > 0) {
      // Keep the object until the last handle closes; hide it meanwhile.
      node->delete_on_release = true;
      node->pending_delete_key = key;
      pending_deletes_.insert(key);
      AddUsed(-static_cast<int64_t>(node->size));
      inodes_.Unlink(*node);
      AddNegativeLocked(parent, name);
      InvalidateDirLocked(parent);
      return ErrnoStatus::Ok();
    }
  }
  Status s = client_->DeleteObject(config_.bucket, key);
  if (!s.ok()) return Err(ErrnoFromStatus(s));
  std::lock_guard lock(mu_);
  if (Inode* node = inodes_.Get(*ino)) {
    AddUsed(-static_cast<int64_t>(node->size));
    inodes_.Unlink(*node);
    inodes_.MaybeErase(*ino);
  }
  AddNegativeLocked(parent, name);
  InvalidateDirLocked(parent);
  return ErrnoStatus::Ok();
}

ErrnoOr<bool> FsCoreImpl::DirIsEmpty(const std::string& dir_key) {
  s3::ListRequest req;
  req.prefix = dir_key;
  req.delimiter = "/";
  req.max_keys = 2;
  Result<s3::ListPage> page = client_->ListObjects(config_.bucket, req);
  if (!page.ok()) return ErrnoOr<bool>::Error(ErrnoFromStatus(page.status()));
  for (const auto& o : page->objects) {
    if (o.key != dir_key) return false;
  }
  if (!page->common_prefixes.empty()) return false;
  if (page->truncated) return false;
  return true;
}

ErrnoStatus FsCoreImpl::Rmdir(uint64_t parent, std::string_view name) {
  if (config_.read_only) return Err(EROFS);
  ErrnoOr<uint64_t> ino = Resolve(parent, name, false, nullptr);
  if (!ino.ok()) return Err(ino.error());
  std::string key;
  {
    std::lock_guard lock(mu_);
    Inode* node = inodes_.Get(*ino);
    if (!node) return Err(ENOENT);
    if (!node->is_dir()) return Err(ENOTDIR);
    key = KeyOfLocked(*node);
  }
  {
    std::lock_guard lock(mu_);
    if (!LocalOnlyEntriesLocked(*ino).empty()) return Err(ENOTEMPTY);  // files not written yet
  }
  ErrnoOr<bool> empty = DirIsEmpty(key);
  if (!empty.ok()) return Err(empty.error());
  if (!*empty) return Err(ENOTEMPTY);
  Status s = client_->DeleteObject(config_.bucket, key);
  if (!s.ok()) return Err(ErrnoFromStatus(s));
  // s3fs' older "name_$folder$" marker would bring the directory back.
  std::string old_marker = key.substr(0, key.size() - 1) + "_$folder$";
  if (Status o = client_->DeleteObject(config_.bucket, old_marker); !o.ok()) {
    LOG_WARN("rmdir: deleting " << old_marker << ": " << o.ToString());
  }
  std::lock_guard lock(mu_);
  if (Inode* node = inodes_.Get(*ino)) {
    inodes_.Unlink(*node);
    InvalidateDirLocked(*ino);
    inodes_.MaybeErase(*ino);
  }
  AddNegativeLocked(parent, name);
  InvalidateDirLocked(parent);
  return ErrnoStatus::Ok();
}

}  // namespace objfs::fs
