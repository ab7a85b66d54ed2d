// FaultInjectingClient: an ObjectClient that forwards to another one and makes
// chosen operations fail, for testing the error paths of the layers above
// (fs, csi) against a real or in-memory store.
//
// A FaultRule names an operation by its ObjectClient method name
// ("GetObject", "UploadPart", ..., or "*" for every operation), lets the first
// `after_calls` matching calls through, then fails the next `times` calls
// (-1: every later call) with `status` without forwarding them. Rules are
// checked in the order they were added; the first rule that fires wins. Every
// call is counted per operation, failed or not (CallCount).
// GetObjectRange goes through GetObject, so it counts as "GetObject".
//
// Ownership: shares ownership of the wrapped client.
//
// Thread-safety: all methods may be called concurrently from any thread; the
// rules and counters are guarded by mu_, which is never held while the
// wrapped client runs.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "s3/object_client.h"

namespace objfs::s3 {

struct FaultRule {
  std::string operation;  // method name, or "*"
  int after_calls = 0;    // matching calls to let through first
  int times = -1;         // failures to inject; -1 = forever
  Status status = Status(Code::kUnavailable, "injected fault");
};

class FaultInjectingClient final : public ObjectClient {
 public:
  explicit FaultInjectingClient(std::shared_ptr<ObjectClient> inner);

  void AddFault(FaultRule rule);
  void ClearFaults();
  // Calls made to `operation` so far (including failed ones).
  int CallCount(std::string_view operation) const;
  // Faults injected so far, over all rules.
  int InjectedCount() const;

  Result<ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) override;
  Result<ObjectInfo> GetObject(const GetRequest& request, const DataSink& sink) override;
  Result<PutResult> PutObject(const std::string& bucket, const std::string& key, const Body& body,
                              const PutOptions& options) override;
  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                            const PutOptions& options) override;
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, const Body& body) override;
  Result<std::string> UploadPartCopy(const std::string& bucket, const std::string& key,
                                     const std::string& upload_id, int part_number, const std::string& src_bucket,
                                     const std::string& src_key, std::optional<ByteRange> src_range,
                                     const std::string& src_if_match) override;
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id,
                                              const std::vector<CompletedPart>& parts) override;
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id) override;
  Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(const std::string& bucket,
                                                                const std::string& prefix) override;
  Result<std::string> CopyObject(const CopyRequest& request) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Result<std::vector<DeleteError>> DeleteObjects(const std::string& bucket,
                                                 const std::vector<std::string>& keys) override;
  Result<ListPage> ListObjects(const std::string& bucket, const ListRequest& request) override;
  Status CreateBucket(const std::string& bucket) override;
  Status DeleteBucket(const std::string& bucket) override;
  Status HeadBucket(const std::string& bucket) override;
  Result<Tags> GetBucketTagging(const std::string& bucket) override;
  Status PutBucketTagging(const std::string& bucket, const Tags& tags) override;

 private:
  struct ActiveRule {
    FaultRule rule;
    int seen = 0;      // matching calls so far
    int injected = 0;  // failures injected by this rule
  };

  // Counts the call and returns the Status to fail it with, or OK to forward.
  Status Check(const char* operation);

  const std::shared_ptr<ObjectClient> inner_;
  mutable std::mutex mu_;
  std::vector<ActiveRule> rules_;        // guarded by mu_
  std::map<std::string, int, std::less<>> calls_;  // guarded by mu_
  int injected_ = 0;                     // guarded by mu_
};

}  // namespace objfs::s3
