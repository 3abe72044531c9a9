#include "common/authorizer.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace sip::authz {
namespace {

absl::Status NotVisible() {
  return WithReason(absl::PermissionDeniedError(
                        "the plan is not visible to your unit: only units taking part in it "
                        "and covered by the person's consent see it"),
                    "NOT_VISIBLE");
}

// A user's unit may see the plan.
bool Sees(const std::string& unit, const PlanAccess& plan) {
  if (unit.empty()) return false;
  if (!plan.consent_recorded) return unit == plan.initiating_unit_hsa_id;
  return plan.participant_unit_hsa_ids.count(unit) > 0 &&
         plan.covered_unit_hsa_ids.count(unit) > 0;
}

}  // namespace

absl::Status Authorize(const Subject& subject, Action action,
                       const std::optional<PlanAccess>& plan) {
  if (!subject.service.empty()) {
    const bool lifecycle = subject.service == "lifecycle";
    switch (action) {
      case Action::kRead:
      case Action::kConsent:
        // The facts a service checks before acting (consent to close, the plan to book a
        // meeting), also of a plan it has not heard of: the answer is then NOT_FOUND.
        return absl::OkStatus();
      case Action::kClose:
      case Action::kCloseForExpiry:
      case Action::kCloseForConsentEnded:
        // Which reasons are lifecycle's is the plan service's rule (plan::MayClose).
        return lifecycle && plan ? absl::OkStatus() : NotVisible();
      default:
        return NotVisible();
    }
  }
  if (action == Action::kConsent) {
    if (!plan || subject.unit_hsa_id.empty()) return NotVisible();
    const bool takes_part = plan->consent_recorded
                                ? plan->participant_unit_hsa_ids.count(subject.unit_hsa_id) > 0
                                : subject.unit_hsa_id == plan->initiating_unit_hsa_id;
    return takes_part ? absl::OkStatus() : NotVisible();
  }
  if (!plan || !Sees(subject.unit_hsa_id, *plan)) return NotVisible();
  switch (action) {
    case Action::kRead:
    case Action::kWrite:
      return absl::OkStatus();
    case Action::kClose:
      if (subject.unit_hsa_id == plan->coordinator_unit_hsa_id) return absl::OkStatus();
      // Before anyone has overall responsibility, the initiating unit closes.
      if (plan->coordinator_unit_hsa_id.empty() &&
          subject.unit_hsa_id == plan->initiating_unit_hsa_id) {
        return absl::OkStatus();
      }
      return WithReason(absl::PermissionDeniedError(
                            "only the coordinator's unit (samordningsansvarig) closes the "
                            "plan; ask the coordinator"),
                        "NOT_THE_COORDINATOR");
    default:
      // Expiry and ended consent are the lifecycle service's to act on.
      return WithReason(absl::PermissionDeniedError(
                            "plans are closed for expiry or ended consent by the lifecycle "
                            "service; close for the person's reason instead"),
                        "LIFECYCLE_ONLY");
  }
}

absl::Status AuthorizeOwnUnit(const Subject& subject, const std::string& unit_hsa_id) {
  if (!subject.service.empty() || subject.unit_hsa_id.empty() ||
      subject.unit_hsa_id != unit_hsa_id) {
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "a unit's inbox and work list are its own users' only; you act for ",
            subject.unit_hsa_id.empty() ? std::string("no unit") : subject.unit_hsa_id)),
        "NOT_YOUR_UNIT");
  }
  return absl::OkStatus();
}

}  // namespace sip::authz
