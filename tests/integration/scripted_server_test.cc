// CurlObjectClient against a scripted HTTP server: retries, GET resumption,
// errors inside 200 answers, ListObjects v1 fallback, stalls, and the wire
// format of the operations s3rver does not implement (UploadPartCopy, bucket
// tagging, ListMultipartUploads, AbortMultipartUpload, conditional headers).
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "s3/client_config.h"
#include "s3/curl_client.h"
#include "s3/hash.h"
#include "scripted_http_server.h"
#include "test_store.h"

namespace objfs::s3 {
namespace {

using testing::HttpAnswer;
using testing::RecordedRequest;
using testing::S3ErrorAnswer;
using testing::ScriptedHttpServer;
using testing::ScriptedResponse;

constexpr char kSecret[] = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY";

std::unique_ptr<ObjectClient> ClientFor(const ScriptedHttpServer& server, int max_attempts = 4) {
  ClientConfig config;
  config.endpoint = server.endpoint();
  config.credentials = StaticCredentials(Credentials{"AKIDSCRIPTED", kSecret, ""});
  config.retry.max_attempts = max_attempts;
  config.retry.base_delay = std::chrono::milliseconds(1);
  config.retry.max_delay = std::chrono::milliseconds(5);
  auto client = MakeCurlClient(config);
  REQUIRE_MESSAGE(client.ok(), client.status().ToString());
  return std::move(client).value();
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("PutObject retries SlowDown and 500, re-reading a file body, and signs with UNSIGNED-PAYLOAD") {
  const std::string data = testing::TestData(200000, 7);
  ScriptedHttpServer server([&](const RecordedRequest&, int index) -> ScriptedResponse {
    if (index == 0) return S3ErrorAnswer(503, "SlowDown", "Please reduce your request rate.");
    if (index == 1) return S3ErrorAnswer(500, "InternalError", "We encountered an internal error.");
    return HttpAnswer(200, {{"ETag", "\"" + Md5Hex(data) + "\""}}, "");
  });
  char path[] = "/tmp/objfs-it-retry-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unlink(path);
  REQUIRE(pwrite(fd, data.data(), data.size(), 10) == static_cast<ssize_t>(data.size()));
  auto client = ClientFor(server);
  PutOptions options;
  options.metadata = {{"mode", "0600"}};
  options.if_none_match = "*";
  auto put = client->PutObject("bkt", "dir/obj", Body::FromFile(fd, 10, data.size()), options);
  close(fd);
  REQUIRE_MESSAGE(put.ok(), put.status().ToString());
  CHECK(put->etag == Md5Hex(data));
  auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  for (const auto& request : requests) {
    CHECK(request.method == "PUT");
    CHECK(request.target == "/bkt/dir/obj");
    CHECK(request.body == data);  // every attempt sends the whole body again
    CHECK(request.Header("content-md5") == Md5Base64(data));
    CHECK(request.Header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD");
    CHECK(request.Header("x-amz-meta-mode") == "0600");
    CHECK(request.Header("if-none-match") == "*");
    CHECK(request.Header("content-type") == "application/octet-stream");
    CHECK(request.Header("expect").empty());  // small body: no 100-continue round trip
    CHECK(request.Header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDSCRIPTED/"));
    CHECK(Contains(request.Header("authorization"), "/us-east-1/s3/aws4_request"));
    CHECK(Contains(request.Header("authorization"), "content-md5"));
    CHECK(Contains(request.Header("authorization"), "x-amz-meta-mode"));
    for (const auto& [name, value] : request.headers) CHECK_FALSE(Contains(value, kSecret));
  }
}

TEST_CASE("errors that cannot succeed are not retried and keep their details") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    return S3ErrorAnswer(403, "AccessDenied", "Access Denied", "REQ-42");
  });
  auto client = ClientFor(server);
  auto got = testing::ReadAll(*client, GetRequest{"bkt", "k", std::nullopt, ""});
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kPermissionDenied);
  CHECK(got.status().http_status() == 403);
  CHECK(got.status().s3_code() == "AccessDenied");
  CHECK(got.status().request_id() == "REQ-42");
  CHECK_FALSE(got.status().retryable());
  CHECK(Contains(got.status().message(), "bkt/k"));
  CHECK_FALSE(Contains(got.status().ToString(), kSecret));
  CHECK(server.requests().size() == 1);
}

TEST_CASE("retries give up after max_attempts with the last error") {
  ScriptedHttpServer server([](const RecordedRequest&, int) { return S3ErrorAnswer(503, "SlowDown", "slow"); });
  auto client = ClientFor(server, 3);
  Status status = client->DeleteObject("bkt", "k");
  CHECK(status.code() == Code::kUnavailable);
  CHECK(status.retryable());
  CHECK(status.s3_code() == "SlowDown");
  CHECK(server.requests().size() == 3);
}

TEST_CASE("HEAD errors have no body: 404 is NoSuchKey or NoSuchBucket, 403 is permission denied") {
  std::atomic<int> status{404};
  ScriptedHttpServer server([&](const RecordedRequest&, int) {
    ScriptedResponse r = HttpAnswer(status.load(), {{"x-amz-request-id", "HEADREQ"}}, "");
    return r;
  });
  auto client = ClientFor(server);
  auto head = client->HeadObject("bkt", "missing");
  REQUIRE_FALSE(head.ok());
  CHECK(IsNoSuchKey(head.status()));
  CHECK(head.status().s3_code() == "NoSuchKey");
  CHECK(head.status().request_id() == "HEADREQ");
  Status bucket = client->HeadBucket("bkt");
  CHECK(IsNoSuchBucket(bucket));
  CHECK(bucket.s3_code() == "NoSuchBucket");
  status = 403;
  CHECK(client->HeadObject("bkt", "x").status().code() == Code::kPermissionDenied);
  CHECK(client->HeadBucket("bkt").code() == Code::kPermissionDenied);
}

// The first GET answer announces the whole body but the connection drops
// after `cut` bytes; the client must resume at the first undelivered byte.
TEST_CASE("a GET cut short resumes after the delivered bytes, pinned to the ETag") {
  const std::string data = testing::TestData(1000000, 8);
  const size_t cut = 300000;
  ScriptedHttpServer server([&](const RecordedRequest& request, int index) -> ScriptedResponse {
    std::string range = request.Header("range");
    if (index == 0) {
      uint64_t first = 0;
      uint64_t last = data.size() - 1;
      if (!range.empty()) std::sscanf(range.c_str(), "bytes=%lu-%lu", &first, &last);
      ScriptedResponse r;
      std::string part = data.substr(first, last - first + 1);
      if (range.empty()) {
        r = HttpAnswer(200, {{"ETag", "\"v1\""}}, part.substr(0, cut), static_cast<long long>(part.size()));
      } else {
        r = HttpAnswer(206,
                       {{"ETag", "\"v1\""},
                        {"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                              std::to_string(data.size())}},
                       part.substr(0, cut), static_cast<long long>(part.size()));
      }
      r.close_after = true;
      return r;
    }
    uint64_t first = 0;
    uint64_t last = data.size() - 1;
    std::sscanf(range.c_str(), "bytes=%lu-%lu", &first, &last);
    return HttpAnswer(206,
                      {{"ETag", "\"v1\""},
                       {"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                             std::to_string(data.size())}},
                      data.substr(first, last - first + 1));
  });
  auto client = ClientFor(server);

  SUBCASE("whole object") {
    ObjectInfo info;
    auto got = testing::ReadAll(*client, GetRequest{"bkt", "k", std::nullopt, ""}, &info);
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(got->size() == data.size());
    CHECK(*got == data);
    CHECK(info.size == data.size());
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].Header("range").empty());
    CHECK(requests[1].Header("range") == "bytes=" + std::to_string(cut) + "-");
    CHECK(requests[1].Header("if-match") == "\"v1\"");
  }
  SUBCASE("a range") {
    auto got = testing::ReadAll(*client, GetRequest{"bkt", "k", ByteRange{1000, 500000}, ""});
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(*got == data.substr(1000, 500000));
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].Header("range") == "bytes=1000-500999");
    CHECK(requests[1].Header("range") == "bytes=" + std::to_string(1000 + cut) + "-500999");
  }
}

TEST_CASE("a resumed GET fails with kAborted when the object changed") {
  const std::string data = testing::TestData(100000, 9);
  std::atomic<bool> honour_if_match{true};
  ScriptedHttpServer server([&](const RecordedRequest&, int index) -> ScriptedResponse {
    if (index % 2 == 0) {  // each GetObject call: a first answer cut short, then a retry
      ScriptedResponse r = HttpAnswer(200, {{"ETag", "\"v1\""}}, data.substr(0, 1000), 100000);
      r.close_after = true;
      return r;
    }
    if (honour_if_match) return S3ErrorAnswer(412, "PreconditionFailed", "At least one precondition failed");
    return HttpAnswer(206, {{"ETag", "\"v2\""}, {"Content-Range", "bytes 1000-99999/100000"}}, data.substr(1000));
  });
  auto client = ClientFor(server);
  std::string received;
  auto sink = [&](std::string_view chunk) {
    received.append(chunk);
    return Status::Ok();
  };
  auto got = client->GetObject(GetRequest{"bkt", "k", std::nullopt, ""}, sink);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kAborted);
  CHECK(received == data.substr(0, 1000));

  honour_if_match = false;  // a store that ignores If-Match: the ETag check catches it
  received.clear();
  got = client->GetObject(GetRequest{"bkt", "k", std::nullopt, ""}, sink);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kAborted);
  CHECK(received == data.substr(0, 1000));
}

TEST_CASE("If-Match on GET is sent quoted and a mismatch is kFailedPrecondition") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    return S3ErrorAnswer(412, "PreconditionFailed", "At least one precondition failed");
  });
  auto client = ClientFor(server);
  auto got = testing::ReadAll(*client, GetRequest{"bkt", "k", ByteRange{0, 10}, "abc123"});
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kFailedPrecondition);
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].Header("if-match") == "\"abc123\"");
  CHECK(requests[0].Header("range") == "bytes=0-9");
}

TEST_CASE("an ETag that is not the MD5 of the body is kDataLoss") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    return HttpAnswer(200, {{"ETag", "\"0123456789abcdef0123456789abcdef\""}}, "");
  });
  auto client = ClientFor(server);
  auto put = client->PutObject("bkt", "k", Body::FromMemory("hello"), {});
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == Code::kDataLoss);
  auto part = client->UploadPart("bkt", "k", "up-1", 1, Body::FromMemory("hello"));
  REQUIRE_FALSE(part.ok());
  CHECK(part.status().code() == Code::kDataLoss);
}

TEST_CASE("streaming MD5: no Content-MD5, the ETag is checked against what was sent, retries re-hash") {
  const std::string data = testing::TestData(3 << 20, 11);  // large enough for Expect: 100-continue
  std::atomic<bool> wrong_etag{false};
  ScriptedHttpServer server([&](const RecordedRequest& request, int index) -> ScriptedResponse {
    if (index == 0) return S3ErrorAnswer(500, "InternalError", "retry me");
    if (wrong_etag) return HttpAnswer(200, {{"ETag", "\"" + Md5Hex("something else") + "\""}}, "");
    return HttpAnswer(200, {{"ETag", "\"" + Md5Hex(request.body) + "\""}}, "");
  });
  ClientConfig config;
  config.endpoint = server.endpoint();
  config.credentials = StaticCredentials(Credentials{"AKIDSCRIPTED", kSecret, ""});
  config.retry.base_delay = std::chrono::milliseconds(1);
  config.body_checksum = BodyChecksum::kStreamingMd5;
  auto client = MakeCurlClient(config);
  REQUIRE(client.ok());
  auto etag = (*client)->UploadPart("bkt", "k", "up-1", 7, Body::FromMemory(data));
  REQUIRE_MESSAGE(etag.ok(), etag.status().ToString());
  CHECK(*etag == Md5Hex(data));
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  for (const auto& request : requests) {
    CHECK(request.Header("content-md5").empty());
    CHECK(request.Header("expect") == "100-continue");
    CHECK(request.body == data);
  }
  wrong_etag = true;
  auto put = (*client)->PutObject("bkt", "k", Body::FromMemory(data), {});
  REQUIRE_FALSE(put.ok());
  CHECK(put.status().code() == Code::kDataLoss);
}

TEST_CASE("CompleteMultipartUpload retries an <Error> inside a 200 answer") {
  ScriptedHttpServer server([](const RecordedRequest&, int index) -> ScriptedResponse {
    if (index == 0) {
      return HttpAnswer(200, {}, "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>retry</Message>"
                                 "<RequestId>R1</RequestId></Error>");
    }
    return HttpAnswer(200, {},
                      "<?xml version=\"1.0\"?><CompleteMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key>"
                      "<ETag>\"abcdef-2\"</ETag></CompleteMultipartUploadResult>");
  });
  auto client = ClientFor(server);
  auto etag = client->CompleteMultipartUpload("bkt", "k", "up-1", {{1, "e1"}, {2, "e2"}});
  REQUIRE_MESSAGE(etag.ok(), etag.status().ToString());
  CHECK(*etag == "abcdef-2");
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/bkt/k?uploadId=up-1");
  CHECK(Contains(requests[0].body, "<PartNumber>2</PartNumber>"));
  CHECK(requests[0].Header("x-amz-content-sha256") == Sha256Hex(requests[0].body));
  CHECK(requests[0].Header("content-md5") == Md5Base64(requests[0].body));
}

TEST_CASE("UploadPartCopy sends the copy source, range and condition") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    return HttpAnswer(200, {}, "<CopyPartResult><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
                               "<ETag>\"partetag\"</ETag></CopyPartResult>");
  });
  auto client = ClientFor(server);
  auto etag = client->UploadPartCopy("dst", "new key", "up 1", 3, "src", "dir/old key+1", ByteRange{5, 10}, "srcetag");
  REQUIRE_MESSAGE(etag.ok(), etag.status().ToString());
  CHECK(*etag == "partetag");
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "PUT");
  CHECK(requests[0].target == "/dst/new%20key?partNumber=3&uploadId=up%201");
  CHECK(requests[0].Header("x-amz-copy-source") == "/src/dir/old%20key%2B1");
  CHECK(requests[0].Header("x-amz-copy-source-range") == "bytes=5-14");
  CHECK(requests[0].Header("x-amz-copy-source-if-match") == "\"srcetag\"");
}

TEST_CASE("CopyObject: a failure reported inside the 200 answer is an error") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    return HttpAnswer(200, {}, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
  });
  auto client = ClientFor(server);
  CopyRequest copy{"src", "a", "dst", "b", MetadataDirective::kCopy, {}, "e1"};
  auto etag = client->CopyObject(copy);
  REQUIRE_FALSE(etag.ok());
  CHECK(etag.status().code() == Code::kPermissionDenied);
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].Header("x-amz-metadata-directive") == "COPY");
  CHECK(requests[0].Header("x-amz-copy-source-if-match") == "\"e1\"");
}

TEST_CASE("bucket tagging, ListMultipartUploads and AbortMultipartUpload on the wire") {
  ScriptedHttpServer server([](const RecordedRequest& request, int) -> ScriptedResponse {
    if (request.method == "PUT") return HttpAnswer(200, {}, "");
    if (request.method == "DELETE") return HttpAnswer(204, {}, "");
    if (request.target == "/bkt?tagging=") {
      return HttpAnswer(200, {}, "<Tagging><TagSet><Tag><Key>env</Key><Value>test</Value></Tag>"
                                 "<Tag><Key>team</Key><Value>storage</Value></Tag></TagSet></Tagging>");
    }
    if (request.target == "/empty?tagging=") return S3ErrorAnswer(404, "NoSuchTagSet", "The TagSet does not exist");
    if (request.target.find("key-marker=") == std::string::npos) {
      return HttpAnswer(200, {}, "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
                                 "<NextKeyMarker>a</NextKeyMarker><NextUploadIdMarker>u1</NextUploadIdMarker>"
                                 "<Upload><Key>a</Key><UploadId>u1</UploadId>"
                                 "<Initiated>2024-01-01T00:00:00.000Z</Initiated></Upload>"
                                 "</ListMultipartUploadsResult>");
    }
    return HttpAnswer(200, {}, "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
                               "<Upload><Key>b</Key><UploadId>u2</UploadId>"
                               "<Initiated>2024-01-02T00:00:00.000Z</Initiated></Upload>"
                               "</ListMultipartUploadsResult>");
  });
  auto client = ClientFor(server);
  Status put = client->PutBucketTagging("bkt", Tags{{"team", "storage"}, {"env", "test"}});
  REQUIRE_MESSAGE(put.ok(), put.ToString());
  auto tags = client->GetBucketTagging("bkt");
  REQUIRE_MESSAGE(tags.ok(), tags.status().ToString());
  CHECK(*tags == Tags{{"team", "storage"}, {"env", "test"}});
  auto none = client->GetBucketTagging("empty");
  REQUIRE(none.ok());
  CHECK(none->empty());

  auto uploads = client->ListMultipartUploads("bkt", "");
  REQUIRE_MESSAGE(uploads.ok(), uploads.status().ToString());
  REQUIRE(uploads->size() == 2);
  CHECK((*uploads)[0].upload_id == "u1");
  CHECK((*uploads)[1].key == "b");
  CHECK(client->AbortMultipartUpload("bkt", "a", "u1").ok());

  auto requests = server.requests();
  REQUIRE(requests.size() == 6);
  CHECK(requests[0].target == "/bkt?tagging=");
  CHECK(Contains(requests[0].body, "<Key>team</Key>"));
  CHECK(requests[0].Header("content-md5") == Md5Base64(requests[0].body));
  CHECK(requests[3].target == "/bkt?uploads=");
  CHECK(requests[4].target == "/bkt?key-marker=a&upload-id-marker=u1&uploads=");
  CHECK(requests[5].method == "DELETE");
  CHECK(requests[5].target == "/bkt/a?uploadId=u1");
}

const char kV1Page[] =
    "<ListBucketResult><Name>bkt</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>"
    "<IsTruncated>false</IsTruncated><Contents><Key>a</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
    "<ETag>\"e\"</ETag><Size>3</Size></Contents></ListBucketResult>";

TEST_CASE("ListObjects falls back to v1 when the store lacks ListObjectsV2") {
  SUBCASE("NotImplemented") {
    ScriptedHttpServer server([](const RecordedRequest& request, int) -> ScriptedResponse {
      if (request.target.find("list-type=2") != std::string::npos) {
        return S3ErrorAnswer(501, "NotImplemented", "A header you provided implies functionality that is not implemented");
      }
      return HttpAnswer(200, {}, kV1Page);
    });
    auto client = ClientFor(server);
    for (int i = 0; i < 2; ++i) {
      auto page = client->ListObjects("bkt", ListRequest{});
      REQUIRE_MESSAGE(page.ok(), page.status().ToString());
      REQUIRE(page->objects.size() == 1);
      CHECK(page->objects[0].key == "a");
    }
    auto requests = server.requests();
    REQUIRE(requests.size() == 3);  // v2, v1, then v1 straight away
    CHECK(requests[2].target.find("list-type") == std::string::npos);
  }
  SUBCASE("list-type=2 ignored") {
    ScriptedHttpServer server([](const RecordedRequest&, int) { return HttpAnswer(200, {}, kV1Page); });
    auto client = ClientFor(server);
    auto page = client->ListObjects("bkt", ListRequest{});
    REQUIRE_MESSAGE(page.ok(), page.status().ToString());
    REQUIRE(page->objects.size() == 1);
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].target.find("list-type") == std::string::npos);
  }
}

TEST_CASE("a stalled answer times out with kTimeout") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    ScriptedResponse r;
    r.stall = true;
    return r;
  });
  ClientConfig config;
  config.endpoint = server.endpoint();
  config.low_speed_seconds = 1;
  config.retry.max_attempts = 1;
  auto client = MakeCurlClient(config);
  REQUIRE(client.ok());
  auto head = (*client)->HeadObject("bkt", "k");
  REQUIRE_FALSE(head.ok());
  CHECK(head.status().code() == Code::kTimeout);
  CHECK(head.status().retryable());
  CHECK(Contains(head.status().message(), "127.0.0.1:" + std::to_string(server.port())));
  // Anonymous config: nothing was signed.
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].Header("authorization").empty());
}

TEST_CASE("sequential requests reuse one connection") {
  ScriptedHttpServer server([](const RecordedRequest&, int) {
    return HttpAnswer(200, {{"ETag", "\"e\""}, {"Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT"}}, "");
  });
  auto client = ClientFor(server);
  for (int i = 0; i < 5; ++i) {
    auto head = client->HeadObject("bkt", "k" + std::to_string(i));
    REQUIRE(head.ok());
    CHECK(head->last_modified == 1255369800);
  }
  CHECK(server.connections() == 1);
}

TEST_CASE("concurrent callers share at most max_connections connections") {
  ScriptedHttpServer server([](const RecordedRequest&, int) { return HttpAnswer(200, {{"ETag", "\"e\""}}, ""); });
  ClientConfig config;
  config.endpoint = server.endpoint();
  config.max_connections = 2;
  auto client = MakeCurlClient(config);
  REQUIRE(client.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (!(*client)->HeadObject("bkt", "k").ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(server.requests().size() == 80);
  CHECK(server.connections() <= 2);
}

TEST_CASE("keys with dot segments and reserved characters go out unchanged") {
  ScriptedHttpServer server([](const RecordedRequest&, int) { return HttpAnswer(200, {{"ETag", "\"e\""}}, ""); });
  auto client = ClientFor(server);
  REQUIRE(client->HeadObject("bkt", "a/./b/../c").ok());
  REQUIRE(client->HeadObject("bkt", "sp ace+plus?q#h%").ok());
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].target == "/bkt/a/./b/../c");
  CHECK(requests[1].target == "/bkt/sp%20ace%2Bplus%3Fq%23h%25");
}

}  // namespace
}  // namespace objfs::s3
