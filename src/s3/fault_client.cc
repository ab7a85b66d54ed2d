#include "s3/fault_client.h"

#include <utility>

namespace objfs::s3 {

FaultInjectingClient::FaultInjectingClient(std::shared_ptr<ObjectClient> inner) : inner_(std::move(inner)) {}

void FaultInjectingClient::AddFault(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(ActiveRule{std::move(rule)});
}

void FaultInjectingClient::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

int FaultInjectingClient::CallCount(std::string_view operation) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

int FaultInjectingClient::InjectedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

Status FaultInjectingClient::Check(const char* operation) {
  std::lock_guard<std::mutex> lock(mu_);
  ++calls_[operation];
  ActiveRule* firing = nullptr;
  for (ActiveRule& active : rules_) {
    if (active.rule.operation != "*" && active.rule.operation != operation) continue;
    ++active.seen;
    bool fires = active.seen > active.rule.after_calls &&
                 (active.rule.times < 0 || active.injected < active.rule.times);
    if (fires && firing == nullptr) firing = &active;
  }
  if (firing == nullptr) return Status::Ok();
  ++firing->injected;
  ++injected_;
  Status status = firing->rule.status;
  if (status.ok()) status = Status(Code::kUnavailable, "injected fault");
  return status.Annotate(std::string(operation) + " (injected)");
}

Result<ObjectInfo> FaultInjectingClient::HeadObject(const std::string& bucket, const std::string& key) {
  OBJFS_RETURN_IF_ERROR(Check("HeadObject"));
  return inner_->HeadObject(bucket, key);
}

Result<ObjectInfo> FaultInjectingClient::GetObject(const GetRequest& request, const DataSink& sink) {
  OBJFS_RETURN_IF_ERROR(Check("GetObject"));
  return inner_->GetObject(request, sink);
}

Result<PutResult> FaultInjectingClient::PutObject(const std::string& bucket, const std::string& key, const Body& body,
                                                  const PutOptions& options) {
  OBJFS_RETURN_IF_ERROR(Check("PutObject"));
  return inner_->PutObject(bucket, key, body, options);
}

Result<std::string> FaultInjectingClient::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                                const PutOptions& options) {
  OBJFS_RETURN_IF_ERROR(Check("CreateMultipartUpload"));
  return inner_->CreateMultipartUpload(bucket, key, options);
}

Result<std::string> FaultInjectingClient::UploadPart(const std::string& bucket, const std::string& key,
                                                     const std::string& upload_id, int part_number, const Body& body) {
  OBJFS_RETURN_IF_ERROR(Check("UploadPart"));
  return inner_->UploadPart(bucket, key, upload_id, part_number, body);
}

Result<std::string> FaultInjectingClient::UploadPartCopy(const std::string& bucket, const std::string& key,
                                                         const std::string& upload_id, int part_number,
                                                         const std::string& src_bucket, const std::string& src_key,
                                                         std::optional<ByteRange> src_range,
                                                         const std::string& src_if_match) {
  OBJFS_RETURN_IF_ERROR(Check("UploadPartCopy"));
  return inner_->UploadPartCopy(bucket, key, upload_id, part_number, src_bucket, src_key, src_range, src_if_match);
}

Result<std::string> FaultInjectingClient::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                                  const std::string& upload_id,
                                                                  const std::vector<CompletedPart>& parts) {
  OBJFS_RETURN_IF_ERROR(Check("CompleteMultipartUpload"));
  return inner_->CompleteMultipartUpload(bucket, key, upload_id, parts);
}

Status FaultInjectingClient::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                                  const std::string& upload_id) {
  OBJFS_RETURN_IF_ERROR(Check("AbortMultipartUpload"));
  return inner_->AbortMultipartUpload(bucket, key, upload_id);
}

Result<std::vector<MultipartUploadInfo>> FaultInjectingClient::ListMultipartUploads(const std::string& bucket,
                                                                                    const std::string& prefix) {
  OBJFS_RETURN_IF_ERROR(Check("ListMultipartUploads"));
  return inner_->ListMultipartUploads(bucket, prefix);
}

Result<std::string> FaultInjectingClient::CopyObject(const CopyRequest& request) {
  OBJFS_RETURN_IF_ERROR(Check("CopyObject"));
  return inner_->CopyObject(request);
}

Status FaultInjectingClient::DeleteObject(const std::string& bucket, const std::string& key) {
  OBJFS_RETURN_IF_ERROR(Check("DeleteObject"));
  return inner_->DeleteObject(bucket, key);
}

Result<std::vector<DeleteError>> FaultInjectingClient::DeleteObjects(const std::string& bucket,
                                                                     const std::vector<std::string>& keys) {
  OBJFS_RETURN_IF_ERROR(Check("DeleteObjects"));
  return inner_->DeleteObjects(bucket, keys);
}

Result<ListPage> FaultInjectingClient::ListObjects(const std::string& bucket, const ListRequest& request) {
  OBJFS_RETURN_IF_ERROR(Check("ListObjects"));
  return inner_->ListObjects(bucket, request);
}

Status FaultInjectingClient::CreateBucket(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(Check("CreateBucket"));
  return inner_->CreateBucket(bucket);
}

Status FaultInjectingClient::DeleteBucket(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(Check("DeleteBucket"));
  return inner_->DeleteBucket(bucket);
}

Status FaultInjectingClient::HeadBucket(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(Check("HeadBucket"));
  return inner_->HeadBucket(bucket);
}

Result<Tags> FaultInjectingClient::GetBucketTagging(const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(Check("GetBucketTagging"));
  return inner_->GetBucketTagging(bucket);
}

Status FaultInjectingClient::PutBucketTagging(const std::string& bucket, const Tags& tags) {
  OBJFS_RETURN_IF_ERROR(Check("PutBucketTagging"));
  return inner_->PutBucketTagging(bucket, tags);
}

}  // namespace objfs::s3
