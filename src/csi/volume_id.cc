#include "csi/volume_id.h"

#include <vector>

#include "s3/hash.h"

namespace objfs::csi {
namespace {

constexpr char kVersion[] = "v1";

std::string EncodeField(const std::string& in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (c == '%' || c == '|' || c < 0x20 || c == 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool DecodeField(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string Join(const VolumeId& id, const std::string& endpoint_field) {
  std::string out = kVersion;
  out += '|';
  out += id.kind == VolumeKind::kBucket ? "b" : "p";
  out += '|';
  out += id.retain ? "r" : "";
  out += '|' + EncodeField(id.bucket);
  out += '|' + EncodeField(id.prefix);
  out += '|' + EncodeField(id.region);
  out += '|' + endpoint_field;
  return out;
}

}  // namespace

std::string EndpointRef(const std::string& endpoint) { return s3::Sha256Hex(endpoint).substr(0, 16); }

Result<std::string> VolumeId::Encode() const {
  std::string text;
  if (endpoint_ref.empty()) {
    text = Join(*this, EncodeField(endpoint));
    if (text.size() <= kMaxVolumeIdBytes) return text;
  }
  text = Join(*this, "#" + (endpoint_ref.empty() ? EndpointRef(endpoint) : endpoint_ref));
  if (text.size() <= kMaxVolumeIdBytes) return text;
  return Status(Code::kInvalidArgument, "volume id would exceed " + std::to_string(kMaxVolumeIdBytes) +
                                            " bytes (bucket or prefix too long)");
}

Result<VolumeId> VolumeId::Decode(const std::string& text) {
  auto not_ours = [&] { return Status(Code::kNotFound, "not an objfs volume id: \"" + text + "\""); };
  std::vector<std::string> parts = Split(text, '|');
  if (parts.size() != 7 || parts[0] != kVersion) return not_ours();
  VolumeId id;
  if (parts[1] == "b") {
    id.kind = VolumeKind::kBucket;
  } else if (parts[1] == "p") {
    id.kind = VolumeKind::kPrefix;
  } else {
    return not_ours();
  }
  if (parts[2] == "r") {
    id.retain = true;
  } else if (!parts[2].empty()) {
    return not_ours();
  }
  if (!DecodeField(parts[3], &id.bucket) || !DecodeField(parts[4], &id.prefix) ||
      !DecodeField(parts[5], &id.region)) {
    return not_ours();
  }
  if (!parts[6].empty() && parts[6][0] == '#') {
    id.endpoint_ref = parts[6].substr(1);
    if (id.endpoint_ref.size() != 16) return not_ours();
  } else if (!DecodeField(parts[6], &id.endpoint)) {
    return not_ours();
  }
  if (id.bucket.empty()) return not_ours();
  if (id.kind == VolumeKind::kPrefix && (id.prefix.empty() || id.prefix.back() != '/')) return not_ours();
  if (id.kind == VolumeKind::kBucket && !id.prefix.empty()) return not_ours();
  return id;
}

std::string VolumeId::RecordKey() const {
  // prefix = "<base>/<dir>/" -> "<base>/.objfs-volumes/<dir>"
  std::string trimmed = prefix.substr(0, prefix.size() - 1);
  size_t slash = trimmed.rfind('/');
  std::string base = slash == std::string::npos ? "" : trimmed.substr(0, slash + 1);
  std::string dir = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  return base + ".objfs-volumes/" + dir;
}

}  // namespace objfs::csi
