#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"

namespace sip {

// One invalid field of a request: its path in the request and what to do about it.
struct FieldViolation {
  std::string field;
  std::string description;
};

// Collects every problem of a request so the caller learns them all at once.
class Violations final {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& list() const { return violations_; }
  // OK when empty; otherwise INVALID_ARGUMENT naming every field.
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

// INVALID_ARGUMENT carrying a BadRequest detail. The message names the fields: the first
// 20, then one entry (field "request") counting the rest.
absl::Status InvalidArgument(std::vector<FieldViolation> violations);
absl::Status InvalidField(std::string field, std::string description);

// A status with a machine-readable reason (UPPER_SNAKE_CASE) for the ErrorInfo detail.
absl::Status WithReason(absl::Status status, absl::string_view reason);
absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message);
absl::Status NotFound(absl::string_view reason, absl::string_view message);
absl::Status Aborted(absl::string_view reason, absl::string_view message);

// One unmet precondition (google.rpc.PreconditionFailure.Violation).
struct PreconditionViolation {
  std::string type;
  std::string subject;
  std::string description;
};

// FAILED_PRECONDITION with `reason` and a PreconditionFailure detail listing every
// violation; the message lists them too.
absl::Status FailedPreconditions(absl::string_view reason, absl::string_view message,
                                 std::vector<PreconditionViolation> violations);
// The violations attached by FailedPreconditions.
std::vector<PreconditionViolation> PreconditionViolationsOf(const absl::Status& status);

// The reason attached by WithReason, or the code's name (e.g. "NOT_FOUND").
std::string ReasonOf(const absl::Status& status);
// The field violations attached by InvalidArgument.
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace sip
