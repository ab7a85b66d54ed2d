// The small pure units of the filesystem core: metadata codec, name rules,
// errno map, listing order.
#include <cerrno>

#include <doctest/doctest.h>

#include "fs/dir_listing.h"
#include "fs/errno_map.h"
#include "fs/meta_codec.h"
#include "fs/name_filter.h"

namespace objfs::fs {
namespace {

TEST_CASE("ParseTime accepts s3fs seconds, fractions and nanoseconds") {
  CHECK(ParseTime("1700000000")->tv_sec == 1700000000);
  CHECK(ParseTime("1700000000")->tv_nsec == 0);
  CHECK(ParseTime("1700000000.5")->tv_nsec == 500000000);
  CHECK(ParseTime("1700000000.000000001")->tv_nsec == 1);
  CHECK(ParseTime("1700000000.1234567891")->tv_nsec == 123456789);
  CHECK_FALSE(ParseTime("").has_value());
  CHECK_FALSE(ParseTime("abc").has_value());
  CHECK_FALSE(ParseTime("12x").has_value());
  CHECK(FormatTime(timespec{5, 0}) == "5");
  CHECK(FormatTime(timespec{5, 42}) == "5.000000042");
}

TEST_CASE("DecodeMeta and EncodeMeta round-trip with s3fs values") {
  FsConfig cfg;
  s3::ObjectInfo info;
  info.last_modified = 99;
  info.metadata = {{"mode", "33261"}, {"uid", "10"}, {"gid", "20"}, {"mtime", "123"}, {"ctime", "124"}};
  FileMeta m = DecodeMeta(info, ObjectKind::kFile, cfg);
  CHECK(m.mode == (S_IFREG | 0755));
  CHECK(m.uid == 10);
  CHECK(m.gid == 20);
  CHECK(m.mtime.tv_sec == 123);
  CHECK(m.ctime.tv_sec == 124);
  s3::Metadata out = EncodeMeta(m);
  CHECK(out["mode"] == "33261");
  CHECK(out["uid"] == "10");
  CHECK(out["mtime"] == "123");

  s3::ObjectInfo none;
  none.last_modified = 77;
  FileMeta d = DecodeMeta(none, ObjectKind::kFile, cfg);
  CHECK(d.mode == (S_IFREG | 0644));
  CHECK(d.mtime.tv_sec == 77);
  none.content_type = kDirContentType;
  CHECK(S_ISDIR(DecodeMeta(none, ObjectKind::kFile, cfg).mode));

  s3::ObjectInfo bad;
  bad.metadata = {{"mode", "garbage"}, {"uid", "-1"}};
  FileMeta b = DecodeMeta(bad, ObjectKind::kFile, cfg);
  CHECK(b.mode == (S_IFREG | 0644));
  CHECK(b.uid == 0);

  s3::ObjectInfo link;
  link.metadata = {{"mode", std::to_string(S_IFLNK | 0777)}};
  CHECK(S_ISLNK(DecodeMeta(link, ObjectKind::kFile, cfg).mode));
  // Permission-only modes (no type bits) keep the kind from the key.
  s3::ObjectInfo perm;
  perm.metadata = {{"mode", "493"}};
  CHECK(DecodeMeta(perm, ObjectKind::kDir, cfg).mode == (S_IFDIR | 0755));
}

TEST_CASE("name rules") {
  CHECK(IsValidName("a"));
  CHECK(IsValidName(std::string(255, 'x')));
  CHECK_FALSE(IsValidName(std::string(256, 'x')));
  CHECK_FALSE(IsValidName(""));
  CHECK_FALSE(IsValidName("."));
  CHECK_FALSE(IsValidName(".."));
  CHECK(IsValidName("..."));
  CHECK_FALSE(IsValidName(std::string("a\0b", 3)));
  CHECK_FALSE(IsValidName("a/b"));
  CHECK(CheckNewName(std::string(256, 'x')) == ENAMETOOLONG);
  CHECK(CheckNewName("ok") == 0);
}

TEST_CASE("errno map") {
  CHECK(ErrnoFromStatus(Status(Code::kNotFound, "")) == ENOENT);
  CHECK(ErrnoFromStatus(Status(Code::kAlreadyExists, "")) == EEXIST);
  CHECK(ErrnoFromStatus(Status(Code::kPermissionDenied, "")) == EACCES);
  CHECK(ErrnoFromStatus(Status(Code::kFailedPrecondition, "")) == ESTALE);
  CHECK(ErrnoFromStatus(Status(Code::kResourceExhausted, "")) == ENOSPC);
  CHECK(ErrnoFromStatus(Status(Code::kUnavailable, "")) == EIO);
  CHECK(ErrnoFromStatus(Status(Code::kTimeout, "")) == EIO);
  CHECK(ErrnoFromStatus(Status(Code::kInternal, "").WithErrno(ENOSPC)) == ENOSPC);
  CHECK(ErrnoFromStatus(FsOp::kRead, Status(Code::kFailedPrecondition, "")) == ESTALE);
  CHECK(ErrnoFromStatus(FsOp::kRead, Status(Code::kNotFound, "").WithHttp(404, "NoSuchKey", "")) == ESTALE);
  CHECK(ErrnoFromStatus(FsOp::kRead, Status(Code::kUnavailable, "")) == EIO);
  CHECK(ErrnoFromStatus(FsOp::kCommit, Status(Code::kResourceExhausted, "")) == ENOSPC);
  CHECK(ErrnoFromStatus(FsOp::kCommit, Status(Code::kPermissionDenied, "")) == EIO);
  CHECK(ErrnoFromStatus(FsOp::kWrite, Status(Code::kFailedPrecondition, "")) == ESTALE);
  CHECK(ErrnoFromStatus(FsOp::kExclusiveCreate, Status(Code::kFailedPrecondition, "")) == EEXIST);
  CHECK(ErrnoFromStatus(FsOp::kSetMetadata, Status(Code::kTimeout, "")) == EIO);
}

TEST_CASE("listing entries are sorted, unique, and directories win name clashes") {
  std::vector<DirListingEntry> e;
  e.push_back({"b", ObjectKind::kFile, 1, "e1", 0});
  e.push_back({"a", ObjectKind::kFile, 1, "e2", 0});
  e.push_back({"b", ObjectKind::kDir, 0, "", 0});
  auto l = DirListing::FromEntries(std::move(e));
  REQUIRE(l->entries().size() == 2);
  CHECK(l->entries()[0].name == "a");
  CHECK(l->entries()[1].name == "b");
  CHECK(l->entries()[1].kind == ObjectKind::kDir);
  CHECK(l->Find("b") != nullptr);
  CHECK(l->Find("c") == nullptr);
}

}  // namespace
}  // namespace objfs::fs
