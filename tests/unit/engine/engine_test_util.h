// Helpers shared by the engine's unit tests: deterministic object contents and
// a MemoryObjectClient that fails chosen calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

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

// A MemoryObjectClient whose UploadPart / UploadPartCopy / GetObject fail
// from the given call number on (1-based; 0 means never).
class FailingMemoryClient : public s3::MemoryObjectClient {
 public:
  std::atomic<int> fail_upload_part_from{0};
  std::atomic<int> fail_get_from{0};
  std::atomic<int> fail_complete{0};

  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, const s3::Body& body) override {
    int n = ++upload_part_calls_;
    if (fail_upload_part_from > 0 && n >= fail_upload_part_from) {
      return Status(Code::kUnavailable, "injected UploadPart failure").WithRetryable(true);
    }
    return MemoryObjectClient::UploadPart(bucket, key, upload_id, part_number, body);
  }
  Result<s3::ObjectInfo> GetObject(const s3::GetRequest& request, const s3::DataSink& sink) override {
    int n = ++get_calls_;
    if (fail_get_from > 0 && n >= fail_get_from) return Status(Code::kUnavailable, "injected GetObject failure");
    return MemoryObjectClient::GetObject(request, sink);
  }
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id,
                                              const std::vector<s3::CompletedPart>& parts) override {
    if (fail_complete > 0) return Status(Code::kInternal, "injected CompleteMultipartUpload failure");
    return MemoryObjectClient::CompleteMultipartUpload(bucket, key, upload_id, parts);
  }

 private:
  std::atomic<int> upload_part_calls_{0};
  std::atomic<int> get_calls_{0};
};

}  // namespace objfs::fs::testing
