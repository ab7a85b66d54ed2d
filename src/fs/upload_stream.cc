#include "fs/upload_stream.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "base/log.h"

namespace objfs::fs {

namespace {
// Part 1 reserves budget in steps starting here, so small files hold little.
constexpr uint64_t kFirstReservation = 64ull << 10;
}  // namespace

UploadStream::UploadStream(s3::ObjectClient& client, std::string bucket, std::string key,
                           s3::PutOptions put_options, MemoryBudget& budget, UploadOptions options)
    : client_(client),
      bucket_(std::move(bucket)),
      key_(std::move(key)),
      put_options_(std::move(put_options)),
      budget_(budget),
      options_(options) {}

UploadStream::~UploadStream() {
  if (state_ != State::kFinished) Abort();
  WaitForParts(0);
}

uint64_t UploadStream::PartSize(const UploadOptions& options, int part_number) {
  const int step = std::max(1, options.parts_per_size_step);
  const int doublings = std::min(40, (std::max(1, part_number) - 1) / step);
  uint64_t size = std::max(options.initial_part_size, s3::kMinPartSize);
  for (int i = 0; i < doublings && size < s3::kMaxPartSize; ++i) size *= 2;
  return std::min(size, s3::kMaxPartSize);
}

IoExecutor& UploadStream::Executor() {
  if (options_.executor != nullptr) return *options_.executor;
  if (!own_executor_) own_executor_ = std::make_unique<IoExecutor>(std::max(1, options_.max_parallel_parts));
  return *own_executor_;
}

Status UploadStream::FirstError() {
  std::lock_guard lock(mu_);
  return first_error_;
}

void UploadStream::WaitForParts(int max_in_flight) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return in_flight_ <= max_in_flight; });
}

Status UploadStream::Append(std::span<const char> data) {
  if (state_ == State::kFailed) return FirstError();
  if (state_ != State::kOpen) return Status(Code::kFailedPrecondition, "upload of " + key_ + " is closed");
  while (!data.empty()) {
    Status failed = FirstError();
    if (!failed.ok()) {
      AbortUpload();
      state_ = State::kFailed;
      return failed;
    }
    if (part_number_ > s3::kMaxParts) {
      Status status(Code::kResourceExhausted, "file " + key_ + " is larger than 10,000 parts can hold");
      {
        std::lock_guard lock(mu_);
        first_error_ = status;
      }
      AbortUpload();
      state_ = State::kFailed;
      return status;
    }
    const uint64_t part_size = PartSize(options_, part_number_);
    if (part_.capacity() == 0) {
      // Part 1 reserves as it grows; later parts reserve their whole size,
      // before any page is mapped (backpressure).
      if (part_number_ > 1) {
        budget_.Acquire(part_size);
        part_ = BlockBuffer(budget_, part_size, /*full=*/true);
        part_.AdoptReservation(part_size);
      } else {
        part_ = BlockBuffer(budget_, part_size);
      }
      if (!part_.valid()) {
        part_ = BlockBuffer();
        return Status(Code::kResourceExhausted, "cannot map an upload buffer");
      }
    }
    const uint64_t n = std::min<uint64_t>(data.size(), part_size - part_fill_);
    const uint64_t need = part_fill_ + n;
    if (need > part_.reserved()) {
      uint64_t target = part_size;
      if (part_number_ == 1) {
        target = std::max(kFirstReservation, part_.reserved());
        while (target < need) target *= 2;
        target = std::min(target, part_size);
      }
      part_.Reserve(target);  // backpressure
    }
    std::memcpy(part_.data() + part_fill_, data.data(), n);
    part_fill_ += n;
    size_.fetch_add(n, std::memory_order_relaxed);
    data = data.subspan(n);
    if (part_fill_ == part_size) {
      Status sent = SendCurrentPart();
      if (!sent.ok()) {
        {
          std::lock_guard lock(mu_);
          if (first_error_.ok()) first_error_ = sent;
        }
        AbortUpload();
        state_ = State::kFailed;
        return sent;
      }
    }
  }
  return Status::Ok();
}

Status UploadStream::StartMultipart() {
  Result<std::string> id = client_.CreateMultipartUpload(bucket_, key_, put_options_);
  if (!id.ok()) {
    Status status = id.status();
    return status.Annotate("CreateMultipartUpload " + key_);
  }
  upload_id_ = std::move(*id);
  return Status::Ok();
}

Status UploadStream::SendCurrentPart() {
  if (upload_id_.empty()) OBJFS_RETURN_IF_ERROR(StartMultipart());
  WaitForParts(std::max(1, options_.max_parallel_parts) - 1);
  {
    std::lock_guard lock(mu_);
    ++in_flight_;
  }
  auto buffer = std::make_shared<BlockBuffer>(std::move(part_));
  const uint64_t length = part_fill_;
  const int number = part_number_;
  Executor().Submit([this, buffer = std::move(buffer), length, number]() mutable {
    Result<std::string> etag = client_.UploadPart(bucket_, key_, upload_id_, number,
                                                  s3::Body::FromMemory(std::string_view(buffer->data(), length)));
    buffer.reset();  // unmap and give the budget back before waking the writer
    {
      std::lock_guard lock(mu_);
      if (etag.ok()) {
        part_etags_[number] = std::move(*etag);
      } else if (first_error_.ok()) {
        first_error_ = etag.status();
        first_error_.Annotate("UploadPart " + std::to_string(number) + " of " + key_);
      }
      --in_flight_;
      // Notify under the lock: once in_flight_ reaches 0 a waiter may destroy
      // this stream, so the condition variable must not be touched after unlock.
      cv_.notify_all();
    }
  });
  part_ = BlockBuffer();
  part_fill_ = 0;
  ++part_number_;
  return Status::Ok();
}

Result<std::string> UploadStream::Finish(const s3::PutOptions* latest) {
  if (state_ == State::kFailed) return FirstError();
  if (state_ != State::kOpen) return Status(Code::kFailedPrecondition, "upload of " + key_ + " is closed");

  if (upload_id_.empty()) {
    Result<s3::PutResult> put = client_.PutObject(
        bucket_, key_, s3::Body::FromMemory(std::string_view(part_.data(), part_fill_)),
        latest != nullptr ? *latest : put_options_);
    part_ = BlockBuffer();
    part_fill_ = 0;
    if (!put.ok()) {
      Status status = put.status();
      status.Annotate("PutObject " + key_);
      {
        std::lock_guard lock(mu_);
        first_error_ = status;
      }
      state_ = State::kFailed;
      return status;
    }
    state_ = State::kFinished;
    return std::move(put->etag);
  }

  Status status;
  if (part_fill_ > 0) {
    if (part_number_ > s3::kMaxParts) {
      status = Status(Code::kResourceExhausted, "file " + key_ + " is larger than 10,000 parts can hold");
    } else {
      status = SendCurrentPart();
    }
  }
  WaitForParts(0);
  if (status.ok()) status = FirstError();
  if (status.ok()) {
    std::vector<s3::CompletedPart> parts;
    {
      std::lock_guard lock(mu_);
      parts.reserve(part_etags_.size());
      for (const auto& [number, etag] : part_etags_) parts.push_back(s3::CompletedPart{number, etag});
    }
    Result<std::string> etag = client_.CompleteMultipartUpload(bucket_, key_, upload_id_, parts);
    if (etag.ok()) {
      upload_id_.clear();
      state_ = State::kFinished;
      return std::move(*etag);
    }
    status = etag.status();
    status.Annotate("CompleteMultipartUpload " + key_);
  }
  {
    std::lock_guard lock(mu_);
    if (first_error_.ok()) first_error_ = status;
  }
  AbortUpload();
  state_ = State::kFailed;
  return status;
}

void UploadStream::Abort() {
  if (state_ == State::kFinished || state_ == State::kAborted) return;
  AbortUpload();
  if (state_ == State::kOpen) state_ = State::kAborted;
}

void UploadStream::AbortUpload() {
  WaitForParts(0);
  part_ = BlockBuffer();
  part_fill_ = 0;
  if (upload_id_.empty()) return;
  Status status = client_.AbortMultipartUpload(bucket_, key_, upload_id_);
  if (!status.ok() && !s3::IsNoSuchKey(status)) {
    LOG_WARN("AbortMultipartUpload " << key_ << " upload " << upload_id_ << ": " << status.ToString());
  }
  upload_id_.clear();
}

}  // namespace objfs::fs
