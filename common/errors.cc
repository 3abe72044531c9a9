#include "common/errors.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sip {
namespace {

constexpr char kReasonUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
constexpr char kPreconditionUrl[] = "type.googleapis.com/google.rpc.PreconditionFailure";
constexpr size_t kMaxViolationsListed = 20;

std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) {
    c = c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

}  // namespace

void Violations::Add(std::string field, std::string description) {
  violations_.push_back({std::move(field), std::move(description)});
}

absl::Status Violations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  return InvalidArgument(violations_);
}

absl::Status InvalidArgument(std::vector<FieldViolation> violations) {
  // Bounded, so the error fits a status header however bad the request.
  if (violations.size() > kMaxViolationsListed) {
    const size_t more = violations.size() - kMaxViolationsListed;
    violations.resize(kMaxViolationsListed);
    violations.push_back({"request", absl::StrCat("and ", more, " more problems like these")});
  }
  std::vector<std::string> parts;
  google::rpc::BadRequest bad_request;
  for (const auto& v : violations) {
    parts.push_back(absl::StrCat(v.field, ": ", v.description));
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat("invalid request: ", absl::StrJoin(parts, "; ")));
  status.SetPayload(kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string field, std::string description) {
  return InvalidArgument({{std::move(field), std::move(description)}});
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  return status;
}

absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}
absl::Status NotFound(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::NotFoundError(message), reason);
}
absl::Status Aborted(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::AbortedError(message), reason);
}

absl::Status FailedPreconditions(absl::string_view reason, absl::string_view message,
                                 std::vector<PreconditionViolation> violations) {
  google::rpc::PreconditionFailure failure;
  std::vector<std::string> parts;
  for (const auto& v : violations) {
    auto* out = failure.add_violations();
    out->set_type(v.type);
    out->set_subject(v.subject);
    out->set_description(v.description);
    parts.push_back(absl::StrCat(v.subject, ": ", v.description));
  }
  absl::Status status = WithReason(
      absl::FailedPreconditionError(absl::StrCat(message, ": ", absl::StrJoin(parts, "; "))),
      reason);
  status.SetPayload(kPreconditionUrl, absl::Cord(failure.SerializeAsString()));
  return status;
}

std::vector<PreconditionViolation> PreconditionViolationsOf(const absl::Status& status) {
  std::vector<PreconditionViolation> out;
  auto payload = status.GetPayload(kPreconditionUrl);
  google::rpc::PreconditionFailure failure;
  if (payload && failure.ParseFromString(std::string(*payload))) {
    for (const auto& v : failure.violations()) {
      out.push_back({v.type(), v.subject(), v.description()});
    }
  }
  return out;
}

std::string ReasonOf(const absl::Status& status) {
  if (auto reason = status.GetPayload(kReasonUrl)) return std::string(*reason);
  return CodeName(status.code());
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestUrl);
  google::rpc::BadRequest bad_request;
  if (payload && bad_request.ParseFromString(std::string(*payload))) {
    for (const auto& fv : bad_request.field_violations()) {
      out.push_back({fv.field(), fv.description()});
    }
  }
  return out;
}

}  // namespace sip
