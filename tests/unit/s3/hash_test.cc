// Hashing and encoding helpers against published vectors (FIPS 180-2,
// RFC 1321, RFC 4231, RFC 4648).
#include <doctest/doctest.h>

#include <string>

#include "s3/hash.h"

using namespace objfs::s3;

TEST_CASE("SHA-256 of known inputs") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Raw("abc").size() == 32);
  CHECK(HexEncode(Sha256Raw("abc")) == Sha256Hex("abc"));
}

TEST_CASE("MD5 of known inputs, hex and base64") {
  CHECK(Md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Md5Hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Md5Base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
  CHECK(Md5Hex("The quick brown fox jumps over the lazy dog") == "9e107d9d372bb6826bd81d3542a419d6");
}

TEST_CASE("HMAC-SHA256 RFC 4231 test cases 1 and 2") {
  std::string key1(20, '\x0b');
  CHECK(HexEncode(HmacSha256(key1, "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hex and base64 encoding") {
  CHECK(HexEncode(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(HexEncode("") == "");
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  CHECK(Base64Encode("fooba") == "Zm9vYmE=");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("incremental hashers match the one-shot functions and can be reused") {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 7));

  Md5Hasher md5;
  Sha256Hasher sha;
  for (size_t off = 0; off < data.size(); off += 4093) {
    std::string_view chunk = std::string_view(data).substr(off, 4093);
    md5.Update(chunk);
    sha.Update(chunk);
  }
  CHECK(HexEncode(md5.FinishRaw()) == Md5Hex(data));
  CHECK(HexEncode(sha.FinishRaw()) == Sha256Hex(data));

  // After FinishRaw the hasher starts over.
  md5.Update("abc");
  CHECK(HexEncode(md5.FinishRaw()) == "900150983cd24fb0d6963f7d28e17f72");
  sha.Update("a");
  sha.Update("bc");
  CHECK(HexEncode(sha.FinishRaw()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  // A moved-to hasher carries the state.
  Md5Hasher first;
  first.Update("ab");
  Md5Hasher second = std::move(first);
  second.Update("c");
  CHECK(HexEncode(second.FinishRaw()) == "900150983cd24fb0d6963f7d28e17f72");
}
