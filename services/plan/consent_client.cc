#include "services/plan/consent_client.h"

#include "absl/strings/str_cat.h"
#include "common/service_client.h"
#include "common/status_macros.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::consent::v1;

constexpr int kMaxUnitsPerCall = 100;  // CheckConsent's limit

std::string ReasonName(cpb::CoverageReason r) {
  const std::string name = cpb::CoverageReason_Name(r);
  constexpr absl::string_view kPrefix = "COVERAGE_REASON_";
  return name.rfind(kPrefix.data(), 0) == 0 ? name.substr(kPrefix.size()) : name;
}

}  // namespace

GrpcConsentChecker::GrpcConsentChecker(std::shared_ptr<grpc::ChannelInterface> channel,
                                       absl::Duration timeout)
    : stub_(cpb::ConsentService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::StatusOr<std::vector<ConsentAnswer>> GrpcConsentChecker::Check(
    const std::string& plan_id, const std::vector<std::string>& unit_hsa_ids,
    const Actor& caller) {
  std::vector<ConsentAnswer> answers;
  for (size_t start = 0; start < unit_hsa_ids.size(); start += kMaxUnitsPerCall) {
    cpb::CheckConsentRequest request;
    request.set_parent(absl::StrCat("plans/", plan_id));
    for (size_t i = start; i < unit_hsa_ids.size() && i < start + kMaxUnitsPerCall; ++i) {
      request.add_unit_hsa_ids(unit_hsa_ids[i]);
    }
    cpb::CheckConsentResponse response;
    auto context = PeerCallContext(caller, timeout_);
    SIP_RETURN_IF_ERROR(
        FromPeerStatus(stub_->CheckConsent(context.get(), request, &response), "consent"));
    for (const auto& unit : response.units()) {
      answers.push_back({unit.unit_hsa_id(), unit.covered(), ReasonName(unit.reason())});
    }
  }
  return answers;
}

}  // namespace sip::plan
