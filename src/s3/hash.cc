#include "s3/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <cstdint>

#include <cstdio>

namespace objfs::s3 {

namespace internal {
void EvpMdCtxDeleter::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }
}  // namespace internal

namespace {

using CtxPtr = std::unique_ptr<evp_md_ctx_st, internal::EvpMdCtxDeleter>;

// OpenSSL digest failures mean allocation failure or a broken library; there
// is no sensible value to return, so stop loudly.
[[noreturn]] void DigestFailure(const char* what) {
  std::fprintf(stderr, "objfs: OpenSSL %s failed\n", what);
  std::abort();
}

CtxPtr NewCtx(const EVP_MD* md) {
  CtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) DigestFailure("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) DigestFailure("EVP_DigestInit_ex");
  return ctx;
}

void CtxUpdate(evp_md_ctx_st* ctx, std::string_view data) {
  if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) DigestFailure("EVP_DigestUpdate");
}

std::string CtxFinish(evp_md_ctx_st* ctx) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out, &len) != 1) DigestFailure("EVP_DigestFinal_ex");
  // Reset so the hasher can be reused with the same digest.
  const EVP_MD* md = EVP_MD_CTX_get0_md(ctx);
  if (EVP_DigestInit_ex(ctx, md, nullptr) != 1) DigestFailure("EVP_DigestInit_ex");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) DigestFailure("EVP_Digest");
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string Sha256Raw(std::string_view data) { return Digest(EVP_sha256(), data); }

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Raw(data)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr) {
    DigestFailure("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = byte(i) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::string Md5Base64(std::string_view data) { return Base64Encode(Digest(EVP_md5(), data)); }

std::string Md5Hex(std::string_view data) { return HexEncode(Digest(EVP_md5(), data)); }

Md5Hasher::Md5Hasher() : ctx_(NewCtx(EVP_md5())) {}
void Md5Hasher::Update(std::string_view data) { CtxUpdate(ctx_.get(), data); }
std::string Md5Hasher::FinishRaw() { return CtxFinish(ctx_.get()); }

Sha256Hasher::Sha256Hasher() : ctx_(NewCtx(EVP_sha256())) {}
void Sha256Hasher::Update(std::string_view data) { CtxUpdate(ctx_.get(), data); }
std::string Sha256Hasher::FinishRaw() { return CtxFinish(ctx_.get()); }

}  // namespace objfs::s3
