#include "common/peer_facts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace sip {

absl::Status RequireConsent(const std::vector<std::string>& subjects,
                            const std::vector<ConsentAnswer>& answers) {
  std::vector<PreconditionViolation> missing;
  for (const std::string& subject : subjects) {
    const auto answer = std::find_if(answers.begin(), answers.end(),
                                     [&](const ConsentAnswer& a) { return a.subject == subject; });
    if (answer == answers.end()) {
      // Absent means not covered: never assume what the consent service did not say.
      missing.push_back({"CONSENT", subject,
                         "the consent service gave no answer for it; it is not covered until "
                         "it does"});
    } else if (!answer->covered) {
      missing.push_back({"CONSENT", subject,
                         absl::StrCat("not covered by an active consent (", answer->reason,
                                      "); record the person's consent for it")});
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return FailedPreconditions("CONSENT_NOT_ACTIVE",
                             "the person's consent does not cover every unit or party that "
                             "would take part",
                             missing);
}

}  // namespace sip
