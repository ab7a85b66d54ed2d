// objfs mount's option parsing, the mountinfo parser and runtime file names:
// pure functions, no mount (registered in the unit suite).
#include <doctest/doctest.h>

#include "cli/mount_options.h"
#include "cli/mount_table.h"
#include "cli/runtime_paths.h"

namespace objfs::cli {
namespace {

MountOptions ParseOk(const std::vector<std::string>& args, bool helper = false) {
  auto r = ParseMountArgs(args, helper);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

std::string ParseError(const std::vector<std::string>& args, bool helper = false) {
  auto r = ParseMountArgs(args, helper);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("long options fill every field") {
  MountOptions o = ParseOk({"--endpoint", "http://127.0.0.1:9000", "--region=eu-west-1", "--profile", "dev",
                            "--credentials-file", "/etc/objfs/creds", "--path-style", "--ca-bundle", "/ca.pem",
                            "--read-only", "--uid", "1000", "--gid", "100", "--file-mode", "0600", "--dir-mode",
                            "750", "--allow-other", "--metadata-ttl", "2.5", "--cache-size", "256M",
                            "--staging-dir", "/var/tmp", "--foreground", "--log-level", "debug", "--log-file",
                            "/tmp/x.log", "--capacity", "10G", "--max-threads", "8", "mybucket/some/prefix",
                            "/mnt/x"});
  CHECK(o.endpoint == "http://127.0.0.1:9000");
  CHECK(o.region == "eu-west-1");
  CHECK(o.profile == "dev");
  CHECK(o.credentials_file == "/etc/objfs/creds");
  CHECK(o.addressing == Addressing::kPath);
  CHECK(o.ca_bundle == "/ca.pem");
  CHECK(o.verify_tls);
  CHECK(o.read_only);
  CHECK(o.uid == 1000u);
  CHECK(o.gid == 100u);
  CHECK(o.file_mode == 0600);
  CHECK(o.dir_mode == 0750);
  CHECK(o.allow_other);
  CHECK(o.metadata_ttl_seconds == doctest::Approx(2.5));
  CHECK(o.cache_bytes == (256ull << 20));
  CHECK(o.staging_dir == "/var/tmp");
  CHECK(o.foreground);
  CHECK(o.log_level == LogLevel::kDebug);
  CHECK(o.log_file == "/tmp/x.log");
  CHECK(o.capacity_bytes == (10ull << 30));
  CHECK(o.max_threads == 8);
  CHECK(o.bucket == "mybucket");
  CHECK(o.prefix == "some/prefix/");
  CHECK(o.mountpoint == "/mnt/x");
}

TEST_CASE("-o lists carry the same options and ignore standard mount options") {
  MountOptions o = ParseOk({"bucket", "/mnt", "-o",
                            "rw,nosuid,nodev,noatime,_netdev,nofail,x-systemd.automount,x-systemd.requires=network."
                            "target,defaults,auto,user,endpoint=https://s3.example.com:8443,region=us-west-2,ro,"
                            "allow_other,uid=33,gid=33,file_mode=0640,dir_mode=0750,metadata_ttl=0,cache_size=1G,"
                            "path_style,no_verify_tls,log_level=warn,attrs_from_listing"});
  CHECK(o.endpoint == "https://s3.example.com:8443");
  CHECK(o.region == "us-west-2");
  CHECK(o.read_only);
  CHECK(o.allow_other);
  CHECK(o.uid == 33u);
  CHECK(o.gid == 33u);
  CHECK(o.file_mode == 0640);
  CHECK(o.dir_mode == 0750);
  CHECK(o.metadata_ttl_seconds == 0);
  CHECK(o.cache_bytes == (1ull << 30));
  CHECK(o.addressing == Addressing::kPath);
  CHECK_FALSE(o.verify_tls);
  CHECK(o.log_level == LogLevel::kWarn);
  CHECK(o.attrs_from_listing);
  CHECK(o.prefix.empty());
}

TEST_CASE("-oLIST, several -o, and escaped commas") {
  MountOptions o = ParseOk({"-oro", "-o", "staging_dir=/a\\,b", "b", "/m"});
  CHECK(o.read_only);
  CHECK(o.staging_dir == "/a,b");
}

TEST_CASE("mount helper mode: -s -n -v -f and -t are accepted") {
  MountOptions o = ParseOk({"bucket/p", "/mnt", "-s", "-n", "-v", "-t", "objfs", "-o", "ro"}, true);
  CHECK(o.read_only);
  CHECK_FALSE(o.fake);
  CHECK(o.prefix == "p/");
  MountOptions fake = ParseOk({"-f", "bucket", "/mnt"}, true);
  CHECK(fake.fake);
  CHECK_FALSE(fake.foreground);
  // Outside helper mode -f means foreground.
  CHECK(ParseOk({"-f", "bucket", "/mnt"}).foreground);
}

TEST_CASE("malformed options are errors that name the option") {
  CHECK(ParseError({"--uid", "abc", "b", "/m"}).find("uid") != std::string::npos);
  CHECK(ParseError({"--file-mode", "999", "b", "/m"}).find("octal") != std::string::npos);
  CHECK(ParseError({"--dir-mode", "17777", "b", "/m"}).find("07777") != std::string::npos);
  CHECK(ParseError({"--cache-size", "12Q", "b", "/m"}).find("size") != std::string::npos);
  CHECK(ParseError({"--metadata-ttl", "-1", "b", "/m"}).find("metadata-ttl") != std::string::npos);
  CHECK(ParseError({"--log-level", "loud", "b", "/m"}).find("log-level") != std::string::npos);
  CHECK(ParseError({"--endpoint", "ftp://x", "b", "/m"}).find("http") != std::string::npos);
  CHECK(ParseError({"--frobnicate", "b", "/m"}).find("--frobnicate") != std::string::npos);
  CHECK(ParseError({"-o", "frobnicate", "b", "/m"}).find("frobnicate") != std::string::npos);
  CHECK(ParseError({"-o", "uid", "b", "/m"}).find("needs a value") != std::string::npos);
  CHECK(ParseError({"-o", "ro=1", "b", "/m"}).find("takes no value") != std::string::npos);
  CHECK(ParseError({"-o", "attrs_from_listing=yes", "b", "/m"}).find("takes no value") != std::string::npos);
  CHECK(ParseError({"--endpoint"}).find("needs a value") != std::string::npos);
  CHECK(ParseError({"-x", "b", "/m"}).find("-x") != std::string::npos);
  // Secrets are not options.
  CHECK(ParseError({"-o", "access_key_id=AKIA", "b", "/m"}).find("unknown option") != std::string::npos);
}

TEST_CASE("positionals: exactly BUCKET[/PREFIX] and MOUNTPOINT") {
  CHECK(ParseError({"b"}).find("expected") != std::string::npos);
  CHECK(ParseError({"b", "/m", "extra"}).find("too many") != std::string::npos);
  CHECK(ParseError({"/prefix-only", "/m"}).find("bucket") != std::string::npos);
  CHECK(ParseError({"b/a//c", "/m"}).find("segment") != std::string::npos);
  CHECK(ParseError({"b/../c", "/m"}).find("segment") != std::string::npos);
  MountOptions o = ParseOk({"s3://bkt/x/y/", "/m"});
  CHECK(o.bucket == "bkt");
  CHECK(o.prefix == "x/y/");
  CHECK(ParseOk({"bkt/", "/m"}).prefix.empty());
  CHECK(ParseOk({"--", "bkt", "-weird-dir"}).mountpoint == "-weird-dir");
}

TEST_CASE("sizes and modes") {
  CHECK(*ParseSize("4096") == 4096u);
  CHECK(*ParseSize("64k") == 65536u);
  CHECK(*ParseSize("512M") == (512ull << 20));
  CHECK(*ParseSize("1.5G") == (3ull << 29));
  CHECK(*ParseSize("2GiB") == (2ull << 30));
  CHECK(*ParseSize("1T") == (1ull << 40));
  CHECK(*ParseSize("100B") == 100u);
  CHECK_FALSE(ParseSize("").ok());
  CHECK_FALSE(ParseSize("G").ok());
  CHECK_FALSE(ParseSize("1..5G").ok());
  CHECK_FALSE(ParseSize("-5M").ok());
  CHECK(*ParseMode("644") == 0644);
  CHECK(*ParseMode("0755") == 0755);
  CHECK(*ParseMode("1777") == 01777);
  CHECK_FALSE(ParseMode("8").ok());
  CHECK_FALSE(ParseMode("rwx").ok());
  uint64_t cache = DefaultCacheBytes();
  CHECK(cache >= (64ull << 20));
  CHECK(cache <= (1ull << 30));
}

TEST_CASE("mountinfo parsing decodes escapes and finds the topmost mount") {
  MountTable t = MountTable::Parse(
      "22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
      "90 22 0:50 / /mnt/my\\040data rw,nosuid,nodev,relatime shared:40 - fuse.objfs objfs:bkt/p rw,user_id=0\n"
      "91 90 0:51 / /mnt/my\\040data rw - fuse.other src rw\n"
      "bad line\n");
  REQUIRE(t.entries().size() == 3);
  auto e = t.Find("/mnt/my data");
  REQUIRE(e.has_value());
  CHECK(e->fstype == "fuse.other");
  CHECK(t.entries()[1].source == "objfs:bkt/p");
  CHECK(t.entries()[1].device == "0:50");
  CHECK_FALSE(t.Find("/mnt").has_value());
  CHECK(UnescapeMountField("a\\134b\\011c") == "a\\b\tc");
}

TEST_CASE("runtime file names are derived from the mountpoint") {
  CHECK(MountId("/mnt/data") == "mnt-data");
  CHECK(MountId("/mnt/my data/") == "mnt-my%20data");
  CHECK(MountId("/") == "root");
  CHECK(MountId("/a-b") == "a%2Db");
  CHECK(PidFilePath("/mnt/data").ends_with("/mnt-data.pid"));
  CHECK(DefaultLogPath("/mnt/data").ends_with("/mnt-data.log"));
}

}  // namespace
}  // namespace objfs::cli
