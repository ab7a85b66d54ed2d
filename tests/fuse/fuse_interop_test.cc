// s3fs compatibility both ways: objects written through the S3 API the way
// s3fs writes them (x-amz-meta-mode/uid/gid/mtime, "dir/" markers with
// Content-Type application/x-directory, symlinks as objects holding their
// target) read correctly through objfs, and what objfs writes carries the same
// headers. Objects with no such metadata get the mount's defaults.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fuse_harness.h"

namespace objfs::fusetest {
namespace {

std::string Meta(const s3::ObjectInfo& info, const std::string& name) {
  auto it = info.metadata.find(name);
  return it == info.metadata.end() ? std::string() : it->second;
}

TEST_CASE("objects with s3fs headers read right through objfs") {
  std::string bucket = NewBucket();
  PutObject(bucket, "file.txt", "from s3fs",
            {{"mode", std::to_string(S_IFREG | 0600)}, {"uid", "1001"}, {"gid", "2002"}, {"mtime", "1600000000"}});
  PutObject(bucket, "exec.sh", "#!/bin/sh\n", {{"mode", std::to_string(S_IFREG | 0755)}});
  PutObject(bucket, "dir/", "",
            {{"mode", std::to_string(S_IFDIR | 0750)}, {"uid", "1001"}, {"gid", "2002"}, {"mtime", "1500000000"}},
            "application/x-directory");
  PutObject(bucket, "dir/inner.txt", "inner", {{"mode", std::to_string(S_IFREG | 0644)}});
  PutObject(bucket, "symlink", "file.txt", {{"mode", std::to_string(S_IFLNK | 0777)}});
  // s3fs (1.89 and later) writes sub-second mtimes as "SECONDS.NANOSECONDS".
  PutObject(bucket, "frac.txt", "f", {{"mode", std::to_string(S_IFREG | 0640)}, {"mtime", "1400000000.500000000"}});

  auto m = ScopedMount::Start(bucket);
  struct stat st {};
  REQUIRE(stat(m->Path("file.txt").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_uid == 1001u);
  CHECK(st.st_gid == 2002u);
  CHECK(st.st_mtime == 1600000000);
  CHECK(st.st_size == 9);
  CHECK(ReadFile(m->Path("file.txt")) == "from s3fs");

  REQUIRE(stat(m->Path("exec.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);

  REQUIRE(stat(m->Path("dir").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0750);
  CHECK(st.st_uid == 1001u);
  CHECK(st.st_mtime == 1500000000);
  CHECK(ReadFile(m->Path("dir/inner.txt")) == "inner");

  REQUIRE(lstat(m->Path("symlink").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  char buf[64];
  ssize_t n = readlink(m->Path("symlink").c_str(), buf, sizeof(buf));
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)) == "file.txt");
  CHECK(ReadFile(m->Path("symlink")) == "from s3fs");

  REQUIRE(stat(m->Path("frac.txt").c_str(), &st) == 0);
  CHECK(st.st_mtime == 1400000000);
}

TEST_CASE("types and modes survive a directory listing (readdirplus, ls -l)") {
  std::string bucket = NewBucket();
  PutObject(bucket, "file.txt", "f", {{"mode", std::to_string(S_IFREG | 0600)}, {"mtime", "1600000000"}});
  PutObject(bucket, "symlink", "file.txt", {{"mode", std::to_string(S_IFLNK | 0777)}});
  PutObject(bucket, "dir/", "", {{"mode", std::to_string(S_IFDIR | 0700)}}, "application/x-directory");
  auto m = ScopedMount::Start(bucket);
  // List first, so the attributes may come from the listing, then stat.
  RunResult ls = Run({"ls", "-la", m->path()});
  REQUIRE(ls.exit_code == 0);
  struct stat st {};
  REQUIRE(lstat(m->Path("symlink").c_str(), &st) == 0);
  CHECK_MESSAGE(S_ISLNK(st.st_mode), "ls -la printed:\n", ls.out);
  REQUIRE(lstat(m->Path("file.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_mtime == 1600000000);
  REQUIRE(lstat(m->Path("dir").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
}

TEST_CASE("objects without metadata get --uid/--gid/--file-mode/--dir-mode") {
  std::string bucket = NewBucket();
  PutObject(bucket, "plain.txt", "plain");
  PutObject(bucket, "implicit/child.txt", "c");
  auto m = ScopedMount::Start(bucket, {"--uid", "4321", "--gid", "8765", "--file-mode", "0640", "--dir-mode",
                                       "0710"});
  struct stat st {};
  REQUIRE(stat(m->Path("plain.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_uid == 4321u);
  CHECK(st.st_gid == 8765u);
  REQUIRE(stat(m->Path("implicit").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0710);
  CHECK(st.st_uid == 4321u);
  REQUIRE(stat(m->path().c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
}

TEST_CASE("what objfs writes carries s3fs headers") {
  std::string bucket = NewBucket();
  auto m = ScopedMount::Start(bucket);
  WriteFile(m->Path("new.txt"), "made by objfs");
  REQUIRE(chmod(m->Path("new.txt").c_str(), 0604) == 0);
  REQUIRE(mkdir(m->Path("newdir").c_str(), 0751) == 0);
  REQUIRE(symlink("new.txt", m->Path("newlink").c_str()) == 0);
  struct stat st {};
  REQUIRE(stat(m->Path("new.txt").c_str(), &st) == 0);

  auto file = HeadObject(bucket, "new.txt");
  REQUIRE(file.has_value());
  CHECK(Meta(*file, "mode") == std::to_string(S_IFREG | 0604));
  CHECK(Meta(*file, "uid") == std::to_string(getuid()));
  CHECK(Meta(*file, "gid") == std::to_string(getgid()));
  REQUIRE_FALSE(Meta(*file, "mtime").empty());
  CHECK(std::stoll(Meta(*file, "mtime")) == st.st_mtime);
  CHECK(GetObjectBody(bucket, "new.txt") == "made by objfs");

  auto dir = HeadObject(bucket, "newdir/");
  REQUIRE(dir.has_value());
  CHECK(dir->size == 0);
  CHECK(dir->content_type == "application/x-directory");
  CHECK(Meta(*dir, "mode") == std::to_string(S_IFDIR | 0751));
  CHECK_FALSE(Meta(*dir, "uid").empty());
  CHECK_FALSE(Meta(*dir, "mtime").empty());

  auto link = HeadObject(bucket, "newlink");
  REQUIRE(link.has_value());
  CHECK(Meta(*link, "mode") == std::to_string(S_IFLNK | 0777));
  CHECK(GetObjectBody(bucket, "newlink") == "new.txt");
}

}  // namespace
}  // namespace objfs::fusetest
