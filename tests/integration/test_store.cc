#include "test_store.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>

#include "s3/credentials.h"

namespace objfs::s3::testing {

std::string RequireEndpoint() {
  const char* endpoint = std::getenv("OBJFS_TEST_ENDPOINT");
  REQUIRE_MESSAGE((endpoint != nullptr && endpoint[0] != '\0'),
                  "OBJFS_TEST_ENDPOINT is not set. Start the local S3 server first: "
                  "eval \"$(tools/s3server/s3server.sh start)\"");
  return endpoint;
}

ClientConfig TestConfig(const std::string& endpoint) {
  ClientConfig config;
  config.endpoint = endpoint;
  config.region = "us-east-1";
  config.credentials = StaticCredentials(Credentials{"S3RVER", "S3RVER", ""}, "s3rver test credentials");
  config.retry.max_attempts = 4;
  return config;
}

std::string UniqueBucketName(const std::string& suffix) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return "objfs-it-" + std::to_string(getpid()) + "-" + std::to_string(now % 100000000) + "-" +
         std::to_string(counter++) + (suffix.empty() ? "" : "-" + suffix);
}

Store& TestStore() {
  static Store* store = [] {
    auto* s = new Store;
    s->endpoint = RequireEndpoint();
    Result<std::unique_ptr<ObjectClient>> client = MakeCurlClient(TestConfig(s->endpoint));
    REQUIRE_MESSAGE(client.ok(), client.status().ToString());
    s->client = std::move(client).value();
    s->bucket = UniqueBucketName("main");
    Status created = s->client->CreateBucket(s->bucket);
    REQUIRE_MESSAGE(created.ok(), created.ToString());
    return s;
  }();
  return *store;
}

std::string TestData(uint64_t size, uint64_t seed) {
  std::string data(size, '\0');
  std::mt19937_64 rng(seed);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    for (int b = 0; b < 8; ++b) data[i + b] = static_cast<char>(v >> (8 * b));
  }
  for (; i < size; ++i) data[i] = static_cast<char>(rng());
  return data;
}

Result<std::string> ReadAll(ObjectClient& client, const GetRequest& request, ObjectInfo* info) {
  std::string out;
  Result<ObjectInfo> got = client.GetObject(request, [&](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  });
  if (!got.ok()) return got.status();
  if (info != nullptr) *info = *got;
  return out;
}

}  // namespace objfs::s3::testing
