#include "base/status.h"

namespace objfs {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kPermissionDenied: return "PermissionDenied";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kFailedPrecondition: return "FailedPrecondition";
    case Code::kOutOfRange: return "OutOfRange";
    case Code::kResourceExhausted: return "ResourceExhausted";
    case Code::kUnavailable: return "Unavailable";
    case Code::kTimeout: return "Timeout";
    case Code::kDataLoss: return "DataLoss";
    case Code::kAborted: return "Aborted";
    case Code::kCancelled: return "Cancelled";
    case Code::kUnimplemented: return "Unimplemented";
    case Code::kInternal: return "Internal";
  }
  return "Unknown";
}

Status& Status::Annotate(std::string_view context) {
  if (!ok()) {
    std::string annotated(context);
    annotated += ": ";
    annotated += message_;
    message_ = std::move(annotated);
  }
  return *this;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  if (http_status_ != 0 || !s3_code_.empty() || !request_id_.empty()) {
    out += " (";
    bool first = true;
    auto add = [&](const std::string& part) {
      if (!first) out += ", ";
      out += part;
      first = false;
    };
    if (http_status_ != 0) add("http " + std::to_string(http_status_));
    if (!s3_code_.empty()) add(s3_code_);
    if (!request_id_.empty()) add("request id " + request_id_);
    out += ")";
  }
  return out;
}

}  // namespace objfs
