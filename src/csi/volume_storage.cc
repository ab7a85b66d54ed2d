#include "csi/volume_storage.h"

#include <vector>

namespace objfs::csi {

Status EmptyPrefix(s3::ObjectClient& client, const std::string& bucket, const std::string& prefix) {
  auto uploads = client.ListMultipartUploads(bucket, prefix);
  if (!uploads.ok()) {
    if (s3::IsNoSuchBucket(uploads.status())) return Status::Ok();
    // Stores without multipart listing (501) still get their objects deleted.
    if (uploads.status().code() != Code::kUnimplemented) {
      return Status(uploads.status()).Annotate("listing uploads in " + bucket);
    }
  } else {
    for (const auto& upload : *uploads) {
      Status aborted = client.AbortMultipartUpload(bucket, upload.key, upload.upload_id);
      if (!aborted.ok() && aborted.code() != Code::kNotFound) return aborted;
    }
  }
  // Deleting while listing from the start again is safe: each page lists what
  // is left, so no continuation token can go stale.
  while (true) {
    s3::ListRequest request;
    request.prefix = prefix;
    request.max_keys = 1000;
    auto page = client.ListObjects(bucket, request);
    if (!page.ok()) {
      if (s3::IsNoSuchBucket(page.status())) return Status::Ok();
      return Status(page.status()).Annotate("listing " + bucket + "/" + prefix);
    }
    if (page->objects.empty()) return Status::Ok();
    std::vector<std::string> keys;
    keys.reserve(page->objects.size());
    for (const auto& object : page->objects) keys.push_back(object.key);
    auto failed = client.DeleteObjects(bucket, keys);
    if (!failed.ok()) return Status(failed.status()).Annotate("deleting objects in " + bucket);
    if (!failed->empty()) {
      const auto& first = failed->front();
      return Status(Code::kUnavailable, "could not delete " + std::to_string(failed->size()) + " objects in " +
                                            bucket + ", first " + first.key + ": " + first.code + " " +
                                            first.message);
    }
  }
}

Status DeleteBucketWithContents(s3::ObjectClient& client, const std::string& bucket) {
  OBJFS_RETURN_IF_ERROR(EmptyPrefix(client, bucket, ""));
  Status deleted = client.DeleteBucket(bucket);
  if (!deleted.ok() && s3::IsNoSuchBucket(deleted)) return Status::Ok();
  if (!deleted.ok() && deleted.code() == Code::kNotFound) return Status::Ok();
  return deleted;
}

Status EnsureBucket(s3::ObjectClient& client, const std::string& bucket) {
  Status created = client.CreateBucket(bucket);
  if (created.ok()) return created;
  if (created.code() == Code::kAlreadyExists) {
    // BucketAlreadyOwnedByYou is ours. BucketAlreadyExists usually means
    // another account's bucket, but some stores answer it for our own: a
    // bucket we can HEAD is one we can use.
    if (created.s3_code() == "BucketAlreadyExists" && !client.HeadBucket(bucket).ok()) {
      return Status(Code::kAlreadyExists, "bucket " + bucket + " exists and belongs to another account");
    }
    return Status::Ok();
  }
  return created.Annotate("creating bucket " + bucket);
}

}  // namespace objfs::csi
