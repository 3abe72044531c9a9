#include "services/plan/plan_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_handler.h"
#include "common/hsa_id.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/personnummer.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::common::v1;

absl::StatusOr<std::string> PlanIdOf(const std::string& name, absl::string_view field) {
  SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids, ParseResourceName(name, {"plans"}, field));
  return ids[0];
}

// "plans/{plan}/revisions/{n}" → (plan, n); "plans/{plan}" → (plan, 0) when `latest_ok`.
absl::StatusOr<std::pair<std::string, int>> RevisionOf(const std::string& name,
                                                       bool latest_ok) {
  if (latest_ok) {
    auto plan = ParseResourceName(name, {"plans"}, "name");
    if (plan.ok()) return std::make_pair((*plan)[0], 0);
  }
  auto ids = ParseResourceName(name, {"plans", "revisions"}, "name");
  int n = 0;
  if (!ids.ok() || !absl::SimpleAtoi((*ids)[1], &n) || n < 1) {
    return InvalidField("name", latest_ok
                                    ? "must be \"plans/{plan}/revisions/{revision}\" (1, 2, …) "
                                      "or \"plans/{plan}\" for the latest revision"
                                    : "must be \"plans/{plan}/revisions/{revision}\" with "
                                      "revision 1, 2, …");
  }
  return std::make_pair((*ids)[0], n);
}

}  // namespace

grpc::Status PlanGrpcService::CreatePlan(grpc::ServerContext* context,
                                         const pb::CreatePlanRequest* request,
                                         pb::CreatePlanResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("CreatePlan", *request));
    if (!request->has_plan()) return InvalidField("plan", "is required: the plan to initiate");
    SIP_ASSIGN_OR_RETURN(*response->mutable_plan(), book_->Create(request->plan(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::GetPlan(grpc::ServerContext* context,
                                      const pb::GetPlanRequest* request,
                                      pb::GetPlanResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(*response->mutable_plan(), book_->Get(plan_id, caller));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::GetAccessExtract(grpc::ServerContext* context,
                                               const pb::GetAccessExtractRequest* request,
                                               pb::GetAccessExtractResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    Violations v;
    const absl::Time now = book_->Now();
    std::string digits;
    if (request->personal_identity_number().empty()) {
      v.Add("personal_identity_number", "is required: the person whose extract it is");
    } else {
      auto pin = ParsePersonalIdentityNumber(request->personal_identity_number(),
                                             TodayInSweden(now));
      if (pin.ok()) {
        digits = pin->digits;
      } else {
        v.Add("personal_identity_number", std::string(pin.status().message()));
      }
    }
    std::optional<absl::Time> start, end = now;
    if (!request->has_start_time()) {
      v.Add("start_time", "is required: the start of the period the extract covers");
    } else {
      start = TimeFromProto(request->start_time(), "start_time", v);
    }
    if (request->has_end_time()) end = TimeFromProto(request->end_time(), "end_time", v);
    if (start && end && *end <= *start) v.Add("end_time", "must be after start_time");
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(*response,
                         book_->AccessExtract(digits, *start, *end, caller, caller.role));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::ListPlans(grpc::ServerContext* context,
                                        const pb::ListPlansRequest* request,
                                        pb::ListPlansResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    Violations v;
    PlanFilter filter;
    if (!request->personal_identity_number().empty()) {
      auto pin = ParsePersonalIdentityNumber(request->personal_identity_number(),
                                             TodayInSweden(book_->Now()));
      if (pin.ok()) {
        filter.personal_identity_number = pin->digits;
      } else {
        v.Add("personal_identity_number", std::string(pin.status().message()));
      }
    }
    for (const auto& [value, field, out] :
         std::vector<std::tuple<const std::string*, const char*, std::string*>>{
             {&request->participant_unit_hsa_id(), "participant_unit_hsa_id",
              &filter.participant_unit_hsa_id},
             {&request->responsible_unit_hsa_id(), "responsible_unit_hsa_id",
              &filter.responsible_unit_hsa_id}}) {
      if (value->empty()) continue;
      if (!IsValidHsaId(*value)) v.Add(field, kHsaIdFormat);
      *out = *value;
    }
    switch (request->state()) {
      case cpb::PLAN_STATE_UNSPECIFIED: break;
      case cpb::PLAN_STATE_INITIATED: filter.state = "INITIATED"; break;
      case cpb::PLAN_STATE_ACTIVE: filter.state = "ACTIVE"; break;
      case cpb::PLAN_STATE_CLOSED: filter.state = "CLOSED"; break;
      default: v.Add("state", "must be INITIATED, ACTIVE or CLOSED");
    }
    SIP_RETURN_IF_ERROR(v.ToStatus());
    if (filter.personal_identity_number.empty() && filter.participant_unit_hsa_id.empty() &&
        filter.responsible_unit_hsa_id.empty() && !filter.state) {
      return InvalidField("personal_identity_number",
                          "at least one filter is required: personal_identity_number, "
                          "participant_unit_hsa_id, responsible_unit_hsa_id or state");
    }
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), PageQueryOf(*request)));
    SIP_ASSIGN_OR_RETURN(PlanStore::PlanPage page, book_->List(filter, caller, page_size, after));
    for (StoredPlan& p : page.plans) *response->add_plans() = std::move(p.plan);
    response->set_next_page_token(TokenFromCursor(page.next, PageQueryOf(*request)));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::UpdatePlan(grpc::ServerContext* context,
                                         const pb::UpdatePlanRequest* request,
                                         pb::UpdatePlanResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->plan().name(), "plan.name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("UpdatePlan", *request));
    SIP_ASSIGN_OR_RETURN(*response->mutable_plan(),
                         book_->Update(plan_id, request->plan(), request->update_mask(), caller,
                                       key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::EstablishPlan(grpc::ServerContext* context,
                                            const pb::EstablishPlanRequest* request,
                                            pb::EstablishPlanResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->name(), "name"));
    if (!request->meeting().empty()) {
      SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                           ParseResourceName(request->meeting(), {"plans", "meetings"}, "meeting"));
      if (ids[0] != plan_id) {
        return InvalidField("meeting", "must be a meeting of the plan being established");
      }
    }
    std::optional<absl::Time> held;
    if (request->has_meeting_time()) {
      Violations v;
      held = TimeFromProto(request->meeting_time(), "meeting_time", v);
      SIP_RETURN_IF_ERROR(v.ToStatus());
    }
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("EstablishPlan", *request));
    SIP_ASSIGN_OR_RETURN(*response->mutable_plan(),
                         book_->Establish(plan_id, request->etag(), request->meeting(), held,
                                          caller, key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::RevisePlan(grpc::ServerContext* context,
                                         const pb::RevisePlanRequest* request,
                                         pb::RevisePlanResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RevisePlan", *request));
    SIP_ASSIGN_OR_RETURN(*response->mutable_revision(),
                         book_->Revise(plan_id, request->reason(), request->note(),
                                       request->etag(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::GetPlanRevision(grpc::ServerContext* context,
                                              const pb::GetPlanRevisionRequest* request,
                                              pb::GetPlanRevisionResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto which, RevisionOf(request->name(), false));
    SIP_ASSIGN_OR_RETURN(*response->mutable_revision(),
                         book_->GetRevision(which.first, which.second, caller));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::ListPlanRevisions(grpc::ServerContext* context,
                                                const pb::ListPlanRevisionsRequest* request,
                                                pb::ListPlanRevisionsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), PageQueryOf(*request)));
    SIP_ASSIGN_OR_RETURN(auto page, book_->ListRevisions(plan_id, caller, page_size, after));
    for (auto& r : page.first) *response->add_revisions() = std::move(r);
    response->set_next_page_token(TokenFromCursor(page.second, PageQueryOf(*request)));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::RecordFollowUp(grpc::ServerContext* context,
                                             const pb::RecordFollowUpRequest* request,
                                             pb::RecordFollowUpResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RecordFollowUp", *request));
    if (!request->has_follow_up()) {
      return InvalidField("follow_up", "is required: the follow-up to record");
    }
    SIP_ASSIGN_OR_RETURN(*response->mutable_follow_up(),
                         book_->RecordFollowUp(plan_id, request->follow_up(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::ListFollowUps(grpc::ServerContext* context,
                                            const pb::ListFollowUpsRequest* request,
                                            pb::ListFollowUpsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), PageQueryOf(*request)));
    SIP_ASSIGN_OR_RETURN(auto page, book_->ListFollowUps(plan_id, caller, page_size, after));
    for (auto& f : page.first) *response->add_follow_ups() = std::move(f);
    response->set_next_page_token(TokenFromCursor(page.second, PageQueryOf(*request)));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::ListChangedCircumstances(
    grpc::ServerContext* context, const pb::ListChangedCircumstancesRequest* request,
    pb::ListChangedCircumstancesResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    const std::string query = PageQueryOf(*request);
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), query));
    SIP_ASSIGN_OR_RETURN(auto page, book_->ListCircumstances(plan_id, caller, page_size, after));
    for (auto& c : page.first) *response->add_circumstances() = std::move(c);
    response->set_next_page_token(TokenFromCursor(page.second, query));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::RecordChangedCircumstances(
    grpc::ServerContext* context, const pb::RecordChangedCircumstancesRequest* request,
    pb::RecordChangedCircumstancesResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RecordChangedCircumstances", *request));
    Violations v;
    CircumstanceChange change;
    change.kind = request->kind();
    if (!request->has_effective_date()) {
      v.Add("effective_date", "is required: the day the change took or takes effect");
    } else if (auto day = DayFromProto(request->effective_date())) {
      change.effective_date = *day;
    } else {
      v.Add("effective_date", "is not a valid calendar date");
    }
    if (request->has_new_unit()) change.new_unit = UnitFromProto(request->new_unit(), "new_unit", v);
    change.note = request->note();
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(*response->mutable_plan(),
                         book_->RecordCircumstances(plan_id, std::move(change),
                                                    request->etag(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::ClosePlan(grpc::ServerContext* context,
                                        const pb::ClosePlanRequest* request,
                                        pb::ClosePlanResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanIdOf(request->name(), "name"));
    SIP_RETURN_IF_ERROR(MayClose(request->closure().reason(), caller.service));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("ClosePlan", *request));
    SIP_ASSIGN_OR_RETURN(*response->mutable_plan(),
                         book_->Close(plan_id, request->closure(), request->etag(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::RenderPlanCopy(grpc::ServerContext* context,
                                             const pb::RenderPlanCopyRequest* request,
                                             pb::RenderPlanCopyResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto which, RevisionOf(request->name(), true));
    if (!pb::CopyFormat_IsValid(request->format())) {
      return InvalidField("format", "must be TEXT or HTML");
    }
    SIP_ASSIGN_OR_RETURN(PlanBook::Copy copy,
                         book_->RenderCopy(which.first, which.second,
                                           request->format() == pb::COPY_FORMAT_HTML, caller));
    response->set_content(std::move(copy.content));
    response->set_media_type(std::move(copy.media_type));
    response->set_revision(std::move(copy.revision));
    return absl::OkStatus();
  });
}

grpc::Status PlanGrpcService::ListEvents(grpc::ServerContext* context,
                                         const pb::ListEventsRequest* request,
                                         pb::ListEventsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    return ServeEvents(*request, response, caller, [&](int64_t after, int limit, const std::string& reader) {
      return book_->Events(after, limit, reader);
    });
  });
}

}  // namespace sip::plan
