// The one place where objfs Status values become gRPC statuses (the CSI
// spec's error tables pick the code; services pass a Status whose Code already
// says what the spec wants, and this maps it one-to-one).
//
// Thread-safety: pure functions.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "base/status.h"

namespace objfs::csi {

grpc::Status ToGrpc(const Status& status);

// Shorthands for the services' own argument checks.
grpc::Status InvalidArgument(const std::string& message);
grpc::Status NotFound(const std::string& message);

}  // namespace objfs::csi
