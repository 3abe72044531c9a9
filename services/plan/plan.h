#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/calendar.h"
#include "common/model.h"
#include "common/peer_facts.h"
#include "google/protobuf/field_mask.pb.h"
#include "sip/plan/v1/plan.pb.h"

// The plan domain: the rules of a SIP, as plain functions over the plan document.
//
// The plan's content is a large document whose schema is the published contract, so the
// domain works on the contract's messages (sip.plan.v1.Plan and friends) as data types;
// everything here is free of gRPC and SQL and is tested on its own. Field paths in errors
// follow the API's request messages.
namespace sip::plan {

namespace pb = ::sip::plan::v1;

// Swedish local time: every calendar day of the domain (follow-up dates, "today") is a
// day in Europe/Stockholm (common/calendar.h: Stockholm, TodayInSweden, DayFromProto).

// A plan as stored: the document and its version (the etag's source).
struct StoredPlan {
  std::string plan_id;
  pb::Plan plan;
  int64_t version = 1;
};

std::string EtagOf(int64_t version);

// Protected identity (skyddade personuppgifter): clears the personnummer, name, address
// and phone of the individual and of every representative (roles stay), marks it
// protected and sets the responsible unit's `local_reference`. Used on the plan, on every
// earlier revision and on every stored answer when a plan switches.
void RemoveIdentifyingDetails(pb::Individual* individual, const std::string& local_reference);
// True when a change turns an ordinary plan into one with protected identity.
bool SwitchesToProtectedIdentity(const pb::Individual& before, const pb::Individual& after);

// Builds a new plan (state INITIATED) from the caller's input: validates every field at
// once (INVALID_ARGUMENT under "plan."), canonicalises the personnummer, assigns ids to
// goals and interventions, and sets the output-only fields. The id is assigned by the
// caller.
absl::StatusOr<pb::Plan> NewPlan(pb::Plan input, const Actor& caller, absl::Time now);

// Applies `patch` to `plan` for the paths of `mask` (a whole field per path; repeated
// fields are replaced). FAILED_PRECONDITION for a closed plan; INVALID_ARGUMENT for an
// empty mask, an unknown or output-only path, or content that breaks a rule. Returns the
// changed top-level fields.
absl::StatusOr<std::vector<std::string>> ApplyUpdate(pb::Plan& plan, const pb::Plan& patch,
                                                     const google::protobuf::FieldMask& mask,
                                                     absl::Time now);

// What the law requires before a plan can be established and is missing (empty when
// nothing is): needs, interventions each with a responsible party, interventions of both
// the kommun and the region, and a principal with overall responsibility.
std::vector<std::string> MissingForEstablishment(const pb::Plan& plan);

// The units whose participation the person's consent must cover when they get the plan
// (at establishment, and with every revision): every unit taking part.
std::vector<std::string> UnitsRequiringConsent(const pb::Plan& plan);

// Every unit taking part: participants, responsible units, the unit with overall
// responsibility, the coordinator's unit and the initiating unit. Sorted, no duplicates.
std::vector<std::string> ParticipantUnitIds(const pb::Plan& plan);

// The plan's region (länskod) from its units: the unit with overall responsibility first,
// then the responsible units, then the participants; a region unit gives its code, a
// kommun unit its municipality's region. Empty while no unit says.
std::string RegionFromUnits(const pb::Plan& plan);
// The plan's kommun (kommunkod) from its kommun units, in the same order; empty if none.
std::string MunicipalityFromUnits(const pb::Plan& plan);

// The role (a token's `role` claim) of a user who produces the person's extract of the
// access log for their principal: the person's right to the extract does not end with
// consent, so such a user also gets the plans their unit no longer sees.
inline constexpr char kLogReviewRole[] = "LOG_REVIEW";

// True when a unit of the principal (the organisation, by the organisation number in
// the HSA-id, e.g. "SE2321000131") that `unit_hsa_id` belongs to takes part in the plan.
bool PrincipalTookPart(const pb::Plan& plan, const std::string& unit_hsa_id);

// The units taking part in `after` that did not in `before` (sorted).
std::vector<std::string> UnitsAdded(const pb::Plan& before, const pb::Plan& after);
// The units responsible for at least one intervention. Sorted, without duplicates.
std::vector<std::string> ResponsibleUnitIds(const pb::Plan& plan);


// Whether the plan could be established now, apart from consent: FAILED_PRECONDITION
// when closed (PLAN_CLOSED), already established (PLAN_ALREADY_ESTABLISHED) or
// incomplete (PLAN_INCOMPLETE, a PreconditionFailure listing what is missing).
absl::Status CheckEstablishable(const pb::Plan& plan);

// Establishes an INITIATED plan: FAILED_PRECONDITION (reason PLAN_INCOMPLETE) listing
// what is missing, or (CONSENT_NOT_ACTIVE) naming the units not covered by consent.

// OK when the consent service's `answers` say WITHDRAWN for every one of `units`, the
// condition for closing a plan with reason CONSENT_WITHDRAWN; otherwise
// FAILED_PRECONDITION `CONSENT_NOT_WITHDRAWN` saying what it answered.
// OK when the consent service's answer for every unit is `expected` ("WITHDRAWN",
// "REFUSED"); FAILED_PRECONDITION CONSENT_NOT_WITHDRAWN / CONSENT_NOT_REFUSED otherwise.
absl::Status RequireConsentAnswer(const std::vector<std::string>& units,
                                  const std::vector<ConsentAnswer>& answers,
                                  const std::string& expected);
absl::Status RequireWithdrawn(const std::vector<std::string>& units,
                              const std::vector<ConsentAnswer>& answers);

// Sets state ACTIVE, revision 1 and establish_time, and returns revision 1.
// The person's consent is checked before (RequireConsent of UnitsRequiringConsent).
// `meeting` (the SIP meeting it was established at, and when) is stored on the plan and
// so in revision 1.
absl::StatusOr<pb::PlanRevision> Establish(pb::Plan& plan, const std::string& plan_id,
                                           const pb::EstablishingMeeting& meeting,
                                           const Actor& caller, absl::Time now);

// Revises an ACTIVE plan: a new immutable snapshot with a reason. The content must still
// hold what the law requires.
absl::StatusOr<pb::PlanRevision> Revise(pb::Plan& plan, const std::string& plan_id,
                                        pb::RevisionReason reason, const std::string& note,
                                        const Actor& caller, absl::Time now);

// Validates and completes a follow-up of an ACTIVE plan (id assigned by the caller).
absl::StatusOr<pb::FollowUp> NewFollowUp(const pb::Plan& plan, pb::FollowUp input,
                                         const Actor& caller, absl::Time now);

// A change of circumstances, as recorded.
struct CircumstanceChange {
  pb::CircumstanceKind kind = pb::CIRCUMSTANCE_KIND_UNSPECIFIED;
  absl::CivilDay effective_date;
  std::optional<Unit> new_unit;
  std::string note;
  Actor recorded_by;
  absl::Time record_time;
};

// Validates a change of circumstances for a plan that is not closed, and marks the plan
// updated.
absl::Status RecordCircumstances(pb::Plan& plan, const CircumstanceChange& change);

// Closes a plan that is not closed yet.
absl::Status Close(pb::Plan& plan, pb::Closure closure, const Actor& caller, absl::Time now);

// Who may close for `reason`, asked before the plan is read (so the answer says nothing of
// whether it exists). `service` is the suite service acting on its own (Caller::service),
// empty for a user. A plan is forfeited (EXPIRED), and closed for a withdrawn or refused
// consent (CONSENT_WITHDRAWN, CONSENT_REFUSED), only by the lifecycle service, and a
// service acting on its own closes only as the lifecycle service, for what that service
// closes for (EXPIRED, CONSENT_WITHDRAWN, CONSENT_REFUSED, MOVED_OUT_OF_REGION); anything
// else is PERMISSION_DENIED, reason CLOSURE_NOT_ALLOWED.
absl::Status MayClose(pb::ClosureReason reason, const std::string& service);

// FAILED_PRECONDITION (PLAN_CLOSED) for a closed plan.
absl::Status RequireOpen(const pb::Plan& plan);

// Calendar days in the API.

}  // namespace sip::plan
