#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/subprocess.h"
#include "bench/tar_builder.h"
#include "bench/workload_runner.h"

using objfs::bench::TarBuilder;

namespace {

unsigned long long Octal(const std::string& block, size_t offset, size_t width) {
  return std::strtoull(block.substr(offset, width).c_str(), nullptr, 8);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the archive is deterministic and well formed") {
  TarBuilder a(800, 42);
  TarBuilder b(800, 42);
  std::string bytes = a.Build();
  CHECK(bytes == b.Build());
  CHECK(TarBuilder(800, 43).Build() != bytes);
  CHECK(a.file_count() == 800);
  CHECK(bytes.size() % 512 == 0);

  // Walk the headers: checksums valid, sizes as listed, entries in order.
  size_t offset = 0;
  size_t index = 0;
  size_t files = 0;
  while (offset + 512 <= bytes.size()) {
    std::string header = bytes.substr(offset, 512);
    if (header == std::string(512, '\0')) break;
    unsigned sum = 0;
    for (size_t i = 0; i < 512; ++i) {
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
    }
    CHECK(Octal(header, 148, 7) == sum);
    CHECK(header.substr(257, 5) == "ustar");
    REQUIRE(index < a.entries().size());
    const auto& entry = a.entries()[index++];
    unsigned long long size = Octal(header, 124, 11);
    CHECK(size == entry.size);
    if (header[156] == '0') ++files;
    offset += 512 + (size + 511) / 512 * 512;
  }
  CHECK(files == 800);
  CHECK(index == a.entries().size());
}

TEST_CASE("tar(1) extracts every file with the generated contents") {
  char dir_template[] = "/tmp/objfs-tar-test-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template;
  TarBuilder tar(60, 7);
  REQUIRE(tar.WriteTo(dir + "/t.tar").ok());
  objfs::bench::SpawnOptions spawn;
  spawn.argv = {"tar", "--no-same-owner", "-xf", dir + "/t.tar", "-C", dir};
  auto exit = objfs::bench::RunCommand(spawn, std::chrono::seconds(60));
  REQUIRE(exit.ok());
  CHECK(exit->ok());
  int checked = 0;
  for (const auto& entry : tar.entries()) {
    if (entry.path.back() == '/') continue;
    CHECK(ReadAll(dir + "/" + entry.path) == tar.ContentOf(entry));
    ++checked;
  }
  CHECK(checked == 60);
  CHECK(objfs::bench::RemoveTree(dir).ok());
  struct stat st;
  CHECK(stat(dir.c_str(), &st) != 0);
}
