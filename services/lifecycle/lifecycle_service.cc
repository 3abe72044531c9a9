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
#include "common/status_macros.h"

namespace sip::lifecycle {
namespace {

pb::DeadlineState StateOf(DeadlineState s) {
  switch (s) {
    case DeadlineState::kMet: return pb::DEADLINE_STATE_MET;
    case DeadlineState::kBreached: return pb::DEADLINE_STATE_BREACHED;
    case DeadlineState::kCancelled: return pb::DEADLINE_STATE_CANCELLED;
    default: return pb::DEADLINE_STATE_PENDING;
  }
}

// Sets the field through `mutable_field` only when the time is known.
template <typename Message, typename Mutable>
void SetTime(const std::optional<absl::Time>& t, Message* out, Mutable mutable_field) {
  if (t) sip::ToProto(*t, (out->*mutable_field)());
}

}  // namespace

void ToProto(const Deadline& d, const std::string& plan_id, int number, pb::Deadline* out) {
  out->set_name(absl::StrCat("plans/", plan_id, "/deadlines/", number));
  out->set_rule(d.rule);
  out->set_state(StateOf(d.state));
  sip::ToProto(d.due_time, out->mutable_due_time());
  // Resolved: when met, else when breached, else when cancelled.
  SetTime(d.met_time ? d.met_time : d.breach_time ? d.breach_time : d.cancel_time, out,
          &pb::Deadline::mutable_resolve_time);
  out->set_responsible_unit_hsa_id(d.responsible_unit_hsa_id);
  out->set_opened_by(d.opened_by);
  sip::ToProto(d.open_time, out->mutable_create_time());
  SetTime(d.breach_time, out, &pb::Deadline::mutable_breach_time);
  SetTime(d.met_time, out, &pb::Deadline::mutable_met_time);
  out->set_region_code(d.region_code);
  out->set_policy_version(d.policy_version);
}

void ToProto(const Timeline& t, pb::Timeline* out) {
  out->set_name(absl::StrCat("plans/", t.plan_id, "/timeline"));
  out->set_plan_state(t.plan_state);
  out->set_region_code(t.region_code);
  out->set_responsible_unit_hsa_id(t.coordinator_unit_hsa_id.empty() ? t.initiating_unit_hsa_id
                                                                      : t.coordinator_unit_hsa_id);
  SetTime(t.need_noticed_time, out, &pb::Timeline::mutable_need_noticed_time);
  SetTime(t.initiate_time, out, &pb::Timeline::mutable_initiate_time);
  SetTime(t.discharge_time, out, &pb::Timeline::mutable_discharge_time);
  SetTime(t.first_meeting_time, out, &pb::Timeline::mutable_first_meeting_time);
  SetTime(t.establish_time, out, &pb::Timeline::mutable_establish_time);
  SetTime(t.last_follow_up_time, out, &pb::Timeline::mutable_last_follow_up_time);
  SetTime(t.last_activity_time, out, &pb::Timeline::mutable_last_activity_time);
  SetTime(t.close_time, out, &pb::Timeline::mutable_close_time);
  out->set_forfeited(t.forfeited);
  for (size_t i = 0; i < t.deadlines.size(); ++i) {
    ToProto(t.deadlines[i], t.plan_id, static_cast<int>(i), out->add_deadlines());
  }
  for (const Entry& e : t.entries) {
    auto* entry = out->add_entries();
    sip::ToProto(e.time, entry->mutable_time());
    entry->set_what(e.what);
    entry->set_source(e.source);
  }
}

grpc::Status LifecycleGrpcService::GetTimeline(grpc::ServerContext* context,
                                               const pb::GetTimelineRequest* request,
                                               pb::GetTimelineResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
    constexpr absl::string_view kSuffix = "/timeline";
    const absl::string_view name = request->name();
    if (!absl::EndsWith(name, kSuffix)) {
      return InvalidField("name", "must be \"plans/{plan}/timeline\"");
    }
    SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                         ParseResourceName(name.substr(0, name.size() - kSuffix.size()),
                                           {"plans"}, "name"));
    SIP_ASSIGN_OR_RETURN(Timeline t, book_->GetTimeline(ids[0]));
    ToProto(t, response->mutable_timeline());
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::ListDeadlines(grpc::ServerContext* context,
                                                 const pb::ListDeadlinesRequest* request,
                                                 pb::ListDeadlinesResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
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
    const std::string query =
        absl::StrCat("deadlines|", filter.responsible_unit_hsa_id, "|", request->state(), "|",
                     request->rule(), "|", request->due_before().seconds());
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), query));
    SIP_ASSIGN_OR_RETURN(auto page, book_->ListDeadlines(filter, page_size, after));
    for (const auto& listed : page.first) {
      ToProto(listed.deadline, listed.plan_id, listed.number, response->add_deadlines());
    }
    response->set_next_page_token(TokenFromCursor(page.second, query));
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
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
    return ServeEvents(*request, response, [&](int64_t after, int limit) {
      return book_->Events(after, limit);
    });
  });
}

}  // namespace sip::lifecycle
