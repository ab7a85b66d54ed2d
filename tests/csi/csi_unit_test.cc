// Pure parts of the CSI plugin: volume ids, derived names, parameters, flags,
// state files and request redaction. No network, no mounts.
#include <doctest/doctest.h>

#include "csi.pb.h"
#include "csi/csi_options.h"
#include "csi/node_state.h"
#include "csi/request_log.h"
#include "csi/store_connector.h"
#include "csi/volume_id.h"
#include "csi/volume_names.h"
#include "csi/volume_params.h"

namespace objfs::csi {

TEST_CASE("volume ids round-trip and stay within 128 bytes") {
  VolumeId id;
  id.kind = VolumeKind::kPrefix;
  id.retain = true;
  id.bucket = "shared";
  id.prefix = "base|odd%/pvc-1-0123456789/";
  id.region = "eu-west-1";
  id.endpoint = "http://127.0.0.1:9000";
  auto text = id.Encode();
  REQUIRE(text.ok());
  auto back = VolumeId::Decode(*text);
  REQUIRE(back.ok());
  CHECK(back->kind == VolumeKind::kPrefix);
  CHECK(back->retain);
  CHECK(back->bucket == id.bucket);
  CHECK(back->prefix == id.prefix);
  CHECK(back->region == id.region);
  CHECK(back->endpoint == id.endpoint);
  CHECK(back->RecordKey() == "base|odd%/.objfs-volumes/pvc-1-0123456789");

  // A long endpoint is replaced by its reference.
  id.endpoint = "https://" + std::string(90, 'e') + ".example.com";
  text = id.Encode();
  REQUIRE(text.ok());
  CHECK(text->size() <= kMaxVolumeIdBytes);
  back = VolumeId::Decode(*text);
  REQUIRE(back.ok());
  CHECK(back->endpoint.empty());
  CHECK(back->endpoint_ref == EndpointRef(id.endpoint));

  // Ids that cannot fit at all are refused.
  id.prefix = std::string(120, 'p') + "/";
  CHECK(id.Encode().status().code() == Code::kInvalidArgument);

  for (const char* bad : {"", "v1", "v2|b||bucket||r|e", "v1|x||bucket||r|e", "v1|b|q|bucket||r|e",
                          "v1|p||bucket|noslash|r|e", "v1|b||||r|e", "v1|b||bucket||r|#short"}) {
    CHECK(VolumeId::Decode(bad).status().code() == Code::kNotFound);
  }
  VolumeId bucket_id;
  bucket_id.bucket = "objfs-pvc-1";
  CHECK(bucket_id.RecordKey().empty() == false);
}

TEST_CASE("derived bucket names are valid, deterministic and unique") {
  std::string long_name = "PVC_" + std::string(124, 'X');
  for (const std::string& name : {std::string("pvc-0b6c5b8e-3f5a-4d0c-9c1e-1d2e3f4a5b6c"), long_name,
                                  std::string("ÜnïcødeName"), std::string("..."), std::string("a")}) {
    auto bucket = DeriveBucketName(name, "objfs-");
    REQUIRE(bucket.ok());
    CHECK(IsValidBucketName(*bucket));
    CHECK(bucket->size() <= 63);
    CHECK(*bucket == *DeriveBucketName(name, "objfs-"));
    std::string dir = DerivePrefixDir(name);
    CHECK(!dir.empty());
    CHECK(dir.find('/') == std::string::npos);
    CHECK(dir[0] != '.');
  }
  CHECK(*DeriveBucketName(long_name, "objfs-") != *DeriveBucketName(long_name + "Y", "objfs-"));
  CHECK(*DeriveBucketName("pvc-a", "") != *DeriveBucketName("PVC-A", ""));
  CHECK_FALSE(DeriveBucketName("x", "Bad_Prefix-").ok());
  CHECK_FALSE(DeriveBucketName("x", std::string(60, 'a')).ok());

  CHECK(IsValidBucketName("my-bucket.1"));
  for (const char* bad : {"ab", "-ab", "ab-", "a..b", "192.168.1.1", "xn--ab", "Upper", "ab-s3alias"}) {
    CHECK_FALSE(IsValidBucketName(bad));
  }
  CHECK(CheckVolumeName(std::string(128, 'a')).ok());
  CHECK_FALSE(CheckVolumeName(std::string(129, 'a')).ok());
  CHECK_FALSE(CheckVolumeName("").ok());
  CHECK_FALSE(CheckVolumeName(std::string("a\x01") + "b").ok());
  CHECK_FALSE(CheckVolumeName("a\xc2\x85").ok());
  CHECK(CheckVolumeName("tab\tok").ok());
}

TEST_CASE("StorageClass parameters") {
  auto params = ParseVolumeParams({});
  REQUIRE(params.ok());
  CHECK(params->kind == VolumeKind::kBucket);
  params = ParseVolumeParams({{"bucket", "shared"}, {"prefix", "/a/b"}, {"uid", "1000"}, {"fileMode", "0640"},
                              {"csi.storage.k8s.io/pvc/name", "x"}});
  REQUIRE(params.ok());
  CHECK(params->kind == VolumeKind::kPrefix);
  CHECK(params->base_prefix == "a/b/");
  CHECK(params->context.at("uid") == "1000");
  auto mount = ParseMountSettings(params->context);
  REQUIRE(mount.ok());
  CHECK(*mount->uid == 1000u);
  CHECK(*mount->file_mode == 0640u);
  CHECK_FALSE(ParseVolumeParams({{"provisioningMode", "prefix"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"provisioningMode", "bucket"}, {"bucket", "x"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"unknown", "x"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"uid", "abc"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"fileMode", "999"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"retainData", "yes"}}).ok());
  CHECK(ParseVolumeParams({{"retainData", "true"}})->retain);
  auto tuned = ParseMountSettings({{"metadataTTL", "2.5"}, {"attrsFromListing", "true"}});
  REQUIRE(tuned.ok());
  CHECK(*tuned->metadata_ttl_seconds == 2.5);
  CHECK(tuned->attrs_from_listing);
  CHECK_FALSE(ParseMountSettings({})->metadata_ttl_seconds.has_value());
  CHECK_FALSE(ParseVolumeParams({{"metadataTTL", "-1"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"metadataTTL", "soon"}}).ok());
  CHECK_FALSE(ParseVolumeParams({{"attrsFromListing", "yes"}}).ok());
  CHECK(ParseVolumeParams({{"metadataTTL", "0"}, {"attrsFromListing", "false"}}).ok());
}

TEST_CASE("objfs csi flags") {
  auto options = ParseCsiOptions({"--endpoint", "unix:///csi/csi.sock", "--node-id=n1", "--mode", "node",
                                  "--state-dir", "/tmp/s", "--driver-name", "x.io", "--log-level=debug"});
  REQUIRE(options.ok());
  CHECK(options->node_id == "n1");
  CHECK(options->mode == PluginMode::kNode);
  CHECK(options->driver_name == "x.io");
  CHECK(*UnixSocketPath(options->endpoint) == "/csi/csi.sock");
  CHECK(ParseCsiOptions({"--mode=controller"}).ok());                 // controller needs no node id
  CHECK_FALSE(ParseCsiOptions({}).ok());                              // mode all needs --node-id
  CHECK_FALSE(ParseCsiOptions({"--node-id=n", "--mode=both"}).ok());
  CHECK_FALSE(ParseCsiOptions({"--node-id=n", "--bogus"}).ok());
  CHECK_FALSE(ParseCsiOptions({"--node-id=n", "--endpoint=tcp://x"}).ok());
  CHECK_FALSE(ParseCsiOptions({"--node-id=n", "--log-level=loud"}).ok());
  CHECK(ParseCsiOptions({"--help"})->show_help);
  CHECK(ParseCsiOptions({"--version"})->show_version);
}

TEST_CASE("state files round-trip") {
  StagedRecord record;
  record.volume_id = "v1|p||b|x/y/|r|http://h:1";
  record.staging_path = "/var/lib/kubelet/plugins/staging\twith tab";
  record.attributes = {{"bucket", "b"}, {"odd", "line\nbreak\\slash"}};
  record.read_only = true;
  record.mount_group = 2000;
  record.targets = {{"/pods/a", false}, {"/pods/b", true}};
  auto back = ParseRecord(SerializeRecord(record));
  REQUIRE(back.ok());
  CHECK(back->volume_id == record.volume_id);
  CHECK(back->staging_path == record.staging_path);
  CHECK(back->attributes == record.attributes);
  CHECK(back->read_only);
  CHECK(*back->mount_group == 2000u);
  CHECK(back->targets == record.targets);
  CHECK_FALSE(ParseRecord("garbage").ok());
}

TEST_CASE("store settings: parameters, then secrets, then defaults; endpoint references") {
  StoreConnector connector(StoreDefaults{"http://default:9000", "eu-central-1"});
  auto settings = connector.Resolve({}, {});
  REQUIRE(settings.ok());
  CHECK(settings->endpoint == "http://default:9000");
  CHECK(settings->region == "eu-central-1");
  settings = connector.Resolve({{"region", "us-west-2"}}, {{"endpoint", "https://secret.example"}, {"region", "x"}});
  REQUIRE(settings.ok());
  CHECK(settings->endpoint == "https://secret.example");
  CHECK(settings->region == "us-west-2");
  settings = connector.Resolve({{"endpoint", "http://param:1"}, {"addressingStyle", "path"}},
                               {{"endpoint", "https://secret.example"}});
  REQUIRE(settings.ok());
  CHECK(settings->endpoint == "http://param:1");
  CHECK(settings->addressing == s3::AddressingStyle::kPath);
  CHECK_FALSE(connector.Resolve({{"addressingStyle", "sideways"}}, {}).ok());
  CHECK_FALSE(connector.Resolve({{"endpoint", "ftp://x"}}, {}).ok());
  CHECK_FALSE(connector.Resolve({{"verifyTls", "maybe"}}, {}).ok());

  const std::string long_endpoint = "https://" + std::string(100, 'e') + ".example.com";
  auto found = connector.ResolveEndpointRef(EndpointRef(long_endpoint), {{"endpoint", long_endpoint}});
  REQUIRE(found.ok());
  CHECK(*found == long_endpoint);
  found = connector.ResolveEndpointRef(EndpointRef("http://default:9000"), {});
  REQUIRE(found.ok());
  CHECK(*found == "http://default:9000");
  CHECK(connector.ResolveEndpointRef(EndpointRef(long_endpoint), {}).status().code() ==
        Code::kFailedPrecondition);
}

TEST_CASE("requests are logged without secrets") {
  ::csi::v1::NodeStageVolumeRequest request;
  request.set_volume_id("vol-1");
  (*request.mutable_secrets())["secretAccessKey"] = "TOPSECRET";
  request.mutable_volume_capability()->mutable_mount()->add_mount_flags("password=HIDDEN");
  (*request.mutable_volume_context())["bucket"] = "visible-bucket";
  std::string text = RedactedText(request);
  CHECK(text.find("vol-1") != std::string::npos);
  CHECK(text.find("visible-bucket") != std::string::npos);
  CHECK(text.find("TOPSECRET") == std::string::npos);
  CHECK(text.find("HIDDEN") == std::string::npos);
  CHECK(request.secrets().at("secretAccessKey") == "TOPSECRET");  // the request itself is untouched

  ::csi::v1::CreateVolumeRequest create;
  (*create.mutable_secrets())["k"] = "TOPSECRET";
  CHECK(RedactedText(create).find("TOPSECRET") == std::string::npos);
}

}  // namespace objfs::csi
