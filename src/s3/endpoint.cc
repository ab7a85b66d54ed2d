#include "s3/endpoint.h"

#include <algorithm>
#include <charconv>

namespace objfs::s3 {

namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Status Invalid(std::string_view url, std::string_view why) {
  std::string message = "invalid endpoint URL \"";
  message += url;
  message += "\": ";
  message += why;
  return Status(Code::kInvalidArgument, std::move(message));
}

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool Endpoint::default_port() const {
  return (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
}

std::string Endpoint::HostPort() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!default_port()) out += ":" + std::to_string(port);
  return out;
}

bool Endpoint::IsAws() const {
  std::string h = ToLower(host);
  return EndsWith(h, ".amazonaws.com") || EndsWith(h, ".amazonaws.com.cn");
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return Invalid(url, "missing scheme (expected http:// or https://)");
  Endpoint ep;
  ep.scheme = ToLower(url.substr(0, sep));
  if (ep.scheme != "http" && ep.scheme != "https") {
    return Invalid(url, "unsupported scheme \"" + ep.scheme + "\" (expected http or https)");
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) return Invalid(url, "query or fragment not allowed");
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    // Not echoing the URL: the user info may hold a secret.
    return Status(Code::kInvalidArgument,
                  "invalid endpoint URL: user info (user:password@) is not supported; pass credentials separately");
  }
  if (authority.empty()) return Invalid(url, "empty host");

  std::string_view host;
  std::string_view port_text;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid(url, "unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid(url, "unexpected text after IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return Invalid(url, "empty port");
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Invalid(url, "empty port");
    } else {
      host = authority;
    }
    if (host.find(':') != std::string_view::npos) return Invalid(url, "IPv6 addresses must be in brackets");
  }
  if (host.empty()) return Invalid(url, "empty host");
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = IsUnreserved(u) || c == ':' || c == '%';
    if (!ok) return Invalid(url, "bad character in host");
  }
  ep.host = ToLower(host);

  if (!port_text.empty()) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return Invalid(url, "bad port \"" + std::string(port_text) + "\"");
    }
    ep.port = port;
  } else {
    ep.port = ep.scheme == "https" ? 443 : 80;
  }

  // Normalise the base path: no trailing slash, each byte encoded once.
  std::string base = UriEncode(UriDecode(path), false);
  while (!base.empty() && base.back() == '/') base.pop_back();
  ep.base_path = std::move(base);
  return ep;
}

Endpoint AwsEndpointForRegion(const std::string& region) {
  std::string r = region.empty() ? "us-east-1" : region;
  Endpoint ep;
  ep.scheme = "https";
  ep.port = 443;
  ep.host = "s3." + r + ".amazonaws.com";
  if (r.rfind("cn-", 0) == 0) ep.host += ".cn";
  return ep;
}

bool IsDnsCompatibleBucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  bool all_digits_or_dots = true;
  for (char c : bucket) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
    if (!(c >= '0' && c <= '9')) all_digits_or_dots = false;
  }
  if (all_digits_or_dots) return false;
  return bucket.front() != '-' && bucket.back() != '-';
}

std::string CanonicalQueryString(const QueryParams& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

RequestTarget BuildRequestTarget(const Endpoint& endpoint, AddressingStyle style, const std::string& bucket,
                                 const std::string& key, const QueryParams& query) {
  bool virtual_host = false;
  if (!bucket.empty()) {
    if (style == AddressingStyle::kVirtualHost) {
      virtual_host = true;
    } else if (style == AddressingStyle::kAuto) {
      virtual_host = endpoint.IsAws() && IsDnsCompatibleBucket(bucket);
    }
  }

  RequestTarget target;
  if (virtual_host) {
    Endpoint with_bucket = endpoint;
    with_bucket.host = bucket + "." + endpoint.host;
    target.host_header = with_bucket.HostPort();
    target.canonical_uri = endpoint.base_path + "/" + UriEncode(key, false);
  } else {
    target.host_header = endpoint.HostPort();
    target.canonical_uri = endpoint.base_path + "/";
    if (!bucket.empty()) {
      target.canonical_uri += UriEncode(bucket, true);
      if (!key.empty()) target.canonical_uri += "/" + UriEncode(key, false);
    }
  }
  target.canonical_query = CanonicalQueryString(query);
  target.url = endpoint.scheme + "://" + target.host_header + target.canonical_uri;
  if (!target.canonical_query.empty()) target.url += "?" + target.canonical_query;
  return target;
}

}  // namespace objfs::s3
