// Shared set-up for the integration tests that run against the local S3
// server: the endpoint from OBJFS_TEST_ENDPOINT, a CurlObjectClient with the
// s3rver credentials, one fresh uniquely-named bucket per test process, and
// deterministic test data.
//
// Thread-safety: TestStore() is initialised once (function-local static); the
// client it holds is thread-safe.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "s3/client_config.h"
#include "s3/curl_client.h"
#include "s3/object_client.h"

namespace objfs::s3::testing {

struct Store {
  std::string endpoint;
  std::shared_ptr<ObjectClient> client;
  std::string bucket;  // created on first use
};

// The endpoint, or fails the current test with a message saying how to start
// the local S3 server.
std::string RequireEndpoint();

// A config for the test server with the s3rver credentials.
ClientConfig TestConfig(const std::string& endpoint);

// The process-wide store; creates the bucket on first call.
Store& TestStore();

// A fresh bucket name ("objfs-it-<pid>-<time>-<suffix>").
std::string UniqueBucketName(const std::string& suffix);

// `size` bytes of deterministic pseudo-random data for `seed`.
std::string TestData(uint64_t size, uint64_t seed);

// Reads the whole object (or range) through GetObject into a string.
Result<std::string> ReadAll(ObjectClient& client, const GetRequest& request, ObjectInfo* info = nullptr);

}  // namespace objfs::s3::testing
