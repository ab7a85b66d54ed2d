#include "bench/tar_builder.h"

#include <cstdio>
#include <cstring>
#include <fstream>

namespace objfs::bench {
namespace {

constexpr size_t kBlock = 512;
constexpr uint32_t kMtime = 1700000000;  // fixed, so the archive is reproducible

// splitmix64: small, fast, and identical everywhere.
uint64_t Mix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void PutOctal(char* field, size_t width, uint64_t value) {
  // width-1 octal digits, zero padded, NUL terminated.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

void AppendHeader(std::string* out, const TarEntry& entry) {
  char header[kBlock];
  std::memset(header, 0, sizeof(header));
  std::string name = entry.path;
  std::string prefix;
  if (name.size() > 99) {
    // ustar: split at a '/' into prefix (<=155) and name (<=100).
    size_t cut = name.rfind('/', name.size() - 2);
    prefix = name.substr(0, cut);
    name = name.substr(cut + 1);
  }
  bool is_dir = !entry.path.empty() && entry.path.back() == '/';
  std::memcpy(header, name.data(), name.size() < 100 ? name.size() : 100);
  PutOctal(header + 100, 8, is_dir ? 0755 : 0644);
  PutOctal(header + 108, 8, 0);  // uid
  PutOctal(header + 116, 8, 0);  // gid
  PutOctal(header + 124, 12, entry.size);
  PutOctal(header + 136, 12, kMtime);
  header[156] = is_dir ? '5' : '0';
  std::memcpy(header + 257, "ustar", 6);  // magic "ustar\0"
  std::memcpy(header + 263, "00", 2);     // version
  std::memcpy(header + 265, "root", 4);   // uname
  std::memcpy(header + 297, "root", 4);   // gname
  std::memcpy(header + 345, prefix.data(), prefix.size() < 155 ? prefix.size() : 155);
  // Checksum: sum of all bytes with the checksum field read as spaces.
  std::memset(header + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  std::snprintf(header + 148, 8, "%06o", sum);
  header[155] = ' ';
  out->append(header, sizeof(header));
}

}  // namespace

TarBuilder::TarBuilder(int files, uint64_t seed) : files_(files), seed_(seed) {
  uint64_t state = seed_;
  // About 20 files per directory, two levels, like an unpacked source package.
  int dirs = files / 20 + 1;
  int per_top = 8;
  entries_.push_back({"tree/", 0});
  std::vector<std::string> dir_names;
  for (int d = 0; d < dirs; ++d) {
    char top[32];
    char sub[64];
    std::snprintf(top, sizeof(top), "tree/module%02d/", d / per_top);
    std::snprintf(sub, sizeof(sub), "%ssrc%03d/", top, d);
    if (d % per_top == 0) entries_.push_back({top, 0});
    entries_.push_back({sub, 0});
    dir_names.push_back(sub);
  }
  for (int i = 0; i < files; ++i) {
    const std::string& dir = dir_names[static_cast<size_t>(i) % dir_names.size()];
    uint64_t r = Mix(&state);
    // 70% under 4 KiB, 25% 4-16 KiB, 5% 16-64 KiB.
    uint64_t bucket = r % 100;
    uint64_t size;
    uint64_t r2 = Mix(&state);
    if (bucket < 70) size = 64 + r2 % 4032;
    else if (bucket < 95) size = 4096 + r2 % 12288;
    else size = 16384 + r2 % 49152;
    char name[64];
    std::snprintf(name, sizeof(name), "file%04d.%s", i, (r >> 20) % 3 == 0 ? "h" : "cc");
    entries_.push_back({dir + name, size});
    total_file_bytes_ += size;
  }
}

std::string TarBuilder::ContentOf(const TarEntry& entry) const {
  std::string content;
  content.reserve(entry.size);
  uint64_t state = seed_;
  for (char c : entry.path) state = state * 131 + static_cast<unsigned char>(c);
  std::string line;
  while (content.size() < entry.size) {
    uint64_t r = Mix(&state);
    char buf[96];
    int n = std::snprintf(buf, sizeof(buf), "// %s line %016llx\n", entry.path.c_str(),
                          static_cast<unsigned long long>(r));
    content.append(buf, static_cast<size_t>(n));
  }
  content.resize(entry.size);
  return content;
}

std::string TarBuilder::Build() const {
  std::string out;
  out.reserve(total_file_bytes_ + entries_.size() * 2 * kBlock + 2 * kBlock);
  for (const TarEntry& entry : entries_) {
    AppendHeader(&out, entry);
    if (entry.size > 0) {
      out += ContentOf(entry);
      size_t pad = (kBlock - entry.size % kBlock) % kBlock;
      out.append(pad, '\0');
    }
  }
  out.append(2 * kBlock, '\0');
  return out;
}

Status TarBuilder::WriteTo(const std::string& path) const {
  std::string bytes = Build();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(Code::kInternal, "cannot create " + path);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status(Code::kInternal, "cannot write " + path);
  return Status::Ok();
}

}  // namespace objfs::bench
