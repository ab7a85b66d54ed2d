// Capacity records and bulk deletion against the in-memory store (with S3's
// semantics), including stores without bucket tagging (faults injected).
#include <doctest/doctest.h>

#include "csi/capacity_record.h"
#include "csi/volume_storage.h"
#include "s3/fault_client.h"
#include "s3/memory_client.h"

namespace objfs::csi {
namespace {

VolumeId BucketVolume(const std::string& bucket) {
  VolumeId id;
  id.kind = VolumeKind::kBucket;
  id.bucket = bucket;
  return id;
}

VolumeId PrefixVolume(const std::string& bucket, const std::string& prefix) {
  VolumeId id;
  id.kind = VolumeKind::kPrefix;
  id.bucket = bucket;
  id.prefix = prefix;
  return id;
}

Status NotImplemented() {
  Status status(Code::kUnimplemented, "A parameter you provided implies functionality that is not implemented");
  status.WithHttp(501, "NotImplemented", "");
  return status;
}

size_t CountKeys(s3::ObjectClient& client, const std::string& bucket, const std::string& prefix) {
  size_t count = 0;
  s3::ListRequest request;
  request.prefix = prefix;
  while (true) {
    auto page = client.ListObjects(bucket, request);
    REQUIRE(page.ok());
    count += page->objects.size();
    if (!page->truncated) return count;
    request.continuation_token = page->next_continuation_token;
  }
}

}  // namespace

TEST_CASE("bucket mode records the capacity as a bucket tag") {
  auto store = std::make_shared<s3::MemoryObjectClient>();
  CapacityRecords records("records");
  VolumeId volume = BucketVolume("objfs-vol-1");
  REQUIRE(EnsureBucket(*store, volume.bucket).ok());
  REQUIRE(EnsureBucket(*store, volume.bucket).ok());  // idempotent
  auto none = records.Read(*store, volume);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(records.Write(*store, volume, 1 << 30).ok());
  auto tags = store->GetBucketTagging(volume.bucket);
  REQUIRE(tags.ok());
  CHECK(tags->at("objfs.io/capacity-bytes") == std::to_string(1 << 30));
  CHECK(CountKeys(*store, volume.bucket, "") == 0);   // nothing inside the volume
  CHECK_FALSE(store->HeadBucket("records").ok());     // no fallback needed
  auto read = records.Read(*store, volume);
  REQUIRE(read.ok());
  CHECK(**read == (1u << 30));

  REQUIRE(DeleteBucketWithContents(*store, volume.bucket).ok());
  read = records.Read(*store, volume);
  REQUIRE(read.ok());
  CHECK_FALSE(read->has_value());
  CHECK(DeleteBucketWithContents(*store, volume.bucket).ok());  // already gone
}

TEST_CASE("stores without bucket tagging keep the record in the records bucket") {
  auto memory = std::make_shared<s3::MemoryObjectClient>();
  auto store = std::make_shared<s3::FaultInjectingClient>(memory);
  store->AddFault({"PutBucketTagging", 0, -1, NotImplemented()});
  store->AddFault({"GetBucketTagging", 0, -1, NotImplemented()});
  CapacityRecords records("records");
  VolumeId volume = BucketVolume("objfs-vol-2");
  REQUIRE(EnsureBucket(*store, volume.bucket).ok());
  REQUIRE(records.Write(*store, volume, 5000).ok());
  CHECK(memory->HeadObject("records", volume.bucket).ok());
  CHECK(CountKeys(*memory, volume.bucket, "") == 0);
  auto read = records.Read(*store, volume);
  REQUIRE(read.ok());
  CHECK(**read == 5000u);
  REQUIRE(records.Write(*store, volume, 9000).ok());
  CHECK(**records.Read(*store, volume) == 9000u);
  REQUIRE(records.Remove(*store, volume).ok());
  CHECK_FALSE(records.Read(*store, volume)->has_value());
  CHECK(records.Remove(*store, volume).ok());
}

TEST_CASE("prefix mode records the capacity next to the volume, not inside it") {
  auto store = std::make_shared<s3::MemoryObjectClient>();
  CapacityRecords records("records");
  REQUIRE(EnsureBucket(*store, "shared").ok());
  VolumeId volume = PrefixVolume("shared", "base/pvc-1-abc/");
  CHECK(volume.RecordKey() == "base/.objfs-volumes/pvc-1-abc");
  REQUIRE(records.Write(*store, volume, 1234).ok());
  CHECK(CountKeys(*store, "shared", volume.prefix) == 0);
  CHECK(**records.Read(*store, volume) == 1234u);
  CHECK_FALSE(records.Read(*store, PrefixVolume("shared", "base/other/"))->has_value());
  CHECK_FALSE(records.Read(*store, PrefixVolume("missing-bucket", "x/"))->has_value());
  REQUIRE(records.Remove(*store, volume).ok());
  CHECK_FALSE(records.Read(*store, volume)->has_value());
}

TEST_CASE("EmptyPrefix deletes every object and upload under the prefix, and nothing else") {
  auto store = std::make_shared<s3::MemoryObjectClient>();
  REQUIRE(EnsureBucket(*store, "shared").ok());
  for (int i = 0; i < 2500; ++i) {
    REQUIRE(store->PutObject("shared", "vol/dir" + std::to_string(i % 7) + "/f" + std::to_string(i),
                             s3::Body::FromMemory("x"), {})
                .ok());
  }
  REQUIRE(store->PutObject("shared", "vol-other/keep", s3::Body::FromMemory("k"), {}).ok());
  REQUIRE(store->PutObject("shared", ".objfs-volumes/vol", s3::Body::FromMemory("r"), {}).ok());
  auto upload = store->CreateMultipartUpload("shared", "vol/big", {});
  REQUIRE(upload.ok());
  REQUIRE(EmptyPrefix(*store, "shared", "vol/").ok());
  CHECK(CountKeys(*store, "shared", "vol/") == 0);
  CHECK(CountKeys(*store, "shared", "") == 2);
  auto uploads = store->ListMultipartUploads("shared", "vol/");
  REQUIRE(uploads.ok());
  CHECK(uploads->empty());
  CHECK(EmptyPrefix(*store, "missing-bucket", "vol/").ok());

  REQUIRE(DeleteBucketWithContents(*store, "shared").ok());
  CHECK_FALSE(store->HeadBucket("shared").ok());
}

}  // namespace objfs::csi
