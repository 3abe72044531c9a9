#include "services/lifecycle/lifecycle_service.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_handler.h"
#include "common/hsa_id.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/principals.h"
#include "common/proto_convert.h"
#include "common/calendar.h"
#include "common/status_macros.h"
#include "services/lifecycle/lifecycle_proto.h"

namespace sip::lifecycle {
namespace {

// "plans/{plan}/timeline" → plan.
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

}  // namespace

grpc::Status LifecycleGrpcService::GetTimeline(grpc::ServerContext* context,
                                               const pb::GetTimelineRequest* request,
                                               pb::GetTimelineResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanOfTimeline(request->name()));
    SIP_ASSIGN_OR_RETURN(Timeline t, book_->GetTimeline(plan_id, caller));
    ToProto(t, response->mutable_timeline());
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::ListDeadlines(grpc::ServerContext* context,
                                                 const pb::ListDeadlinesRequest* request,
                                                 pb::ListDeadlinesResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    Violations v;
    LifecycleStore::DeadlineFilter filter;
    if (!request->responsible_unit_hsa_id().empty()) {
      if (!IsValidHsaId(request->responsible_unit_hsa_id())) {
        v.Add("responsible_unit_hsa_id", kHsaIdFormat);
      }
      filter.responsible_unit_hsa_id = request->responsible_unit_hsa_id();
    }
    switch (request->state()) {
      case pb::DEADLINE_STATE_UNSPECIFIED: break;
      case pb::DEADLINE_STATE_PENDING: filter.state = DeadlineState::kPending; break;
      case pb::DEADLINE_STATE_MET: filter.state = DeadlineState::kMet; break;
      case pb::DEADLINE_STATE_BREACHED: filter.state = DeadlineState::kBreached; break;
      case pb::DEADLINE_STATE_CANCELLED: filter.state = DeadlineState::kCancelled; break;
      default: v.Add("state", "must be PENDING, MET, BREACHED, CANCELLED or unset");
    }
    if (!pb::DeadlineRule_IsValid(request->rule())) v.Add("rule", "is not a deadline rule");
    filter.rule = request->rule();
    if (request->has_due_before()) {
      filter.due_before = TimeFromProto(request->due_before(), "due_before", v);
    }
    if (filter.responsible_unit_hsa_id.empty() && !filter.state) {
      v.Add("responsible_unit_hsa_id",
            "a work list needs a unit or a state: e.g. your unit's HSA-id, or BREACHED");
    }
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    const std::string query = PageQueryOf(*request);
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), query));
    SIP_ASSIGN_OR_RETURN(auto page, book_->ListDeadlines(filter, caller, page_size, after));
    for (const auto& listed : page.first) {
      ToProto(listed.deadline, listed.plan_id, listed.number, response->add_deadlines());
    }
    response->set_next_page_token(TokenFromCursor(page.second, query));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::AgreeLaterMeeting(grpc::ServerContext* context,
                                                     const pb::AgreeLaterMeetingRequest* request,
                                                     pb::AgreeLaterMeetingResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanOfTimeline(request->name()));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("AgreeLaterMeeting", *request));
    if (!request->has_agreed_date()) {
      return InvalidField("agreed_date", "is required: the day agreed for the initial meeting");
    }
    const std::optional<absl::CivilDay> day = DayFromProto(request->agreed_date());
    if (!day) return InvalidField("agreed_date", "is not a date in the calendar");
    SIP_ASSIGN_OR_RETURN(*response,
                         book_->AgreeLaterMeeting(plan_id, *day, request->reason(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::GetComplianceReport(
    grpc::ServerContext* context, const pb::GetComplianceReportRequest* request,
    pb::GetComplianceReportResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
    Violations v;
    const std::optional<absl::CivilDay> start =
        request->has_start_date() ? DayFromProto(request->start_date()) : std::nullopt;
    const std::optional<absl::CivilDay> end =
        request->has_end_date() ? DayFromProto(request->end_date()) : std::nullopt;
    if (!start) v.Add("start_date", "is required: the period's first day (a calendar date)");
    if (!end) v.Add("end_date", "is required: the period's last day (a calendar date)");
    if (start && end && (*end < *start || *end > AddMonths(*start, 60))) {
      v.Add("end_date", "must be on or after start_date and at most 5 years later");
    }
    std::string region, unit, municipality;
    switch (request->scope_case()) {
      case pb::GetComplianceReportRequest::kRegionCode:
        region = request->region_code();
        if (!RegionName(region)) v.Add("region_code", "is not one of SCB's 21 länskoder");
        break;
      case pb::GetComplianceReportRequest::kUnitHsaId:
        unit = request->unit_hsa_id();
        if (!IsValidHsaId(unit)) v.Add("unit_hsa_id", kHsaIdFormat);
        break;
      case pb::GetComplianceReportRequest::kMunicipalityCode:
        municipality = request->municipality_code();
        if (!MunicipalityName(municipality)) {
          v.Add("municipality_code", "is not one of SCB's 290 kommunkoder (4 digits)");
        }
        break;
      case pb::GetComplianceReportRequest::kEverything:
        if (!request->everything()) v.Add("everything", "must be true when it is the scope");
        break;
      default:
        v.Add("region_code",
              "a scope is required: region_code, municipality_code, unit_hsa_id or everything");
    }
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(*response, book_->Report(*start, *end, region, unit, municipality));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::GetPolicy(grpc::ServerContext* context,
                                             const pb::GetPolicyRequest* request,
                                             pb::GetPolicyResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
    if (!request->region_code().empty() && !RegionName(request->region_code())) {
      return InvalidField("region_code",
                          "is not one of SCB's 21 länskoder (2 digits, e.g. \"14\"); leave it "
                          "empty for the default policy");
    }
    *response->mutable_policy() = request->region_code().empty()
                                      ? book_->policies().Default()
                                      : book_->policies().For(request->region_code());
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::ListEvents(grpc::ServerContext* context,
                                              const pb::ListEventsRequest* request,
                                              pb::ListEventsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    return ServeEvents(*request, response, caller, [&](int64_t after, int limit, const std::string& reader) {
      return book_->Events(after, limit, reader);
    });
  });
}

}  // namespace sip::lifecycle
