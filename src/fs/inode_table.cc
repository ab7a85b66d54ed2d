#include "fs/inode_table.h"

#include <vector>

namespace objfs::fs {

InodeTable::InodeTable() {
  auto root = std::make_unique<Inode>();
  root->ino = 1;
  root->parent = 1;
  root->meta.mode = S_IFDIR | 0755;
  root->nlookup = 1;  // the kernel holds the root for the whole mount
  inodes_.emplace(1, std::move(root));
}

Inode* InodeTable::Get(uint64_t ino) {
  auto it = inodes_.find(ino);
  return it == inodes_.end() ? nullptr : it->second.get();
}

Inode* InodeTable::Child(uint64_t parent, std::string_view name) {
  auto it = children_.find({parent, std::string(name)});
  return it == children_.end() ? nullptr : Get(it->second);
}

Inode& InodeTable::Add(uint64_t parent, std::string name, const FileMeta& meta) {
  uint64_t replaced = 0;
  if (Inode* other = Child(parent, name)) {
    RemoveName(*other);
    replaced = other->ino;
  }
  auto node = std::make_unique<Inode>();
  node->ino = next_ino_++;
  node->parent = parent;
  node->name = std::move(name);
  node->meta = meta;
  Inode& ref = *node;
  children_[{parent, ref.name}] = ref.ino;
  if (Inode* p = Get(parent)) ++p->linked_children;
  inodes_.emplace(ref.ino, std::move(node));
  if (replaced) MaybeErase(replaced);
  return ref;
}

void InodeTable::RemoveName(Inode& inode) {
  if (!inode.linked) return;
  auto it = children_.find({inode.parent, inode.name});
  if (it != children_.end() && it->second == inode.ino) {
    children_.erase(it);
    if (Inode* p = Get(inode.parent); p && p->linked_children > 0) --p->linked_children;
  }
  inode.linked = false;
}

void InodeTable::Unlink(Inode& inode) { RemoveName(inode); }

void InodeTable::Move(Inode& inode, uint64_t new_parent, std::string new_name) {
  RemoveName(inode);
  uint64_t replaced = 0;
  if (Inode* other = Child(new_parent, new_name)) {
    RemoveName(*other);
    replaced = other->ino;
  }
  inode.parent = new_parent;
  inode.name = std::move(new_name);
  inode.linked = true;
  children_[{inode.parent, inode.name}] = inode.ino;
  if (Inode* p = Get(new_parent)) ++p->linked_children;
  if (replaced) MaybeErase(replaced);
}

bool InodeTable::MaybeErase(uint64_t ino) {
  if (ino == 1) return false;
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return false;
  Inode& node = *it->second;
  // Content kept after the last close means unsaved data: keep it for SyncAll.
  if (node.nlookup > 0 || node.open_count > 0 || node.linked_children > 0 || node.content) return false;
  uint64_t parent = node.parent;
  RemoveName(node);
  inodes_.erase(it);
  // A directory the kernel already forgot goes once its last child does.
  MaybeErase(parent);
  return true;
}

std::string InodeTable::PathOf(const Inode& inode) const {
  std::vector<const Inode*> chain;
  const Inode* cur = &inode;
  while (cur->ino != 1) {
    chain.push_back(cur);
    auto it = inodes_.find(cur->parent);
    if (it == inodes_.end()) break;  // cannot happen: parents outlive children
    cur = it->second.get();
  }
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += (*it)->name;
  }
  return path;
}

bool InodeTable::IsWithin(uint64_t ino, uint64_t ancestor) const {
  for (;;) {
    if (ino == ancestor) return true;
    if (ino == 1) return false;
    auto it = inodes_.find(ino);
    if (it == inodes_.end()) return false;
    ino = it->second->parent;
  }
}

}  // namespace objfs::fs
