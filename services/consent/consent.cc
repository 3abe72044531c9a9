#include "services/consent/consent.h"

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace sip::consent {
namespace {

constexpr size_t kMaxName = 200;
constexpr size_t kMaxNote = 4000;
constexpr size_t kMaxUnits = 100;

bool Blank(const std::string& s) {
  return absl::StripAsciiWhitespace(s).empty();
}

// `protected_identity`: the person has protected identity (skyddade personuppgifter); a
// representative's name could lead to them, so none is taken, the role only.
void CheckGiver(const Giver& giver, const std::string& field, Violations& v,
                bool protected_identity = false) {
  if (protected_identity) {
    if (!giver.name.empty()) {
      v.Add(field + ".name",
            "must be empty for a person with protected identity: a name could lead to the "
            "person; record the role only");
    }
    return;
  }
  if (giver.role != GiverRole::kIndividual && Blank(giver.name)) {
    v.Add(field + ".name",
          "is required when the giver is a guardian, trustee or administrator: write the "
          "name of the person who decided");
  }
  if (giver.name.size() > kMaxName) {
    v.Add(field + ".name", absl::StrCat("must be at most ", kMaxName, " characters"));
  }
}

void CheckNote(const std::string& note, const std::string& field, Violations& v) {
  if (note.size() > kMaxNote) {
    v.Add(field, absl::StrCat("must be at most ", kMaxNote, " characters"));
  }
}

// A decision or withdrawal time: defaults to now, never in the future.
absl::Time DecisionTime(const std::optional<absl::Time>& given, absl::Time now,
                        const std::string& field, Violations& v) {
  if (!given) return now;
  if (*given > now) {
    v.Add(field, "must not be in the future; leave it empty to use the time of recording");
  }
  return *given;
}

}  // namespace

State Consent::StateAt(absl::Time now) const {
  if (decision == Decision::kRefused) return State::kRefused;
  if (withdrawal && withdrawal->withdraw_time <= now) return State::kWithdrawn;
  if (valid_until && *valid_until <= now) return State::kExpired;
  return State::kActive;
}

std::vector<Unit> Consent::CoveredUnits() const {
  std::vector<Unit> units;
  for (const ScopeChange& change : scope_history) {
    for (const std::string& removed : change.removed_unit_hsa_ids) {
      units.erase(std::remove_if(units.begin(), units.end(),
                                 [&](const Unit& u) { return u.hsa_id == removed; }),
                  units.end());
    }
    units.insert(units.end(), change.added_units.begin(), change.added_units.end());
  }
  return units;
}

std::vector<OtherParty> Consent::CoveredOthers() const {
  std::vector<OtherParty> others;
  for (const ScopeChange& change : scope_history) {
    for (const OtherParty& removed : change.removed_others) {
      others.erase(std::remove(others.begin(), others.end(), removed), others.end());
    }
    others.insert(others.end(), change.added_others.begin(), change.added_others.end());
  }
  return others;
}

std::string Consent::Etag() const { return absl::StrCat("\"", version, "\""); }

absl::Status DecideMinority(ConsentInput& input, const std::optional<absl::CivilDay>& birth_date,
                            absl::Time now) {
  if (!birth_date) return absl::OkStatus();
  const absl::CivilDay decided = DayInSweden(input.decision_time.value_or(now));
  // absl normalises 29 February in a year without one to 1 March.
  const absl::CivilDay adult_from(birth_date->year() + 18, birth_date->month(),
                                  birth_date->day());
  const bool minor = decided < adult_from;
  if (input.individual_is_minor && !minor) {
    return InvalidField("consent.individual_is_minor",
                        "the person is 18 or older at the decision time (from the "
                        "personnummer on the plan); leave it unset, it is derived");
  }
  input.individual_is_minor = minor;
  return absl::OkStatus();
}

absl::StatusOr<Consent> NewConsent(const std::string& plan_id, ConsentInput input,
                                   const Actor& caller, absl::Time now) {
  Violations v;
  CheckGiver(input.giver, "consent.giver", v, input.protected_identity);
  Consent c;
  c.decision_time = DecisionTime(input.decision_time, now, "consent.decision_time", v);
  if (input.covered_units.empty()) {
    v.Add("consent.covered_units",
          "must name at least one unit the consent covers (HSA-id and principal)");
  }
  if (input.covered_units.size() > kMaxUnits) {
    v.Add("consent.covered_units", absl::StrCat("must list at most ", kMaxUnits, " units"));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < input.covered_units.size(); ++i) {
    if (!seen.insert(input.covered_units[i].hsa_id).second) {
      v.Add(absl::StrCat("consent.covered_units[", i, "].hsa_id"),
            "lists the same unit twice; name each unit once");
    }
  }
  for (size_t i = 0; i < input.covered_others.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (SameParty(input.covered_others[i], input.covered_others[j])) {
        v.Add(absl::StrCat("consent.covered_others[", i, "]"),
              "lists the same party twice; name each party once");
      }
    }
  }
  if (input.valid_until && *input.valid_until <= c.decision_time) {
    v.Add("consent.valid_until",
          "must be after the decision time; leave it empty for a consent without end");
  }
  if (input.giver.role == GiverRole::kGuardian && !input.individual_is_minor) {
    v.Add("consent.individual_is_minor",
          "must be true when a guardian (vårdnadshavare) consents: guardians decide for "
          "minors; for an adult, the individual, a trustee or an administrator does");
  }
  if (input.individual_is_minor && input.giver.role == GiverRole::kIndividual &&
      Blank(input.maturity_note)) {
    v.Add("consent.maturity_note",
          "is required when a minor consents for themself: record the assessment of the "
          "child's maturity");
  }
  if (input.reduced_capacity && !input.harm_assessment) {
    v.Add("consent.harm_assessment",
          "is required when the person's capacity for judgement is reduced: record the "
          "harm assessment (menprövning) and its outcome");
  }
  if (input.harm_assessment && input.harm_assessment->outcome == HarmOutcome::kRestricted &&
      Blank(input.harm_assessment->note)) {
    v.Add("consent.harm_assessment.note",
          "is required when the outcome is RESTRICTED: describe what may not be shared");
  }
  if (input.harm_assessment) {
    const auto& restricted = input.harm_assessment->restricted_unit_hsa_ids;
    if (input.harm_assessment->outcome == HarmOutcome::kRestricted && restricted.empty()) {
      v.Add("consent.harm_assessment.restricted_unit_hsa_ids",
            "must name at least one unit when the outcome is RESTRICTED: the units that "
            "must not receive information about the person");
    }
    if (input.harm_assessment->outcome == HarmOutcome::kNoHarm && !restricted.empty()) {
      v.Add("consent.harm_assessment.restricted_unit_hsa_ids",
            "must be empty when the outcome is NO_HARM");
    }
    for (size_t i = 0; i < restricted.size(); ++i) {
      if (seen.count(restricted[i]) == 0) {
        v.Add(absl::StrCat("consent.harm_assessment.restricted_unit_hsa_ids[", i, "]"),
              "is not a unit the consent covers; restrict only covered units");
      }
    }
  }
  if (input.second_guardian) {
    const Giver& second = *input.second_guardian;
    if (input.giver.role != GiverRole::kGuardian) {
      v.Add("consent.second_guardian",
            "is only for joint custody: the giver must be a guardian (vårdnadshavare) too");
    }
    if (second.role != GiverRole::kGuardian) {
      v.Add("consent.second_guardian.role", "must be GUARDIAN");
    }
    CheckGiver(second, "consent.second_guardian", v, input.protected_identity);
    if (!Blank(second.name) && second.name == input.giver.name) {
      v.Add("consent.second_guardian.name",
            "names the same person as the giver; joint custody needs the other guardian");
    }
  }
  CheckNote(input.maturity_note, "consent.maturity_note", v);
  CheckNote(input.note, "consent.note", v);
  if (input.harm_assessment) CheckNote(input.harm_assessment->note, "consent.harm_assessment.note", v);
  SIP_RETURN_IF_ERROR(v.ToStatus());

  c.plan_id = plan_id;
  c.decision = Decision::kGiven;
  c.giver = std::move(input.giver);
  c.second_guardian = std::move(input.second_guardian);
  c.form = input.form;
  c.recorded_by = caller;
  c.valid_until = input.valid_until;
  c.individual_is_minor = input.individual_is_minor;
  c.maturity_note = std::move(input.maturity_note);
  c.reduced_capacity = input.reduced_capacity;
  c.harm_assessment = std::move(input.harm_assessment);
  if (c.harm_assessment && c.harm_assessment->assessed_by.unit.hsa_id.empty()) {
    c.harm_assessment->assessed_by = caller;
  }
  ScopeChange first;
  first.version = 1;
  first.added_units = std::move(input.covered_units);
  first.added_others = std::move(input.covered_others);
  first.changed_by = caller;
  first.change_time = now;
  first.reason = "scope given with the consent";
  c.scope_history.push_back(std::move(first));
  c.note = std::move(input.note);
  c.create_time = now;
  c.update_time = now;
  c.version = 1;
  return c;
}

std::vector<Warning> RecordWarnings(const Consent& consent, const Actor& caller) {
  if (!caller.service.empty() || caller.unit.hsa_id.empty()) return {};
  for (const Unit& unit : consent.CoveredUnits()) {
    if (unit.hsa_id == caller.unit.hsa_id) return {};
  }
  Warning w;
  w.code = "RECORDING_UNIT_NOT_COVERED";
  w.message = absl::StrCat(
      "the consent does not cover your unit (", caller.unit.hsa_id,
      "): from now on your unit no longer sees the plan or anything under it (its content, "
      "meetings and invitations, timeline and deadlines), and cannot change it; only the "
      "units the consent covers and that take part do. If your unit is to go on working "
      "with the plan, ask the person and record their consent with your unit included");
  w.unit_hsa_ids.push_back(caller.unit.hsa_id);
  return {w};
}

absl::StatusOr<Consent> NewRefusal(const std::string& plan_id, RefusalInput input,
                                   const Actor& caller, absl::Time now) {
  Violations v;
  CheckGiver(input.giver, "giver", v, input.protected_identity);
  CheckNote(input.note, "note", v);
  Consent c;
  c.decision_time = DecisionTime(input.decision_time, now, "decision_time", v);
  SIP_RETURN_IF_ERROR(v.ToStatus());
  c.plan_id = plan_id;
  c.decision = Decision::kRefused;
  c.giver = std::move(input.giver);
  c.form = input.form;
  c.recorded_by = caller;
  c.note = std::move(input.note);
  c.create_time = now;
  c.update_time = now;
  c.version = 1;
  return c;
}

absl::Status ChangeScope(Consent& consent, ScopeChangeInput input, const Actor& caller,
                         absl::Time now) {
  switch (consent.StateAt(now)) {
    case State::kActive: break;
    case State::kRefused:
      return FailedPrecondition("CONSENT_REFUSED",
                                "this is a refusal; it has no scope to change. Record a new "
                                "consent if the person now agrees");
    case State::kWithdrawn:
      return FailedPrecondition("CONSENT_WITHDRAWN",
                                "the consent was withdrawn; record a new consent instead");
    case State::kExpired:
      return FailedPrecondition("CONSENT_EXPIRED",
                                "the consent's validity has ended; record a new consent");
  }
  Violations v;
  if (Blank(input.reason)) {
    v.Add("reason", "is required: say why the scope changes");
  }
  CheckNote(input.reason, "reason", v);
  if (input.add_units.empty() && input.remove_unit_hsa_ids.empty() &&
      input.add_others.empty() && input.remove_others.empty()) {
    v.Add("add_units", "nothing to change: add or remove at least one unit or other party");
  }
  std::vector<Unit> units = consent.CoveredUnits();
  auto covered = [&](const std::string& hsa_id) {
    return std::any_of(units.begin(), units.end(),
                       [&](const Unit& u) { return u.hsa_id == hsa_id; });
  };
  std::set<std::string> removing;
  for (size_t i = 0; i < input.remove_unit_hsa_ids.size(); ++i) {
    const std::string& id = input.remove_unit_hsa_ids[i];
    if (!covered(id)) {
      v.Add(absl::StrCat("remove_unit_hsa_ids[", i, "]"),
            "is not covered by the consent; only covered units can be removed");
    } else if (!removing.insert(id).second) {
      v.Add(absl::StrCat("remove_unit_hsa_ids[", i, "]"), "is listed twice");
    }
  }
  std::set<std::string> adding;
  for (size_t i = 0; i < input.add_units.size(); ++i) {
    const std::string& id = input.add_units[i].hsa_id;
    if (covered(id) && removing.count(id) == 0) {
      v.Add(absl::StrCat("add_units[", i, "].hsa_id"), "is already covered by the consent");
    } else if (!adding.insert(id).second) {
      v.Add(absl::StrCat("add_units[", i, "].hsa_id"), "is listed twice");
    }
  }
  if (units.size() - removing.size() + adding.size() > kMaxUnits) {
    v.Add("add_units", absl::StrCat("a consent covers at most ", kMaxUnits, " units"));
  }
  if (!units.empty() && removing.size() == units.size() && adding.empty()) {
    v.Add("remove_unit_hsa_ids",
          "would leave the consent covering no unit; withdraw the consent instead");
  }
  const std::vector<OtherParty> others = consent.CoveredOthers();
  for (size_t i = 0; i < input.remove_others.size(); ++i) {
    if (std::find(others.begin(), others.end(), input.remove_others[i]) == others.end()) {
      v.Add(absl::StrCat("remove_others[", i, "]"),
            "is not covered by the consent (matched on kind and description)");
    }
  }
  for (size_t i = 0; i < input.add_others.size(); ++i) {
    const bool removed = std::find(input.remove_others.begin(), input.remove_others.end(),
                                   input.add_others[i]) != input.remove_others.end();
    if (!removed &&
        std::find(others.begin(), others.end(), input.add_others[i]) != others.end()) {
      v.Add(absl::StrCat("add_others[", i, "]"), "is already covered by the consent");
    }
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());

  ScopeChange change;
  change.version = consent.scope_history.empty() ? 1 : consent.scope_history.back().version + 1;
  change.added_units = std::move(input.add_units);
  change.removed_unit_hsa_ids = std::move(input.remove_unit_hsa_ids);
  change.added_others = std::move(input.add_others);
  change.removed_others = std::move(input.remove_others);
  change.changed_by = caller;
  change.change_time = now;
  change.reason = std::move(input.reason);
  consent.scope_history.push_back(std::move(change));
  consent.update_time = now;
  ++consent.version;
  return absl::OkStatus();
}

absl::Status Withdraw(Consent& consent, WithdrawalInput input, const Actor& caller,
                      absl::Time now) {
  if (consent.decision == Decision::kRefused) {
    return FailedPrecondition("CONSENT_REFUSED",
                              "this is a refusal; there is no consent to withdraw");
  }
  if (consent.withdrawal) {
    return FailedPrecondition(
        "CONSENT_WITHDRAWN",
        absl::StrCat("the consent was already withdrawn at ",
                     absl::FormatTime(absl::RFC3339_sec, consent.withdrawal->withdraw_time,
                                      absl::UTCTimeZone())));
  }
  Violations v;
  CheckGiver(input.withdrawn_by, "withdrawn_by", v);
  CheckNote(input.note, "note", v);
  const absl::Time when = DecisionTime(input.withdraw_time, now, "withdraw_time", v);
  if (when < consent.decision_time) {
    v.Add("withdraw_time", "must not be before the consent was given");
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  if (consent.valid_until && *consent.valid_until <= when) {
    return FailedPrecondition("CONSENT_EXPIRED",
                              "the consent had already expired at the time of withdrawal; "
                              "there is nothing to withdraw");
  }
  consent.withdrawal = Withdrawal{std::move(input.withdrawn_by), input.form, when, caller,
                                  std::move(input.note)};
  consent.update_time = now;
  ++consent.version;
  return absl::OkStatus();
}

namespace {

// The person's standing for the plan now, shared by the unit and the party checks: how
// consent ended, if it did, and the consents given since that are active.
struct Standing {
  bool ended = false;
  Coverage ended_as = Coverage::kNoConsent;
  const Consent* ended_by = nullptr;
  const Consent* latest_given = nullptr;
  std::vector<const Consent*> active;
};

Standing StandingOf(const std::vector<Consent>& consents, absl::Time now) {
  // The latest refusal or withdrawal that has taken effect, and the latest consent given;
  // ties are broken by recording time, then id, for a total order.
  using Key = std::tuple<absl::Time, absl::Time, std::string>;
  std::optional<Key> end_key;
  std::optional<Key> given_key;
  Standing out;
  for (const Consent& c : consents) {
    if (c.decision == Decision::kRefused) {
      const Key k{c.decision_time, c.create_time, c.consent_id};
      if (!end_key || k > *end_key) {
        end_key = k;
        out.ended_by = &c;
        out.ended_as = Coverage::kRefused;
      }
      continue;
    }
    const Key given{c.decision_time, c.create_time, c.consent_id};
    if (!given_key || given > *given_key) {
      given_key = given;
      out.latest_given = &c;
    }
    if (c.withdrawal && c.withdrawal->withdraw_time <= now) {
      const Key k{c.withdrawal->withdraw_time, c.update_time, c.consent_id};
      if (!end_key || k > *end_key) {
        end_key = k;
        out.ended_by = &c;
        out.ended_as = Coverage::kWithdrawn;
      }
    }
  }
  // Consents given after the end of consent, active now.
  for (const Consent& c : consents) {
    if (c.decision != Decision::kGiven) continue;
    if (end_key && Key{c.decision_time, c.create_time, c.consent_id} <= *end_key) continue;
    if (c.StateAt(now) == State::kActive) out.active.push_back(&c);
  }
  out.ended = end_key && (given_key == std::nullopt || *given_key <= *end_key);
  return out;
}

// The answer for one subject: `covers(c)` says whether consent c names it, `restricts(c)`
// whether c's harm assessment keeps it out. Returns the coverage and the consent it rests
// on.
std::pair<Coverage, std::string> Decide(const Standing& standing,
                                        const std::function<bool(const Consent&)>& covers,
                                        const std::function<bool(const Consent&)>& restricts) {
  if (standing.ended) return {standing.ended_as, standing.ended_by->consent_id};
  if (standing.latest_given == nullptr) return {Coverage::kNoConsent, ""};
  const Consent* restricting = nullptr;
  for (const Consent* c : standing.active) {
    if (!covers(*c)) continue;
    if (restricts(*c)) {
      if (restricting == nullptr) restricting = c;
      continue;
    }
    return {Coverage::kCovered, c->consent_id};
  }
  if (restricting != nullptr) return {Coverage::kRestrictedByHarmAssessment, restricting->consent_id};
  if (!standing.active.empty()) return {Coverage::kNotInScope, standing.active.front()->consent_id};
  return {Coverage::kExpired, standing.latest_given->consent_id};
}

std::string Folded(const std::string& s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

}  // namespace

bool SameParty(const OtherParty& a, const OtherParty& b) {
  // Lower-cases ASCII letters only: "Dotter"/"dotter"; å, ä, ö are compared as written.
  return a.kind == b.kind && Folded(a.description) == Folded(b.description);
}

std::vector<UnitCoverage> CheckCoverage(const std::vector<Consent>& consents,
                                        const std::vector<std::string>& unit_hsa_ids,
                                        absl::Time now) {
  const Standing standing = StandingOf(consents, now);
  std::vector<UnitCoverage> out;
  for (const std::string& hsa_id : unit_hsa_ids) {
    auto [coverage, consent_id] = Decide(
        standing,
        [&](const Consent& c) {
          const std::vector<Unit> units = c.CoveredUnits();
          return std::any_of(units.begin(), units.end(),
                             [&](const Unit& u) { return u.hsa_id == hsa_id; });
        },
        [&](const Consent& c) {
          const auto& harm = c.harm_assessment;
          return harm && harm->outcome == HarmOutcome::kRestricted &&
                 std::find(harm->restricted_unit_hsa_ids.begin(),
                           harm->restricted_unit_hsa_ids.end(),
                           hsa_id) != harm->restricted_unit_hsa_ids.end();
        });
    out.push_back({hsa_id, coverage, std::move(consent_id)});
  }
  return out;
}

std::vector<CoveredUntil> CoverageOfPlan(const std::vector<Consent>& consents, absl::Time now) {
  std::set<std::string> named;
  std::set<absl::Time> ends;  // coverage changes without a new decision only at these
  for (const Consent& c : consents) {
    for (const Unit& u : c.CoveredUnits()) named.insert(u.hsa_id);
    if (c.valid_until && *c.valid_until > now) ends.insert(*c.valid_until);
  }
  const std::vector<std::string> units(named.begin(), named.end());
  std::vector<CoveredUntil> out;
  for (const UnitCoverage& now_covered : CheckCoverage(consents, units, now)) {
    if (!now_covered.covered()) continue;
    CoveredUntil unit{now_covered.unit_hsa_id, std::nullopt};
    for (absl::Time end : ends) {
      if (!CheckCoverage(consents, {unit.unit_hsa_id}, end).front().covered()) {
        unit.until = end;
        break;
      }
    }
    out.push_back(std::move(unit));
  }
  return out;
}

std::vector<OtherCoverage> CheckOtherCoverage(const std::vector<Consent>& consents,
                                              const std::vector<OtherParty>& others,
                                              absl::Time now) {
  const Standing standing = StandingOf(consents, now);
  std::vector<OtherCoverage> out;
  for (const OtherParty& other : others) {
    auto [coverage, consent_id] = Decide(
        standing,
        [&](const Consent& c) {
          const std::vector<OtherParty> covered = c.CoveredOthers();
          return std::any_of(covered.begin(), covered.end(),
                             [&](const OtherParty& o) { return SameParty(o, other); });
        },
        [](const Consent&) { return false; });
    out.push_back({other, coverage, std::move(consent_id)});
  }
  return out;
}

}  // namespace sip::consent
