// FsCore under concurrent callers, as the multi-threaded FUSE loop drives it,
// plus sequences that mix commit points with further writes.
#include <fcntl.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/unit/fs/fs_test_util.h"

namespace objfs::fs {
namespace {

using testing::Harness;
const RequestContext kCtx{1000, 1000, 022, 1};

std::string Pattern(int seed, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (seed + i * 7) % 26);
  return s;
}

TEST_CASE("many threads create, write, read, list, rename and remove at once") {
  Harness h;
  auto d = h.core->Mkdir(kRootIno, "work", 0755, kCtx);
  REQUIRE(d.ok());
  const uint64_t dir = d->ino;
  const int threads = 8, files = 25;
  std::atomic<int> failures{0};
  std::mutex errors_mu;
  std::vector<std::string> errors;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < files; ++i) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        std::string body = Pattern(t * 100 + i, 1000 + 37 * i);
        auto c = h.core->Create(dir, name, 0644, O_RDWR | O_CREAT | O_EXCL, kCtx);
        if (!c.ok()) {
          ++failures;
          continue;
        }
        uint64_t ino = c->entry.ino, fh = c->open.fh;
        // Half sequential, half out of order (staged).
        if (i % 2 == 0) {
          if (!h.core->Write(ino, fh, 0, std::span<const char>(body.data(), body.size())).ok()) ++failures;
        } else {
          size_t half = body.size() / 2;
          if (!h.core->Write(ino, fh, half, std::span<const char>(body.data() + half, body.size() - half)).ok())
            ++failures;
          if (!h.core->Write(ino, fh, 0, std::span<const char>(body.data(), half)).ok()) ++failures;
        }
        if (!h.core->Flush(ino, fh).ok()) ++failures;
        std::string back(body.size() + 10, '\0');
        auto n = h.core->Read(ino, fh, 0, std::span<char>(back.data(), back.size()));
        if (!n.ok() || back.substr(0, *n) != body) ++failures;
        if (!h.core->Release(ino, fh).ok()) ++failures;
        if (i % 5 == 0) {
          auto r = h.core->Rename(dir, name, dir, name + ".moved", 0);
          if (!r.ok()) {
            ++failures;
            std::lock_guard lock(errors_mu);
            errors.push_back("rename " + name + ": errno " + std::to_string(r.error()));
          }
        } else if (i % 5 == 1) {
          if (!h.core->Unlink(dir, name).ok()) ++failures;
        }
        h.core->Forget(ino, 1);
      }
    });
  }
  pool.emplace_back([&] {
    for (int i = 0; i < 30; ++i) {
      auto dh = h.core->OpenDir(dir);
      if (!dh.ok()) {
        ++failures;
        continue;
      }
      std::vector<uint64_t> inos;
      auto r = h.core->ReadDirPlus(dir, *dh, 0, [&](const DirEntryView& e) {
        if (e.entry && e.entry->ino) inos.push_back(e.entry->ino);
        return true;
      });
      if (!r.ok()) ++failures;
      for (uint64_t ino : inos) h.core->Forget(ino, 1);
      (void)h.core->ReleaseDir(dir, *dh);
    }
  });
  for (auto& t : pool) t.join();
  for (const auto& e : errors) INFO(e);
  CHECK_MESSAGE(failures.load() == 0, (errors.empty() ? std::string() : errors.front()));
  REQUIRE(h.core->SyncAll().ok());

  auto names = h.List(dir);
  CHECK(names.size() == static_cast<size_t>(threads * (files - files / 5)));
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < files; ++i) {
      std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
      std::string body = Pattern(t * 100 + i, 1000 + 37 * i);
      if (i % 5 == 0) {
        CHECK(h.Body("work/" + name + ".moved") == body);
        CHECK_FALSE(h.Exists("work/" + name));
      } else if (i % 5 == 1) {
        CHECK_FALSE(h.Exists("work/" + name));
      } else {
        CHECK(h.Body("work/" + name) == body);
      }
    }
  }
  // Every inode but the root and the directory was forgotten.
  h.core->Forget(dir, 1);
  CHECK(h.core->Stats().used_inodes == 1);
  CHECK(h.core->Stats().open_handles == 0);
}

TEST_CASE("parallel reads of one open handle return the right bytes") {
  Harness h;
  std::string body = Pattern(3, 5u << 20);
  uint64_t ino = h.WriteFile(kRootIno, "f", body);
  auto o = h.core->Open(ino, O_RDONLY);
  REQUIRE(o.ok());
  std::atomic<int> bad{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 6; ++t) {
    pool.emplace_back([&, t] {
      std::vector<char> buf(128 << 10);
      for (uint64_t off = static_cast<uint64_t>(t) * 4096; off < body.size(); off += 6 * (128 << 10)) {
        auto n = h.core->Read(ino, o->fh, off, std::span<char>(buf.data(), buf.size()));
        if (!n.ok() || std::string(buf.data(), *n) != body.substr(off, *n)) ++bad;
      }
    });
  }
  for (auto& t : pool) t.join();
  CHECK(bad.load() == 0);
  REQUIRE(h.core->Release(ino, o->fh).ok());
}

TEST_CASE("fsync in the middle of a sequential write, then more writes") {
  Harness h;
  auto c = h.core->Create(kRootIno, "f", 0644, O_WRONLY | O_CREAT | O_TRUNC, kCtx);
  REQUIRE(c.ok());
  uint64_t ino = c->entry.ino, fh = c->open.fh;
  std::string a = Pattern(1, 3000), b = Pattern(2, 4000);
  REQUIRE(h.core->Write(ino, fh, 0, std::span<const char>(a.data(), a.size())).ok());
  REQUIRE(h.core->Fsync(ino, fh, false).ok());
  CHECK(h.Body("f") == a);
  REQUIRE(h.core->Write(ino, fh, a.size(), std::span<const char>(b.data(), b.size())).ok());
  REQUIRE(h.core->Release(ino, fh).ok());
  CHECK(h.Body("f") == a + b);
}

TEST_CASE("futimens before close (cp -p) survives a streamed upload") {
  Harness h;
  auto c = h.core->Create(kRootIno, "f", 0644, O_WRONLY | O_CREAT | O_TRUNC, kCtx);
  REQUIRE(c.ok());
  std::string body = Pattern(9, 10000);
  REQUIRE(h.core->Write(c->entry.ino, c->open.fh, 0, std::span<const char>(body.data(), body.size())).ok());
  SetAttrRequest t;
  t.mtime = timespec{1234567890, 0};
  t.mode = 0600;
  REQUIRE(h.core->SetAttr(c->entry.ino, t, c->open.fh, kCtx).ok());
  REQUIRE(h.core->Release(c->entry.ino, c->open.fh).ok());
  s3::ObjectInfo info = h.Head("f");
  CHECK(info.metadata["mtime"] == "1234567890");
  CHECK(info.metadata["mode"] == std::to_string(S_IFREG | 0600));
  CHECK(h.Body("f") == body);
  auto a = h.core->GetAttr(c->entry.ino);
  REQUIRE(a.ok());
  CHECK(a->attr.st_mtim.tv_sec == 1234567890);
}

TEST_CASE("SyncAll commits files still open for writing; Stats counts bytes and requests") {
  Harness h;
  auto c = h.core->Create(kRootIno, "open", 0644, O_WRONLY | O_CREAT | O_TRUNC, kCtx);
  REQUIRE(c.ok());
  std::string body = Pattern(4, 70000);
  REQUIRE(h.core->Write(c->entry.ino, c->open.fh, 0, std::span<const char>(body.data(), body.size())).ok());
  CHECK_FALSE(h.Exists("open"));  // a new file's object is written at its first commit point
  REQUIRE(h.core->SyncAll().ok());
  CHECK(h.Body("open") == body);
  FsStats st = h.core->Stats();
  CHECK(st.bytes_written == body.size());
  CHECK(st.open_handles == 1);
  CHECK(st.s3_put == 1);  // one PutObject: no empty object at create
  REQUIRE(h.core->Release(c->entry.ino, c->open.fh).ok());
  CHECK(h.ReadFile(c->entry.ino) == body);
  CHECK(h.core->Stats().bytes_read == body.size());
}

TEST_CASE("writes through an open-unlinked file are discarded at close") {
  Harness h;
  uint64_t ino = h.WriteFile(kRootIno, "f", "base");
  auto o = h.core->Open(ino, O_RDWR);
  REQUIRE(o.ok());
  REQUIRE(h.core->Unlink(kRootIno, "f").ok());
  REQUIRE(h.core->Write(ino, o->fh, 4, std::span<const char>("++", 2)).ok());
  CHECK(h.ReadHandle(ino, o->fh) == "base++");
  REQUIRE(h.core->Release(ino, o->fh).ok());
  CHECK_FALSE(h.Exists("f"));
}

TEST_CASE("an open file renamed elsewhere keeps reading and writing under its new name") {
  Harness h;
  uint64_t ino = h.WriteFile(kRootIno, "f", std::string(3u << 20, 'q'));
  auto o = h.core->Open(ino, O_RDWR);
  REQUIRE(o.ok());
  REQUIRE(h.core->Mkdir(kRootIno, "d", 0755, kCtx).ok());
  Entry d = h.Lookup(kRootIno, "d");
  REQUIRE(h.core->Rename(kRootIno, "f", d.ino, "g", 0).ok());
  std::vector<char> buf(10);
  auto n = h.core->Read(ino, o->fh, 2u << 20, std::span<char>(buf.data(), buf.size()));
  REQUIRE(n.ok());
  CHECK(std::string(buf.data(), *n) == std::string(10, 'q'));
  REQUIRE(h.core->Write(ino, o->fh, 0, std::span<const char>("W", 1)).ok());
  REQUIRE(h.core->Release(ino, o->fh).ok());
  CHECK(h.Body("d/g")[0] == 'W');
  CHECK_FALSE(h.Exists("f"));
}

TEST_CASE("create without O_EXCL on an existing file opens it, truncating with O_TRUNC") {
  Harness h;
  h.WriteFile(kRootIno, "f", "old content");
  auto c = h.core->Create(kRootIno, "f", 0644, O_WRONLY | O_CREAT | O_TRUNC, kCtx);
  REQUIRE(c.ok());
  REQUIRE(h.core->Write(c->entry.ino, c->open.fh, 0, std::span<const char>("new", 3)).ok());
  REQUIRE(h.core->Release(c->entry.ino, c->open.fh).ok());
  CHECK(h.Body("f") == "new");
}

TEST_CASE("changes by another client become visible after the TTL") {
  FsConfig cfg;
  cfg.metadata_ttl_seconds = 0;  // every call revalidates
  Harness h(cfg);
  uint64_t ino = h.WriteFile(kRootIno, "f", "one");
  h.Put("f", "three", {{"mode", std::to_string(S_IFREG | 0600)}});
  auto a = h.core->GetAttr(ino);
  REQUIRE(a.ok());
  CHECK(a->attr.st_size == 5);
  CHECK((a->attr.st_mode & 07777) == 0600);
  CHECK(h.ReadFile(ino) == "three");
  REQUIRE(h.memory->DeleteObject(testing::kBucket, "f").ok());
  CHECK(h.LookupErr(kRootIno, "f") == ENOENT);
}

}  // namespace
}  // namespace objfs::fs
