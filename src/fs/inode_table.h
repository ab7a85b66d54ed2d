// InodeTable: the inodes the kernel knows about (lookup count > 0) or that
// have open handles, indexed by number and by (parent, name).
//
// An inode is a path in the bucket: its key is computed from the parent chain
// (KeyOf), so renaming a directory moves every descendant without touching
// them. Inode numbers are never reused within a mount (generation stays 0).
// Unlinked inodes leave the name index but stay in the table until the kernel
// forgets them and the last handle closes.
//
// Ownership: the table owns the Inode records; pointers returned are valid
// only while the caller holds the lock that guards the table.
// Thread-safety: none of its own. FsCore guards the whole table with its
// metadata mutex (FsCoreImpl::mu_); every method requires it held.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fs/meta_codec.h"

namespace objfs::fs {

class FileContent;

struct Inode {
  using Clock = std::chrono::steady_clock;

  uint64_t ino = 0;
  uint64_t parent = 0;
  std::string name;
  bool linked = true;  // false once unlinked, removed or replaced by a rename

  FileMeta meta;
  uint64_t size = 0;
  std::string etag;                 // of the committed object ("" for dirs/unknown)
  std::time_t last_modified = 0;
  bool meta_known = false;          // from HEAD or our own write, not only a listing
  bool mtime_explicit = false;      // set by utimens since the last write (kept over a stream's mtime)
  bool dir_marker = false;          // directories: a "dir/" marker object exists
  std::string symlink_target;       // cached once read
  Clock::time_point attr_expiry{};  // attributes are fresh until then
  // When the attributes were last set from S3 or a local change: an answer
  // S3 gave before that (a listing or HEAD that raced with a local change)
  // must not overwrite them.
  Clock::time_point updated_at{};
  // Directories: bumped by every change inside, so a listing or negative
  // answer fetched across a change is not cached.
  uint64_t dir_epoch = 0;
  uint64_t content_generation = 0;  // unique per content version (PageCache key)
  uint64_t last_open_generation = 0;  // content_generation at the last Open (keep_cache)

  uint64_t nlookup = 0;
  int open_count = 0;
  uint64_t linked_children = 0;  // entries in the name index under this inode
  // Data state shared by the open handles of a regular file; created by the
  // first Open, dropped by the last Release.
  std::shared_ptr<FileContent> content;
  // Unlinked while open: the object is deleted when the last handle closes.
  bool delete_on_release = false;
  std::string pending_delete_key;

  bool is_dir() const { return S_ISDIR(meta.mode); }
  bool is_symlink() const { return S_ISLNK(meta.mode); }
};

class InodeTable {
 public:
  InodeTable();

  Inode* Get(uint64_t ino);
  Inode* Child(uint64_t parent, std::string_view name);
  // A new linked inode under (parent, name); an inode holding that name
  // loses it (becomes unlinked).
  Inode& Add(uint64_t parent, std::string name, const FileMeta& meta);
  // Removes (parent, name) from the name index and marks the inode unlinked.
  void Unlink(Inode& inode);
  // Moves an inode to (new_parent, new_name); an inode holding that name
  // loses it.
  void Move(Inode& inode, uint64_t new_parent, std::string new_name);
  // Erases the inode when nothing references it (not root, nlookup == 0,
  // open_count == 0). Returns true when erased.
  bool MaybeErase(uint64_t ino);

  // "" for the root, "a/b" for a file b in directory a.
  std::string PathOf(const Inode& inode) const;
  // True when `ino` is `ancestor` or lies below it.
  bool IsWithin(uint64_t ino, uint64_t ancestor) const;

  size_t size() const { return inodes_.size(); }
  template <typename F>
  void ForEach(F&& f) {
    for (auto& [ino, node] : inodes_) f(*node);
  }

 private:
  void RemoveName(Inode& inode);

  struct ChildKeyHash {
    size_t operator()(const std::pair<uint64_t, std::string>& k) const {
      return std::hash<std::string>()(k.second) ^ (std::hash<uint64_t>()(k.first) * 0x9e3779b97f4a7c15ull);
    }
  };

  std::unordered_map<uint64_t, std::unique_ptr<Inode>> inodes_;
  std::unordered_map<std::pair<uint64_t, std::string>, uint64_t, ChildKeyHash> children_;
  uint64_t next_ino_ = kFirstIno;
  static constexpr uint64_t kFirstIno = 2;
};

}  // namespace objfs::fs
