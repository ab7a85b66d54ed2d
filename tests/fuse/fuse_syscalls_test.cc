// Issue 3's semantics through plain system calls on a real objfs mount, with
// the bytes and the metadata checked through the S3 API behind objfs' back.
#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <cstdio>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <set>

#include "fuse_harness.h"

namespace objfs::fusetest {
namespace {

int RenameAt2(const std::string& from, const std::string& to, unsigned flags) {
  return static_cast<int>(syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

std::string Meta(const s3::ObjectInfo& info, const std::string& name) {
  auto it = info.metadata.find(name);
  return it == info.metadata.end() ? std::string() : it->second;
}

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = opendir(dir.c_str());
  REQUIRE_MESSAGE(d != nullptr, "opendir ", dir, ": ", std::strerror(errno));
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.insert(n);
  }
  closedir(d);
  return names;
}

void PWriteAll(int fd, const std::string& data, off_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pwrite(fd, data.data() + done, data.size() - done, offset + static_cast<off_t>(done));
    REQUIRE_MESSAGE(n > 0, "pwrite: ", std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

std::string PReadAll(int fd, size_t size, off_t offset) {
  std::string out(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, out.data() + done, size - done, offset + static_cast<off_t>(done));
    REQUIRE_MESSAGE(n >= 0, "pread: ", std::strerror(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

using Fixture = MountedBucket;

TEST_CASE_FIXTURE(Fixture, "sequential write and read, across a remount and through S3") {
  std::string data = RandomBytes((9 << 20) + 12345, 1);
  WriteFile(P("seq.bin"), data);
  CHECK(ReadFile(P("seq.bin")) == data);
  struct stat st {};
  REQUIRE(stat(P("seq.bin").c_str(), &st) == 0);
  CHECK(st.st_size == static_cast<off_t>(data.size()));
  CHECK(GetObjectBody(bucket, "seq.bin") == data);
  Remount();
  CHECK(ReadFile(P("seq.bin")) == data);
  // Random reads of a file that lives in S3.
  int fd = open(P("seq.bin").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    size_t off = rng() % data.size();
    size_t len = 1 + rng() % 200000;
    CHECK(PReadAll(fd, len, static_cast<off_t>(off)) == data.substr(off, len));
  }
  CHECK(PReadAll(fd, 10, static_cast<off_t>(data.size())).empty());
  close(fd);
}

TEST_CASE_FIXTURE(Fixture, "random writes, overwrite in place, append") {
  std::string model = RandomBytes(3 << 20, 2);
  WriteFile(P("rand.bin"), model);
  Remount();
  int fd = open(P("rand.bin").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 40; ++i) {
    size_t off = rng() % (model.size() + 100000);
    std::string chunk = RandomBytes(1 + rng() % 70000, rng());
    PWriteAll(fd, chunk, static_cast<off_t>(off));
    if (off + chunk.size() > model.size()) model.resize(off + chunk.size(), '\0');
    model.replace(off, chunk.size(), chunk);
  }
  CHECK(PReadAll(fd, model.size() + 10, 0) == model);
  REQUIRE(close(fd) == 0);
  CHECK(GetObjectBody(bucket, "rand.bin") == model);

  int afd = open(P("rand.bin").c_str(), O_WRONLY | O_APPEND);
  REQUIRE(afd >= 0);
  std::string tail = RandomBytes(100000, 4);
  REQUIRE(write(afd, tail.data(), tail.size()) == static_cast<ssize_t>(tail.size()));
  REQUIRE(write(afd, "END", 3) == 3);
  REQUIRE(close(afd) == 0);
  model += tail + "END";
  CHECK(ReadFile(P("rand.bin")) == model);
  CHECK(GetObjectBody(bucket, "rand.bin") == model);
  Remount();
  CHECK(ReadFile(P("rand.bin")) == model);
}

TEST_CASE_FIXTURE(Fixture, "O_TRUNC, truncate up and down, O_EXCL") {
  WriteFile(P("t.txt"), "0123456789");
  int fd = open(P("t.txt").c_str(), O_WRONLY | O_TRUNC);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "ab", 2) == 2);
  REQUIRE(close(fd) == 0);
  CHECK(ReadFile(P("t.txt")) == "ab");
  CHECK(GetObjectBody(bucket, "t.txt") == "ab");

  REQUIRE(truncate(P("t.txt").c_str(), 5000) == 0);
  CHECK(ReadFile(P("t.txt")) == std::string("ab") + std::string(4998, '\0'));
  CHECK(GetObjectBody(bucket, "t.txt") == std::string("ab") + std::string(4998, '\0'));
  REQUIRE(truncate(P("t.txt").c_str(), 1) == 0);
  CHECK(ReadFile(P("t.txt")) == "a");
  CHECK(GetObjectBody(bucket, "t.txt") == "a");
  fd = open(P("t.txt").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, 0) == 0);
  REQUIRE(close(fd) == 0);
  CHECK(GetObjectBody(bucket, "t.txt") == "");

  errno = 0;
  CHECK(open(P("t.txt").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644) == -1);
  CHECK(errno == EEXIST);
  fd = open(P("excl.txt").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  close(fd);
  CHECK(HeadObject(bucket, "excl.txt").has_value());
}

TEST_CASE_FIXTURE(Fixture, "fsync puts the data in S3 while the file stays open") {
  int fd = open(P("sync.bin").c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  std::string first = RandomBytes(6 << 20, 9);
  PWriteAll(fd, first, 0);
  REQUIRE(fsync(fd) == 0);
  CHECK(GetObjectBody(bucket, "sync.bin") == first);
  PWriteAll(fd, "more", static_cast<off_t>(first.size()));
  REQUIRE(fdatasync(fd) == 0);
  CHECK(GetObjectBody(bucket, "sync.bin") == first + "more");
  REQUIRE(close(fd) == 0);
}

TEST_CASE_FIXTURE(Fixture, "a new file is visible in the mount at once and written to S3 once, at close") {
  REQUIRE(mkdir(P("fresh").c_str(), 0755) == 0);
  int fd = open(P("fresh/new.txt").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0640);
  REQUIRE(fd >= 0);
  PWriteAll(fd, "hello", 0);
  // Before the first commit point: here, but not yet in S3.
  CHECK(List(P("fresh")).count("new.txt"));
  struct stat st {};
  REQUIRE(stat(P("fresh/new.txt").c_str(), &st) == 0);
  CHECK(st.st_size == 5);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK_FALSE(HeadObject(bucket, "fresh/new.txt").has_value());
  CHECK(rmdir(P("fresh").c_str()) == -1);
  CHECK(errno == ENOTEMPTY);
  CHECK(open(P("fresh/new.txt").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644) == -1);
  CHECK(errno == EEXIST);
  REQUIRE(close(fd) == 0);
  auto info = HeadObject(bucket, "fresh/new.txt");
  REQUIRE(info.has_value());
  CHECK(Meta(*info, "mode") == std::to_string(S_IFREG | 0640));
  CHECK(GetObjectBody(bucket, "fresh/new.txt") == "hello");
  // Created and closed without a write: an empty object.
  int empty = open(P("fresh/empty").c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(empty >= 0);
  REQUIRE(close(empty) == 0);
  CHECK(GetObjectBody(bucket, "fresh/empty") == std::string());
}

TEST_CASE_FIXTURE(Fixture, "unlink while open keeps the open file readable") {
  std::string data = RandomBytes(2 << 20, 11);
  WriteFile(P("gone.bin"), data);
  int fd = open(P("gone.bin").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(unlink(P("gone.bin").c_str()) == 0);
  struct stat st {};
  CHECK(stat(P("gone.bin").c_str(), &st) == -1);
  CHECK(errno == ENOENT);
  CHECK_FALSE(List(mount->path()).count("gone.bin"));
  CHECK(PReadAll(fd, data.size(), 0) == data);
  CHECK(close(fd) == 0);
  // The object goes once the last handle is released (docs/semantics.md). The
  // kernel sends RELEASE after close(2) has returned, so wait for it to land.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !HeadObject(bucket, "gone.bin").has_value();
    if (!gone) usleep(50 * 1000);
  }
  CHECK_MESSAGE(gone, "the object of an unlinked file was not deleted after its last release");
  // A new file of the same name is a different file.
  WriteFile(P("gone.bin"), "new");
  CHECK(ReadFile(P("gone.bin")) == "new");
}

TEST_CASE_FIXTURE(Fixture, "mkdir, rmdir and ENOTEMPTY, directory markers") {
  REQUIRE(mkdir(P("d").c_str(), 0750) == 0);
  auto marker = HeadObject(bucket, "d/");
  REQUIRE(marker.has_value());
  CHECK(marker->size == 0);
  CHECK(marker->content_type == "application/x-directory");
  CHECK(Meta(*marker, "mode") == std::to_string(S_IFDIR | 0750));
  errno = 0;
  CHECK(mkdir(P("d").c_str(), 0755) == -1);
  CHECK(errno == EEXIST);
  WriteFile(P("d/f"), "x");
  errno = 0;
  CHECK(rmdir(P("d").c_str()) == -1);
  CHECK(errno == ENOTEMPTY);
  errno = 0;
  CHECK(rmdir(P("d/f").c_str()) == -1);
  CHECK(errno == ENOTDIR);
  errno = 0;
  CHECK(unlink(P("d").c_str()) == -1);
  CHECK((errno == EISDIR || errno == EPERM));
  errno = 0;
  CHECK(open(P("d/f/x").c_str(), O_RDONLY) == -1);
  CHECK(errno == ENOTDIR);
  REQUIRE(unlink(P("d/f").c_str()) == 0);
  REQUIRE(rmdir(P("d").c_str()) == 0);
  CHECK(ListKeys(bucket, "d/").empty());
  errno = 0;
  CHECK(open(P("missing").c_str(), O_RDONLY) == -1);
  CHECK(errno == ENOENT);
}

TEST_CASE_FIXTURE(Fixture, "implicit directories and large listings") {
  // s3rver reports a common prefix only when some object sits directly under
  // it (it does not descend past the delimiter), so every implicit directory
  // here holds a file of its own; real S3 needs no such help.
  PutObject(bucket, "imp/a/b/c.txt", "deep");
  PutObject(bucket, "imp/a/direct.txt", "direct");
  PutObject(bucket, "imp/top.txt", "top");
  const int kMany = 1100;  // more than one ListObjectsV2 page
  for (int i = 0; i < kMany; ++i) PutObject(bucket, "many/f" + std::to_string(i), std::to_string(i));
  CHECK(List(P("imp")) == std::set<std::string>{"a", "top.txt"});
  struct stat st {};
  REQUIRE(stat(P("imp/a/b").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(ReadFile(P("imp/a/b/c.txt")) == "deep");
  auto names = List(P("many"));
  CHECK(names.size() == static_cast<size_t>(kMany));
  CHECK(names.count("f0"));
  CHECK(names.count("f1099"));
  // A new file in an implicit directory.
  WriteFile(P("imp/a/new.txt"), "n");
  CHECK(GetObjectBody(bucket, "imp/a/new.txt") == "n");
}

TEST_CASE_FIXTURE(Fixture, "rename files and directories, RENAME_NOREPLACE") {
  std::string data = RandomBytes(1 << 20, 21);
  WriteFile(P("a.bin"), data);
  REQUIRE(chmod(P("a.bin").c_str(), 0600) == 0);
  REQUIRE(rename(P("a.bin").c_str(), P("b.bin").c_str()) == 0);
  CHECK(ReadFile(P("b.bin")) == data);
  CHECK_FALSE(HeadObject(bucket, "a.bin").has_value());
  CHECK(GetObjectBody(bucket, "b.bin") == data);
  struct stat st {};
  REQUIRE(stat(P("b.bin").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  // Replace an existing file.
  WriteFile(P("c.txt"), "ccc");
  REQUIRE(rename(P("c.txt").c_str(), P("b.bin").c_str()) == 0);
  CHECK(ReadFile(P("b.bin")) == "ccc");
  CHECK(GetObjectBody(bucket, "b.bin") == "ccc");

  // RENAME_NOREPLACE.
  WriteFile(P("n1"), "1");
  WriteFile(P("n2"), "2");
  errno = 0;
  CHECK(RenameAt2(P("n1"), P("n2"), RENAME_NOREPLACE) == -1);
  CHECK(errno == EEXIST);
  CHECK(ReadFile(P("n2")) == "2");
  REQUIRE(RenameAt2(P("n1"), P("n3"), RENAME_NOREPLACE) == 0);
  CHECK(ReadFile(P("n3")) == "1");

  // A directory tree, with an explicit and an implicit subdirectory.
  REQUIRE(mkdir(P("tree").c_str(), 0755) == 0);
  REQUIRE(mkdir(P("tree/sub").c_str(), 0755) == 0);
  WriteFile(P("tree/sub/x"), "x");
  WriteFile(P("tree/y"), "y");
  PutObject(bucket, "tree/implicit/z", "z");
  REQUIRE(rename(P("tree").c_str(), P("moved").c_str()) == 0);
  CHECK(ReadFile(P("moved/sub/x")) == "x");
  CHECK(ReadFile(P("moved/y")) == "y");
  CHECK(ReadFile(P("moved/implicit/z")) == "z");
  CHECK(stat(P("tree").c_str(), &st) == -1);
  CHECK(ListKeys(bucket, "tree/").empty());
  CHECK(GetObjectBody(bucket, "moved/sub/x") == "x");
  CHECK(GetObjectBody(bucket, "moved/implicit/z") == "z");
  // Renaming a directory onto a non-empty one fails.
  REQUIRE(mkdir(P("e1").c_str(), 0755) == 0);
  errno = 0;
  CHECK(rename(P("e1").c_str(), P("moved").c_str()) == -1);
  CHECK(errno == ENOTEMPTY);
  Remount();
  CHECK(ReadFile(P("moved/sub/x")) == "x");
}

TEST_CASE_FIXTURE(Fixture, "symlink and readlink; hard links are refused") {
  WriteFile(P("target.txt"), "t");
  REQUIRE(symlink("target.txt", P("link").c_str()) == 0);
  char buf[256];
  ssize_t n = readlink(P("link").c_str(), buf, sizeof(buf));
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)) == "target.txt");
  CHECK(ReadFile(P("link")) == "t");
  struct stat st {};
  REQUIRE(lstat(P("link").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(GetObjectBody(bucket, "link") == "target.txt");
  auto info = HeadObject(bucket, "link");
  REQUIRE(info.has_value());
  CHECK(Meta(*info, "mode") == std::to_string(S_IFLNK | 0777));
  // Dangling and absolute targets are stored as given.
  REQUIRE(symlink("/nonexistent/abs", P("abs").c_str()) == 0);
  n = readlink(P("abs").c_str(), buf, sizeof(buf));
  CHECK(std::string(buf, static_cast<size_t>(n)) == "/nonexistent/abs");

  errno = 0;
  CHECK(link(P("target.txt").c_str(), P("hard").c_str()) == -1);
  CHECK(errno == EPERM);
  CHECK_FALSE(HeadObject(bucket, "hard").has_value());
}

TEST_CASE_FIXTURE(Fixture, "chmod, chown and utimens are persisted in s3fs metadata") {
  WriteFile(P("m.txt"), "meta");
  REQUIRE(chmod(P("m.txt").c_str(), 0640) == 0);
  REQUIRE(chown(P("m.txt").c_str(), 1234, 5678) == 0);
  struct timespec times[2] = {{1600000000, 0}, {1500000000, 0}};
  REQUIRE(utimensat(AT_FDCWD, P("m.txt").c_str(), times, 0) == 0);
  REQUIRE(mkdir(P("md").c_str(), 0700) == 0);
  REQUIRE(chown(P("md").c_str(), 42, 43) == 0);

  auto info = HeadObject(bucket, "m.txt");
  REQUIRE(info.has_value());
  CHECK(Meta(*info, "mode") == std::to_string(S_IFREG | 0640));
  CHECK(Meta(*info, "uid") == "1234");
  CHECK(Meta(*info, "gid") == "5678");
  CHECK(std::stoll(Meta(*info, "mtime")) == 1500000000);
  auto dir = HeadObject(bucket, "md/");
  REQUIRE(dir.has_value());
  CHECK(Meta(*dir, "uid") == "42");
  CHECK(Meta(*dir, "gid") == "43");

  Remount();
  struct stat st {};
  REQUIRE(stat(P("m.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_uid == 1234u);
  CHECK(st.st_gid == 5678u);
  CHECK(st.st_mtime == 1500000000);
  CHECK(ReadFile(P("m.txt")) == "meta");
  REQUIRE(stat(P("md").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(st.st_uid == 42u);
  // Writing keeps the mode and owner.
  WriteFile(P("m.txt"), "changed");
  info = HeadObject(bucket, "m.txt");
  REQUIRE(info.has_value());
  CHECK(Meta(*info, "mode") == std::to_string(S_IFREG | 0640));
  CHECK(Meta(*info, "uid") == "1234");
}

TEST_CASE_FIXTURE(Fixture, "statfs answers") {
  struct statvfs vfs {};
  REQUIRE(statvfs(mount->path().c_str(), &vfs) == 0);
  CHECK(vfs.f_bsize > 0);
  CHECK(vfs.f_namemax >= 255);
  CHECK(vfs.f_blocks >= vfs.f_bfree);
}

TEST_CASE("changes made through S3 become visible (metadata TTL 0)") {
  std::string bucket = NewBucket();
  PutObject(bucket, "ext.txt", "version one");
  auto m = ScopedMount::Start(bucket, {"--metadata-ttl", "0"});
  CHECK(ReadFile(m->Path("ext.txt")) == "version one");
  PutObject(bucket, "ext.txt", "version two, longer");
  CHECK(ReadFile(m->Path("ext.txt")) == "version two, longer");
  PutObject(bucket, "appeared.txt", "new");
  CHECK(ReadFile(m->Path("appeared.txt")) == "new");
  Status s = S3().DeleteObject(bucket, "ext.txt");
  REQUIRE(s.ok());
  struct stat st {};
  CHECK(stat(m->Path("ext.txt").c_str(), &st) == -1);
  CHECK(errno == ENOENT);
}

TEST_CASE("a prefix mount sees only its prefix") {
  std::string bucket = NewBucket();
  PutObject(bucket, "outside.txt", "no");
  PutObject(bucket, "team/a/inside.txt", "yes");
  auto m = ScopedMount::Start(bucket + "/team/a");
  CHECK(List(m->path()) == std::set<std::string>{"inside.txt"});
  WriteFile(m->Path("new.txt"), "n");
  CHECK(GetObjectBody(bucket, "team/a/new.txt") == "n");
  CHECK_FALSE(HeadObject(bucket, "new.txt").has_value());
}

}  // namespace
}  // namespace objfs::fusetest
