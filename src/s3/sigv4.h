// AWS Signature Version 4 (header form) as pure functions: no clock, no
// network, no state. The caller supplies the time in SigningScope.
//
// The caller adds Host and x-amz-content-sha256 (and any other headers it
// wants signed) to SigningRequest::headers BEFORE signing; SignV4 returns the
// headers to add on top: Authorization, x-amz-date, and x-amz-security-token
// when a session token is set. x-amz-date and x-amz-security-token are signed.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace objfs::s3 {

struct SigningRequest {
  std::string method;           // "GET", "PUT", ...
  std::string canonical_uri;    // already URI-encoded path ("/" when empty)
  std::string canonical_query;  // already canonical ("a=1&b=")
  // Name/value pairs as sent. The signer lower-cases names, trims values and
  // folds runs of spaces, merges repeated names with ',' and sorts.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningKeyMaterial {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
};

struct SigningScope {
  std::string region;
  std::string service = "s3";
  std::time_t time = 0;  // seconds since the epoch, UTC
};

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string AmzDate(std::time_t t);
// "YYYYMMDD" in UTC.
std::string AmzDateStamp(std::time_t t);

// The canonical request. When signed_headers_out is set, receives the
// ';'-joined sorted lower-case header names.
std::string CanonicalRequest(const SigningRequest& request, std::string* signed_headers_out);

// "AWS4-HMAC-SHA256\n<amz-date>\n<date>/<region>/<service>/aws4_request\n<hex sha256(canonical)>".
std::string StringToSign(const std::string& canonical_request, const SigningScope& scope);

// HMAC chain: kDate, kRegion, kService, kSigning (raw bytes).
std::string SigningKey(const std::string& secret_access_key, const SigningScope& scope);

// The hex signature of string_to_sign.
std::string Signature(const std::string& secret_access_key, const SigningScope& scope,
                      const std::string& string_to_sign);

// Signs `request` and returns the headers to add: x-amz-date,
// x-amz-security-token (when a session token is set) and Authorization.
// Headers in `request` named x-amz-date / x-amz-security-token are replaced by
// the returned values for signing purposes, and an Authorization header (from
// an earlier attempt) is left out, so a retried request can be re-signed.
std::vector<std::pair<std::string, std::string>> SignV4(const SigningRequest& request,
                                                        const SigningKeyMaterial& key,
                                                        const SigningScope& scope);

}  // namespace objfs::s3
