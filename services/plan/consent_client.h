#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "grpcpp/channel.h"
#include "services/plan/plan.h"
#include "sip/consent/v1/consent.grpc.pb.h"

namespace sip::plan {

// Asks whether the person's consent covers units of a plan now.
class ConsentChecker {
 public:
  virtual ~ConsentChecker() = default;
  // One answer per unit, in order. UNAVAILABLE when the consent service cannot answer.
  virtual absl::StatusOr<std::vector<ConsentAnswer>> Check(
      const std::string& plan_id, const std::vector<std::string>& unit_hsa_ids,
      const Actor& caller) = 0;
};

// The consent service over gRPC, through the common service client: the channel retries
// UNAVAILABLE by its service config (make it with MakePeerChannel), each call ends within
// `timeout` and never after the incoming call's deadline, answers keep their meaning, and
// the call is made on behalf of the same caller (unit and user).
class GrpcConsentChecker final : public ConsentChecker {
 public:
  GrpcConsentChecker(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
  absl::StatusOr<std::vector<ConsentAnswer>> Check(const std::string& plan_id,
                                                   const std::vector<std::string>& unit_hsa_ids,
                                                   const Actor& caller) override;

 private:
  std::unique_ptr<sip::consent::v1::ConsentService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace sip::plan
