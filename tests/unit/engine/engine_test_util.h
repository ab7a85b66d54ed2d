// Helpers shared by the engine's unit tests: deterministic object contents and
// an in-memory store with fault injection in front, holding bucket kBucket.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "s3/fault_client.h"
#include "s3/memory_client.h"

namespace objfs::fs::testing {

// Bytes that differ at every offset within a large window, so a read from the
// wrong place can not match by accident.
inline char PatternByte(uint64_t offset, uint32_t seed = 1) {
  uint64_t x = offset * 0x9E3779B97F4A7C15ull + seed;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<char>(x);
}

inline std::string Pattern(uint64_t size, uint32_t seed = 1, uint64_t start = 0) {
  std::string s(size, '\0');
  for (uint64_t i = 0; i < size; ++i) s[i] = PatternByte(start + i, seed);
  return s;
}

inline const std::string kBucket = "bucket";

// An in-memory store behind a FaultInjectingClient: the engine talks to
// `client`; tests inject faults there and count requests that reached `store`.
struct FaultyStore {
  FaultyStore() : store(std::make_shared<s3::MemoryObjectClient>()), client(store) {
    REQUIRE(client.CreateBucket(kBucket).ok());
  }
  // The object's bytes, read through `client`.
  std::string Get(const std::string& key) {
    std::string out;
    auto info = client.GetObject(s3::GetRequest{kBucket, key, std::nullopt, ""}, [&](std::string_view chunk) {
      out.append(chunk);
      return Status::Ok();
    });
    REQUIRE(info.ok());
    return out;
  }
  // Multipart uploads begun and neither completed nor aborted.
  size_t PendingUploads() {
    auto list = client.ListMultipartUploads(kBucket, "");
    REQUIRE(list.ok());
    return list->size();
  }
  // Fails every call to `operation` after the first `after_calls`.
  void FailFrom(const std::string& operation, int after_calls) {
    client.AddFault(s3::FaultRule{operation, after_calls, -1, Status(Code::kUnavailable, "injected " + operation + " failure")});
  }

  std::shared_ptr<s3::MemoryObjectClient> store;
  s3::FaultInjectingClient client;
};

}  // namespace objfs::fs::testing
