#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/lifecycle/timeline.h"
#include "sip/lifecycle/v1/lifecycle.pb.h"

// The lifecycle's requests read and checked: plain functions of a request message, no
// database and no gRPC (the adapter calls them; the request fuzzer too). Each is OK or
// INVALID_ARGUMENT naming every field at fault.
namespace sip::lifecycle {

// "plans/{plan}/timeline" → the plan id (`name`).
absl::StatusOr<std::string> PlanOfTimeline(const std::string& name);

// A work list's filter as ListDeadlines asks for it: a unit or a state at least.
struct DeadlineQuery {
  std::string responsible_unit_hsa_id;
  std::optional<DeadlineState> state;
  pb::DeadlineRule rule = pb::DEADLINE_RULE_UNSPECIFIED;
  std::optional<absl::Time> due_before;
};
absl::StatusOr<DeadlineQuery> DeadlineQueryOf(const pb::ListDeadlinesRequest& request);

// The day AgreeLaterMeeting agrees (required, a calendar date).
absl::StatusOr<absl::CivilDay> AgreedDayOf(const pb::AgreeLaterMeetingRequest& request);

// A compliance report's period (at most 5 years) and scope (one of a region, a kommun, a
// unit, or everything: the others empty).
struct ReportQuery {
  absl::CivilDay start;
  absl::CivilDay end;
  std::string region_code;
  std::string unit_hsa_id;
  std::string municipality_code;
};
absl::StatusOr<ReportQuery> ReportQueryOf(const pb::GetComplianceReportRequest& request);

// GetPolicy's region: empty for the default policy, else one of SCB's länskoder.
absl::Status CheckPolicyRegion(const pb::GetPolicyRequest& request);

}  // namespace sip::lifecycle
