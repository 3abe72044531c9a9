#pragma once

#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"

// Who may see and change a plan (issue 10, first layer): the rules of "Who may see what"
// as plain code, for every service to ask before it answers. A service keeps the facts it
// needs locally (common/plan_access.h: from events), so deciding costs no call to
// another service; PlanGate asks it in every handler before anything is read.
namespace sip::authz {

// What a service knows of one plan, to decide access to it and everything under it
// (consents, meetings and invitations, revisions, follow-ups, copies, timeline, deadlines).
struct PlanAccess {
  // The unit that initiated the plan: before any consent, the only one that sees it.
  std::string initiating_unit_hsa_id;
  // The units taking part: participants, responsible units, the coordinator's, and the
  // units invited to the plan's meetings.
  std::set<std::string> participant_unit_hsa_ids;
  // The units the person's consent covers now.
  std::set<std::string> covered_unit_hsa_ids;
  // True once any consent decision (given, refused, withdrawn) has been recorded.
  bool consent_recorded = false;
  // The coordinator's unit (samordningsansvarig): the one that closes the plan.
  std::string coordinator_unit_hsa_id;
};

// Who asks: a user acting for a unit, or one of the suite's services acting on its own.
struct Subject {
  std::string unit_hsa_id;
  std::string user_id;
  // Set for a service acting on its own: "lifecycle", "meeting", "consent", "plan".
  std::string service;
};

enum class Action {
  kRead,                      // any read of the plan or what is under it
  kConsent,                   // reading or recording the person's consent decisions
  kWrite,                     // any change of the plan or what is under it, but closing
  kClose,                     // closing for a person's reason (goals met, moved, …)
  kCloseForExpiry,            // the lifecycle service: forfeited past its policy
  kCloseForConsentEnded,      // the lifecycle service: consent withdrawn or refused
};

// OK, or PERMISSION_DENIED with reason NOT_VISIBLE. Permission comes before existence: a
// plan the service does not know (`plan` nullopt) gets the same answer as one the caller
// may not see, so an outsider cannot learn which plans exist.
//  - A user's unit sees and changes a plan before any consent only as its initiating unit;
//    after, only when it takes part in the plan and the consent covers it.
//  - The person's consent decisions (the consent service) are every taking part unit's,
//    covered or not: a unit learns that it is not covered and why, and a new consent
//    can be recorded after a withdrawal or refusal, which leaves no unit covered.
//  - Closing for a person's reason is the coordinator's unit's (which must also see it);
//    before anyone has overall responsibility, the initiating unit's.
//  - Services acting on their own read (the facts they check before acting: the answer
//    for a plan they do not know is the service's NOT_FOUND); lifecycle also closes, for
//    the reasons plan::MayClose gives it; none writes anything else.
absl::Status Authorize(const Subject& subject, Action action,
                       const std::optional<PlanAccess>& plan);

// A unit's own lists (its inbox, its work list): only its own users.
absl::Status AuthorizeOwnUnit(const Subject& subject, const std::string& unit_hsa_id);

}  // namespace sip::authz
