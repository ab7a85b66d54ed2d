// Logging of CSI requests without secrets.
//
// RedactedText prints a protobuf message in text form after clearing every
// field that carries the csi_secret option, every field named "secrets" (in
// case a message lacks the option) and every mount_flags list (the spec says
// mount flags may hold sensitive data). The caller's message is not modified.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace google::protobuf {
class Message;
}

namespace objfs::csi {

std::string RedactedText(const google::protobuf::Message& message);

// Logs "<method> <redacted request>" at debug level, "<method> <volume>" at
// info (unless `frequent`: calls the CO repeats on a timer log at debug only).
void LogRequest(const char* method, const google::protobuf::Message& request, bool frequent = false);

}  // namespace objfs::csi
