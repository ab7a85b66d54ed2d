// FsCore directories against the in-memory S3 store: readdir offsets, large
// directories, bad key names, file/dir name clashes, listing reuse.
#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "fs/meta_codec.h"
#include "tests/unit/fs/fs_test_util.h"

namespace objfs::fs {
namespace {

using testing::Harness;

std::string Name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "file%06d", i);
  return buf;
}

TEST_CASE("readdir offsets are stable across calls, in small and large batches") {
  Harness h;
  const int n = 2500;  // several listing pages
  for (int i = 0; i < n; ++i) h.Put("d/" + Name(i), "x");
  Entry d = h.Lookup(kRootIno, "d");
  for (size_t batch : {size_t{1}, size_t{7}, size_t{1000}}) {
    auto names = h.List(d.ino, false, batch);
    REQUIRE(names.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) CHECK(names[i] == Name(i));
  }
  auto plus = h.List(d.ino, true, 13);
  CHECK(plus.size() == static_cast<size_t>(n));
}

TEST_CASE("readdir resumes at an offset from an earlier call on the same handle") {
  Harness h;
  for (int i = 0; i < 10; ++i) h.Put(Name(i), "x");
  auto dh = h.core->OpenDir(kRootIno);
  REQUIRE(dh.ok());
  std::vector<std::pair<std::string, uint64_t>> seen;
  auto collect = [&](const DirEntryView& e) {
    seen.emplace_back(std::string(e.name), e.next_offset);
    return true;
  };
  REQUIRE(h.core->ReadDir(kRootIno, *dh, 0, collect).ok());
  REQUIRE(seen.size() == 12);
  // A file created meanwhile does not shift the handle's offsets.
  h.Put("aaa-new", "x");
  uint64_t after_fifth = seen[6].second;  // ".", "..", file0..file4
  std::vector<std::pair<std::string, uint64_t>> rest;
  REQUIRE(h.core->ReadDir(kRootIno, *dh, after_fifth, [&](const DirEntryView& e) {
            rest.emplace_back(std::string(e.name), e.next_offset);
            return true;
          }).ok());
  REQUIRE(rest.size() == 5);
  CHECK(rest.front().first == Name(5));
  REQUIRE(h.core->ReleaseDir(kRootIno, *dh).ok());
}

TEST_CASE("a 100,000-entry directory lists completely with one listing pass") {
  Harness h;
  const int n = 100000;
  for (int i = 0; i < n; ++i) h.Put("big/" + Name(i), "");
  Entry d = h.Lookup(kRootIno, "big");
  uint64_t lists_before = h.core->Stats().s3_list;
  uint64_t heads_before = h.core->Stats().s3_head;
  auto names = h.List(d.ino, /*plus=*/true, 200);
  CHECK(names.size() == static_cast<size_t>(n));
  CHECK(std::is_sorted(names.begin(), names.end()));
  // One pass: ceil(100000 / 1000) pages, no HEAD per entry.
  CHECK(h.core->Stats().s3_list - lists_before == 100);
  CHECK(h.core->Stats().s3_head == heads_before);
}

TEST_CASE("readdirplus counts lookups exactly; forget releases inodes") {
  Harness h;
  for (int i = 0; i < 50; ++i) h.Put(Name(i), "x");
  uint64_t base = h.core->Stats().used_inodes;
  // One held lookup per name: their metadata is then known, so readdirplus
  // hands out node ids (and counts a lookup for each it hands out).
  std::vector<uint64_t> held;
  for (int i = 0; i < 50; ++i) held.push_back(h.Lookup(kRootIno, Name(i)).ino);
  CHECK(h.core->Stats().used_inodes == base + 50);
  auto dh = h.core->OpenDir(kRootIno);
  REQUIRE(dh.ok());
  std::vector<uint64_t> inos;
  int calls = 0;
  REQUIRE(h.core->ReadDirPlus(kRootIno, *dh, 0, [&](const DirEntryView& e) {
            if (++calls > 22) return false;  // buffer full: this entry is not counted
            if (e.entry->ino != 0) inos.push_back(e.entry->ino);
            return true;
          }).ok());
  CHECK(inos.size() == 20);  // 22 minus "." and ".."
  // A lookup of a listed name answers from the inode, without S3.
  uint64_t heads = h.core->Stats().s3_head;
  Entry e = h.Lookup(kRootIno, Name(3));
  CHECK(h.core->Stats().s3_head == heads);
  h.core->Forget(e.ino, 1);
  std::vector<std::pair<uint64_t, uint64_t>> forgets;
  for (uint64_t ino : inos) forgets.emplace_back(ino, 1);
  h.core->ForgetMulti(forgets);
  CHECK(h.core->Stats().used_inodes == base + 50);  // the held lookups remain
  forgets.clear();
  for (uint64_t ino : held) forgets.emplace_back(ino, 1);
  h.core->ForgetMulti(forgets);
  CHECK(h.core->Stats().used_inodes == base);  // every count was exact
  REQUIRE(h.core->ReleaseDir(kRootIno, *dh).ok());
}

TEST_CASE("readdirplus never vouches for metadata a listing does not carry") {
  Harness h;
  h.Put("plain", "x");
  h.Put("link", "plain", {{"mode", std::to_string(S_IFLNK | 0777)}});
  h.Put("secret", "x", {{"mode", std::to_string(S_IFREG | 0600)}, {"mtime", "1600000000"}});
  auto dh = h.core->OpenDir(kRootIno);
  REQUIRE(dh.ok());
  std::vector<std::pair<std::string, uint64_t>> ids;
  REQUIRE(h.core->ReadDirPlus(kRootIno, *dh, 0, [&](const DirEntryView& e) {
            ids.emplace_back(std::string(e.name), e.entry->ino);
            if (e.name != "." && e.name != "..") CHECK((e.entry->attr.st_mode & S_IFMT) == 0);
            return true;
          }).ok());
  REQUIRE(ids.size() == 5);
  for (const auto& [name, ino] : ids) CHECK_MESSAGE(ino == 0, name);
  REQUIRE(h.core->ReleaseDir(kRootIno, *dh).ok());
  // The kernel then looks each name up, and the lookup reads the metadata.
  Entry link = h.Lookup(kRootIno, "link");
  CHECK(S_ISLNK(link.attr.st_mode));
  Entry secret = h.Lookup(kRootIno, "secret");
  CHECK((secret.attr.st_mode & 07777) == 0600);
  CHECK(secret.attr.st_mtim.tv_sec == 1600000000);
}

TEST_CASE("stat-ahead: stating listed entries in order costs one HEAD each and reads real metadata") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 3600;
  Harness h(cfg);
  constexpr int kFiles = 300;
  for (int i = 0; i < kFiles; ++i) {
    s3::Metadata meta;
    if (i % 7 == 0) meta = {{"mode", std::to_string(S_IFREG | 0600)}, {"mtime", std::to_string(1600000000 + i)}};
    if (i % 50 == 3) meta = {{"mode", std::to_string(S_IFLNK | 0777)}};
    h.Put(Name(i), i % 50 == 3 ? "target" : "x", meta);
  }
  h.Put("sub/inner", "x");
  REQUIRE(h.List(kRootIno, /*plus=*/true, 25).size() == kFiles + 1);
  auto before = h.core->Stats();
  for (int i = 0; i < kFiles; ++i) {
    Entry e = h.Lookup(kRootIno, Name(i));
    if (i % 50 == 3) {
      CHECK_MESSAGE(S_ISLNK(e.attr.st_mode), Name(i));
    } else if (i % 7 == 0) {
      CHECK_MESSAGE((e.attr.st_mode & 07777) == 0600, Name(i));
      CHECK(e.attr.st_mtim.tv_sec == 1600000000 + i);
    } else {
      CHECK_MESSAGE(S_ISREG(e.attr.st_mode), Name(i));
    }
    h.core->Forget(e.ino, 1);
  }
  CHECK(S_ISDIR(h.Lookup(kRootIno, "sub").attr.st_mode));
  auto after = h.core->Stats();
  // Every name was read once, whether by stat-ahead or by the lookup itself;
  // a name absent from the fresh listing would have cost nothing.
  CHECK(after.s3_head - before.s3_head <= kFiles + 1);
  CHECK(after.s3_head - before.s3_head >= kFiles);
  CHECK(after.s3_list == before.s3_list);
}

TEST_CASE("stat-ahead answers are dropped when the directory changed meanwhile") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 3600;
  Harness h(cfg);
  for (int i = 0; i < 100; ++i) h.Put(Name(i), "x");
  REQUIRE(h.List(kRootIno, /*plus=*/true).size() == 100);
  Entry first = h.Lookup(kRootIno, Name(0));  // starts stat-ahead of the rest
  REQUIRE(h.core->Unlink(kRootIno, Name(5)).ok());
  CHECK(h.LookupErr(kRootIno, Name(5)) == ENOENT);
  for (int i = 1; i < 100; ++i) {
    if (i != 5) CHECK(h.LookupErr(kRootIno, Name(i)) == 0);
  }
  h.core->Forget(first.ino, 1);
}

TEST_CASE("attrs_from_listing: readdirplus and lookups answer from the listing, with no HEAD") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 3600;
  cfg.attrs_from_listing = true;
  cfg.file_mode = 0640;
  Harness h(cfg);
  h.Put("plain", "12345");
  h.Put("secret", "x", {{"mode", std::to_string(S_IFREG | 0600)}});
  h.Put("sub/inner", "x");
  auto before = h.core->Stats();
  auto dh = h.core->OpenDir(kRootIno);
  REQUIRE(dh.ok());
  std::map<std::string, Entry> seen;
  REQUIRE(h.core->ReadDirPlus(kRootIno, *dh, 0, [&](const DirEntryView& e) {
            if (e.name != "." && e.name != "..") seen[std::string(e.name)] = *e.entry;
            return true;
          }).ok());
  REQUIRE(h.core->ReleaseDir(kRootIno, *dh).ok());
  REQUIRE(seen.size() == 3);
  CHECK(seen["plain"].ino != 0);
  CHECK(seen["plain"].attr.st_size == 5);
  CHECK(seen["plain"].attr.st_mode == (S_IFREG | 0640));
  // The trade-off: metadata kept in the object is not seen from a listing.
  CHECK(seen["secret"].attr.st_mode == (S_IFREG | 0640));
  CHECK(S_ISDIR(seen["sub"].attr.st_mode));
  Entry plain = h.Lookup(kRootIno, "plain");
  CHECK(plain.ino == seen["plain"].ino);
  auto after = h.core->Stats();
  CHECK(after.s3_head == before.s3_head);
  CHECK(after.s3_list - before.s3_list == 1);
  CHECK(h.ReadFile(plain.ino) == "12345");
  for (auto& [name, e] : seen) h.core->Forget(e.ino, 1);
  h.core->Forget(plain.ino, 1);
}

TEST_CASE("a known directory past its TTL is revalidated with one listing page that also answers lookups in it") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 0.2;
  Harness h(cfg);
  h.Put("d/", "", {{"mode", std::to_string(S_IFDIR | 0750)}}, kDirContentType);
  h.Put("d/a", "a");
  h.Put("imp/x", "x");  // implicit: no marker
  Entry d = h.Lookup(kRootIno, "d");
  Entry imp = h.Lookup(kRootIno, "imp");
  CHECK((d.attr.st_mode & 07777) == 0750);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the TTL (no timing is asserted)
  auto before = h.core->Stats();
  Entry d2 = h.Lookup(kRootIno, "d");
  CHECK(d2.ino == d.ino);
  CHECK((d2.attr.st_mode & 07777) == 0750);
  CHECK(h.LookupErr(d.ino, "new") == ENOENT);  // from the page just listed
  auto after = h.core->Stats();
  CHECK(after.s3_list - before.s3_list == 1);
  CHECK(after.s3_head == before.s3_head);  // marker unchanged: no HEAD
  CHECK(S_ISDIR(h.Lookup(kRootIno, "imp").attr.st_mode));
  // A directory removed by another client is gone after its TTL.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(h.memory->DeleteObject(testing::kBucket, "imp/x").ok());
  CHECK(h.LookupErr(kRootIno, "imp") == ENOENT);
  for (int i = 0; i < 2; ++i) h.core->Forget(d.ino, 1);
  h.core->Forget(imp.ino, 2);
}

TEST_CASE("stat of an implicit directory whose keys are gone fails with ENOENT") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 0;
  Harness h(cfg);
  h.Put("imp/x", "x");
  h.Put("marked/", "", {}, kDirContentType);
  Entry imp = h.Lookup(kRootIno, "imp");
  Entry marked = h.Lookup(kRootIno, "marked");
  CHECK(h.core->GetAttr(imp.ino).ok());
  REQUIRE(h.memory->DeleteObject(testing::kBucket, "imp/x").ok());
  CHECK(h.core->GetAttr(imp.ino).error() == ENOENT);
  CHECK(h.core->GetAttr(marked.ino).ok());  // an empty directory with a marker stays
  h.core->Forget(imp.ino, 1);
  h.core->Forget(marked.ino, 1);
}

TEST_CASE("a lookup in a directory of more than one listing page: one listing page, one HEAD, one key LIST") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 3600;
  Harness h(cfg);
  for (int i = 0; i < 1100; ++i) h.Put("big/" + Name(i), "x");
  Entry big = h.Lookup(kRootIno, "big");
  auto before = h.core->Stats();
  CHECK(h.LookupErr(big.ino, "absent") == ENOENT);
  auto after = h.core->Stats();
  CHECK(after.s3_head - before.s3_head == 1);  // not repeated after the page
  CHECK(after.s3_list - before.s3_list == 2);  // the first page, then "absent/"
  // Known as large now: the next new name costs the HEAD and the one-key LIST only.
  CHECK(h.LookupErr(big.ino, "absent2") == ENOENT);
  auto later = h.core->Stats();
  CHECK(later.s3_head - after.s3_head == 1);
  CHECK(later.s3_list - after.s3_list == 1);
  CHECK(h.LookupErr(big.ino, Name(7)) == 0);
  h.core->Forget(big.ino, 1);
}

TEST_CASE("lookups reuse a fresh listing: absent names cost no request") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 3600;
  Harness h(cfg);
  for (int i = 0; i < 5; ++i) h.Put(Name(i), "x");
  CHECK(h.List(kRootIno).size() == 5);
  auto before = h.core->Stats();
  CHECK(h.LookupErr(kRootIno, "not-there") == ENOENT);
  CHECK(h.LookupErr(kRootIno, "not-there") == ENOENT);  // negative cache
  auto after = h.core->Stats();
  CHECK(after.s3_head == before.s3_head);
  CHECK(after.s3_list == before.s3_list);
}

TEST_CASE("keys that cannot be names are skipped and never shadow good entries") {
  Harness h;
  h.Put("a//b", "double slash");
  h.Put("dot/./x", "dot");
  h.Put("dotdot/../y", "dotdot");
  h.Put(std::string(256, 'L'), "too long");
  h.Put("dir/" + std::string(300, 'q'), "too long inside");
  h.Put("good", "ok");
  h.Put("dir/fine", "ok");
  auto root = h.List(kRootIno);
  CHECK(root == std::vector<std::string>{"a", "dir", "dot", "dotdot", "good"});
  Entry a = h.Lookup(kRootIno, "a");
  CHECK(h.List(a.ino).empty());  // "a//b" has an empty segment
  Entry dot = h.Lookup(kRootIno, "dot");
  CHECK(h.List(dot.ino).empty());
  Entry dir = h.Lookup(kRootIno, "dir");
  CHECK(h.List(dir.ino, true) == std::vector<std::string>{"fine"});
  CHECK(h.LookupErr(kRootIno, std::string(256, 'L')) == ENAMETOOLONG);
  CHECK(h.ReadFile(h.Lookup(kRootIno, "good").ino) == "ok");
}

TEST_CASE("a file and a directory with the same name: the directory wins") {
  Harness h;
  h.Put("x", "file body");
  h.Put("x/inner", "inner");
  auto names = h.List(kRootIno, true);
  CHECK(names == std::vector<std::string>{"x"});
  Entry x = h.Lookup(kRootIno, "x");
  CHECK(S_ISDIR(x.attr.st_mode));
  CHECK(h.List(x.ino) == std::vector<std::string>{"inner"});
  // Without a cached listing too.
  Harness h2;
  h2.Put("y", "file body");
  h2.Put("y/", "", {}, "application/x-directory");
  CHECK(S_ISDIR(h2.Lookup(kRootIno, "y").attr.st_mode));
}

TEST_CASE("s3fs' older dir_$folder$ markers read as directories") {
  Harness h;
  h.Put("old_$folder$", "");
  CHECK(h.List(kRootIno) == std::vector<std::string>{"old"});
}

TEST_CASE("readdir shows files created and hides files removed through the filesystem") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 3600;
  Harness h(cfg);
  h.WriteFile(kRootIno, "a", "1");
  CHECK(h.List(kRootIno) == std::vector<std::string>{"a"});
  h.WriteFile(kRootIno, "b", "2");
  REQUIRE(h.core->Mkdir(kRootIno, "c", 0755, RequestContext{}).ok());
  CHECK(h.List(kRootIno) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(h.core->Unlink(kRootIno, "a").ok());
  REQUIRE(h.core->Rename(kRootIno, "b", kRootIno, "bb", 0).ok());
  CHECK(h.List(kRootIno) == std::vector<std::string>{"bb", "c"});
}

TEST_CASE("long names (255 bytes) work; 256 are refused") {
  Harness h;
  std::string n255(255, 'n');
  uint64_t ino = h.WriteFile(kRootIno, n255, "long");
  CHECK(h.Body(n255) == "long");
  CHECK(h.List(kRootIno) == std::vector<std::string>{n255});
  CHECK(h.ReadFile(ino) == "long");
  CHECK(h.core->Mkdir(kRootIno, std::string(256, 'm'), 0755, RequestContext{}).error() == ENAMETOOLONG);
  CHECK(h.core->Rename(kRootIno, n255, kRootIno, std::string(256, 'r'), 0).error() == ENAMETOOLONG);
}

}  // namespace
}  // namespace objfs::fs
