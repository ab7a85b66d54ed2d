// Endpoint parsing and request targets: URI encoding per the SigV4 rules,
// path-style and virtual-host addressing, canonical query strings.
#include <doctest/doctest.h>

#include <string>

#include "s3/endpoint.h"
#include "xorshift.h"

using namespace objfs;
using namespace objfs::s3;

TEST_CASE("UriEncode keeps unreserved characters and encodes the rest upper-case") {
  CHECK(UriEncode("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", true) ==
        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
  CHECK(UriEncode("a b", false) == "a%20b");
  CHECK(UriEncode("a+b", false) == "a%2Bb");
  CHECK(UriEncode("100%", false) == "100%25");
  CHECK(UriEncode("a/b", false) == "a/b");
  CHECK(UriEncode("a/b", true) == "a%2Fb");
  CHECK(UriEncode("?#=&", true) == "%3F%23%3D%26");
  CHECK(UriEncode("\xe1\x88\xb4", true) == "%E1%88%B4");  // U+1234
  CHECK(UriEncode(std::string("\x00\xff", 2), true) == "%00%FF");
  CHECK(UriEncode("$", false) == "%24");
}

TEST_CASE("UriDecode reverses UriEncode for any bytes") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  CHECK(UriDecode(UriEncode(all, true)) == all);
  CHECK(UriDecode(UriEncode(all, false)) == all);
  CHECK(UriDecode("a+b%2") == "a+b%2");  // '+' is not a space here; a cut escape stays literal
  CHECK(UriDecode("%zz%41") == "%zzA");
}

TEST_CASE("ParseEndpoint accepts http(s) URLs with ports, IPv6 and base paths") {
  Result<Endpoint> ep = ParseEndpoint("http://127.0.0.1:9000");
  REQUIRE(ep.ok());
  CHECK(ep->scheme == "http");
  CHECK(ep->host == "127.0.0.1");
  CHECK(ep->port == 9000);
  CHECK(ep->base_path == "");
  CHECK(ep->HostPort() == "127.0.0.1:9000");
  CHECK_FALSE(ep->IsAws());

  ep = ParseEndpoint("https://s3.example.com/");
  REQUIRE(ep.ok());
  CHECK(ep->port == 443);
  CHECK(ep->default_port());
  CHECK(ep->HostPort() == "s3.example.com");
  CHECK(ep->base_path == "");

  ep = ParseEndpoint("HTTPS://Minio.Local:9443/prefix/sub/");
  REQUIRE(ep.ok());
  CHECK(ep->scheme == "https");
  CHECK(ep->host == "minio.local");
  CHECK(ep->port == 9443);
  CHECK(ep->base_path == "/prefix/sub");

  ep = ParseEndpoint("http://[::1]:8080");
  REQUIRE(ep.ok());
  CHECK(ep->host == "::1");
  CHECK(ep->port == 8080);
  CHECK(ep->HostPort() == "[::1]:8080");

  ep = ParseEndpoint("http://localhost");
  REQUIRE(ep.ok());
  CHECK(ep->port == 80);
  CHECK(ep->HostPort() == "localhost");

  ep = ParseEndpoint("https://s3.eu-west-1.amazonaws.com");
  REQUIRE(ep.ok());
  CHECK(ep->IsAws());
}

TEST_CASE("ParseEndpoint rejects malformed URLs with kInvalidArgument") {
  for (const char* bad : {"", "127.0.0.1:9000", "ftp://host", "http://", "http://:80", "http://host:",
                          "http://host:abc", "http://host:0", "http://host:70000", "http://host?x=1",
                          "http://host/path#frag", "http://[::1", "http://::1:80", "http://ho st"}) {
    CAPTURE(bad);
    Result<Endpoint> ep = ParseEndpoint(bad);
    REQUIRE_FALSE(ep.ok());
    CHECK(ep.status().code() == Code::kInvalidArgument);
    CHECK(ep.status().message().find("endpoint") != std::string::npos);
  }
  Result<Endpoint> with_secret = ParseEndpoint("http://user:hunter2@host:9000");
  REQUIRE_FALSE(with_secret.ok());
  CHECK(with_secret.status().code() == Code::kInvalidArgument);
  CHECK(with_secret.status().message().find("hunter2") == std::string::npos);
}

TEST_CASE("AwsEndpointForRegion") {
  Endpoint ep = AwsEndpointForRegion("eu-central-1");
  CHECK(ep.scheme == "https");
  CHECK(ep.host == "s3.eu-central-1.amazonaws.com");
  CHECK(ep.port == 443);
  CHECK(ep.IsAws());
  CHECK(AwsEndpointForRegion("").host == "s3.us-east-1.amazonaws.com");
  CHECK(AwsEndpointForRegion("cn-north-1").host == "s3.cn-north-1.amazonaws.com.cn");
}

TEST_CASE("IsDnsCompatibleBucket") {
  CHECK(IsDnsCompatibleBucket("my-bucket-1"));
  CHECK(IsDnsCompatibleBucket("abc"));
  CHECK_FALSE(IsDnsCompatibleBucket("ab"));
  CHECK_FALSE(IsDnsCompatibleBucket(std::string(64, 'a')));
  CHECK_FALSE(IsDnsCompatibleBucket("My-Bucket"));
  CHECK_FALSE(IsDnsCompatibleBucket("my.bucket"));
  CHECK_FALSE(IsDnsCompatibleBucket("my_bucket"));
  CHECK_FALSE(IsDnsCompatibleBucket("-bucket"));
  CHECK_FALSE(IsDnsCompatibleBucket("bucket-"));
  CHECK_FALSE(IsDnsCompatibleBucket("123456"));
}

TEST_CASE("path-style targets encode keys once and round-trip special characters") {
  Endpoint ep = *ParseEndpoint("http://127.0.0.1:9000");
  const std::string key = "dir/a b+c%?#&=.txt";
  RequestTarget t = BuildRequestTarget(ep, AddressingStyle::kPath, "bucket", key, {});
  CHECK(t.host_header == "127.0.0.1:9000");
  CHECK(t.canonical_uri == "/bucket/dir/a%20b%2Bc%25%3F%23%26%3D.txt");
  CHECK(t.canonical_query == "");
  CHECK(t.url == "http://127.0.0.1:9000/bucket/dir/a%20b%2Bc%25%3F%23%26%3D.txt");
  CHECK(UriDecode(t.canonical_uri.substr(std::string("/bucket/").size())) == key);

  const std::string unicode = "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87/\xe6\x97\xa5\xe6\x9c\xac.txt";  // "ключ/日本.txt"
  t = BuildRequestTarget(ep, AddressingStyle::kPath, "bucket", unicode, {});
  CHECK(t.canonical_uri == "/bucket/%D0%BA%D0%BB%D1%8E%D1%87/%E6%97%A5%E6%9C%AC.txt");
  CHECK(UriDecode(t.canonical_uri.substr(8)) == unicode);

  // Keys with empty segments and a leading slash keep every slash.
  t = BuildRequestTarget(ep, AddressingStyle::kPath, "bucket", "/a//b/", {});
  CHECK(t.canonical_uri == "/bucket//a//b/");
}

TEST_CASE("bucket-level and service-level targets") {
  Endpoint ep = *ParseEndpoint("http://127.0.0.1:9000");
  CHECK(BuildRequestTarget(ep, AddressingStyle::kPath, "", "", {}).canonical_uri == "/");
  CHECK(BuildRequestTarget(ep, AddressingStyle::kPath, "", "", {}).url == "http://127.0.0.1:9000/");
  CHECK(BuildRequestTarget(ep, AddressingStyle::kPath, "bucket", "", {}).canonical_uri == "/bucket");

  Endpoint aws = AwsEndpointForRegion("us-west-2");
  RequestTarget v = BuildRequestTarget(aws, AddressingStyle::kVirtualHost, "bucket", "", {});
  CHECK(v.host_header == "bucket.s3.us-west-2.amazonaws.com");
  CHECK(v.canonical_uri == "/");
  CHECK(v.url == "https://bucket.s3.us-west-2.amazonaws.com/");
  // A service-level request never puts a bucket in the host.
  RequestTarget s = BuildRequestTarget(aws, AddressingStyle::kVirtualHost, "", "", {});
  CHECK(s.host_header == "s3.us-west-2.amazonaws.com");
  CHECK(s.canonical_uri == "/");
}

TEST_CASE("virtual-host targets and the kAuto choice") {
  Endpoint aws = AwsEndpointForRegion("us-west-2");
  RequestTarget t = BuildRequestTarget(aws, AddressingStyle::kAuto, "mybucket", "a/b c", {});
  CHECK(t.host_header == "mybucket.s3.us-west-2.amazonaws.com");
  CHECK(t.canonical_uri == "/a/b%20c");
  CHECK(t.url == "https://mybucket.s3.us-west-2.amazonaws.com/a/b%20c");

  // Dotted buckets break TLS wildcard certificates: kAuto falls back to path.
  t = BuildRequestTarget(aws, AddressingStyle::kAuto, "my.bucket", "a/b", {});
  CHECK(t.host_header == "s3.us-west-2.amazonaws.com");
  CHECK(t.canonical_uri == "/my.bucket/a/b");

  // Custom endpoints default to path-style under kAuto.
  Endpoint minio = *ParseEndpoint("http://minio.local:9000");
  t = BuildRequestTarget(minio, AddressingStyle::kAuto, "mybucket", "k", {});
  CHECK(t.host_header == "minio.local:9000");
  CHECK(t.canonical_uri == "/mybucket/k");

  // Forced virtual-host on a custom endpoint keeps the port.
  t = BuildRequestTarget(minio, AddressingStyle::kVirtualHost, "mybucket", "k", {});
  CHECK(t.host_header == "mybucket.minio.local:9000");
  CHECK(t.canonical_uri == "/k");
  CHECK(t.url == "http://mybucket.minio.local:9000/k");
}

TEST_CASE("a base path is kept in front of every target") {
  Endpoint ep = *ParseEndpoint("http://gw.local:8080/s3/");
  RequestTarget t = BuildRequestTarget(ep, AddressingStyle::kPath, "b", "k 1", {});
  CHECK(t.canonical_uri == "/s3/b/k%201");
  CHECK(t.url == "http://gw.local:8080/s3/b/k%201");
  CHECK(BuildRequestTarget(ep, AddressingStyle::kPath, "", "", {}).canonical_uri == "/s3/");
}

TEST_CASE("canonical query strings are encoded, sorted, and keep empty values as name=") {
  Endpoint ep = *ParseEndpoint("http://127.0.0.1:9000");
  RequestTarget t = BuildRequestTarget(ep, AddressingStyle::kPath, "b", "",
                                       {{"prefix", "a b/"}, {"list-type", "2"}, {"continuation-token", "x+y/z="}});
  CHECK(t.canonical_query == "continuation-token=x%2By%2Fz%3D&list-type=2&prefix=a%20b%2F");
  CHECK(t.url == "http://127.0.0.1:9000/b?continuation-token=x%2By%2Fz%3D&list-type=2&prefix=a%20b%2F");

  t = BuildRequestTarget(ep, AddressingStyle::kPath, "b", "k", {{"uploads", ""}});
  CHECK(t.canonical_query == "uploads=");
  CHECK(t.url == "http://127.0.0.1:9000/b/k?uploads=");

  // Byte order: upper-case sorts before lower-case; equal names sort by value.
  CHECK(CanonicalQueryString({{"b", "1"}, {"B", "2"}, {"a", "3"}}) == "B=2&a=3&b=1");
  CHECK(CanonicalQueryString({{"k", "2"}, {"k", "1"}}) == "k=1&k=2");
  CHECK(CanonicalQueryString({{"uploadId", "a/b"}, {"partNumber", "7"}}) == "partNumber=7&uploadId=a%2Fb");
  CHECK(CanonicalQueryString({}) == "");
}

TEST_CASE("ParseEndpoint on arbitrary input: a valid endpoint or kInvalidArgument") {
  const std::string base = "https://[fe80::1]:9443/base/p%20ath";
  testing::XorShift32 next{88172645u};
  for (int round = 0; round < 3000; ++round) {
    std::string s = base.substr(0, next() % (base.size() + 1));
    if (!s.empty() && (round % 2) == 0) s[next() % s.size()] = static_cast<char>(next() & 0xff);
    Result<Endpoint> ep = ParseEndpoint(s);
    if (ep.ok()) {
      CHECK((ep->scheme == "http" || ep->scheme == "https"));
      CHECK(!ep->host.empty());
      CHECK(ep->port >= 1);
      CHECK(ep->port <= 65535);
    } else {
      CHECK(ep.status().code() == Code::kInvalidArgument);
    }
  }
}
