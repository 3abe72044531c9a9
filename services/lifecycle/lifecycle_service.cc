#include "services/lifecycle/lifecycle_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_handler.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "services/lifecycle/lifecycle_proto.h"
#include "services/lifecycle/lifecycle_requests.h"

namespace sip::lifecycle {

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
    SIP_ASSIGN_OR_RETURN(DeadlineQuery wanted, DeadlineQueryOf(*request));
    LifecycleStore::DeadlineFilter filter;
    filter.responsible_unit_hsa_id = wanted.responsible_unit_hsa_id;
    filter.state = wanted.state;
    filter.rule = wanted.rule;
    filter.due_before = wanted.due_before;
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
    SIP_ASSIGN_OR_RETURN(absl::CivilDay day, AgreedDayOf(*request));
    SIP_ASSIGN_OR_RETURN(*response,
                         book_->AgreeLaterMeeting(plan_id, day, request->reason(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::GetComplianceReport(
    grpc::ServerContext* context, const pb::GetComplianceReportRequest* request,
    pb::GetComplianceReportResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(ReportQuery q, ReportQueryOf(*request));
    SIP_ASSIGN_OR_RETURN(*response, book_->Report(q.start, q.end, q.region_code, q.unit_hsa_id,
                                                  q.municipality_code));
    return absl::OkStatus();
  });
}

grpc::Status LifecycleGrpcService::GetPolicy(grpc::ServerContext* context,
                                             const pb::GetPolicyRequest* request,
                                             pb::GetPolicyResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller&) -> absl::Status {
    SIP_RETURN_IF_ERROR(CheckPolicyRegion(*request));
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
