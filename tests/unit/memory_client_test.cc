// The in-memory store must behave like S3 where callers can tell, because the
// unit tiers of every layer above src/s3 trust it.
#include <doctest/doctest.h>

#include <string>

#include "s3/memory_client.h"

namespace objfs::s3 {
namespace {

std::string Get(ObjectClient& client, const std::string& key, std::optional<ByteRange> range = {}) {
  std::string out;
  auto info = client.GetObject({"b", key, range, ""}, [&](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  });
  REQUIRE(info.ok());
  return out;
}

TEST_CASE("memory client: put, head, ranged get, errors") {
  MemoryObjectClient client;
  CHECK(IsNoSuchBucket(client.HeadObject("b", "k").status()));
  REQUIRE(client.CreateBucket("b").ok());
  CHECK(client.CreateBucket("b").code() == Code::kAlreadyExists);
  CHECK(IsNoSuchKey(client.HeadObject("b", "k").status()));

  PutOptions options;
  options.metadata["mode"] = "33188";
  auto put = client.PutObject("b", "k", Body::FromMemory("hello world"), options);
  REQUIRE(put.ok());
  CHECK(put->etag == "5eb63bbbe01eeed093cb22bb8f5acdc3");  // md5("hello world")
  auto head = client.HeadObject("b", "k");
  REQUIRE(head.ok());
  CHECK(head->size == 11);
  CHECK(head->metadata.at("mode") == "33188");

  CHECK(Get(client, "k", ByteRange{6, 100}) == "world");
  CHECK(client.GetObject({"b", "k", ByteRange{11, 1}, ""}, [](std::string_view) { return Status::Ok(); })
            .status()
            .code() == Code::kOutOfRange);
  CHECK(client.GetObject({"b", "k", {}, "other-etag"}, [](std::string_view) { return Status::Ok(); })
            .status()
            .code() == Code::kFailedPrecondition);
  options.if_none_match = "*";
  CHECK(client.PutObject("b", "k", Body::FromMemory("x"), options).status().code() == Code::kFailedPrecondition);
  CHECK(client.DeleteObject("b", "missing").ok());
  CHECK(client.DeleteBucket("b").code() == Code::kFailedPrecondition);
}

TEST_CASE("memory client: listing with delimiter and pagination visits every entry once") {
  MemoryObjectClient client;
  REQUIRE(client.CreateBucket("b").ok());
  for (int i = 0; i < 25; ++i) {
    REQUIRE(client.PutObject("b", "d/f" + std::to_string(100 + i), Body::FromMemory("x"), {}).ok());
    REQUIRE(client.PutObject("b", "d/sub" + std::to_string(i % 5) + "/x" + std::to_string(i), Body::FromMemory("y"),
                             {}).ok());
  }
  REQUIRE(client.PutObject("b", "e", Body::FromMemory("z"), {}).ok());
  ListRequest request;
  request.prefix = "d/";
  request.delimiter = "/";
  request.max_keys = 7;
  size_t objects = 0;
  size_t prefixes = 0;
  int pages = 0;
  while (true) {
    auto page = client.ListObjects("b", request);
    REQUIRE(page.ok());
    ++pages;
    objects += page->objects.size();
    prefixes += page->common_prefixes.size();
    if (!page->truncated) break;
    request.continuation_token = page->next_continuation_token;
  }
  CHECK(objects == 25);
  CHECK(prefixes == 5);
  CHECK(pages == 5);
}

TEST_CASE("memory client: multipart checks parts and builds the S3 ETag form") {
  MemoryObjectClient client;
  REQUIRE(client.CreateBucket("b").ok());
  auto id = client.CreateMultipartUpload("b", "big", {});
  REQUIRE(id.ok());
  std::string part1(kMinPartSize, 'a');
  auto e1 = client.UploadPart("b", "big", *id, 1, Body::FromMemory(part1));
  auto e2 = client.UploadPart("b", "big", *id, 2, Body::FromMemory("tail"));
  REQUIRE(e1.ok());
  REQUIRE(e2.ok());
  CHECK(client.CompleteMultipartUpload("b", "big", *id, {{2, *e2}, {1, *e1}}).status().s3_code() ==
        "InvalidPartOrder");
  auto uploads = client.ListMultipartUploads("b", "");
  REQUIRE(uploads.ok());
  CHECK(uploads->size() == 1);
  auto etag = client.CompleteMultipartUpload("b", "big", *id, {{1, *e1}, {2, *e2}});
  REQUIRE(etag.ok());
  CHECK(etag->size() > 2);
  CHECK(etag->substr(etag->size() - 2) == "-2");
  CHECK(Get(client, "big", ByteRange{kMinPartSize - 1, 3}) == "ata");

  auto small = client.CreateMultipartUpload("b", "small", {});
  REQUIRE(small.ok());
  auto s1 = client.UploadPart("b", "small", *small, 1, Body::FromMemory("tiny"));
  auto s2 = client.UploadPart("b", "small", *small, 2, Body::FromMemory("tiny"));
  CHECK(client.CompleteMultipartUpload("b", "small", *small, {{1, *s1}, {2, *s2}}).status().s3_code() ==
        "EntityTooSmall");
  CHECK(client.AbortMultipartUpload("b", "small", *small).ok());
  CHECK(client.ListMultipartUploads("b", "")->empty());
}

}  // namespace
}  // namespace objfs::s3
