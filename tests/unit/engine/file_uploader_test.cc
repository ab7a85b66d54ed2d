#include "fs/file_uploader.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine_test_util.h"

namespace objfs::fs {

using testing::FaultyStore;
using testing::kBucket;
using testing::Pattern;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

// An unlinked temporary file holding `data`.
class TempFile {
 public:
  explicit TempFile(const std::string& data) {
    char path[] = "/tmp/objfs-engine-test-XXXXXX";
    fd_ = mkstemp(path);
    REQUIRE(fd_ >= 0);
    unlink(path);
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = write(fd_, data.data() + done, data.size() - done);
      REQUIRE(n > 0);
      done += static_cast<size_t>(n);
    }
  }
  ~TempFile() { close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

using Fixture = FaultyStore;

}  // namespace

TEST_CASE("UploadFile: a small file is one PutObject") {
  Fixture f;
  const std::string data = Pattern(100000, 1);
  TempFile file(data);
  auto etag = UploadFile(f.client, kBucket, "small", file.fd(), data.size(), {}, {});
  REQUIRE(etag.ok());
  CHECK(f.Get("small") == data);
  CHECK(f.store->CallCount("PutObject") == 1);
  CHECK(f.store->CallCount("CreateMultipartUpload") == 0);
}

TEST_CASE("UploadFile: a large file goes up as parallel parts from the fd") {
  Fixture f;
  const std::string data = Pattern(37 * kMiB + 5, 2);
  TempFile file(data);
  UploadFileOptions o;
  o.part_size = 5 * kMiB;
  o.single_put_max = 8 * kMiB;
  o.max_parallel_parts = 3;
  auto etag = UploadFile(f.client, kBucket, "large", file.fd(), data.size(), {}, o);
  REQUIRE(etag.ok());
  CHECK(f.Get("large") == data);
  CHECK(f.store->CallCount("UploadPart") == 7);  // 7 x 5 MiB + 2 MiB joined into the last part
  CHECK(f.PendingUploads() == 0);
}

TEST_CASE("UploadFile: unchanged ranges are copied server-side") {
  Fixture f;
  // The old object: 40 MiB. The new file changes 1 MiB at 12 MiB and appends 3 MiB.
  const std::string old_data = Pattern(40 * kMiB, 3);
  auto put = f.client.PutObject(kBucket, "file", s3::Body::FromMemory(old_data), {});
  REQUIRE(put.ok());
  std::string new_data = old_data;
  const std::string patch = Pattern(kMiB, 4);
  new_data.replace(12 * kMiB, kMiB, patch);
  new_data += Pattern(3 * kMiB, 5);
  TempFile file(new_data);

  UploadFileOptions o;
  o.reuse_key = "file";
  o.reuse_etag = put->etag;
  o.unchanged_ranges = {{0, 12 * kMiB}, {13 * kMiB, 27 * kMiB}};
  o.part_size = 5 * kMiB;
  o.single_put_max = 8 * kMiB;
  f.store->ResetCounts();
  auto etag = UploadFile(f.client, kBucket, "file", file.fd(), new_data.size(), {}, o);
  REQUIRE(etag.ok());
  CHECK(f.Get("file") == new_data);
  CHECK(f.store->CallCount("UploadPartCopy") >= 2);
  // Only the changed MiB (grown to a 5 MiB part) and the tail were sent.
  CHECK(f.store->CallCount("UploadPart") <= 2);
  CHECK(f.PendingUploads() == 0);
}

TEST_CASE("UploadFile: reuse of a changed source fails and aborts") {
  Fixture f;
  const std::string old_data = Pattern(20 * kMiB, 6);
  auto put = f.client.PutObject(kBucket, "src", s3::Body::FromMemory(old_data), {});
  REQUIRE(put.ok());
  TempFile file(old_data);
  UploadFileOptions o;
  o.reuse_key = "src";
  o.reuse_etag = "0123456789abcdef0123456789abcdef";  // not the source's ETag any more
  o.unchanged_ranges = {{0, 20 * kMiB}};
  o.single_put_max = 8 * kMiB;
  auto etag = UploadFile(f.client, kBucket, "dst", file.fd(), old_data.size(), {}, o);
  REQUIRE_FALSE(etag.ok());
  CHECK(etag.status().code() == Code::kFailedPrecondition);
  CHECK(f.PendingUploads() == 0);
  CHECK_FALSE(f.client.HeadObject(kBucket, "dst").ok());
}

TEST_CASE("UploadFile: a part failure aborts the upload") {
  Fixture f;
  const std::string data = Pattern(30 * kMiB, 7);
  TempFile file(data);
  f.FailFrom("UploadPart", 2);
  UploadFileOptions o;
  o.part_size = 5 * kMiB;
  o.single_put_max = 8 * kMiB;
  auto etag = UploadFile(f.client, kBucket, "broken", file.fd(), data.size(), {}, o);
  REQUIRE_FALSE(etag.ok());
  CHECK(etag.status().code() == Code::kUnavailable);
  CHECK(f.PendingUploads() == 0);
  CHECK_FALSE(f.client.HeadObject(kBucket, "broken").ok());
}

}  // namespace objfs::fs
