// CountingClient: an ObjectClient decorator that counts the requests going
// through it, so FsStats can report how many S3 requests the filesystem (core
// and data engine alike) made. It forwards every call unchanged.
//
// Ownership: shares the wrapped client.
// Thread-safety: as the wrapped client; the counters are relaxed atomics.
#pragma once

#include <atomic>
#include <memory>

#include "s3/object_client.h"

namespace objfs::fs {

struct RequestCounts {
  uint64_t head = 0, get = 0, put = 0, list = 0, copy = 0, del = 0, other = 0, errors = 0;
};

class CountingClient : public s3::ObjectClient {
 public:
  explicit CountingClient(std::shared_ptr<s3::ObjectClient> inner) : inner_(std::move(inner)) {}

  RequestCounts Counts() const;

  Result<s3::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) override;
  Result<s3::ObjectInfo> GetObject(const s3::GetRequest& request, const s3::DataSink& sink) override;
  Result<s3::PutResult> PutObject(const std::string& bucket, const std::string& key, const s3::Body& body,
                                  const s3::PutOptions& options) override;
  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                            const s3::PutOptions& options) override;
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, const s3::Body& body) override;
  Result<std::string> UploadPartCopy(const std::string& bucket, const std::string& key,
                                     const std::string& upload_id, int part_number, const std::string& src_bucket,
                                     const std::string& src_key, std::optional<s3::ByteRange> src_range,
                                     const std::string& src_if_match) override;
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id,
                                              const std::vector<s3::CompletedPart>& parts) override;
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id) override;
  Result<std::vector<s3::MultipartUploadInfo>> ListMultipartUploads(const std::string& bucket,
                                                                    const std::string& prefix) override;
  Result<std::string> CopyObject(const s3::CopyRequest& request) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Result<std::vector<s3::DeleteError>> DeleteObjects(const std::string& bucket,
                                                     const std::vector<std::string>& keys) override;
  Result<s3::ListPage> ListObjects(const std::string& bucket, const s3::ListRequest& request) override;
  Status CreateBucket(const std::string& bucket) override;
  Status DeleteBucket(const std::string& bucket) override;
  Status HeadBucket(const std::string& bucket) override;
  Result<s3::Tags> GetBucketTagging(const std::string& bucket) override;
  Status PutBucketTagging(const std::string& bucket, const s3::Tags& tags) override;

 private:
  template <typename R>
  R Counted(std::atomic<uint64_t>& counter, R result) {
    counter.fetch_add(1, std::memory_order_relaxed);
    if (!Ok(result)) errors_.fetch_add(1, std::memory_order_relaxed);
    return result;
  }
  static bool Ok(const Status& s) { return s.ok(); }
  template <typename T>
  static bool Ok(const Result<T>& r) {
    return r.ok();
  }

  const std::shared_ptr<s3::ObjectClient> inner_;
  std::atomic<uint64_t> head_{0}, get_{0}, put_{0}, list_{0}, copy_{0}, del_{0}, other_{0}, errors_{0};
};

}  // namespace objfs::fs
