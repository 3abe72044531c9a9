#pragma once

#include "services/lifecycle/lifecycle_book.h"
#include "sip/lifecycle/v1/lifecycle.grpc.pb.h"

namespace sip::lifecycle {

// The ErrorInfo domain of this service's errors.
inline constexpr char kErrorDomain[] = "lifecycle.sip.v1";

// The gRPC adapter: names, filters, page tokens and the timeline's proto form.
class LifecycleGrpcService final : public pb::LifecycleService::Service {
 public:
  explicit LifecycleGrpcService(LifecycleBook* book) : book_(book) {}

  grpc::Status GetTimeline(grpc::ServerContext* context, const pb::GetTimelineRequest* request,
                           pb::GetTimelineResponse* response) override;
  grpc::Status ListDeadlines(grpc::ServerContext* context,
                             const pb::ListDeadlinesRequest* request,
                             pb::ListDeadlinesResponse* response) override;
  grpc::Status AgreeLaterMeeting(grpc::ServerContext* context,
                                 const pb::AgreeLaterMeetingRequest* request,
                                 pb::AgreeLaterMeetingResponse* response) override;
  grpc::Status GetComplianceReport(grpc::ServerContext* context,
                                   const pb::GetComplianceReportRequest* request,
                                   pb::GetComplianceReportResponse* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context, const pb::GetPolicyRequest* request,
                         pb::GetPolicyResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const pb::ListEventsRequest* request,
                          pb::ListEventsResponse* response) override;

 private:
  LifecycleBook* book_;
};

}  // namespace sip::lifecycle
