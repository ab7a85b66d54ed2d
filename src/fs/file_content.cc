#include "fs/file_content.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "fs/file_uploader.h"

namespace objfs::fs {
namespace {

Status ErrnoStatus(const char* what, int err) {
  return Status(Code::kInternal, std::string(what) + ": " + std::strerror(err)).WithErrno(err);
}

Status PwriteAll(int fd, const char* data, size_t len, uint64_t offset) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, data, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing the staging file", errno);
    }
    data += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

}  // namespace

FileContent::FileContent(const DataContext& ctx, ObjectVersion base, bool is_new)
    : ctx_(ctx), base_(std::move(base)), size_(base_.size), clean_limit_(base_.size) {
  if (is_new) {
    base_.size = 0;
    size_ = 0;
    clean_limit_ = 0;
    dirty_ = true;
  }
}

FileContent::~FileContent() {
  if (stream_) stream_->Abort();
  CloseStaging();
}

void FileContent::CloseStaging() {
  if (staging_fd_ >= 0) ::close(staging_fd_);
  staging_fd_ = -1;
  dirty_ranges_.clear();
}

void FileContent::Rebase(ObjectVersion base) {
  base_ = std::move(base);
  if (!dirty_) size_ = base_.size;
}

void FileContent::RebaseExternal(ObjectVersion base) {
  Rebase(std::move(base));
  external_changes_.fetch_add(1, std::memory_order_relaxed);
}

Result<size_t> FileContent::ReadLocal(uint64_t offset, std::span<char> out) {
  uint64_t size = size_;
  if (offset >= size) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size - offset));
  size_t done = 0;
  while (done < want) {
    ssize_t n = ::pread(staging_fd_, out.data() + done, want - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("reading the staging file", errno);
    }
    if (n == 0) {  // a hole past the staged end: zeros
      std::memset(out.data() + done, 0, want - done);
      done = want;
      break;
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

void FileContent::MarkDirty(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  uint64_t start = offset, end = offset + length;
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  merged.reserve(dirty_ranges_.size() + 1);
  bool placed = false;
  for (auto [s, e] : dirty_ranges_) {
    if (e < start) {
      merged.emplace_back(s, e);
    } else if (s > end) {
      if (!placed) merged.emplace_back(start, end), placed = true;
      merged.emplace_back(s, e);
    } else {
      start = std::min(start, s);
      end = std::max(end, e);
    }
  }
  if (!placed) merged.emplace_back(start, end);
  dirty_ranges_ = std::move(merged);
}

std::vector<std::pair<uint64_t, uint64_t>> FileContent::UnchangedRanges() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  uint64_t limit = std::min<uint64_t>(clean_limit_, size_);
  uint64_t pos = 0;
  for (auto [s, e] : dirty_ranges_) {
    if (s >= limit) break;
    if (s > pos) out.emplace_back(pos, s - pos);
    pos = std::max(pos, e);
  }
  if (pos < limit) out.emplace_back(pos, limit - pos);
  return out;
}

Status FileContent::Download(int fd) {
  if (base_.size == 0 || base_.etag.empty()) return Status::Ok();
  s3::GetRequest req;
  req.bucket = ctx_.bucket;
  req.key = base_.key;
  req.if_match = base_.etag;
  uint64_t offset = 0;
  Result<s3::ObjectInfo> info = ctx_.client->GetObject(req, [&](std::string_view chunk) -> Status {
    Status s = PwriteAll(fd, chunk.data(), chunk.size(), offset);
    offset += chunk.size();
    return s;
  });
  if (!info.ok()) {
    Status s = info.status();
    s.Annotate("downloading " + base_.key + " for staging");
    return s;
  }
  if (offset != base_.size) {
    return Status(Code::kFailedPrecondition, "object " + base_.key + " changed size while staging");
  }
  return Status::Ok();
}

Status FileContent::EnsureStaged(const std::string& key, const s3::PutOptions& put) {
  if (mode_ == Mode::kStaged) return Status::Ok();
  if (mode_ == Mode::kStream) {
    // A stream cannot seek back: commit what it has, then stage that object.
    Result<Committed> c = Commit(key, put);
    if (!c.ok()) return c.status();
  }
  int fd = ::open(ctx_.staging_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string templ = ctx_.staging_dir + "/objfs-staging-XXXXXX";
    fd = ::mkostemp(templ.data(), O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("creating a staging file", errno);
    ::unlink(templ.c_str());
  }
  bool truncated_to_empty = dirty_ && size_ == 0;
  if (!truncated_to_empty) {
    Status s = Download(fd);
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
  }
  staging_fd_ = fd;
  dirty_ranges_.clear();
  clean_limit_ = truncated_to_empty ? 0 : base_.size;
  mode_ = Mode::kStaged;
  return Status::Ok();
}

Status FileContent::Write(uint64_t offset, std::span<const char> data, const std::string& key,
                          const s3::PutOptions& put, bool may_stream) {
  if (data.empty()) return Status::Ok();
  if (mode_ == Mode::kStream && offset == size_) {
    Status s = stream_->Append(data);
    if (!s.ok()) {
      stream_->Abort();
      stream_.reset();
      mode_ = Mode::kClean;
      dirty_ = false;
      size_ = base_.size;
      stream_failure_ = s;
      return s;
    }
    size_ = stream_->size();
    return Status::Ok();
  }
  if (mode_ == Mode::kClean && may_stream && offset == 0 && size_ == 0) {
    stream_ = std::make_unique<UploadStream>(*ctx_.client, ctx_.bucket, key, put, *ctx_.budget,
                                             UploadOptions{.initial_part_size = 8ull << 20,
                                                           .max_parallel_parts = ctx_.max_parallel_parts,
                                                           .parts_per_size_step = 1000,
                                                           .executor = ctx_.executor});
    stream_metadata_ = put.metadata;
    mode_ = Mode::kStream;
    dirty_ = true;
    return Write(offset, data, key, put, may_stream);
  }
  OBJFS_RETURN_IF_ERROR(EnsureStaged(key, put));
  OBJFS_RETURN_IF_ERROR(PwriteAll(staging_fd_, data.data(), data.size(), offset));
  MarkDirty(offset, data.size());
  size_ = std::max<uint64_t>(size_, offset + data.size());
  dirty_ = true;
  return Status::Ok();
}

Status FileContent::Truncate(uint64_t size, const std::string& key, const s3::PutOptions& put) {
  if (size == size_ && mode_ != Mode::kStream) return Status::Ok();
  if (size == 0) {
    if (stream_) {
      stream_->Abort();
      stream_.reset();
    }
    CloseStaging();
    mode_ = Mode::kClean;
    size_ = 0;
    dirty_ = base_.size != 0 || base_.etag.empty();
    return Status::Ok();
  }
  OBJFS_RETURN_IF_ERROR(EnsureStaged(key, put));
  if (::ftruncate(staging_fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus("truncating the staging file", errno);
  clean_limit_ = std::min(clean_limit_, size);
  size_ = size;
  dirty_ = true;
  return Status::Ok();
}

Result<FileContent::Committed> FileContent::Commit(const std::string& key, const s3::PutOptions& put) {
  if (!stream_failure_.ok()) {
    Status s = stream_failure_;
    stream_failure_ = Status::Ok();
    return s;
  }
  Committed out;
  if (!dirty_) return out;
  std::string etag;
  if (mode_ == Mode::kStream) {
    const bool multipart = stream_->multipart_started();
    Result<std::string> r = stream_->Finish(&put);
    uint64_t streamed = stream_->size();
    stream_.reset();
    if (!r.ok()) {
      // The stream's bytes are gone; the object is what it was before.
      mode_ = Mode::kClean;
      dirty_ = false;
      size_ = base_.size;
      return r.status();
    }
    etag = *r;
    out.streamed = true;
    // One PutObject carried the metadata of now; parts carry that of the start.
    out.stream_metadata = multipart ? std::move(stream_metadata_) : put.metadata;
    size_ = streamed;
    mode_ = Mode::kClean;
  } else if (mode_ == Mode::kStaged) {
    UploadFileOptions opts;
    opts.max_parallel_parts = ctx_.max_parallel_parts;
    opts.executor = ctx_.executor;
    if (!base_.etag.empty()) {
      opts.reuse_key = base_.key;
      opts.reuse_etag = base_.etag;
      opts.unchanged_ranges = UnchangedRanges();
    }
    Result<std::string> r = UploadFile(*ctx_.client, ctx_.bucket, key, staging_fd_, size_, put, opts);
    if (!r.ok()) return r.status();  // still dirty: the next commit point retries
    etag = *r;
    dirty_ranges_.clear();
    clean_limit_ = size_;
  } else {
    // Truncated to empty (or a new file never written).
    Result<s3::PutResult> r = ctx_.client->PutObject(ctx_.bucket, key, s3::Body::FromMemory({}), put);
    if (!r.ok()) return r.status();
    etag = r->etag;
    size_ = 0;
  }
  base_ = ObjectVersion{key, etag, size_.load(), ctx_.next_generation ? ctx_.next_generation() : 0};
  dirty_ = false;
  out.uploaded = true;
  return out;
}

void FileContent::Discard() {
  if (stream_) {
    stream_->Abort();
    stream_.reset();
  }
  stream_failure_ = Status::Ok();
  CloseStaging();
  mode_ = Mode::kClean;
  dirty_ = false;
  size_ = base_.size;
}

}  // namespace objfs::fs
