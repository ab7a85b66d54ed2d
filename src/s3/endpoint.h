// Endpoints and request targets: where an S3 request goes and how its path and
// query look on the wire and in the SigV4 canonical request.
//
// Everything here is a pure function over values; no network, no globals.
//
// Thread-safety: values and pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace objfs::s3 {

// AWS URI encoding (SigV4 rules): unreserved A-Z a-z 0-9 - . _ ~ are kept,
// every other byte becomes %XX with upper-case hex. '/' is kept unless
// encode_slash is true.
std::string UriEncode(std::string_view s, bool encode_slash);

// Reverses %XX escapes (and nothing else: '+' stays '+'). Malformed escapes are
// kept literally.
std::string UriDecode(std::string_view s);

enum class AddressingStyle {
  kPath,         // https://host/bucket/key
  kVirtualHost,  // https://bucket.host/key
  kAuto,         // virtual-host for AWS endpoints and DNS-compatible buckets without dots, else path
};

struct Endpoint {
  std::string scheme;     // "http" or "https"
  std::string host;       // host name or IP literal (IPv6 without brackets)
  int port = 0;           // always set: explicit, or 80/443 from the scheme
  std::string base_path;  // "" or "/some/prefix" (no trailing slash)

  // True when the port is the scheme's default (so the Host header omits it).
  bool default_port() const;
  // "host" or "host:port" as sent in the Host header ([v6]:port for IPv6).
  std::string HostPort() const;
  // True for *.amazonaws.com (and amazonaws.com.cn) hosts.
  bool IsAws() const;
};

// Parses "http(s)://host[:port][/base/path]". Fails with kInvalidArgument for a
// missing or unknown scheme, an empty host, a bad port, or a query/fragment.
Result<Endpoint> ParseEndpoint(std::string_view url);

// https://s3.REGION.amazonaws.com (region "" means us-east-1).
Endpoint AwsEndpointForRegion(const std::string& region);

// True when `bucket` can be used as a DNS label for virtual-host addressing
// (3..63 chars, lower-case letters, digits, '-', no dots, not IP-like).
bool IsDnsCompatibleBucket(const std::string& bucket);

struct RequestTarget {
  // Full URL, path and query encoded; the query is the canonical one. Keys may
  // contain "." and ".." segments: send the URL with CURLOPT_PATH_AS_IS, or
  // curl squashes them and the request no longer matches its signature.
  std::string url;
  std::string host_header;      // value of the Host header (signed)
  std::string canonical_uri;    // the encoded path, as signed
  std::string canonical_query;  // sorted, encoded, "a=1&b=" form, as signed
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Builds where a request goes. `bucket` may be empty (service-level request),
// `key` may be empty (bucket-level request). Query parameters are raw
// (unencoded) name/value pairs; an empty value renders as "name=".
RequestTarget BuildRequestTarget(const Endpoint& endpoint, AddressingStyle style, const std::string& bucket,
                                 const std::string& key, const QueryParams& query);

// The SigV4 canonical query string: each name and value UriEncode'd (slashes
// too), sorted by name then value, joined as "n=v&n2=v2".
std::string CanonicalQueryString(const QueryParams& query);

}  // namespace objfs::s3
