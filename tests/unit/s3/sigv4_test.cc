// SigV4 against the published AWS Signature Version 4 test suite (service
// "service", region us-east-1, 2015-08-30T12:36:00Z, AKIDEXAMPLE) and the
// examples in the Amazon S3 SigV4 header-authentication documentation
// (examplebucket, 2013-05-24T00:00:00Z, AKIAIOSFODNN7EXAMPLE).
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "s3/endpoint.h"
#include "s3/hash.h"
#include "s3/sigv4.h"

using namespace objfs::s3;

namespace {

constexpr std::time_t kSuiteTime = 1440938160;  // 2015-08-30T12:36:00Z
constexpr std::time_t kS3DocsTime = 1369353600;  // 2013-05-24T00:00:00Z
constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const SigningKeyMaterial kSuiteKey{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SigningKeyMaterial kS3DocsKey{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

SigningScope SuiteScope() { return SigningScope{"us-east-1", "service", kSuiteTime}; }
SigningScope S3DocsScope() { return SigningScope{"us-east-1", "s3", kS3DocsTime}; }

// A suite request: Host and X-Amz-Date as the suite's .req files carry them.
SigningRequest SuiteRequest(std::string method, std::string uri, std::string query = "",
                            std::vector<std::pair<std::string, std::string>> extra = {},
                            std::string body = "") {
  SigningRequest r;
  r.method = std::move(method);
  r.canonical_uri = std::move(uri);
  r.canonical_query = std::move(query);
  r.headers.emplace_back("Host", "example.amazonaws.com");
  for (auto& h : extra) r.headers.push_back(std::move(h));
  r.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  r.payload_hash = Sha256Hex(body);
  return r;
}

std::string Find(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<missing>";
}

std::string SignatureOf(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string auth = Find(headers, "Authorization");
  size_t at = auth.find("Signature=");
  return at == std::string::npos ? auth : auth.substr(at + 10);
}

std::string SuiteAuthorization(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

}  // namespace

TEST_CASE("AmzDate and the date stamp are UTC") {
  CHECK(AmzDate(kSuiteTime) == "20150830T123600Z");
  CHECK(AmzDateStamp(kSuiteTime) == "20150830");
  CHECK(AmzDate(0) == "19700101T000000Z");
  CHECK(AmzDate(kS3DocsTime) == "20130524T000000Z");
}

TEST_CASE("suite get-vanilla: canonical request, string to sign, signature, Authorization") {
  SigningRequest r = SuiteRequest("GET", "/");
  std::string signed_headers;
  std::string creq = CanonicalRequest(r, &signed_headers);
  CHECK(creq ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(signed_headers == "host;x-amz-date");
  std::string sts = StringToSign(creq, SuiteScope());
  CHECK(sts ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  CHECK(Signature(kSuiteKey.secret_access_key, SuiteScope(), sts) ==
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

  auto added = SignV4(r, kSuiteKey, SuiteScope());
  CHECK(Find(added, "x-amz-date") == "20150830T123600Z");
  CHECK(Find(added, "x-amz-security-token") == "<missing>");
  CHECK(Find(added, "Authorization") ==
        SuiteAuthorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST_CASE("suite: SignV4 supplies x-amz-date itself when the caller did not") {
  SigningRequest r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.headers = {{"Host", "example.amazonaws.com"}};
  r.payload_hash = kEmptySha256;
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("suite: query strings") {
  // get-vanilla-query-order-key-case: parameters arrive out of order.
  SigningRequest r = SuiteRequest("GET", "/", CanonicalQueryString({{"Param2", "value2"}, {"Param1", "value1"}}));
  CHECK(r.canonical_query == "Param1=value1&Param2=value2");
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");

  // get-vanilla-empty-query-key
  r = SuiteRequest("GET", "/", CanonicalQueryString({{"Param1", "value1"}}));
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");

  // get-vanilla-query-unreserved
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  r = SuiteRequest("GET", "/", CanonicalQueryString({{unreserved, unreserved}}));
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");

  // get-vanilla-utf8-query: U+1234 as the parameter name.
  r = SuiteRequest("GET", "/", CanonicalQueryString({{"\xe1\x88\xb4", "bar"}}));
  CHECK(r.canonical_query == "%E1%88%B4=bar");
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");

  // post-vanilla-query
  r = SuiteRequest("POST", "/", CanonicalQueryString({{"Param1", "value1"}}));
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");

  // post-vanilla-query-nonunreserved
  r = SuiteRequest("POST", "/", CanonicalQueryString({{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}}));
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e");

  // post-vanilla-query-space: a parameter with an empty value signs as "p=".
  r = SuiteRequest("POST", "/", CanonicalQueryString({{"p", ""}}));
  CHECK(r.canonical_query == "p=");
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b");
}

TEST_CASE("suite: paths") {
  // get-unreserved
  SigningRequest r =
      SuiteRequest("GET", UriEncode("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", false));
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");

  // get-utf8: "/" followed by U+1234.
  r = SuiteRequest("GET", UriEncode("/\xe1\x88\xb4", false));
  CHECK(r.canonical_uri == "/%E1%88%B4");
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST_CASE("suite: header canonicalisation") {
  // get-header-value-trim: values are trimmed and inner runs of spaces folded.
  SigningRequest r = SuiteRequest("GET", "/", "", {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}});
  std::string signed_headers;
  std::string creq = CanonicalRequest(r, &signed_headers);
  CHECK(creq.find("my-header1:value1\nmy-header2:\"a b c\"\n") != std::string::npos);
  CHECK(signed_headers == "host;my-header1;my-header2;x-amz-date");
  CHECK(Find(SignV4(r, kSuiteKey, SuiteScope()), "Authorization") ==
        SuiteAuthorization("host;my-header1;my-header2;x-amz-date",
                           "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));

  // get-header-key-duplicate: repeated names merge with ',' in the order sent.
  r = SuiteRequest("GET", "/", "", {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}});
  CHECK(CanonicalRequest(r, nullptr).find("my-header1:value2,value2,value1\n") != std::string::npos);
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");

  // get-header-value-order
  r = SuiteRequest("GET", "/", "",
                   {{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"},
                    {"My-Header1", "value2"}});
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01");

  // post-vanilla and post-header-key-case: names are case-insensitive.
  r = SuiteRequest("POST", "/");
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  r.headers = {{"HOST", "example.amazonaws.com"}, {"X-AMZ-DATE", "20150830T123600Z"}};
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");

  // post-header-key-sort and post-header-value-case: values keep their case.
  r = SuiteRequest("POST", "/", "", {{"My-Header1", "value1"}});
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c");
  r = SuiteRequest("POST", "/", "", {{"My-Header1", "VALUE1"}});
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
}

TEST_CASE("suite: bodies are signed through the payload hash") {
  // post-x-www-form-urlencoded
  SigningRequest r = SuiteRequest("POST", "/", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                                  "Param1=value1");
  CHECK(r.payload_hash == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  CHECK(Find(SignV4(r, kSuiteKey, SuiteScope()), "Authorization") ==
        SuiteAuthorization("content-type;host;x-amz-date",
                           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));

  // post-x-www-form-urlencoded-parameters
  r = SuiteRequest("POST", "/", "", {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                   "Param1=value1");
  CHECK(SignatureOf(SignV4(r, kSuiteKey, SuiteScope())) ==
        "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe");
}

TEST_CASE("suite get-vanilla-with-session-token: the token is added and signed") {
  SigningKeyMaterial key = kSuiteKey;
  key.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  auto added = SignV4(SuiteRequest("GET", "/"), key, SuiteScope());
  CHECK(Find(added, "x-amz-security-token") == key.session_token);
  CHECK(Find(added, "Authorization") ==
        SuiteAuthorization("host;x-amz-date;x-amz-security-token",
                           "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"));

  // A stale token or date already in the request is replaced, not doubled.
  SigningRequest stale = SuiteRequest("GET", "/", "", {{"X-Amz-Security-Token", "old"}});
  stale.headers.emplace_back("x-amz-date", "19990101T000000Z");
  CHECK(SignatureOf(SignV4(stale, key, SuiteScope())) ==
        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
}

TEST_CASE("S3 docs: GET object with a range") {
  SigningRequest r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptySha256}};
  r.payload_hash = kEmptySha256;
  std::string signed_headers;
  SigningRequest with_date = r;
  with_date.headers.emplace_back("x-amz-date", "20130524T000000Z");
  std::string creq = CanonicalRequest(with_date, &signed_headers);
  CHECK(creq ==
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(StringToSign(creq, S3DocsScope()) ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  CHECK(Find(SignV4(r, kS3DocsKey, S3DocsScope()), "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("S3 docs: PUT object, target built by BuildRequestTarget (virtual-host, '$' in the key)") {
  Endpoint ep = AwsEndpointForRegion("us-east-1");
  ep.host = "s3.amazonaws.com";
  RequestTarget t = BuildRequestTarget(ep, AddressingStyle::kVirtualHost, "examplebucket", "test$file.text", {});
  CHECK(t.canonical_uri == "/test%24file.text");
  CHECK(t.host_header == "examplebucket.s3.amazonaws.com");

  const std::string payload = Sha256Hex("Welcome to Amazon S3.");
  SigningRequest r;
  r.method = "PUT";
  r.canonical_uri = t.canonical_uri;
  r.canonical_query = t.canonical_query;
  r.headers = {{"Host", t.host_header},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", payload}};
  r.payload_hash = payload;
  SigningRequest with_date = r;
  with_date.headers.emplace_back("x-amz-date", "20130524T000000Z");
  CHECK(StringToSign(CanonicalRequest(with_date, nullptr), S3DocsScope()) ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  CHECK(Find(SignV4(r, kS3DocsKey, S3DocsScope()), "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_CASE("S3 docs: GET bucket lifecycle (empty-valued query parameter)") {
  Endpoint ep = AwsEndpointForRegion("us-east-1");
  ep.host = "s3.amazonaws.com";
  RequestTarget t = BuildRequestTarget(ep, AddressingStyle::kVirtualHost, "examplebucket", "", {{"lifecycle", ""}});
  CHECK(t.canonical_uri == "/");
  CHECK(t.canonical_query == "lifecycle=");
  SigningRequest r;
  r.method = "GET";
  r.canonical_uri = t.canonical_uri;
  r.canonical_query = t.canonical_query;
  r.headers = {{"Host", t.host_header}, {"x-amz-content-sha256", kEmptySha256}};
  r.payload_hash = kEmptySha256;
  SigningRequest with_date = r;
  with_date.headers.emplace_back("x-amz-date", "20130524T000000Z");
  CHECK(Sha256Hex(CanonicalRequest(with_date, nullptr)) ==
        "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
  CHECK(SignatureOf(SignV4(r, kS3DocsKey, S3DocsScope())) ==
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST_CASE("S3 docs: GET bucket (list objects) with sorted query") {
  Endpoint ep = AwsEndpointForRegion("us-east-1");
  ep.host = "s3.amazonaws.com";
  RequestTarget t = BuildRequestTarget(ep, AddressingStyle::kVirtualHost, "examplebucket", "",
                                       {{"prefix", "J"}, {"max-keys", "2"}});
  CHECK(t.canonical_query == "max-keys=2&prefix=J");
  CHECK(t.url == "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J");
  SigningRequest r;
  r.method = "GET";
  r.canonical_uri = t.canonical_uri;
  r.canonical_query = t.canonical_query;
  r.headers = {{"Host", t.host_header}, {"x-amz-content-sha256", kEmptySha256}};
  r.payload_hash = kEmptySha256;
  CHECK(SignatureOf(SignV4(r, kS3DocsKey, S3DocsScope())) ==
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_CASE("a signature changes with every signed input") {
  SigningRequest base = SuiteRequest("GET", "/k");
  const std::string sig = SignatureOf(SignV4(base, kSuiteKey, SuiteScope()));
  SigningRequest other = base;
  other.payload_hash = Sha256Hex("x");
  CHECK(SignatureOf(SignV4(other, kSuiteKey, SuiteScope())) != sig);
  other = base;
  other.canonical_uri = "/k2";
  CHECK(SignatureOf(SignV4(other, kSuiteKey, SuiteScope())) != sig);
  SigningScope later = SuiteScope();
  later.time += 1;
  CHECK(SignatureOf(SignV4(base, kSuiteKey, later)) != sig);
  SigningScope region = SuiteScope();
  region.region = "eu-west-1";
  CHECK(SignatureOf(SignV4(base, kSuiteKey, region)) != sig);
}
