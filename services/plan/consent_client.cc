#include "services/plan/consent_client.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/model_json.h"
#include "grpcpp/client_context.h"

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
                                       absl::Duration timeout, int max_attempts)
    : stub_(cpb::ConsentService::NewStub(std::move(channel))),
      timeout_(timeout),
      max_attempts_(max_attempts < 1 ? 1 : max_attempts) {}

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
    grpc::Status status;
    absl::Duration backoff = absl::Milliseconds(100);
    for (int attempt = 1; attempt <= max_attempts_; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
      context.AddMetadata(kUnitHsaIdHeader, caller.unit.hsa_id);
      context.AddMetadata(kUnitPrincipalHeader, PrincipalKindName(caller.unit.principal));
      context.AddMetadata(kUserIdHeader, caller.user_id);
      status = stub_->CheckConsent(&context, request, &response);
      const bool retryable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                             status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
      if (!retryable || attempt == max_attempts_) break;
      std::this_thread::sleep_for(absl::ToChronoNanoseconds(backoff));
      backoff *= 2;
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      log::Warn("consent_unavailable", {{"error", status.error_message()}});
      return WithReason(absl::UnavailableError(
                            "the consent service cannot be reached to confirm the person's "
                            "consent; retry the call shortly"),
                        "CONSENT_SERVICE_UNAVAILABLE");
    }
    if (!status.ok()) {
      return absl::InternalError(absl::StrCat("consent service answered ",
                                              status.error_code(), ": ",
                                              status.error_message()));
    }
    for (const auto& unit : response.units()) {
      answers.push_back({unit.unit_hsa_id(), unit.covered(), ReasonName(unit.reason())});
    }
  }
  return answers;
}

}  // namespace sip::plan
