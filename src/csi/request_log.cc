#include "csi/request_log.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <memory>

#include "base/log.h"
#include "csi.pb.h"

namespace objfs::csi {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool IsSensitive(const FieldDescriptor* field) {
  if (field->options().GetExtension(::csi::v1::csi_secret)) return true;
  return field->name() == "secrets" || field->name() == "mount_flags";
}

void Redact(Message* message) {
  const auto* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (IsSensitive(field)) {
      reflection->ClearField(message, field);
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_map()) continue;
    if (field->is_repeated()) {
      int n = reflection->FieldSize(*message, field);
      for (int i = 0; i < n; ++i) Redact(reflection->MutableRepeatedMessage(message, field, i));
    } else {
      Redact(reflection->MutableMessage(message, field));
    }
  }
}

}  // namespace

std::string RedactedText(const Message& message) {
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  Redact(copy.get());
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(*copy, &text);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

void LogRequest(const char* method, const Message& request, bool frequent) {
  if (LogEnabled(LogLevel::kDebug)) {
    LOG_DEBUG(method << " {" << RedactedText(request) << "}");
    return;
  }
  if (frequent) return;
  const auto* field = request.GetDescriptor()->FindFieldByName("volume_id");
  if (field == nullptr) field = request.GetDescriptor()->FindFieldByName("name");
  if (field != nullptr && field->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !field->is_repeated()) {
    LOG_INFO(method << " " << request.GetReflection()->GetString(request, field));
  } else {
    LOG_INFO(method);
  }
}

}  // namespace objfs::csi
