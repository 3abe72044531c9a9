#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/model.h"

// The consent domain (samtycke): pure types and rules, no gRPC and no SQL. Field paths in
// errors follow the API's request messages so that a caller can find them.
namespace sip::consent {

// Who gave, refused or withdrew consent.
enum class GiverRole { kIndividual, kGuardian, kTrustee, kAdministrator };

struct Giver {
  GiverRole role = GiverRole::kIndividual;
  // Required unless the giver is the individual.
  std::string name;
  friend bool operator==(const Giver& a, const Giver& b) {
    return a.role == b.role && a.name == b.name;
  }
};

// What the person decided when the consent was recorded.
enum class Decision { kGiven, kRefused };

// The state at a given time (see Consent::StateAt).
enum class State { kActive, kRefused, kWithdrawn, kExpired };

enum class HarmOutcome { kNoHarm, kRestricted };

// A harm assessment (menprövning), when the person's capacity for judgement is reduced.
struct HarmAssessment {
  Actor assessed_by;
  HarmOutcome outcome = HarmOutcome::kNoHarm;
  std::string note;
  // With outcome kRestricted: the units that must not receive information.
  std::vector<std::string> restricted_unit_hsa_ids;
};

struct Withdrawal {
  Giver withdrawn_by;
  CommunicationForm form = CommunicationForm::kWritten;
  absl::Time withdraw_time;
  Actor recorded_by;
  std::string note;
};

// One change of scope. Version 1 is the scope the consent was given with. Kept forever.
struct ScopeChange {
  int version = 1;
  std::vector<Unit> added_units;
  std::vector<std::string> removed_unit_hsa_ids;
  std::vector<OtherParty> added_others;
  std::vector<OtherParty> removed_others;
  Actor changed_by;
  absl::Time change_time;
  std::string reason;
};

// A consent to a plan, or a refusal.
struct Consent {
  std::string plan_id;
  std::string consent_id;
  Decision decision = Decision::kGiven;
  Giver giver;
  // Joint custody: the second guardian giving the consent with `giver`.
  std::optional<Giver> second_guardian;
  CommunicationForm form = CommunicationForm::kWritten;
  Actor recorded_by;
  absl::Time decision_time;
  std::optional<absl::Time> valid_until;
  bool individual_is_minor = false;
  std::string maturity_note;
  bool reduced_capacity = false;
  std::optional<HarmAssessment> harm_assessment;
  std::optional<Withdrawal> withdrawal;
  // The scope is the fold of this history, oldest first; empty for a refusal.
  std::vector<ScopeChange> scope_history;
  std::string note;
  absl::Time create_time;
  absl::Time update_time;
  // Increases with every change; the etag is derived from it.
  int64_t version = 1;

  State StateAt(absl::Time now) const;
  // The units and others covered now: every scope change applied in order.
  std::vector<Unit> CoveredUnits() const;
  std::vector<OtherParty> CoveredOthers() const;
  std::string Etag() const;
};

// What a caller supplies to record a consent given; the rest comes from the caller and
// the clock.
struct ConsentInput {
  Giver giver;
  std::optional<Giver> second_guardian;
  CommunicationForm form = CommunicationForm::kWritten;
  std::optional<absl::Time> decision_time;
  std::vector<Unit> covered_units;
  std::vector<OtherParty> covered_others;
  std::optional<absl::Time> valid_until;
  bool individual_is_minor = false;
  std::string maturity_note;
  bool reduced_capacity = false;
  std::optional<HarmAssessment> harm_assessment;
  std::string note;
  // Set from the plan, not by the caller: the person has protected identity, so no
  // giver's name is taken.
  bool protected_identity = false;
};

struct RefusalInput {
  Giver giver;
  CommunicationForm form = CommunicationForm::kWritten;
  std::optional<absl::Time> decision_time;
  std::string note;
  bool protected_identity = false;  // as in ConsentInput
};

struct ScopeChangeInput {
  std::vector<Unit> add_units;
  std::vector<std::string> remove_unit_hsa_ids;
  std::vector<OtherParty> add_others;
  std::vector<OtherParty> remove_others;
  std::string reason;
};

struct WithdrawalInput {
  Giver withdrawn_by;
  CommunicationForm form = CommunicationForm::kWritten;
  std::optional<absl::Time> withdraw_time;
  std::string note;
};

// Whether the individual is a minor follows from their birth date at the decision time
// (Swedish calendar days: 18 on the 18th birthday). With a birth date, sets
// `input.individual_is_minor` from it; INVALID_ARGUMENT on `consent.individual_is_minor`
// when the caller says minor of an adult. Without one (protected identity) the caller's
// word stands.
absl::Status DecideMinority(ConsentInput& input, const std::optional<absl::CivilDay>& birth_date,
                            absl::Time now);

// Builds a new given consent, checking every rule at once (INVALID_ARGUMENT listing the
// fields under "consent."). `consent_id` is left for the caller to assign.
absl::StatusOr<Consent> NewConsent(const std::string& plan_id, ConsentInput input,
                                   const Actor& caller, absl::Time now);

// What a caller is told besides the answer.
struct Warning {
  std::string code;
  std::string message;
  std::vector<std::string> unit_hsa_ids;
};

// The warnings of recording `consent` by `caller`: a consent that leaves the recording
// unit out takes the plan from it (the read rule: after consent, only the units it covers
// see the plan and everything under it), and the unit should know before it loses sight of
// the plan, not after.
std::vector<Warning> RecordWarnings(const Consent& consent, const Actor& caller);

// Builds a refusal (INVALID_ARGUMENT for bad input).
absl::StatusOr<Consent> NewRefusal(const std::string& plan_id, RefusalInput input,
                                   const Actor& caller, absl::Time now);

// Applies a change of scope to an active consent: FAILED_PRECONDITION unless active,
// INVALID_ARGUMENT for a change that makes no sense (adding a unit already covered,
// removing one that is not, removing every unit — withdraw instead, no reason).
absl::Status ChangeScope(Consent& consent, ScopeChangeInput input, const Actor& caller,
                         absl::Time now);

// Withdraws a consent: FAILED_PRECONDITION for a refusal, a consent already withdrawn, or
// one that expired before the withdrawal; INVALID_ARGUMENT for bad input.
absl::Status Withdraw(Consent& consent, WithdrawalInput input, const Actor& caller,
                      absl::Time now);

// The answer to "may this unit take part in the plan now?".
enum class Coverage {
  kCovered,
  kNoConsent,
  kRefused,
  kWithdrawn,
  kExpired,
  kNotInScope,
  kRestrictedByHarmAssessment,
};

struct UnitCoverage {
  std::string unit_hsa_id;
  Coverage coverage = Coverage::kNoConsent;
  // The consent the answer rests on; empty for kNoConsent.
  std::string consent_id;
  bool covered() const { return coverage == Coverage::kCovered; }
};

// Decides coverage from every consent recorded for a plan. The person's decisions are
// the consents given, the refusals and the withdrawals (at their withdraw time), in time
// order; the latest rules. A refusal or a withdrawal ends consent to the plan: no unit is
// covered (kRefused, kWithdrawn), and only a consent given after it covers again. So a
// unit is covered by any active consent given after the latest refusal or withdrawal
// that includes it, unless that consent's harm assessment restricts the unit
// (kRestrictedByHarmAssessment); failing that, kNotInScope when such a consent is active,
// else kExpired.
std::vector<UnitCoverage> CheckCoverage(const std::vector<Consent>& consents,
                                        const std::vector<std::string>& unit_hsa_ids,
                                        absl::Time now);

// What a plan's consents cover taken together, for the access projection: every unit
// CheckCoverage finds covered at `now`, with the time its coverage ends as the consents
// stand (the first time a consent's validity ends after which CheckCoverage no longer
// finds it covered), or nullopt while none of the ends does. Sorted by HSA-id.
struct CoveredUntil {
  std::string unit_hsa_id;
  std::optional<absl::Time> until;
};
std::vector<CoveredUntil> CoverageOfPlan(const std::vector<Consent>& consents, absl::Time now);

// The same for relatives and other parties: a party is covered by a consent that names
// one of the same kind whose description is the same, ignoring case and surrounding
// spaces ("Dotter" and "dotter "). A harm assessment restricts units only.
struct OtherCoverage {
  OtherParty other;
  Coverage coverage = Coverage::kNoConsent;
  std::string consent_id;
  bool covered() const { return coverage == Coverage::kCovered; }
};
std::vector<OtherCoverage> CheckOtherCoverage(const std::vector<Consent>& consents,
                                              const std::vector<OtherParty>& others,
                                              absl::Time now);

// Whether two parties are the same for consent: same kind, same description ignoring case
// and surrounding spaces.
bool SameParty(const OtherParty& a, const OtherParty& b);

}  // namespace sip::consent
