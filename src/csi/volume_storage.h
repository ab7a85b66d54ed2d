// Bulk operations on a volume's storage used by the controller: emptying a
// prefix (every object and unfinished multipart upload under it) and removing
// a bucket with everything in it.
//
// These list, because deleting needs the keys; they run only in DeleteVolume,
// never on a node's hot path.
//
// Thread-safety: pure functions over a thread-safe client.
#pragma once

#include <string>

#include "base/status.h"
#include "s3/object_client.h"

namespace objfs::csi {

// Deletes every object whose key starts with `prefix` ("" = the whole bucket)
// and aborts multipart uploads under it. OK when the bucket does not exist.
Status EmptyPrefix(s3::ObjectClient& client, const std::string& bucket, const std::string& prefix);

// EmptyPrefix(bucket, "") then DeleteBucket. OK when the bucket does not exist.
Status DeleteBucketWithContents(s3::ObjectClient& client, const std::string& bucket);

// Creates `bucket`; OK when it already exists and is ours.
Status EnsureBucket(s3::ObjectClient& client, const std::string& bucket);

}  // namespace objfs::csi
