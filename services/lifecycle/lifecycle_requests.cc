#include "services/lifecycle/lifecycle_requests.h"

#include <vector>

#include "absl/strings/match.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/hsa_id.h"
#include "common/ids.h"
#include "common/principals.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::lifecycle {

absl::StatusOr<std::string> PlanOfTimeline(const std::string& name) {
  constexpr absl::string_view kSuffix = "/timeline";
  if (!absl::EndsWith(name, kSuffix)) {
    return InvalidField("name", "must be \"plans/{plan}/timeline\"");
  }
  SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       ParseResourceName(absl::string_view(name).substr(
                                             0, name.size() - kSuffix.size()),
                                         {"plans"}, "name"));
  return ids[0];
}

absl::StatusOr<DeadlineQuery> DeadlineQueryOf(const pb::ListDeadlinesRequest& request) {
  Violations v;
  DeadlineQuery query;
  if (!request.responsible_unit_hsa_id().empty()) {
    if (!IsValidHsaId(request.responsible_unit_hsa_id())) {
      v.Add("responsible_unit_hsa_id", kHsaIdFormat);
    }
    query.responsible_unit_hsa_id = request.responsible_unit_hsa_id();
  }
  switch (request.state()) {
    case pb::DEADLINE_STATE_UNSPECIFIED: break;
    case pb::DEADLINE_STATE_PENDING: query.state = DeadlineState::kPending; break;
    case pb::DEADLINE_STATE_MET: query.state = DeadlineState::kMet; break;
    case pb::DEADLINE_STATE_BREACHED: query.state = DeadlineState::kBreached; break;
    case pb::DEADLINE_STATE_CANCELLED: query.state = DeadlineState::kCancelled; break;
    default: v.Add("state", "must be PENDING, MET, BREACHED, CANCELLED or unset");
  }
  if (!pb::DeadlineRule_IsValid(request.rule())) v.Add("rule", "is not a deadline rule");
  query.rule = request.rule();
  if (request.has_due_before()) {
    query.due_before = TimeFromProto(request.due_before(), "due_before", v);
  }
  if (query.responsible_unit_hsa_id.empty() && !query.state) {
    v.Add("responsible_unit_hsa_id",
          "a work list needs a unit or a state: e.g. your unit's HSA-id, or BREACHED");
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  return query;
}

absl::StatusOr<absl::CivilDay> AgreedDayOf(const pb::AgreeLaterMeetingRequest& request) {
  if (!request.has_agreed_date()) {
    return InvalidField("agreed_date", "is required: the day agreed for the initial meeting");
  }
  const std::optional<absl::CivilDay> day = DayFromProto(request.agreed_date());
  if (!day) return InvalidField("agreed_date", "is not a date in the calendar");
  return *day;
}

absl::StatusOr<ReportQuery> ReportQueryOf(const pb::GetComplianceReportRequest& request) {
  Violations v;
  const std::optional<absl::CivilDay> start =
      request.has_start_date() ? DayFromProto(request.start_date()) : std::nullopt;
  const std::optional<absl::CivilDay> end =
      request.has_end_date() ? DayFromProto(request.end_date()) : std::nullopt;
  if (!start) v.Add("start_date", "is required: the period's first day (a calendar date)");
  if (!end) v.Add("end_date", "is required: the period's last day (a calendar date)");
  if (start && end && (*end < *start || *end > AddMonths(*start, 60))) {
    v.Add("end_date", "must be on or after start_date and at most 5 years later");
  }
  ReportQuery query;
  switch (request.scope_case()) {
    case pb::GetComplianceReportRequest::kRegionCode:
      query.region_code = request.region_code();
      if (!RegionName(query.region_code)) v.Add("region_code", "is not one of SCB's 21 länskoder");
      break;
    case pb::GetComplianceReportRequest::kUnitHsaId:
      query.unit_hsa_id = request.unit_hsa_id();
      if (!IsValidHsaId(query.unit_hsa_id)) v.Add("unit_hsa_id", kHsaIdFormat);
      break;
    case pb::GetComplianceReportRequest::kMunicipalityCode:
      query.municipality_code = request.municipality_code();
      if (!MunicipalityName(query.municipality_code)) {
        v.Add("municipality_code", "is not one of SCB's 290 kommunkoder (4 digits)");
      }
      break;
    case pb::GetComplianceReportRequest::kEverything:
      if (!request.everything()) v.Add("everything", "must be true when it is the scope");
      break;
    default:
      v.Add("region_code",
            "a scope is required: region_code, municipality_code, unit_hsa_id or everything");
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  query.start = *start;
  query.end = *end;
  return query;
}

absl::Status CheckPolicyRegion(const pb::GetPolicyRequest& request) {
  if (!request.region_code().empty() && !RegionName(request.region_code())) {
    return InvalidField("region_code",
                        "is not one of SCB's 21 länskoder (2 digits, e.g. \"14\"); leave it "
                        "empty for the default policy");
  }
  return absl::OkStatus();
}

}  // namespace sip::lifecycle
