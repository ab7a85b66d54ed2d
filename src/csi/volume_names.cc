#include "csi/volume_names.h"

#include "s3/hash.h"

namespace objfs::csi {
namespace {

constexpr size_t kHashChars = 10;

std::string Readable(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    char mapped;
    if (c >= 'a' && c <= 'z') {
      mapped = static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      mapped = static_cast<char>(c - 'A' + 'a');
    } else if (c >= '0' && c <= '9') {
      mapped = static_cast<char>(c);
    } else {
      mapped = '-';
    }
    if (mapped == '-' && (out.empty() || out.back() == '-')) continue;
    out += mapped;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string Cut(std::string text, size_t max) {
  if (text.size() > max) text.resize(max);
  while (!text.empty() && text.back() == '-') text.pop_back();
  return text;
}

bool IsIpv4(const std::string& name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

}  // namespace

bool IsValidBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > kMaxBucketNameBytes) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string::npos) return false;
  if (IsIpv4(name)) return false;
  if (StartsWith(name, "xn--") || StartsWith(name, "sthree-")) return false;
  if (EndsWith(name, "-s3alias") || EndsWith(name, "--ol-s3")) return false;
  return true;
}

Result<std::string> DeriveBucketName(const std::string& volume_name, const std::string& bucket_prefix) {
  std::string hash = s3::Sha256Hex(volume_name).substr(0, kHashChars);
  if (bucket_prefix.size() + kHashChars > kMaxBucketNameBytes - 1) {
    return Status(Code::kInvalidArgument, "bucketPrefix \"" + bucket_prefix + "\" is too long");
  }
  size_t room = kMaxBucketNameBytes - bucket_prefix.size() - kHashChars - 1;
  std::string readable = Cut(Readable(volume_name), room);
  std::string name = bucket_prefix + readable;
  if (!name.empty() && name.back() != '-') name += '-';
  name += hash;
  if (!IsValidBucketName(name)) {
    return Status(Code::kInvalidArgument, "bucketPrefix \"" + bucket_prefix +
                                              "\" does not make a valid bucket name (derived \"" + name + "\")");
  }
  return name;
}

std::string DerivePrefixDir(const std::string& volume_name) {
  std::string hash = s3::Sha256Hex(volume_name).substr(0, kHashChars);
  std::string readable = Cut(Readable(volume_name), 80 - kHashChars - 1);
  return readable.empty() ? hash : readable + "-" + hash;
}

Status CheckVolumeName(const std::string& name) {
  if (name.empty()) return Status(Code::kInvalidArgument, "name is required");
  if (name.size() > kMaxVolumeNameBytes) {
    return Status(Code::kInvalidArgument,
                  "name is " + std::to_string(name.size()) + " bytes; the limit is 128");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool banned = (c <= 0x08) || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f) || c == 0x7f;
    // U+0080-U+009F are encoded in UTF-8 as C2 80 .. C2 9F.
    if (c == 0xc2 && i + 1 < name.size()) {
      unsigned char next = static_cast<unsigned char>(name[i + 1]);
      banned = banned || (next >= 0x80 && next <= 0x9f);
    }
    if (banned) return Status(Code::kInvalidArgument, "name contains a control character");
  }
  return Status::Ok();
}

}  // namespace objfs::csi
