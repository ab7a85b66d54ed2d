// Helpers shared by the FsCore unit tests: an FsCore over a fresh in-memory
// S3 bucket (optionally behind a fault-injecting wrapper), and small wrappers
// that create, write and read whole files through FsCore's API.
#pragma once

#include <fcntl.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "fs/fs_core.h"
#include "s3/fault_client.h"
#include "s3/memory_client.h"

namespace objfs::fs::testing {

inline constexpr const char* kBucket = "bucket";

struct Harness {
  explicit Harness(FsConfig config = {}, bool init = true) {
    memory = std::make_shared<s3::MemoryObjectClient>();
    REQUIRE(memory->CreateBucket(kBucket).ok());
    faults = std::make_shared<s3::FaultInjectingClient>(memory);
    config.bucket = kBucket;
    config.cache_bytes = 64ull << 20;
    core = std::make_unique<FsCore>(config, faults);
    if (init) REQUIRE(core->Init().ok());
  }

  std::string Body(const std::string& key) {
    std::string out;
    auto info = memory->GetObject(s3::GetRequest{kBucket, key, std::nullopt, ""}, [&](std::string_view c) {
      out.append(c);
      return Status::Ok();
    });
    REQUIRE_MESSAGE(info.ok(), key << ": " << info.status().ToString());
    return out;
  }
  bool Exists(const std::string& key) { return memory->HeadObject(kBucket, key).ok(); }
  s3::ObjectInfo Head(const std::string& key) {
    auto info = memory->HeadObject(kBucket, key);
    REQUIRE_MESSAGE(info.ok(), key << ": " << info.status().ToString());
    return *info;
  }
  void Put(const std::string& key, const std::string& body, s3::Metadata meta = {}, std::string content_type = {}) {
    s3::PutOptions opts;
    opts.metadata = std::move(meta);
    opts.content_type = std::move(content_type);
    REQUIRE(memory->PutObject(kBucket, key, s3::Body::FromMemory(body), opts).ok());
  }

  Entry Lookup(uint64_t parent, const std::string& name) {
    auto e = core->Lookup(parent, name);
    REQUIRE_MESSAGE(e.ok(), name << ": errno " << e.error());
    return *e;
  }
  int LookupErr(uint64_t parent, const std::string& name) {
    auto e = core->Lookup(parent, name);
    return e.ok() ? 0 : e.error();
  }

  // Creates `name` with `data` and closes it; returns the inode.
  uint64_t WriteFile(uint64_t parent, const std::string& name, const std::string& data, mode_t mode = 0644) {
    auto c = core->Create(parent, name, mode, O_WRONLY | O_CREAT | O_TRUNC, RequestContext{1000, 1000, 022, 1});
    REQUIRE_MESSAGE(c.ok(), name << ": errno " << c.error());
    uint64_t ino = c->entry.ino;
    if (!data.empty()) {
      auto n = core->Write(ino, c->open.fh, 0, std::span<const char>(data.data(), data.size()));
      REQUIRE(n.ok());
      REQUIRE(*n == data.size());
    }
    REQUIRE(core->Flush(ino, c->open.fh).ok());
    REQUIRE(core->Release(ino, c->open.fh).ok());
    return ino;
  }

  std::string ReadHandle(uint64_t ino, uint64_t fh, uint64_t offset = 0, size_t chunk = 64 << 10) {
    std::string out;
    std::vector<char> buf(chunk);
    for (;;) {
      auto n = core->Read(ino, fh, offset + out.size(), std::span<char>(buf.data(), buf.size()));
      REQUIRE_MESSAGE(n.ok(), "read errno " << n.error());
      if (*n == 0) break;
      out.append(buf.data(), *n);
    }
    return out;
  }

  std::string ReadFile(uint64_t ino) {
    auto o = core->Open(ino, O_RDONLY);
    REQUIRE_MESSAGE(o.ok(), "open errno " << o.error());
    std::string out = ReadHandle(ino, o->fh);
    REQUIRE(core->Release(ino, o->fh).ok());
    return out;
  }

  // Names in a directory through ReadDir/ReadDirPlus with a buffer of `batch`
  // entries per call, continuing from the offsets handed out.
  std::vector<std::string> List(uint64_t dir, bool plus = false, size_t batch = 1000) {
    auto dh = core->OpenDir(dir);
    REQUIRE(dh.ok());
    std::vector<std::string> names;
    uint64_t offset = 0;
    for (;;) {
      size_t taken = 0;
      uint64_t next = offset;
      std::vector<uint64_t> counted;
      DirFiller filler = [&](const DirEntryView& e) {
        if (taken == batch) return false;
        ++taken;
        names.emplace_back(e.name);
        next = e.next_offset;
        if (plus && e.entry && e.entry->ino != 0) counted.push_back(e.entry->ino);
        return true;
      };
      auto r = plus ? core->ReadDirPlus(dir, *dh, offset, filler) : core->ReadDir(dir, *dh, offset, filler);
      REQUIRE(r.ok());
      for (uint64_t ino : counted) core->Forget(ino, 1);
      if (taken == 0) break;
      offset = next;
    }
    REQUIRE(core->ReleaseDir(dir, *dh).ok());
    std::vector<std::string> out;
    for (auto& n : names) {
      if (n != "." && n != "..") out.push_back(n);
    }
    return out;
  }

  std::shared_ptr<s3::MemoryObjectClient> memory;
  std::shared_ptr<s3::FaultInjectingClient> faults;
  std::unique_ptr<FsCore> core;
};

}  // namespace objfs::fs::testing
