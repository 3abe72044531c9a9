#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "grpcpp/channel.h"
#include "sip/plan/v1/plan.grpc.pb.h"

namespace sip::consent {

// What the consent service must know of a plan before recording a decision for it.
struct PlanFacts {
  bool closed = false;
  // The individual's birth date, from the personnummer or samordningsnummer; none for a
  // person with protected identity (the plan stores no number).
  std::optional<absl::CivilDay> birth_date;
  // The person has protected identity: no names of givers are taken.
  bool protected_identity = false;
};

// Asks the plan service about a plan. NOT_FOUND (reason PLAN_NOT_FOUND) for an unknown
// plan; UNAVAILABLE when the plan service cannot answer.
class PlanReader {
 public:
  virtual ~PlanReader() = default;
  virtual absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor& caller) = 0;
};

// The plan service's GetPlan, through the common service client (deadline, retries,
// errors by meaning), on behalf of the caller.
class GrpcPlanReader final : public PlanReader {
 public:
  GrpcPlanReader(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
  absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor& caller) override;

 private:
  std::unique_ptr<sip::plan::v1::PlanService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace sip::consent
