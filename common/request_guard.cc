#include "common/request_guard.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/errors.h"

namespace sip {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Unix seconds of 1900-01-01T00:00:00Z and of the first second after 2200-12-31.
const int64_t kMinSeconds = absl::ToUnixSeconds(
    absl::FromCivil(absl::CivilSecond(RequestLimits::kMinYear, 1, 1), absl::UTCTimeZone()));
const int64_t kEndSeconds = absl::ToUnixSeconds(
    absl::FromCivil(absl::CivilSecond(RequestLimits::kMaxYear + 1, 1, 1), absl::UTCTimeZone()));

class Walker {
 public:
  void Message(const google::protobuf::Message& message, const std::string& path) {
    const auto* descriptor = message.GetDescriptor();
    const Reflection* reflection = message.GetReflection();
    if (descriptor->full_name() == "google.protobuf.Timestamp") {
      CheckTimestamp(message, path);
      return;
    }
    if (descriptor->full_name() == "sip.common.v1.Date") CheckDate(message, path);
    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);
    for (const FieldDescriptor* field : fields) {
      const std::string field_path =
          path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
      if (field->is_repeated()) {
        const int n = reflection->FieldSize(message, field);
        if (n > RequestLimits::kMaxRepeated) {
          Add(field_path, absl::StrCat("has ", n, " items; at most ",
                                       RequestLimits::kMaxRepeated, " are accepted"));
          continue;
        }
        for (int i = 0; i < n; ++i) {
          const std::string item_path = absl::StrCat(field_path, "[", i, "]");
          if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
            std::string scratch;
            Text(reflection->GetRepeatedStringReference(message, field, i, &scratch), field,
                 item_path);
          } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
            Message(reflection->GetRepeatedMessage(message, field, i), item_path);
          }
        }
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string scratch;
        Text(reflection->GetStringReference(message, field, &scratch), field, field_path);
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Message(reflection->GetMessage(message, field), field_path);
      }
    }
  }

  absl::Status ToStatus() const {
    if (violations_.empty()) return absl::OkStatus();
    return InvalidArgument(violations_);  // lists the first 20 and counts the rest
  }

 private:
  void Add(std::string path, std::string description) {
    violations_.push_back({std::move(path), std::move(description)});
  }

  void Text(const std::string& value, const FieldDescriptor* field, const std::string& path) {
    if (field->type() == FieldDescriptor::TYPE_BYTES) return;
    if (value.size() > RequestLimits::kMaxTextBytes) {
      Add(path, absl::StrCat("is ", value.size(), " bytes long; at most ",
                             RequestLimits::kMaxTextBytes, " are accepted"));
    } else if (value.find('\0') != std::string::npos) {
      Add(path, "must not contain the NUL character (U+0000); remove it and send again");
    }
  }

  void CheckTimestamp(const google::protobuf::Message& message, const std::string& path) {
    const auto* d = message.GetDescriptor();
    const Reflection* r = message.GetReflection();
    const int64_t seconds = r->GetInt64(message, d->FindFieldByName("seconds"));
    const int32_t nanos = r->GetInt32(message, d->FindFieldByName("nanos"));
    if (seconds < kMinSeconds || seconds >= kEndSeconds || nanos < 0 || nanos > 999999999) {
      Add(path, absl::StrCat("must be a time between the years ", RequestLimits::kMinYear,
                             " and ", RequestLimits::kMaxYear,
                             " (RFC 3339, e.g. 2026-03-01T09:00:00Z)"));
    }
  }

  void CheckDate(const google::protobuf::Message& message, const std::string& path) {
    const auto* d = message.GetDescriptor();
    const Reflection* r = message.GetReflection();
    const int32_t year = r->GetInt32(message, d->FindFieldByName("year"));
    if (year < RequestLimits::kMinYear || year > RequestLimits::kMaxYear) {
      Add(absl::StrCat(path, ".year"),
          absl::StrCat("must be between ", RequestLimits::kMinYear, " and ",
                       RequestLimits::kMaxYear));
    }
  }

  std::vector<FieldViolation> violations_;
};

}  // namespace

absl::Status CheckRequestShape(const google::protobuf::Message& request) {
  Walker walker;
  walker.Message(request, "");
  return walker.ToStatus();
}

std::string MethodOf(const google::protobuf::Descriptor& request) {
  std::string name = request.name();
  constexpr absl::string_view kSuffix = "Request";
  if (absl::EndsWith(name, kSuffix)) name.resize(name.size() - kSuffix.size());
  return name;
}

std::string ResourceNameOf(const google::protobuf::Message& request) {
  const google::protobuf::Descriptor* descriptor = request.GetDescriptor();
  const google::protobuf::Reflection* reflection = request.GetReflection();
  for (const char* field_name : {"name", "parent", "plan"}) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(field_name);
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    std::string value = reflection->GetString(request, field);
    if (!value.empty()) return value;
  }
  return "";
}

}  // namespace sip
