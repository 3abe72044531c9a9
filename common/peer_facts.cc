#include "common/peer_facts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace sip {

absl::Status RequireConsent(const std::vector<std::string>& units,
                            const std::vector<ConsentAnswer>& answers) {
  std::vector<PreconditionViolation> missing;
  for (const std::string& unit : units) {
    const auto answer = std::find_if(answers.begin(), answers.end(),
                                     [&](const ConsentAnswer& a) { return a.unit_hsa_id == unit; });
    if (answer == answers.end()) {
      // Absent means not covered: never assume what the consent service did not say.
      missing.push_back({"CONSENT", unit,
                         "the consent service gave no answer for this unit; it is not "
                         "covered until it does"});
    } else if (!answer->covered) {
      missing.push_back({"CONSENT", unit,
                         absl::StrCat("not covered by an active consent (", answer->reason,
                                      "); record the person's consent for this unit")});
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return FailedPreconditions("CONSENT_NOT_ACTIVE",
                             "the person's consent does not cover every unit that would get "
                             "the plan",
                             missing);
}

}  // namespace sip
