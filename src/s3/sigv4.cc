#include "s3/sigv4.h"

#include <algorithm>
#include <ctime>

#include "s3/hash.h"

namespace objfs::s3 {

namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// Trims the value and folds every run of whitespace (including the line
// breaks of an obs-folded value) into one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::tm UtcTime(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string Scope(const SigningScope& scope) {
  return AmzDateStamp(scope.time) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

}  // namespace

std::string AmzDate(std::time_t t) {
  std::tm tm = UtcTime(t);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string AmzDateStamp(std::time_t t) {
  std::tm tm = UtcTime(t);
  char buf[16];
  size_t n = std::strftime(buf, sizeof(buf), "%Y%m%d", &tm);
  return std::string(buf, n);
}

std::string CanonicalRequest(const SigningRequest& request, std::string* signed_headers_out) {
  // Lower-case names; repeated names are merged in the order given.
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    std::string lname = LowerAscii(CanonicalHeaderValue(name));
    std::string cvalue = CanonicalHeaderValue(value);
    auto existing = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == lname; });
    if (existing != headers.end()) {
      existing->second += ",";
      existing->second += cvalue;
    } else {
      headers.emplace_back(std::move(lname), std::move(cvalue));
    }
  }
  std::sort(headers.begin(), headers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  std::string signed_headers;
  std::string out;
  out += request.method;
  out += '\n';
  out += request.canonical_uri.empty() ? "/" : request.canonical_uri;
  out += '\n';
  out += request.canonical_query;
  out += '\n';
  for (const auto& [name, value] : headers) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }
  out += '\n';
  out += signed_headers;
  out += '\n';
  out += request.payload_hash;
  if (signed_headers_out != nullptr) *signed_headers_out = std::move(signed_headers);
  return out;
}

std::string StringToSign(const std::string& canonical_request, const SigningScope& scope) {
  std::string out = kAlgorithm;
  out += '\n';
  out += AmzDate(scope.time);
  out += '\n';
  out += Scope(scope);
  out += '\n';
  out += Sha256Hex(canonical_request);
  return out;
}

std::string SigningKey(const std::string& secret_access_key, const SigningScope& scope) {
  std::string k_date = HmacSha256("AWS4" + secret_access_key, AmzDateStamp(scope.time));
  std::string k_region = HmacSha256(k_date, scope.region);
  std::string k_service = HmacSha256(k_region, scope.service);
  return HmacSha256(k_service, "aws4_request");
}

std::string Signature(const std::string& secret_access_key, const SigningScope& scope,
                      const std::string& string_to_sign) {
  return HexEncode(HmacSha256(SigningKey(secret_access_key, scope), string_to_sign));
}

std::vector<std::pair<std::string, std::string>> SignV4(const SigningRequest& request,
                                                        const SigningKeyMaterial& key,
                                                        const SigningScope& scope) {
  std::vector<std::pair<std::string, std::string>> added;
  added.emplace_back("x-amz-date", AmzDate(scope.time));
  if (!key.session_token.empty()) added.emplace_back("x-amz-security-token", key.session_token);

  SigningRequest to_sign;
  to_sign.method = request.method;
  to_sign.canonical_uri = request.canonical_uri;
  to_sign.canonical_query = request.canonical_query;
  to_sign.payload_hash = request.payload_hash;
  to_sign.headers.reserve(request.headers.size() + added.size());
  for (const auto& header : request.headers) {
    std::string lname = LowerAscii(header.first);
    if (lname == "x-amz-date" || lname == "x-amz-security-token" || lname == "authorization") continue;
    to_sign.headers.push_back(header);
  }
  for (const auto& header : added) to_sign.headers.push_back(header);

  std::string signed_headers;
  std::string canonical = CanonicalRequest(to_sign, &signed_headers);
  std::string signature = Signature(key.secret_access_key, scope, StringToSign(canonical, scope));

  std::string authorization = kAlgorithm;
  authorization += " Credential=";
  authorization += key.access_key_id;
  authorization += "/";
  authorization += Scope(scope);
  authorization += ", SignedHeaders=";
  authorization += signed_headers;
  authorization += ", Signature=";
  authorization += signature;
  added.emplace_back("Authorization", std::move(authorization));
  return added;
}

}  // namespace objfs::s3
