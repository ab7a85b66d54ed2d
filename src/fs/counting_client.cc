#include "fs/counting_client.h"

namespace objfs::fs {

RequestCounts CountingClient::Counts() const {
  RequestCounts c;
  c.head = head_.load(std::memory_order_relaxed);
  c.get = get_.load(std::memory_order_relaxed);
  c.put = put_.load(std::memory_order_relaxed);
  c.list = list_.load(std::memory_order_relaxed);
  c.copy = copy_.load(std::memory_order_relaxed);
  c.del = del_.load(std::memory_order_relaxed);
  c.other = other_.load(std::memory_order_relaxed);
  c.errors = errors_.load(std::memory_order_relaxed);
  return c;
}

Result<s3::ObjectInfo> CountingClient::HeadObject(const std::string& bucket, const std::string& key) {
  return Counted(head_, inner_->HeadObject(bucket, key));
}
Result<s3::ObjectInfo> CountingClient::GetObject(const s3::GetRequest& request, const s3::DataSink& sink) {
  return Counted(get_, inner_->GetObject(request, sink));
}
Result<s3::PutResult> CountingClient::PutObject(const std::string& bucket, const std::string& key,
                                                const s3::Body& body, const s3::PutOptions& options) {
  return Counted(put_, inner_->PutObject(bucket, key, body, options));
}
Result<std::string> CountingClient::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                          const s3::PutOptions& options) {
  return Counted(put_, inner_->CreateMultipartUpload(bucket, key, options));
}
Result<std::string> CountingClient::UploadPart(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, int part_number,
                                               const s3::Body& body) {
  return Counted(put_, inner_->UploadPart(bucket, key, upload_id, part_number, body));
}
Result<std::string> CountingClient::UploadPartCopy(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id, int part_number,
                                                   const std::string& src_bucket, const std::string& src_key,
                                                   std::optional<s3::ByteRange> src_range,
                                                   const std::string& src_if_match) {
  return Counted(copy_, inner_->UploadPartCopy(bucket, key, upload_id, part_number, src_bucket, src_key, src_range,
                                               src_if_match));
}
Result<std::string> CountingClient::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                            const std::string& upload_id,
                                                            const std::vector<s3::CompletedPart>& parts) {
  return Counted(put_, inner_->CompleteMultipartUpload(bucket, key, upload_id, parts));
}
Status CountingClient::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                            const std::string& upload_id) {
  return Counted(other_, inner_->AbortMultipartUpload(bucket, key, upload_id));
}
Result<std::vector<s3::MultipartUploadInfo>> CountingClient::ListMultipartUploads(const std::string& bucket,
                                                                                  const std::string& prefix) {
  return Counted(list_, inner_->ListMultipartUploads(bucket, prefix));
}
Result<std::string> CountingClient::CopyObject(const s3::CopyRequest& request) {
  return Counted(copy_, inner_->CopyObject(request));
}
Status CountingClient::DeleteObject(const std::string& bucket, const std::string& key) {
  return Counted(del_, inner_->DeleteObject(bucket, key));
}
Result<std::vector<s3::DeleteError>> CountingClient::DeleteObjects(const std::string& bucket,
                                                                   const std::vector<std::string>& keys) {
  return Counted(del_, inner_->DeleteObjects(bucket, keys));
}
Result<s3::ListPage> CountingClient::ListObjects(const std::string& bucket, const s3::ListRequest& request) {
  return Counted(list_, inner_->ListObjects(bucket, request));
}
Status CountingClient::CreateBucket(const std::string& bucket) { return Counted(other_, inner_->CreateBucket(bucket)); }
Status CountingClient::DeleteBucket(const std::string& bucket) { return Counted(other_, inner_->DeleteBucket(bucket)); }
Status CountingClient::HeadBucket(const std::string& bucket) { return Counted(head_, inner_->HeadBucket(bucket)); }
Result<s3::Tags> CountingClient::GetBucketTagging(const std::string& bucket) {
  return Counted(other_, inner_->GetBucketTagging(bucket));
}
Status CountingClient::PutBucketTagging(const std::string& bucket, const s3::Tags& tags) {
  return Counted(other_, inner_->PutBucketTagging(bucket, tags));
}

}  // namespace objfs::fs
