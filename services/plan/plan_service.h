#pragma once

#include "services/plan/plan_book.h"
#include "sip/plan/v1/plan.grpc.pb.h"

namespace sip::plan {

// The ErrorInfo domain of this service's errors.
inline constexpr char kErrorDomain[] = "plan.sip.v1";

// The gRPC adapter: request validation of shape, names and ids; the book does the rest.
class PlanGrpcService final : public pb::PlanService::Service {
 public:
  explicit PlanGrpcService(PlanBook* book) : book_(book) {}

  grpc::Status CreatePlan(grpc::ServerContext* context, const pb::CreatePlanRequest* request,
                          pb::CreatePlanResponse* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context, const pb::GetPlanRequest* request,
                       pb::GetPlanResponse* response) override;
  grpc::Status GetAccessExtract(grpc::ServerContext* context,
                                const pb::GetAccessExtractRequest* request,
                                pb::GetAccessExtractResponse* response) override;
  grpc::Status ListPlans(grpc::ServerContext* context, const pb::ListPlansRequest* request,
                         pb::ListPlansResponse* response) override;
  grpc::Status UpdatePlan(grpc::ServerContext* context, const pb::UpdatePlanRequest* request,
                          pb::UpdatePlanResponse* response) override;
  grpc::Status EstablishPlan(grpc::ServerContext* context, const pb::EstablishPlanRequest* request,
                             pb::EstablishPlanResponse* response) override;
  grpc::Status RevisePlan(grpc::ServerContext* context, const pb::RevisePlanRequest* request,
                          pb::RevisePlanResponse* response) override;
  grpc::Status GetPlanRevision(grpc::ServerContext* context,
                               const pb::GetPlanRevisionRequest* request,
                               pb::GetPlanRevisionResponse* response) override;
  grpc::Status ListPlanRevisions(grpc::ServerContext* context,
                                 const pb::ListPlanRevisionsRequest* request,
                                 pb::ListPlanRevisionsResponse* response) override;
  grpc::Status RecordFollowUp(grpc::ServerContext* context,
                              const pb::RecordFollowUpRequest* request,
                              pb::RecordFollowUpResponse* response) override;
  grpc::Status ListFollowUps(grpc::ServerContext* context, const pb::ListFollowUpsRequest* request,
                             pb::ListFollowUpsResponse* response) override;
  grpc::Status ListChangedCircumstances(grpc::ServerContext* context,
                                        const pb::ListChangedCircumstancesRequest* request,
                                        pb::ListChangedCircumstancesResponse* response) override;
  grpc::Status RecordChangedCircumstances(
      grpc::ServerContext* context, const pb::RecordChangedCircumstancesRequest* request,
      pb::RecordChangedCircumstancesResponse* response) override;
  grpc::Status ClosePlan(grpc::ServerContext* context, const pb::ClosePlanRequest* request,
                         pb::ClosePlanResponse* response) override;
  grpc::Status RenderPlanCopy(grpc::ServerContext* context,
                              const pb::RenderPlanCopyRequest* request,
                              pb::RenderPlanCopyResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const pb::ListEventsRequest* request,
                          pb::ListEventsResponse* response) override;

 private:
  PlanBook* book_;
};

}  // namespace sip::plan
