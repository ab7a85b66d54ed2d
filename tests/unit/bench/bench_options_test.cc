#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "bench/bench_options.h"

using objfs::bench::BenchOptions;
using objfs::bench::ParseBenchOptions;
using objfs::bench::ParseByteSize;
using objfs::bench::WorkloadKind;

namespace {

objfs::Result<BenchOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "bench");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseBenchOptions(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("byte sizes with binary suffixes") {
  uint64_t v = 0;
  CHECK(ParseByteSize("4096", &v));
  CHECK(v == 4096);
  CHECK(ParseByteSize("4k", &v));
  CHECK(v == 4096);
  CHECK(ParseByteSize("256M", &v));
  CHECK(v == 256ull << 20);
  CHECK(ParseByteSize("1GiB", &v));
  CHECK(v == 1ull << 30);
  CHECK(ParseByteSize("2gb", &v));
  CHECK(v == 2ull << 30);
  CHECK_FALSE(ParseByteSize("", &v));
  CHECK_FALSE(ParseByteSize("M", &v));
  CHECK_FALSE(ParseByteSize("12X", &v));
  CHECK_FALSE(ParseByteSize("-1", &v));
  CHECK_FALSE(ParseByteSize("99999999999999999999", &v));
  CHECK_FALSE(ParseByteSize("99999999999T", &v));
}

TEST_CASE("PATH mode defaults follow the issue's workloads") {
  auto parsed = Parse({"/mnt/x"});
  REQUIRE(parsed.ok());
  CHECK(parsed->path == "/mnt/x");
  CHECK_FALSE(parsed->compare_mode());
  CHECK(parsed->size_bytes == 1ull << 30);
  CHECK(parsed->small_files == 500);
  CHECK(parsed->small_file_bytes == 4096);
  CHECK(parsed->ls_entries == 10000);
  CHECK(parsed->rand_read_bytes == 4096);
  CHECK(parsed->tar_files == 800);
  CHECK(parsed->workloads.size() == 6);
  CHECK(parsed->drop_caches);
}

TEST_CASE("workload selection keeps run order and honours --skip") {
  auto parsed = Parse({"--workloads", "untar,seqread,ls", "--skip=ls", "/d"});
  REQUIRE(parsed.ok());
  REQUIRE(parsed->workloads.size() == 2);
  CHECK(parsed->workloads[0] == WorkloadKind::kSeqRead);
  CHECK(parsed->workloads[1] == WorkloadKind::kUntar);
  CHECK(parsed->Selected(WorkloadKind::kUntar));
  CHECK_FALSE(parsed->Selected(WorkloadKind::kLs));
}

TEST_CASE("--scale shrinks sizes and counts, never below one") {
  auto parsed = Parse({"--scale", "0.01", "--size", "1G", "/d"});
  REQUIRE(parsed.ok());
  CHECK(parsed->size_bytes % 4096 == 0);
  CHECK(parsed->size_bytes > (10ull << 20));
  CHECK(parsed->size_bytes < (11ull << 20));
  CHECK(parsed->small_files == 5);
  CHECK(parsed->ls_entries == 100);
  CHECK(parsed->tar_files == 8);
  auto tiny = Parse({"--scale", "0.0001", "/d"});
  REQUIRE(tiny.ok());
  CHECK(tiny->small_files == 1);
  CHECK(tiny->rand_reads == 1);
}

TEST_CASE("compare mode needs endpoint and bucket and known systems") {
  auto ok = Parse({"--compare", "objfs,s3fs,rclone,curl", "--endpoint", "http://127.0.0.1:9000/",
                   "--bucket", "b", "--latency-ms", "5", "--json", "/tmp/x.json"});
  REQUIRE(ok.ok());
  CHECK(ok->compare_mode());
  CHECK(ok->compare.size() == 4);
  CHECK(ok->endpoint == "http://127.0.0.1:9000");
  CHECK(ok->prefix == "objfs-bench/");
  CHECK(ok->latency_ms == 5);
  CHECK(ok->json_path == "/tmp/x.json");
  CHECK(ok->repeat == 1);
  auto repeated = Parse({"--compare", "objfs,curl", "--endpoint", "http://h:1", "--bucket", "b", "--repeat", "3"});
  REQUIRE(repeated.ok());
  CHECK(repeated->repeat == 3);
  CHECK_FALSE(Parse({"--compare", "objfs", "--endpoint", "http://h:1", "--bucket", "b", "--repeat", "0"}).ok());
  CHECK_FALSE(Parse({"--repeat", "3", "/d"}).ok());

  CHECK_FALSE(Parse({"--compare", "objfs", "--bucket", "b"}).ok());
  CHECK_FALSE(Parse({"--compare", "objfs", "--endpoint", "http://h:1"}).ok());
  CHECK_FALSE(Parse({"--compare", "goofys", "--endpoint", "http://h:1", "--bucket", "b"}).ok());
  CHECK_FALSE(Parse({"--compare", "objfs", "--endpoint", "h:1", "--bucket", "b"}).ok());
  CHECK_FALSE(Parse({"--compare", "objfs", "--endpoint", "http://h:1", "--bucket", "b", "/extra"}).ok());
}

TEST_CASE("bad flags are rejected with the flag named") {
  auto unknown = Parse({"--bogus", "/d"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("--bogus") != std::string::npos);
  CHECK(unknown.status().code() == objfs::Code::kInvalidArgument);
  CHECK_FALSE(Parse({}).ok());
  CHECK_FALSE(Parse({"/a", "/b"}).ok());
  CHECK_FALSE(Parse({"--files", "0", "/d"}).ok());
  CHECK_FALSE(Parse({"--files", "ten", "/d"}).ok());
  CHECK_FALSE(Parse({"--workloads", "fsck", "/d"}).ok());
  CHECK_FALSE(Parse({"--workloads", "ls", "--skip", "ls", "/d"}).ok());
  CHECK_FALSE(Parse({"--latency-ms", "5", "/d"}).ok());
  CHECK_FALSE(Parse({"--size"}).ok());
  CHECK_FALSE(Parse({"--quick=1", "/d"}).ok());
}

TEST_CASE("--help short-circuits validation") {
  auto parsed = Parse({"--help"});
  REQUIRE(parsed.ok());
  CHECK(parsed->help);
  CHECK(objfs::bench::BenchUsage().find("--compare") != std::string::npos);
}
