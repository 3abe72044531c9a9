#include "services/plan/plan.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/hsa_id.h"
#include "common/ids.h"
#include "common/language.h"
#include "common/personnummer.h"
#include "common/principals.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "google/protobuf/util/field_mask_util.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::common::v1;
using google::protobuf::util::FieldMaskUtil;

constexpr size_t kMaxText = 4000;
constexpr size_t kMaxShort = 200;
constexpr int kMaxItems = 200;

// The top-level fields UpdatePlan may change; everything else is output only.
const std::set<std::string>& EditableFields() {
  static const auto* const kFields = new std::set<std::string>{
      "individual",      "need_noticed_by",    "need_noticed_by_other", "reason",
      "discharge",       "long_term_goal",     "what_works",            "what_does_not_work",
      "relatives_needs", "own_contribution",   "needs",                 "goals",
      "participants",    "overall_responsibility", "next_follow_up_date",
      "need_noticed_time", "kind", "region_code"};
  return *kFields;
}

bool Blank(const std::string& s) { return absl::StripAsciiWhitespace(s).empty(); }

void MaxLength(const std::string& value, size_t max, const std::string& field, Violations& v) {
  if (value.size() > max) v.Add(field, absl::StrCat("must be at most ", max, " characters"));
}

void Required(const std::string& value, const std::string& field, const std::string& what,
              Violations& v) {
  if (Blank(value)) v.Add(field, absl::StrCat("is required: ", what));
}

bool ValidPhone(const std::string& phone) {
  if (phone.size() > 40) return false;
  int digits = 0;
  for (char c : phone) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 5;
}

// A BCP 47 tag as used here: a 2–3 letter language, then optional subtags, e.g. "sv",
// "ar", "so", "sr-Latn", "pt-BR".
void CheckUnit(const cpb::Unit& unit, const std::string& field, Violations& v) {
  UnitFromProto(unit, field, v);
}

void CheckActor(const cpb::Actor& actor, const std::string& field, Violations& v) {
  CheckUnit(actor.unit(), field + ".unit", v);
  if (actor.user_id().empty() || actor.user_id().size() > 64) {
    v.Add(field + ".user_id", "must name the person's user id (1-64 characters)");
  }
}

void CheckOther(const cpb::OtherParty& other, const std::string& field, Violations& v) {
  OtherPartyFromProto(other, field, v);
}

void CheckDay(const cpb::Date& date, const std::string& field, Violations& v) {
  if (!DayFromProto(date)) v.Add(field, "is not a valid calendar date (year, month, day)");
}

void CheckIndividual(pb::Individual& in, absl::CivilDay today, Violations& v) {
  const std::string f = "plan.individual";
  if (in.protected_identity()) {
    const std::string why =
        "must be empty for a person with protected identity (skyddade personuppgifter): "
        "keep identifying details only in the responsible unit's own records";
    if (!in.personal_identity_number().empty()) v.Add(f + ".personal_identity_number", why);
    if (!in.name().empty()) v.Add(f + ".name", why);
    if (!in.address().empty()) v.Add(f + ".address", why);
    if (!in.phone().empty()) v.Add(f + ".phone", why);
    Required(in.local_reference(), f + ".local_reference",
             "the reference under which the responsible unit keeps the person's details",
             v);
    MaxLength(in.local_reference(), 100, f + ".local_reference", v);
    if (ContainsPersonalIdentityNumberLike(in.local_reference())) {
      v.Add(f + ".local_reference",
            "must not be or contain a personnummer: use the unit's own case or record "
            "reference, which leads to the person only inside that unit");
    }
  } else {
    if (in.personal_identity_number().empty()) {
      v.Add(f + ".personal_identity_number",
            "is required: the personnummer or samordningsnummer (YYYYMMDD-NNNN)");
    } else {
      auto pin = ParsePersonalIdentityNumber(in.personal_identity_number(), today);
      if (pin.ok()) {
        in.set_personal_identity_number(pin->digits);
      } else {
        v.Add(f + ".personal_identity_number", std::string(pin.status().message()));
      }
    }
    Required(in.name(), f + ".name", "the person's full name", v);
    MaxLength(in.name(), kMaxShort, f + ".name", v);
    MaxLength(in.address(), 300, f + ".address", v);
    if (!in.phone().empty() && !ValidPhone(in.phone())) {
      v.Add(f + ".phone", "must be a phone number: digits, spaces, +, -, ( and )");
    }
    if (!in.local_reference().empty()) {
      v.Add(f + ".local_reference", "is only for a person with protected identity");
    }
  }
  for (int i = 0; i < in.representatives_size(); ++i) {
    const pb::Representative& r = in.representatives(i);
    const std::string rf = absl::StrCat(f, ".representatives[", i, "]");
    if (r.role() == pb::REPRESENTATIVE_ROLE_UNSPECIFIED || !pb::RepresentativeRole_IsValid(r.role())) {
      v.Add(rf + ".role", "must be GUARDIAN, TRUSTEE or ADMINISTRATOR");
    }
    if (in.protected_identity()) {
      if (!r.name().empty()) {
        v.Add(rf + ".name",
              "must be empty for a person with protected identity: a representative's name "
              "could lead to the person; give the role only");
      }
    } else {
      Required(r.name(), rf + ".name", "the representative's name", v);
    }
    MaxLength(r.name(), kMaxShort, rf + ".name", v);
    MaxLength(r.address(), 300, rf + ".address", v);
    if (!r.phone().empty() && !ValidPhone(r.phone())) {
      v.Add(rf + ".phone", "must be a phone number: digits, spaces, +, -, ( and )");
    }
    if (in.protected_identity() && (!r.address().empty() || !r.phone().empty())) {
      v.Add(rf, "must have no address or phone for a person with protected identity: they "
                "could lead to the person");
    }
  }
  if (!in.preferred_language().empty() && !IsLanguageTag(in.preferred_language())) {
    v.Add(f + ".preferred_language", "must be a BCP 47 language tag, e.g. \"sv\", \"ar\", \"so\"");
  }
}

// Assigns missing ids and checks that every goal and intervention id is unique.
void CheckGoals(pb::Plan& plan, Violations& v) {
  if (plan.goals_size() > kMaxItems) {
    v.Add("plan.goals", absl::StrCat("must hold at most ", kMaxItems, " goals"));
  }
  std::set<std::string> ids;
  auto check_id = [&](std::string* id, const std::string& field) {
    if (id->empty()) *id = NewId();
    if (!IsValidResourceId(*id)) {
      v.Add(field, "must be 1-63 lower-case letters, digits or \"-\", or empty to get one");
    } else if (!ids.insert(*id).second) {
      v.Add(field, "is used twice in the plan; ids of goals and interventions are unique");
    }
  };
  for (int g = 0; g < plan.goals_size(); ++g) {
    pb::Goal* goal = plan.mutable_goals(g);
    const std::string gf = absl::StrCat("plan.goals[", g, "]");
    check_id(goal->mutable_id(), gf + ".id");
    Required(goal->text(), gf + ".text", "the short-term goal (delmål) in words the person recognises", v);
    MaxLength(goal->text(), kMaxText, gf + ".text", v);
    for (int i = 0; i < goal->interventions_size(); ++i) {
      pb::Intervention* in = goal->mutable_interventions(i);
      const std::string f = absl::StrCat(gf, ".interventions[", i, "]");
      check_id(in->mutable_id(), f + ".id");
      Required(in->description(), f + ".description", "what is to be done", v);
      MaxLength(in->description(), kMaxText, f + ".description", v);
      MaxLength(in->timing(), kMaxShort, f + ".timing", v);
      MaxLength(in->follow_up(), kMaxText, f + ".follow_up", v);
      if (!cpb::PrincipalKind_IsValid(in->responsible_principal())) {
        v.Add(f + ".responsible_principal", "must be MUNICIPALITY, REGION or OTHER");
      }
      if (!pb::InterventionStatus_IsValid(in->status())) {
        v.Add(f + ".status", "must be PLANNED, ONGOING, COMPLETED or CANCELLED");
      }
      if (in->has_responsible_unit()) {
        CheckUnit(in->responsible_unit(), f + ".responsible_unit", v);
        if (in->responsible_principal() == cpb::PRINCIPAL_KIND_OTHER) {
          v.Add(f + ".responsible_unit",
                "must be empty when another actor is responsible; name it in "
                "responsible_other");
        } else if (in->responsible_principal() != cpb::PRINCIPAL_KIND_UNSPECIFIED &&
                   cpb::PrincipalKind_IsValid(in->responsible_principal()) &&
                   in->responsible_unit().principal() != in->responsible_principal()) {
          v.Add(f + ".responsible_unit.principal",
                "must be the intervention's responsible_principal");
        }
      }
      if (in->has_responsible_other()) {
        CheckOther(in->responsible_other(), f + ".responsible_other", v);
        if (in->responsible_principal() != cpb::PRINCIPAL_KIND_OTHER) {
          v.Add(f + ".responsible_other",
                "is only for interventions whose responsible_principal is OTHER");
        }
      }
    }
  }
}

// When the need was noticed: a valid time, not after `latest` (the plan's creation).
void CheckNeedNoticed(const pb::Plan& plan, absl::Time latest, Violations& v) {
  if (!plan.has_need_noticed_time()) return;
  auto noticed = TimeFromProto(plan.need_noticed_time(), "plan.need_noticed_time", v);
  if (noticed && *noticed > latest) {
    v.Add("plan.need_noticed_time",
          "must not be after the plan was initiated (nor in the future): when was the need "
          "noticed?");
  }
}

void CheckContent(pb::Plan& plan, absl::CivilDay today, Violations& v) {
  CheckIndividual(*plan.mutable_individual(), today, v);
  if (!plan.region_code().empty() && !RegionName(plan.region_code())) {
    v.Add("plan.region_code",
          "is not one of SCB's 21 länskoder (2 digits, e.g. \"14\" for Västra "
          "Götalandsregionen); leave it empty to take it from the plan's units");
  }
  if (!pb::PlanKind_IsValid(plan.kind())) {
    v.Add("plan.kind", "must be STATUTORY or INTERNAL");
  }
  if (plan.need_noticed_by() == pb::NEED_NOTICED_BY_UNSPECIFIED ||
      !pb::NeedNoticedBy_IsValid(plan.need_noticed_by())) {
    v.Add("plan.need_noticed_by",
          "must say who noticed the need: SCHOOL, SOCIAL_SERVICES, REGIONAL_HEALTH_CARE, "
          "MUNICIPAL_HEALTH_CARE, INDIVIDUAL, RELATIVE or OTHER");
  } else if (plan.need_noticed_by() == pb::NEED_NOTICED_BY_OTHER) {
    Required(plan.need_noticed_by_other(), "plan.need_noticed_by_other",
             "who noticed the need, when need_noticed_by is OTHER", v);
  }
  MaxLength(plan.need_noticed_by_other(), kMaxShort, "plan.need_noticed_by_other", v);
  Required(plan.reason(), "plan.reason", "why a SIP is needed", v);
  for (const auto& [value, field] : std::vector<std::pair<const std::string*, const char*>>{
           {&plan.reason(), "plan.reason"},
           {&plan.long_term_goal(), "plan.long_term_goal"},
           {&plan.what_works(), "plan.what_works"},
           {&plan.what_does_not_work(), "plan.what_does_not_work"},
           {&plan.relatives_needs(), "plan.relatives_needs"},
           {&plan.own_contribution(), "plan.own_contribution"}}) {
    MaxLength(*value, kMaxText, field, v);
  }
  if (plan.has_discharge()) {
    const pb::Discharge& d = plan.discharge();
    if (!d.has_discharge_time()) {
      v.Add("plan.discharge.discharge_time", "is required when the SIP comes from a discharge");
    } else {
      TimeFromProto(d.discharge_time(), "plan.discharge.discharge_time", v);
    }
    if (!d.has_designated_care_contact()) {
      v.Add("plan.discharge.designated_care_contact",
            "is required: the designated care contact (fast vårdkontakt) in outpatient care "
            "who takes the initiative to the SIP");
    } else {
      CheckActor(d.designated_care_contact(), "plan.discharge.designated_care_contact", v);
    }
    if (d.has_inpatient_unit()) CheckUnit(d.inpatient_unit(), "plan.discharge.inpatient_unit", v);
  }
  if (plan.needs_size() > kMaxItems) {
    v.Add("plan.needs", absl::StrCat("must hold at most ", kMaxItems, " needs"));
  }
  for (int i = 0; i < plan.needs_size(); ++i) {
    const std::string f = absl::StrCat("plan.needs[", i, "]");
    Required(plan.needs(i), f, "describe the need, or remove the entry", v);
    MaxLength(plan.needs(i), kMaxText, f, v);
  }
  CheckGoals(plan, v);
  for (int i = 0; i < plan.participants_size(); ++i) {
    const pb::Participant& p = plan.participants(i);
    const std::string f = absl::StrCat("plan.participants[", i, "]");
    if (p.has_unit() == p.has_other()) {
      v.Add(f, "must name either a unit or another party, not both");
    }
    if (p.has_unit()) CheckUnit(p.unit(), f + ".unit", v);
    if (p.has_other()) CheckOther(p.other(), f + ".other", v);
    MaxLength(p.role(), kMaxShort, f + ".role", v);
  }
  if (plan.has_overall_responsibility()) {
    const pb::OverallResponsibility& o = plan.overall_responsibility();
    const std::string f = "plan.overall_responsibility";
    if (o.principal() != cpb::PRINCIPAL_KIND_MUNICIPALITY &&
        o.principal() != cpb::PRINCIPAL_KIND_REGION &&
        o.principal() != cpb::PRINCIPAL_KIND_UNSPECIFIED) {
      v.Add(f + ".principal", "must be MUNICIPALITY or REGION: a principal holds it");
    }
    if (o.has_unit()) {
      CheckUnit(o.unit(), f + ".unit", v);
      if (o.unit().principal() != o.principal()) {
        v.Add(f + ".unit.principal", "must be the principal holding overall responsibility");
      }
    }
    if (o.has_coordinator()) CheckActor(o.coordinator(), f + ".coordinator", v);
    MaxLength(o.coordinator_contact(), 300, f + ".coordinator_contact", v);
  }
  if (plan.has_next_follow_up_date()) {
    CheckDay(plan.next_follow_up_date(), "plan.next_follow_up_date", v);
  }
}

void CheckFollowUpDateNotPast(const pb::Plan& plan, absl::CivilDay today, Violations& v) {
  if (!plan.has_next_follow_up_date()) return;
  auto day = DayFromProto(plan.next_follow_up_date());
  if (day && *day < today) {
    v.Add("plan.next_follow_up_date", "must not be in the past");
  }
}

void AddUnit(const cpb::Unit& unit, std::set<std::string>& out) {
  if (!unit.hsa_id().empty()) out.insert(unit.hsa_id());
}

absl::Status RequireActive(const pb::Plan& plan, absl::string_view what) {
  SIP_RETURN_IF_ERROR(RequireOpen(plan));
  if (plan.state() != cpb::PLAN_STATE_ACTIVE) {
    return FailedPrecondition(
        "PLAN_NOT_ESTABLISHED",
        absl::StrCat("the plan is not established yet; establish it at the SIP meeting "
                     "before ", what));
  }
  return absl::OkStatus();
}

pb::PlanRevision Snapshot(const pb::Plan& plan, const std::string& plan_id,
                          pb::RevisionReason reason, const std::string& note,
                          const Actor& caller, absl::Time now) {
  pb::PlanRevision revision;
  revision.set_name(absl::StrCat("plans/", plan_id, "/revisions/", plan.revision()));
  *revision.mutable_snapshot() = plan;
  revision.mutable_snapshot()->clear_etag();
  revision.set_reason(reason);
  revision.set_note(note);
  ToProto(caller, revision.mutable_created_by());
  ToProto(now, revision.mutable_create_time());
  return revision;
}

}  // namespace

void RemoveIdentifyingDetails(pb::Individual* individual, const std::string& local_reference) {
  individual->clear_personal_identity_number();
  individual->clear_name();
  individual->clear_address();
  individual->clear_phone();
  for (pb::Representative& r : *individual->mutable_representatives()) {
    r.clear_name();
    r.clear_address();
    r.clear_phone();
  }
  individual->set_protected_identity(true);
  individual->set_local_reference(local_reference);
}

bool SwitchesToProtectedIdentity(const pb::Individual& before, const pb::Individual& after) {
  return !before.protected_identity() && after.protected_identity();
}

std::string EtagOf(int64_t version) { return absl::StrCat("\"", version, "\""); }

absl::Status RequireOpen(const pb::Plan& plan) {
  if (plan.state() == cpb::PLAN_STATE_CLOSED) {
    return FailedPrecondition("PLAN_CLOSED",
                              "the plan is closed and cannot change; initiate a new plan if "
                              "the need has returned");
  }
  return absl::OkStatus();
}

namespace {

// The plan's units in the order that names its region and kommun: the unit with overall
// responsibility, the responsible units, the participants.
std::vector<const cpb::Unit*> UnitsInOrder(const pb::Plan& plan) {
  std::vector<const cpb::Unit*> units;
  if (plan.overall_responsibility().has_unit()) units.push_back(&plan.overall_responsibility().unit());
  for (const pb::Goal& g : plan.goals()) {
    for (const pb::Intervention& in : g.interventions()) {
      if (in.has_responsible_unit()) units.push_back(&in.responsible_unit());
    }
  }
  for (const pb::Participant& p : plan.participants()) {
    if (p.has_unit()) units.push_back(&p.unit());
  }
  return units;
}

}  // namespace

std::string RegionFromUnits(const pb::Plan& plan) {
  for (const cpb::Unit* u : UnitsInOrder(plan)) {
    std::string code;
    if (u->principal() == cpb::PRINCIPAL_KIND_REGION) code = u->principal_code();
    if (u->principal() == cpb::PRINCIPAL_KIND_MUNICIPALITY && u->principal_code().size() == 4) {
      code = RegionOfMunicipality(u->principal_code());
    }
    if (!code.empty() && RegionName(code)) return code;
  }
  return "";
}

std::string MunicipalityFromUnits(const pb::Plan& plan) {
  for (const cpb::Unit* u : UnitsInOrder(plan)) {
    if (u->principal() == cpb::PRINCIPAL_KIND_MUNICIPALITY && MunicipalityName(u->principal_code())) {
      return u->principal_code();
    }
  }
  return "";
}

absl::StatusOr<pb::Plan> NewPlan(pb::Plan input, const Actor& caller, absl::Time now) {
  // Output-only fields are ignored, as the contract says.
  input.clear_name();
  input.clear_initiated_by();
  input.clear_revision();
  input.clear_closure();
  input.clear_create_time();
  input.clear_update_time();
  input.clear_establish_time();
  input.clear_establishing_meeting();
  input.clear_etag();
  Violations v;
  const absl::CivilDay today = TodayInSweden(now);
  CheckContent(input, today, v);
  CheckFollowUpDateNotPast(input, today, v);
  CheckNeedNoticed(input, now, v);
  SIP_RETURN_IF_ERROR(v.ToStatus());
  if (!input.has_need_noticed_time()) ToProto(now, input.mutable_need_noticed_time());
  if (input.region_code().empty()) input.set_region_code(RegionFromUnits(input));
  if (input.kind() == pb::PLAN_KIND_UNSPECIFIED) input.set_kind(pb::PLAN_KIND_STATUTORY);
  input.set_state(cpb::PLAN_STATE_INITIATED);
  ToProto(caller, input.mutable_initiated_by());
  ToProto(now, input.mutable_create_time());
  ToProto(now, input.mutable_update_time());
  return input;
}

absl::StatusOr<std::vector<std::string>> ApplyUpdate(pb::Plan& plan, const pb::Plan& patch,
                                                     const google::protobuf::FieldMask& mask,
                                                     absl::Time now) {
  SIP_RETURN_IF_ERROR(RequireOpen(plan));
  Violations v;
  if (mask.paths().empty()) {
    return InvalidField("update_mask",
                        "is required: list the fields to change, e.g. "
                        "\"long_term_goal,goals\"");
  }
  std::set<std::string> changed;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    const std::string top = path.substr(0, path.find('.'));
    if (!FieldMaskUtil::GetFieldDescriptors(pb::Plan::descriptor(), path, nullptr)) {
      v.Add(absl::StrCat("update_mask.paths[", i, "]"),
            absl::StrCat("\"", path, "\" is not a field of Plan"));
    } else if (EditableFields().count(top) == 0) {
      v.Add(absl::StrCat("update_mask.paths[", i, "]"),
            absl::StrCat("\"", path,
                         "\" cannot be edited: it is output only or changed by its own "
                         "method (EstablishPlan, ClosePlan)"));
    } else {
      changed.insert(top);
    }
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  pb::Plan merged = plan;
  FieldMaskUtil::MergeMessageTo(patch, mask, options, &merged);
  const absl::CivilDay today = TodayInSweden(now);
  CheckContent(merged, today, v);
  if (changed.count("next_follow_up_date")) CheckFollowUpDateNotPast(merged, today, v);
  if (changed.count("need_noticed_time")) {
    if (!merged.has_need_noticed_time()) {
      v.Add("plan.need_noticed_time", "cannot be cleared: it is when the need was noticed");
    } else {
      CheckNeedNoticed(merged, TimeOf(plan.create_time()), v);
    }
  }
  if (changed.count("kind")) {
    if (plan.state() != cpb::PLAN_STATE_INITIATED) {
      v.Add("plan.kind", "is chosen before establishment; close the plan and start a new one "
                         "to change it");
    } else if (merged.kind() == pb::PLAN_KIND_UNSPECIFIED) {
      merged.set_kind(pb::PLAN_KIND_STATUTORY);
    }
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  if (merged.region_code().empty()) merged.set_region_code(RegionFromUnits(merged));
  ToProto(now, merged.mutable_update_time());
  plan = std::move(merged);
  return std::vector<std::string>(changed.begin(), changed.end());
}

std::vector<std::string> MissingForEstablishment(const pb::Plan& plan) {
  std::vector<std::string> missing;
  if (plan.needs().empty()) {
    missing.push_back("needs: list the needs (behov) the plan addresses");
  }
  int interventions = 0;
  bool municipality = false;
  bool region = false;
  for (int g = 0; g < plan.goals_size(); ++g) {
    for (int i = 0; i < plan.goals(g).interventions_size(); ++i) {
      ++interventions;
      const pb::Intervention& in = plan.goals(g).interventions(i);
      const std::string f = absl::StrCat("goals[", g, "].interventions[", i, "]");
      switch (in.responsible_principal()) {
        case cpb::PRINCIPAL_KIND_MUNICIPALITY:
        case cpb::PRINCIPAL_KIND_REGION:
          if (!in.has_responsible_unit()) {
            missing.push_back(absl::StrCat(
                f, ".responsible_unit: name the unit of the principal that carries it out"));
          }
          (in.responsible_principal() == cpb::PRINCIPAL_KIND_MUNICIPALITY ? municipality
                                                                          : region) = true;
          break;
        case cpb::PRINCIPAL_KIND_OTHER:
          if (!in.has_responsible_other()) {
            missing.push_back(absl::StrCat(
                f, ".responsible_other: name the other actor responsible (e.g. "
                   "Försäkringskassan)"));
          }
          break;
        default:
          missing.push_back(absl::StrCat(
              f, ".responsible_principal: say who is responsible: MUNICIPALITY, REGION "
                 "or OTHER"));
      }
    }
  }
  if (interventions == 0) {
    missing.push_back("goals: add at least one intervention (insats) to a goal");
  }
  // The statutory SIP needs both principals; an internal one (one principal) does not.
  if (plan.kind() != pb::PLAN_KIND_INTERNAL) {
    if (!municipality) {
      missing.push_back(
          "goals: no intervention is the kommun's (MUNICIPALITY) responsibility; a statutory "
          "SIP must say what the kommun does");
    }
    if (!region) {
      missing.push_back(
          "goals: no intervention is the region's (REGION) responsibility; a statutory SIP "
          "must say what the region does");
    }
  }
  const pb::OverallResponsibility& o = plan.overall_responsibility();
  if (o.principal() != cpb::PRINCIPAL_KIND_MUNICIPALITY &&
      o.principal() != cpb::PRINCIPAL_KIND_REGION) {
    missing.push_back(
        "overall_responsibility.principal: decide which principal has overall "
        "responsibility (övergripande ansvar)");
  } else if (!o.has_unit()) {
    missing.push_back("overall_responsibility.unit: name the unit that holds it");
  }
  if (!plan.has_next_follow_up_date()) {
    missing.push_back(
        "next_follow_up_date: agree when the plan is first followed up (at least once a year)");
  }
  return missing;
}

std::vector<std::string> UnitsRequiringConsent(const pb::Plan& plan) {
  return ParticipantUnitIds(plan);
}

bool PrincipalTookPart(const pb::Plan& plan, const std::string& unit_hsa_id) {
  // "SE" and the 10-digit organisation number: the principal the unit belongs to.
  constexpr size_t kOrganisation = 12;
  if (unit_hsa_id.size() <= kOrganisation) return false;
  const std::string organisation = unit_hsa_id.substr(0, kOrganisation);
  for (const std::string& unit : ParticipantUnitIds(plan)) {
    if (unit.size() > kOrganisation && unit.compare(0, kOrganisation, organisation) == 0) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> UnitsAdded(const pb::Plan& before, const pb::Plan& after) {
  const std::vector<std::string> had = ParticipantUnitIds(before);
  std::vector<std::string> added;
  for (const std::string& unit : ParticipantUnitIds(after)) {
    if (!std::binary_search(had.begin(), had.end(), unit)) added.push_back(unit);
  }
  return added;
}

absl::Status RequireWithdrawn(const std::vector<std::string>& units,
                              const std::vector<ConsentAnswer>& answers) {
  return RequireConsentAnswer(units, answers, "WITHDRAWN");
}

absl::Status RequireConsentAnswer(const std::vector<std::string>& units,
                                  const std::vector<ConsentAnswer>& answers,
                                  const std::string& expected) {
  const bool refused = expected == "REFUSED";
  for (const std::string& unit : units) {
    const auto answer = std::find_if(answers.begin(), answers.end(),
                                     [&](const ConsentAnswer& a) { return a.subject == unit; });
    const std::string said = answer == answers.end() ? "no answer" : answer->reason;
    if (said != expected) {
      return FailedPrecondition(
          refused ? "CONSENT_NOT_REFUSED" : "CONSENT_NOT_WITHDRAWN",
          absl::StrCat("a plan is closed for ", refused ? "refused" : "withdrawn",
                       " consent only when the consent service says so; for ", unit,
                       " it answers ", said, ". Record the ",
                       refused ? "refusal (RecordRefusal)" : "withdrawal (WithdrawConsent)",
                       " first, or close the plan for another reason"));
    }
  }
  return absl::OkStatus();
}


std::vector<std::string> ResponsibleUnitIds(const pb::Plan& plan) {
  std::set<std::string> units;
  for (const pb::Goal& g : plan.goals()) {
    for (const pb::Intervention& in : g.interventions()) AddUnit(in.responsible_unit(), units);
  }
  return std::vector<std::string>(units.begin(), units.end());
}

std::vector<std::string> ParticipantUnitIds(const pb::Plan& plan) {
  std::set<std::string> units;
  for (const std::string& id : ResponsibleUnitIds(plan)) units.insert(id);
  for (const pb::Participant& p : plan.participants()) AddUnit(p.unit(), units);
  AddUnit(plan.overall_responsibility().unit(), units);
  AddUnit(plan.overall_responsibility().coordinator().unit(), units);
  AddUnit(plan.initiated_by().unit(), units);
  return std::vector<std::string>(units.begin(), units.end());
}

namespace {

std::vector<PreconditionViolation> ContentViolations(const pb::Plan& plan) {
  std::vector<PreconditionViolation> out;
  for (const std::string& m : MissingForEstablishment(plan)) {
    const size_t colon = m.find(": ");
    out.push_back({"PLAN_CONTENT", m.substr(0, colon), m.substr(colon + 2)});
  }
  return out;
}

}  // namespace

absl::Status CheckEstablishable(const pb::Plan& plan) {
  SIP_RETURN_IF_ERROR(RequireOpen(plan));
  if (plan.state() == cpb::PLAN_STATE_ACTIVE) {
    return FailedPrecondition("PLAN_ALREADY_ESTABLISHED",
                              "the plan is already established; revise it instead");
  }
  std::vector<PreconditionViolation> missing = ContentViolations(plan);
  if (!missing.empty()) {
    return FailedPreconditions("PLAN_INCOMPLETE",
                               "the plan lacks what the law requires of a SIP", missing);
  }
  return absl::OkStatus();
}

absl::StatusOr<pb::PlanRevision> Establish(pb::Plan& plan, const std::string& plan_id,
                                           const pb::EstablishingMeeting& meeting,
                                           const Actor& caller, absl::Time now) {
  SIP_RETURN_IF_ERROR(CheckEstablishable(plan));
  *plan.mutable_establishing_meeting() = meeting;
  if (!meeting.has_held_time()) ToProto(now, plan.mutable_establishing_meeting()->mutable_held_time());
  plan.set_state(cpb::PLAN_STATE_ACTIVE);
  plan.set_revision(1);
  ToProto(now, plan.mutable_establish_time());
  ToProto(now, plan.mutable_update_time());
  return Snapshot(plan, plan_id, pb::REVISION_REASON_UNSPECIFIED, "", caller, now);
}

absl::StatusOr<pb::PlanRevision> Revise(pb::Plan& plan, const std::string& plan_id,
                                        pb::RevisionReason reason, const std::string& note,
                                        const Actor& caller, absl::Time now) {
  SIP_RETURN_IF_ERROR(RequireActive(plan, "revising it"));
  Violations v;
  if (reason == pb::REVISION_REASON_UNSPECIFIED || !pb::RevisionReason_IsValid(reason)) {
    v.Add("reason",
          "must be FOLLOW_UP, MOVED_MUNICIPALITY, CHANGED_HEALTH_CENTRE, NEW_PARTY or OTHER");
  } else if (reason == pb::REVISION_REASON_OTHER) {
    Required(note, "note", "explain the revision when the reason is OTHER", v);
  }
  MaxLength(note, kMaxText, "note", v);
  SIP_RETURN_IF_ERROR(v.ToStatus());
  std::vector<PreconditionViolation> missing = ContentViolations(plan);
  if (!missing.empty()) {
    return FailedPreconditions("PLAN_INCOMPLETE",
                               "the revised plan would lack what the law requires", missing);
  }
  plan.set_revision(plan.revision() + 1);
  ToProto(now, plan.mutable_update_time());
  return Snapshot(plan, plan_id, reason, note, caller, now);
}

absl::StatusOr<pb::FollowUp> NewFollowUp(const pb::Plan& plan, pb::FollowUp input,
                                         const Actor& caller, absl::Time now) {
  SIP_RETURN_IF_ERROR(RequireActive(plan, "following it up"));
  Violations v;
  const absl::CivilDay today = TodayInSweden(now);
  if (!input.has_follow_up_date()) {
    v.Add("follow_up.follow_up_date", "is required: the day the follow-up was held");
  } else if (auto day = DayFromProto(input.follow_up_date()); !day) {
    v.Add("follow_up.follow_up_date", "is not a valid calendar date");
  } else if (*day > today) {
    v.Add("follow_up.follow_up_date",
          "must not be in the future: record a follow-up once it has been held");
  } else if (*day < absl::ToCivilDay(absl::FromUnixSeconds(plan.establish_time().seconds()),
                                     Stockholm())) {
    v.Add("follow_up.follow_up_date", "must not be before the plan was established");
  }
  MaxLength(input.progress(), kMaxText, "follow_up.progress", v);
  MaxLength(input.new_circumstances(), kMaxText, "follow_up.new_circumstances", v);
  MaxLength(input.further_needs(), kMaxText, "follow_up.further_needs", v);
  std::set<std::string> known;
  for (const pb::Goal& g : plan.goals()) {
    for (const pb::Intervention& in : g.interventions()) known.insert(in.id());
  }
  std::set<std::string> seen;
  for (int i = 0; i < input.intervention_outcomes_size(); ++i) {
    const pb::InterventionOutcome& o = input.intervention_outcomes(i);
    const std::string f = absl::StrCat("follow_up.intervention_outcomes[", i, "].intervention_id");
    if (known.count(o.intervention_id()) == 0) {
      v.Add(f, "is not an intervention of this plan; use the ids GetPlan returns");
    } else if (!seen.insert(o.intervention_id()).second) {
      v.Add(f, "is listed twice");
    }
    MaxLength(o.comment(), kMaxText,
              absl::StrCat("follow_up.intervention_outcomes[", i, "].comment"), v);
  }
  if (input.decision() == pb::FOLLOW_UP_DECISION_UNSPECIFIED ||
      !pb::FollowUpDecision_IsValid(input.decision())) {
    v.Add("follow_up.decision", "must be CONTINUE, REVISE or CLOSE");
  }
  // The meeting agrees when to follow up next, unless it decided to close the plan.
  if (input.has_next_follow_up_date()) {
    const auto next = DayFromProto(input.next_follow_up_date());
    const auto held = DayFromProto(input.follow_up_date());
    if (!next) {
      v.Add("follow_up.next_follow_up_date", "is not a valid calendar date");
    } else if (held && *next <= *held) {
      v.Add("follow_up.next_follow_up_date", "must be after the follow-up it was agreed at");
    }
  } else if (input.decision() != pb::FOLLOW_UP_DECISION_CLOSE) {
    v.Add("follow_up.next_follow_up_date",
          "is required: the next follow-up the meeting agreed (at least once a year), unless "
          "the decision is CLOSE");
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  input.clear_name();
  ToProto(caller, input.mutable_recorded_by());
  ToProto(now, input.mutable_create_time());
  return input;
}

absl::Status RecordCircumstances(pb::Plan& plan, const CircumstanceChange& change) {
  SIP_RETURN_IF_ERROR(RequireOpen(plan));
  Violations v;
  if (change.kind == pb::CIRCUMSTANCE_KIND_UNSPECIFIED ||
      !pb::CircumstanceKind_IsValid(change.kind)) {
    v.Add("kind",
          "must be MOVED_MUNICIPALITY, CHANGED_HEALTH_CENTRE, MOVED_OUT_OF_REGION or "
          "NEW_PARTY");
  }
  MaxLength(change.note, kMaxText, "note", v);
  SIP_RETURN_IF_ERROR(v.ToStatus());
  ToProto(change.record_time, plan.mutable_update_time());
  return absl::OkStatus();
}

absl::Status Close(pb::Plan& plan, pb::Closure closure, const Actor& caller, absl::Time now) {
  SIP_RETURN_IF_ERROR(RequireOpen(plan));
  Violations v;
  if (closure.reason() == pb::CLOSURE_REASON_UNSPECIFIED ||
      !pb::ClosureReason_IsValid(closure.reason())) {
    v.Add("closure.reason",
          "must be GOALS_MET, NO_LONGER_NEEDED, CONSENT_WITHDRAWN, CONSENT_REFUSED, "
          "MOVED_OUT_OF_REGION, EXPIRED or REPLACED");
  } else if (closure.reason() == pb::CLOSURE_REASON_CONSENT_REFUSED &&
             plan.state() != cpb::PLAN_STATE_INITIATED) {
    v.Add("closure.reason",
          "CONSENT_REFUSED closes a plan not yet established; an established plan whose "
          "consent ends is closed for CONSENT_WITHDRAWN");
  } else if (closure.reason() == pb::CLOSURE_REASON_REPLACED) {
    auto ids = ParseResourceName(closure.replaced_by(), {"plans"}, "closure.replaced_by");
    if (!ids.ok()) {
      v.Add("closure.replaced_by",
            "is required when the plan is replaced: the new plan, \"plans/{plan}\"");
    } else if (closure.replaced_by() == plan.name()) {
      v.Add("closure.replaced_by", "must be another plan than the one closed");
    }
  } else if (!closure.replaced_by().empty()) {
    v.Add("closure.replaced_by", "is only for the reason REPLACED");
  }
  MaxLength(closure.note(), kMaxText, "closure.note", v);
  SIP_RETURN_IF_ERROR(v.ToStatus());
  ToProto(caller, closure.mutable_closed_by());
  ToProto(now, closure.mutable_close_time());
  *plan.mutable_closure() = std::move(closure);
  plan.set_state(cpb::PLAN_STATE_CLOSED);
  ToProto(now, plan.mutable_update_time());
  return absl::OkStatus();
}

absl::Status MayClose(pb::ClosureReason reason, const std::string& service) {
  const auto denied = [](absl::string_view message) {
    return WithReason(absl::PermissionDeniedError(message), "CLOSURE_NOT_ALLOWED");
  };
  if (!service.empty()) {
    if (service != "lifecycle") {
      return denied(absl::StrCat("the ", service,
                                 " service acting on its own may not close a plan; only the "
                                 "lifecycle service does, or a user of the coordinator's unit"));
    }
    if (reason != pb::CLOSURE_REASON_EXPIRED && reason != pb::CLOSURE_REASON_CONSENT_WITHDRAWN &&
        reason != pb::CLOSURE_REASON_CONSENT_REFUSED &&
        reason != pb::CLOSURE_REASON_MOVED_OUT_OF_REGION) {
      return denied(
          "the lifecycle service closes only for EXPIRED, CONSENT_WITHDRAWN, CONSENT_REFUSED "
          "and MOVED_OUT_OF_REGION; the other reasons are a user's of the coordinator's unit");
    }
    return absl::OkStatus();
  }
  if (reason == pb::CLOSURE_REASON_EXPIRED) {
    return denied(
        "a plan is closed as EXPIRED (förverkad) only by the lifecycle service, by the region's "
        "policy; close it for GOALS_MET, NO_LONGER_NEEDED or another reason that applies");
  }
  if (reason == pb::CLOSURE_REASON_CONSENT_WITHDRAWN ||
      reason == pb::CLOSURE_REASON_CONSENT_REFUSED) {
    return denied(
        "a plan is closed for a withdrawn or refused consent by the lifecycle service, once "
        "the consent service has recorded the person's decision; record the withdrawal or "
        "refusal there");
  }
  return absl::OkStatus();
}

}  // namespace sip::plan
