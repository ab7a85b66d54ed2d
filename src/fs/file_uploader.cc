#include "fs/file_uploader.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "base/log.h"
#include "fs/upload_stream.h"

namespace objfs::fs {

namespace {

struct PartPlan {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool copy = false;  // UploadPartCopy from the old object instead of the fd
};

// Merged, clipped reusable ranges, each at least one minimum part long.
std::vector<std::pair<uint64_t, uint64_t>> NormalizeRanges(std::vector<std::pair<uint64_t, uint64_t>> ranges,
                                                           uint64_t size) {
  std::vector<std::pair<uint64_t, uint64_t>> spans;  // [begin, end)
  for (const auto& [offset, length] : ranges) {
    if (offset >= size || length == 0) continue;
    spans.emplace_back(offset, std::min(size, offset + length));
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& span : spans) {
    if (!merged.empty() && span.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, span.second);
    } else {
      merged.push_back(span);
    }
  }
  std::erase_if(merged, [](const auto& s) { return s.second - s.first < s3::kMinPartSize; });
  return merged;
}

// Splits [begin, end) of file data into parts of the growing size; a short
// tail that is not the end of the file joins the previous part.
void PlanData(uint64_t begin, uint64_t end, uint64_t file_size, const UploadOptions& sizes,
              std::vector<PartPlan>* plan) {
  uint64_t pos = begin;
  while (pos < end) {
    uint64_t part = UploadStream::PartSize(sizes, static_cast<int>(plan->size()) + 1);
    uint64_t length = std::min(part, end - pos);
    uint64_t rest = end - pos - length;
    if (rest > 0 && rest < s3::kMinPartSize && (end != file_size || rest + length <= s3::kMaxPartSize)) {
      length += rest;  // the tail alone would be too small
    }
    plan->push_back(PartPlan{pos, length, false});
    pos += length;
  }
}

void PlanCopy(uint64_t begin, uint64_t end, std::vector<PartPlan>* plan) {
  uint64_t pos = begin;
  while (pos < end) {
    uint64_t length = std::min(s3::kMaxPartSize, end - pos);
    uint64_t rest = end - pos - length;
    if (rest > 0 && rest < s3::kMinPartSize) length -= s3::kMinPartSize;  // keep the tail >= 5 MiB
    plan->push_back(PartPlan{pos, length, true});
    pos += length;
  }
}

std::vector<PartPlan> PlanParts(uint64_t size, const UploadFileOptions& options) {
  UploadOptions sizes;
  sizes.initial_part_size = options.part_size;
  std::vector<std::pair<uint64_t, uint64_t>> reuse;
  if (!options.reuse_key.empty()) reuse = NormalizeRanges(options.unchanged_ranges, size);

  std::vector<PartPlan> plan;
  uint64_t pos = 0;
  for (auto [begin, end] : reuse) {
    if (begin < pos) begin = pos;
    uint64_t gap = begin - pos;
    if (gap > 0 && gap < s3::kMinPartSize) begin = pos + s3::kMinPartSize;  // grow the data part
    if (begin >= end || (end - begin < s3::kMinPartSize && end != size)) continue;  // not worth a copy
    PlanData(pos, begin, size, sizes, &plan);
    PlanCopy(begin, end, &plan);
    pos = end;
  }
  PlanData(pos, size, size, sizes, &plan);
  return plan;
}

}  // namespace

Result<std::string> UploadFile(s3::ObjectClient& client, const std::string& bucket, const std::string& key, int fd,
                               uint64_t size, const s3::PutOptions& put_options, const UploadFileOptions& options) {
  if (size < std::max<uint64_t>(options.single_put_max, 1)) {
    Result<s3::PutResult> put = client.PutObject(bucket, key, s3::Body::FromFile(fd, 0, size), put_options);
    if (!put.ok()) {
      Status status = put.status();
      return status.Annotate("PutObject " + key);
    }
    return std::move(put->etag);
  }

  std::vector<PartPlan> plan = PlanParts(size, options);
  if (plan.size() > static_cast<size_t>(s3::kMaxParts)) {
    return Status(Code::kResourceExhausted, "file " + key + " needs more than 10,000 parts");
  }

  Result<std::string> upload = client.CreateMultipartUpload(bucket, key, put_options);
  if (!upload.ok()) {
    Status status = upload.status();
    return status.Annotate("CreateMultipartUpload " + key);
  }
  const std::string upload_id = *upload;

  std::unique_ptr<IoExecutor> own_executor;
  IoExecutor* executor = options.executor;
  if (executor == nullptr) {
    own_executor = std::make_unique<IoExecutor>(std::max(1, options.max_parallel_parts));
    executor = own_executor.get();
  }

  // Shared with the part tasks; lives until every task is done (waited below).
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  Status first_error;
  std::vector<std::string> etags(plan.size());
  const int max_in_flight = std::max(1, options.max_parallel_parts);

  for (size_t i = 0; i < plan.size(); ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < max_in_flight; });
      if (!first_error.ok()) break;
      ++in_flight;
    }
    executor->Submit([&, i] {
      const PartPlan& part = plan[i];
      const int number = static_cast<int>(i) + 1;
      Result<std::string> etag =
          part.copy ? client.UploadPartCopy(bucket, key, upload_id, number, bucket, options.reuse_key,
                                            s3::ByteRange{part.offset, part.length}, options.reuse_etag)
                    : client.UploadPart(bucket, key, upload_id, number, s3::Body::FromFile(fd, part.offset, part.length));
      std::lock_guard lock(mu);
      if (etag.ok()) {
        etags[i] = std::move(*etag);
      } else if (first_error.ok()) {
        first_error = etag.status();
        first_error.Annotate((part.copy ? "UploadPartCopy " : "UploadPart ") + std::to_string(number) + " of " + key);
      }
      --in_flight;
      cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }

  Status status = first_error;
  if (status.ok()) {
    std::vector<s3::CompletedPart> parts;
    parts.reserve(plan.size());
    for (size_t i = 0; i < plan.size(); ++i) parts.push_back(s3::CompletedPart{static_cast<int>(i) + 1, etags[i]});
    Result<std::string> etag = client.CompleteMultipartUpload(bucket, key, upload_id, parts);
    if (etag.ok()) return std::move(*etag);
    status = etag.status();
    status.Annotate("CompleteMultipartUpload " + key);
  }
  Status aborted = client.AbortMultipartUpload(bucket, key, upload_id);
  if (!aborted.ok()) LOG_WARN("AbortMultipartUpload " << key << " upload " << upload_id << ": " << aborted.ToString());
  return status;
}

}  // namespace objfs::fs
