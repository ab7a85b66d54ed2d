// MemoryObjectClient: an in-memory object store with S3's semantics, for unit
// tests of the layers above src/s3 (FsCore, the engine, CSI's controller).
//
// It behaves like S3 where callers can tell: ETags are the MD5 of the body (or
// the multipart form "md5-of-md5s-N"), listings are sorted with prefix,
// delimiter, start-after and continuation tokens, GET ranges are cut at the end
// of the object and a range starting past it is InvalidRange, CompleteMultipart
// checks part order, ETags and the 5 MiB minimum part size, non-empty buckets
// cannot be deleted, and errors carry S3's codes and HTTP statuses.
//
// Object bodies are immutable shared buffers, so a GET streams from a snapshot
// even when the key is overwritten concurrently. Every call is counted per
// operation name ("HeadObject", "ListObjects", ...) so tests can assert how many
// requests a higher layer made.
//
// Thread-safety: all methods may be called concurrently; one mutex guards the
// store and is never held while calling a caller's DataSink.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "s3/object_client.h"

namespace objfs::s3 {

class MemoryObjectClient : public ObjectClient {
 public:
  MemoryObjectClient();
  ~MemoryObjectClient() override;

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

  // Number of calls made to the named operation since construction or the last ResetCounts().
  uint64_t CallCount(const std::string& operation) const;
  void ResetCounts();
  // Total bytes held in objects of all buckets (not counting pending uploads).
  uint64_t StoredBytes() const;

 private:
  struct Object;
  struct Upload;
  struct Bucket;

  void Count(const char* operation);
  // Requires mu_ held.
  Result<Bucket*> FindBucket(const std::string& bucket);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Bucket>> buckets_;  // guarded by mu_
  std::map<std::string, uint64_t> calls_;                   // guarded by mu_
  uint64_t next_upload_id_ = 1;                             // guarded by mu_
};

}  // namespace objfs::s3
