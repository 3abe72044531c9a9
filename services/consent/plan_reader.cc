#include "services/consent/plan_reader.h"

#include "absl/strings/str_cat.h"
#include "common/personnummer.h"
#include "common/service_client.h"
#include "common/status_macros.h"

namespace sip::consent {

GrpcPlanReader::GrpcPlanReader(std::shared_ptr<grpc::ChannelInterface> channel,
                               absl::Duration timeout)
    : stub_(sip::plan::v1::PlanService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::StatusOr<PlanFacts> GrpcPlanReader::Facts(const std::string& plan_id,
                                                const Actor& caller) {
  sip::plan::v1::GetPlanRequest request;
  request.set_name(absl::StrCat("plans/", plan_id));
  sip::plan::v1::GetPlanResponse response;
  auto context = PeerCallContext(caller, timeout_);
  SIP_RETURN_IF_ERROR(FromPeerStatus(stub_->GetPlan(context.get(), request, &response), "plan"));
  PlanFacts facts;
  facts.closed = response.plan().state() == sip::common::v1::PLAN_STATE_CLOSED;
  facts.protected_identity = response.plan().individual().protected_identity();
  const std::string& number = response.plan().individual().personal_identity_number();
  if (!number.empty()) {
    // The plan service stores the canonical 12 digits; no century to guess.
    auto parsed = ParsePersonalIdentityNumber(number, absl::CivilDay(2200, 1, 1));
    if (!parsed.ok()) {
      return absl::InternalError("the plan service returned an unreadable personnummer");
    }
    facts.birth_date = parsed->birth_date;
  }
  return facts;
}

}  // namespace sip::consent
