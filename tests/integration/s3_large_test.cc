// CurlObjectClient against the local S3 server at scale: a 64 MiB multipart
// upload with parts sent from several threads and read back byte-exact, and
// listings of more than 1000 keys across pages (v2 and forced v1).
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "s3/hash.h"
#include "test_store.h"

namespace objfs::s3 {
namespace {

using testing::ReadAll;
using testing::TestData;
using testing::TestStore;

constexpr uint64_t kPartSize = 8ull << 20;
constexpr int kParts = 8;
constexpr uint64_t kObjectSize = kPartSize * kParts;  // 64 MiB

TEST_CASE("64 MiB multipart upload from parallel threads, read back exactly") {
  auto& store = TestStore();
  ClientConfig streaming_config = testing::TestConfig(store.endpoint);
  streaming_config.body_checksum = BodyChecksum::kStreamingMd5;
  auto streaming = MakeCurlClient(streaming_config);
  REQUIRE(streaming.ok());
  const std::string key = "multipart/64MiB object";
  const std::string data = TestData(kObjectSize, 42);

  // Part 3 goes from a file descriptor, the rest from memory.
  char path[] = "/tmp/objfs-it-part-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unlink(path);
  REQUIRE(pwrite(fd, data.data() + 2 * kPartSize, kPartSize, 4096) == static_cast<ssize_t>(kPartSize));

  PutOptions options;
  options.content_type = "application/x-test";
  options.metadata = {{"kind", "multipart"}};
  auto upload = store.client->CreateMultipartUpload(store.bucket, key, options);
  REQUIRE_MESSAGE(upload.ok(), upload.status().ToString());

  std::vector<CompletedPart> parts(kParts);
  std::vector<Status> failures(kParts);
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kParts; i = next++) {
        Body body = i == 2 ? Body::FromFile(fd, 4096, kPartSize)
                           : Body::FromMemory(std::string_view(data).substr(i * kPartSize, kPartSize));
        // Odd parts hash while sending (no Content-MD5), even parts send Content-MD5.
        ObjectClient& uploader = i % 2 == 1 ? **streaming : *store.client;
        auto etag = uploader.UploadPart(store.bucket, key, *upload, i + 1, body);
        if (!etag.ok()) {
          failures[i] = etag.status();
          continue;
        }
        parts[i] = CompletedPart{i + 1, *etag};
      }
    });
  }
  for (auto& thread : threads) thread.join();
  close(fd);
  for (int i = 0; i < kParts; ++i) {
    REQUIRE_MESSAGE(failures[i].ok(), "part " << i + 1 << ": " << failures[i].ToString());
    CHECK(parts[i].etag == Md5Hex(std::string_view(data).substr(i * kPartSize, kPartSize)));
  }
  auto etag = store.client->CompleteMultipartUpload(store.bucket, key, *upload, parts);
  REQUIRE_MESSAGE(etag.ok(), etag.status().ToString());

  auto head = store.client->HeadObject(store.bucket, key);
  REQUIRE(head.ok());
  CHECK(head->size == kObjectSize);
  CHECK(head->etag == *etag);
  CHECK(head->metadata.at("kind") == "multipart");
  CHECK(head->content_type == "application/x-test");

  // The whole object, compared without keeping a second 64 MiB copy.
  uint64_t offset = 0;
  bool same = true;
  auto got = store.client->GetObject(GetRequest{store.bucket, key, std::nullopt, ""},
                                     [&](std::string_view chunk) -> Status {
                                       if (offset + chunk.size() > data.size() ||
                                           std::string_view(data).substr(offset, chunk.size()) != chunk) {
                                         same = false;
                                       }
                                       offset += chunk.size();
                                       return Status::Ok();
                                     });
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(offset == kObjectSize);
  CHECK(same);
  CHECK(got->size == kObjectSize);

  struct Case {
    const char* name;
    uint64_t offset;
    uint64_t length;
  };
  const Case cases[] = {
      {"first byte", 0, 1},
      {"last byte", kObjectSize - 1, 1},
      {"across the part 1/2 boundary", kPartSize - 100, 200},
      {"across the part 5/6 boundary", 5 * kPartSize - 1, 2},
      {"a whole part plus one byte each side", 3 * kPartSize - 1, kPartSize + 2},
      {"running past EOF", kObjectSize - 10, 1000},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    ObjectInfo info;
    auto range = ReadAll(*store.client, GetRequest{store.bucket, key, ByteRange{c.offset, c.length}, ""}, &info);
    REQUIRE_MESSAGE(range.ok(), range.status().ToString());
    CHECK(*range == data.substr(c.offset, c.length));
    CHECK(info.size == kObjectSize);
  }
  auto past = ReadAll(*store.client, GetRequest{store.bucket, key, ByteRange{kObjectSize, 1}, ""});
  REQUIRE_FALSE(past.ok());
  CHECK(past.status().code() == Code::kOutOfRange);

  // Many parallel range reads of the same object over the shared pool.
  std::atomic<int> mismatches{0};
  threads.clear();
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        uint64_t start = (static_cast<uint64_t>(t) * 4 + i) * (kObjectSize / 64);
        auto range = ReadAll(*store.client, GetRequest{store.bucket, key, ByteRange{start, 1 << 20}, ""});
        if (!range.ok() || *range != data.substr(start, 1 << 20)) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(mismatches.load() == 0);
}

// Keys "big/d0000/x".."big/d0199/x" and "big/f0000".."big/f1099": 1300 objects,
// so that more than 1000 entries sit at the delimiter level too (s3rver counts
// only keys, not common prefixes, against max-keys).
void PopulateBigListing(ObjectClient& client, const std::string& bucket) {
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < 1300; i = next++) {
        char name[32];
        if (i < 200) {
          std::snprintf(name, sizeof name, "big/d%04d/x", i);
        } else {
          std::snprintf(name, sizeof name, "big/f%04d", i - 200);
        }
        auto put = client.PutObject(bucket, name, Body::FromMemory(name), {});
        if (!put.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(put.status().ToString());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE_MESSAGE(errors.empty(), (errors.empty() ? "" : errors.front()));
}

struct Listing {
  std::vector<std::string> keys;
  std::vector<std::string> prefixes;
  int pages = 0;
};

Listing ListAll(ObjectClient& client, const std::string& bucket, ListRequest request) {
  Listing out;
  for (;;) {
    auto page = client.ListObjects(bucket, request);
    REQUIRE_MESSAGE(page.ok(), page.status().ToString());
    ++out.pages;
    for (const auto& object : page->objects) out.keys.push_back(object.key);
    for (const auto& prefix : page->common_prefixes) out.prefixes.push_back(prefix);
    if (!page->truncated) break;
    REQUIRE(!page->next_continuation_token.empty());
    REQUIRE(out.pages < 100);
    request.continuation_token = page->next_continuation_token;
  }
  return out;
}

void CheckBigListing(ObjectClient& client, const std::string& bucket) {
  ListRequest request;
  request.prefix = "big/";
  Listing flat = ListAll(client, bucket, request);
  CHECK(flat.pages >= 2);
  CHECK(flat.keys.size() == 1300);
  CHECK(std::is_sorted(flat.keys.begin(), flat.keys.end()));
  CHECK(std::set<std::string>(flat.keys.begin(), flat.keys.end()).size() == 1300);
  CHECK(flat.prefixes.empty());

  request.delimiter = "/";
  Listing nested = ListAll(client, bucket, request);
  CHECK(nested.pages >= 2);
  CHECK(nested.prefixes.size() == 200);
  CHECK(std::set<std::string>(nested.prefixes.begin(), nested.prefixes.end()).size() == 200);
  CHECK(nested.keys.size() == 1100);
  CHECK(std::set<std::string>(nested.keys.begin(), nested.keys.end()).size() == 1100);
  if (!nested.prefixes.empty()) {
    CHECK(nested.prefixes.front() == "big/d0000/");
    CHECK(nested.prefixes.back() == "big/d0199/");
  }
  if (!nested.keys.empty()) {
    CHECK(nested.keys.front() == "big/f0000");
    CHECK(nested.keys.back() == "big/f1099");
  }

  // Small pages, and start_after.
  request.delimiter.clear();
  request.max_keys = 250;
  request.start_after = "big/f0099";
  Listing after = ListAll(client, bucket, request);
  CHECK(after.keys.size() == 1000);
  CHECK(after.pages >= 2);
  if (!after.keys.empty()) CHECK(after.keys.front() == "big/f0100");
}

TEST_CASE("listing more than 1000 keys across pages, with and without a delimiter") {
  auto& store = TestStore();
  const std::string bucket = testing::UniqueBucketName("list");
  REQUIRE(store.client->CreateBucket(bucket).ok());
  PopulateBigListing(*store.client, bucket);

  INFO("ListObjectsV2");
  CheckBigListing(*store.client, bucket);

  INFO("ListObjects v1 (forced)");
  ClientConfig config = testing::TestConfig(store.endpoint);
  config.list_v1 = true;
  auto v1 = MakeCurlClient(config);
  REQUIRE(v1.ok());
  CheckBigListing(**v1, bucket);
}

}  // namespace
}  // namespace objfs::s3
