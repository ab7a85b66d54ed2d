// Hashing and encoding helpers for the S3 client: SHA-256, HMAC-SHA256, MD5,
// hex and base64, over OpenSSL's EVP interface.
//
// The one-shot functions are pure. Md5Hasher and Sha256Hasher each own one
// EVP_MD_CTX (released in the destructor); they are movable, not copyable.
//
// Thread-safety: the free functions are safe to call from any thread. A hasher
// object is not synchronised: use one per thread (or guard it yourself).
#pragma once

#include <memory>
#include <string>
#include <string_view>

// OpenSSL's EVP_MD_CTX, forward-declared so callers need no OpenSSL headers.
struct evp_md_ctx_st;

namespace objfs::s3 {

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);
// Raw 32-byte SHA-256(data).
std::string Sha256Raw(std::string_view data);
// Raw 32-byte HMAC-SHA256(key, data).
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of every byte.
std::string HexEncode(std::string_view bytes);
// Standard base64 with padding, no line breaks.
std::string Base64Encode(std::string_view bytes);
// Base64 of the raw MD5 (the Content-MD5 header value).
std::string Md5Base64(std::string_view data);
// Lower-case hex of MD5 (the ETag of a single-part upload).
std::string Md5Hex(std::string_view data);

namespace internal {
struct EvpMdCtxDeleter {
  void operator()(evp_md_ctx_st* ctx) const;
};
}  // namespace internal

// Incremental MD5. Update() any number of times, then FinishRaw() once (16 raw
// bytes); after FinishRaw() the hasher is reset and may be reused.
class Md5Hasher {
 public:
  Md5Hasher();
  Md5Hasher(Md5Hasher&&) noexcept = default;
  Md5Hasher& operator=(Md5Hasher&&) noexcept = default;
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;
  ~Md5Hasher() = default;

  void Update(std::string_view data);
  std::string FinishRaw();

 private:
  std::unique_ptr<evp_md_ctx_st, internal::EvpMdCtxDeleter> ctx_;
};

// Incremental SHA-256, same contract as Md5Hasher (FinishRaw() gives 32 bytes).
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept = default;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept = default;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  ~Sha256Hasher() = default;

  void Update(std::string_view data);
  std::string FinishRaw();

 private:
  std::unique_ptr<evp_md_ctx_st, internal::EvpMdCtxDeleter> ctx_;
};

}  // namespace objfs::s3
