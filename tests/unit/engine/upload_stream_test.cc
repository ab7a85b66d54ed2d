#include "fs/upload_stream.h"

#include <doctest/doctest.h>

#include <string>

#include "engine_test_util.h"

namespace objfs::fs {

using testing::FaultyStore;
using testing::kBucket;
using testing::Pattern;

namespace {

constexpr uint64_t kKiB = 1ull << 10;
constexpr uint64_t kMiB = 1ull << 20;

using Fixture = FaultyStore;

// Appends `data` in pieces of `piece` bytes.
Status AppendAll(UploadStream& stream, const std::string& data, uint64_t piece) {
  for (uint64_t off = 0; off < data.size(); off += piece) {
    OBJFS_RETURN_IF_ERROR(stream.Append(std::span<const char>(data.data() + off, std::min(piece, data.size() - off))));
  }
  return Status::Ok();
}

}  // namespace

TEST_CASE("UploadStream: part sizes grow so 10,000 parts reach 5 TiB") {
  UploadOptions o;
  uint64_t total = 0;
  for (int n = 1; n <= s3::kMaxParts; ++n) {
    uint64_t part = UploadStream::PartSize(o, n);
    CHECK(part >= s3::kMinPartSize);
    CHECK(part <= s3::kMaxPartSize);
    if (n > 1) CHECK(part >= UploadStream::PartSize(o, n - 1));
    total += part;
  }
  CHECK(total >= s3::kMaxObjectSize);
  CHECK(UploadStream::PartSize(o, 1) == 8 * kMiB);
  CHECK(UploadStream::PartSize(o, 1000) == 8 * kMiB);
  CHECK(UploadStream::PartSize(o, 1001) == 16 * kMiB);
}

TEST_CASE("UploadStream: a small file is one PutObject") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  const std::string data = Pattern(300 * kKiB);
  {
    UploadStream stream(f.client, kBucket, "small", {}, budget);
    REQUIRE(AppendAll(stream, data, 4096).ok());
    CHECK(stream.size() == data.size());
    auto etag = stream.Finish();
    REQUIRE(etag.ok());
    CHECK(!etag->empty());
  }
  CHECK(f.Get("small") == data);
  CHECK(f.store->CallCount("PutObject") == 1);
  CHECK(f.store->CallCount("CreateMultipartUpload") == 0);
  CHECK(budget.used() == 0);
  // Small files reserve little of the budget.
  CHECK(budget.peak() <= 512 * kKiB);
}

TEST_CASE("UploadStream: an empty file is an empty PutObject") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  UploadStream stream(f.client, kBucket, "empty", {}, budget);
  auto etag = stream.Finish();
  REQUIRE(etag.ok());
  CHECK(f.Get("empty").empty());
}

TEST_CASE("UploadStream: a large file goes up in growing parts while being written") {
  Fixture f;
  MemoryBudget budget(128 * kMiB);
  const std::string data = Pattern(47 * kMiB + 123, 2);
  UploadOptions o{.initial_part_size = 5 * kMiB, .max_parallel_parts = 4, .parts_per_size_step = 2};
  s3::PutOptions put;
  put.content_type = "text/plain";
  put.metadata["mode"] = "33188";
  UploadStream stream(f.client, kBucket, "large", put, budget, o);
  REQUIRE(AppendAll(stream, data, 1 * kMiB + 17).ok());
  // Parts 1-4 (5+5+10+10 MiB) are full and were sent before Finish.
  CHECK(f.store->CallCount("UploadPart") >= 4);
  auto etag = stream.Finish();
  REQUIRE(etag.ok());
  CHECK(etag->find('-') != std::string::npos);  // multipart ETag
  CHECK(f.Get("large") == data);
  // 5 + 5 + 10 + 10 + 20 = 50 MiB > 47 MiB: five parts.
  CHECK(f.store->CallCount("UploadPart") == 5);
  CHECK(f.store->CallCount("CompleteMultipartUpload") == 1);
  auto head = f.client.HeadObject(kBucket, "large");
  REQUIRE(head.ok());
  CHECK(head->content_type == "text/plain");
  CHECK(head->metadata["mode"] == "33188");
  CHECK(budget.used() == 0);
  CHECK(f.PendingUploads() == 0);
}

TEST_CASE("UploadStream: a file of exactly one part") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  const std::string data = Pattern(5 * kMiB, 8);
  UploadStream stream(f.client, kBucket, "exact", {}, budget, UploadOptions{.initial_part_size = 5 * kMiB});
  REQUIRE(AppendAll(stream, data, kMiB).ok());
  REQUIRE(stream.Finish().ok());
  CHECK(f.Get("exact") == data);
}

TEST_CASE("UploadStream: a tiny budget applies backpressure and is respected") {
  Fixture f;
  // Room for two 5 MiB parts: the part being filled and one in flight.
  MemoryBudget budget(10 * kMiB);
  const std::string data = Pattern(42 * kMiB, 3);
  UploadOptions o{.initial_part_size = 5 * kMiB, .max_parallel_parts = 8, .parts_per_size_step = 1000};
  UploadStream stream(f.client, kBucket, "pressure", {}, budget, o);
  REQUIRE(AppendAll(stream, data, 256 * kKiB).ok());
  REQUIRE(stream.Finish().ok());
  CHECK(f.Get("pressure") == data);
  CHECK(budget.peak() <= budget.limit());
  CHECK(budget.used() == 0);
}

TEST_CASE("UploadStream: a budget smaller than one part still completes") {
  Fixture f;
  MemoryBudget budget(1 * kMiB);
  const std::string data = Pattern(12 * kMiB, 4);
  UploadStream stream(f.client, kBucket, "oversized", {}, budget, UploadOptions{.initial_part_size = 5 * kMiB});
  REQUIRE(AppendAll(stream, data, 100 * kKiB).ok());
  REQUIRE(stream.Finish().ok());
  CHECK(f.Get("oversized") == data);
  // Parts run one at a time: never more than one part's worth held.
  CHECK(budget.peak() <= 5 * kMiB);
}

TEST_CASE("UploadStream: a part failure surfaces from Append and aborts the upload") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  f.FailFrom("UploadPart", 1);
  const std::string data = Pattern(40 * kMiB, 5);
  UploadStream stream(f.client, kBucket, "fails", {}, budget,
                      UploadOptions{.initial_part_size = 5 * kMiB, .max_parallel_parts = 2});
  Status status = AppendAll(stream, data, kMiB);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == Code::kUnavailable);
  // Later calls keep returning the failure.
  CHECK(stream.Append(std::span<const char>(data.data(), 10)).code() == Code::kUnavailable);
  CHECK(stream.Finish().status().code() == Code::kUnavailable);
  CHECK(f.PendingUploads() == 0);
  CHECK(f.store->CallCount("AbortMultipartUpload") == 1);
  CHECK(budget.used() == 0);
  CHECK_FALSE(f.client.HeadObject(kBucket, "fails").ok());
}

TEST_CASE("UploadStream: a failure of the last parts surfaces from Finish") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  f.FailFrom("UploadPart", 1);
  const std::string data = Pattern(7 * kMiB, 6);
  UploadStream stream(f.client, kBucket, "late", {}, budget, UploadOptions{.initial_part_size = 5 * kMiB});
  REQUIRE(AppendAll(stream, data, kMiB).ok());  // part 1 succeeds; part 2 is sent by Finish
  auto etag = stream.Finish();
  REQUIRE_FALSE(etag.ok());
  CHECK(etag.status().code() == Code::kUnavailable);
  CHECK(f.PendingUploads() == 0);
  CHECK(budget.used() == 0);
}

TEST_CASE("UploadStream: a failed CompleteMultipartUpload aborts") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  f.FailFrom("CompleteMultipartUpload", 0);
  const std::string data = Pattern(11 * kMiB, 6);
  UploadStream stream(f.client, kBucket, "complete", {}, budget, UploadOptions{.initial_part_size = 5 * kMiB});
  REQUIRE(AppendAll(stream, data, kMiB).ok());
  auto etag = stream.Finish();
  REQUIRE_FALSE(etag.ok());
  CHECK(f.PendingUploads() == 0);
}

TEST_CASE("UploadStream: Abort and an unfinished destructor leave no upload behind") {
  Fixture f;
  MemoryBudget budget(64 * kMiB);
  const std::string data = Pattern(23 * kMiB, 7);
  {
    UploadStream stream(f.client, kBucket, "abandoned", {}, budget, UploadOptions{.initial_part_size = 5 * kMiB});
    REQUIRE(AppendAll(stream, data, kMiB).ok());
    CHECK(f.PendingUploads() == 1);
  }
  CHECK(f.PendingUploads() == 0);
  CHECK(budget.used() == 0);
  {
    UploadStream stream(f.client, kBucket, "aborted", {}, budget, UploadOptions{.initial_part_size = 5 * kMiB});
    REQUIRE(AppendAll(stream, data, kMiB).ok());
    stream.Abort();
    CHECK(f.PendingUploads() == 0);
    CHECK(stream.Append(std::span<const char>(data.data(), 1)).code() == Code::kFailedPrecondition);
  }
  CHECK_FALSE(f.client.HeadObject(kBucket, "abandoned").ok());
  CHECK_FALSE(f.client.HeadObject(kBucket, "aborted").ok());
}

}  // namespace objfs::fs
