#include "services/consent/consent_proto.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::consent {

namespace pb = ::sip::consent::v1;


std::optional<GiverRole> RoleFromProto(pb::GiverRole role, const std::string& field,
                                       Violations& v) {
  switch (role) {
    case pb::GIVER_ROLE_INDIVIDUAL: return GiverRole::kIndividual;
    case pb::GIVER_ROLE_GUARDIAN: return GiverRole::kGuardian;
    case pb::GIVER_ROLE_TRUSTEE: return GiverRole::kTrustee;
    case pb::GIVER_ROLE_ADMINISTRATOR: return GiverRole::kAdministrator;
    default:
      v.Add(field, "must be INDIVIDUAL, GUARDIAN, TRUSTEE or ADMINISTRATOR");
      return std::nullopt;
  }
}

Giver GiverFromProto(const pb::ConsentGiver& in, const std::string& field, Violations& v) {
  Giver g;
  g.role = RoleFromProto(in.role(), field + ".role", v).value_or(GiverRole::kIndividual);
  g.name = in.name();
  return g;
}

CommunicationForm FormOrDefault(sip::common::v1::CommunicationForm in, const std::string& field,
                                Violations& v) {
  return FormFromProto(in, field, v).value_or(CommunicationForm::kWritten);
}

std::optional<absl::Time> OptionalTime(bool present, const google::protobuf::Timestamp& t,
                                       const std::string& field, Violations& v) {
  if (!present) return std::nullopt;
  return TimeFromProto(t, field, v);
}

std::vector<Unit> UnitsFromProto(
    const google::protobuf::RepeatedPtrField<sip::common::v1::Unit>& in,
    const std::string& field, Violations& v) {
  std::vector<Unit> out;
  for (int i = 0; i < in.size(); ++i) {
    if (auto unit = UnitFromProto(in[i], absl::StrCat(field, "[", i, "]"), v)) {
      out.push_back(*std::move(unit));
    }
  }
  return out;
}

std::vector<OtherParty> OthersFromProto(
    const google::protobuf::RepeatedPtrField<sip::common::v1::OtherParty>& in,
    const std::string& field, Violations& v) {
  std::vector<OtherParty> out;
  for (int i = 0; i < in.size(); ++i) {
    if (auto party = OtherPartyFromProto(in[i], absl::StrCat(field, "[", i, "]"), v)) {
      out.push_back(*std::move(party));
    }
  }
  return out;
}

std::optional<HarmAssessment> HarmFromProto(const pb::Consent& in, Violations& v) {
  if (!in.has_harm_assessment()) return std::nullopt;
  const pb::HarmAssessment& h = in.harm_assessment();
  HarmAssessment out;
  switch (h.outcome()) {
    case pb::HARM_ASSESSMENT_OUTCOME_NO_HARM: out.outcome = HarmOutcome::kNoHarm; break;
    case pb::HARM_ASSESSMENT_OUTCOME_RESTRICTED: out.outcome = HarmOutcome::kRestricted; break;
    default: v.Add("consent.harm_assessment.outcome", "must be NO_HARM or RESTRICTED");
  }
  out.note = h.note();
  out.restricted_unit_hsa_ids.assign(h.restricted_unit_hsa_ids().begin(),
                                     h.restricted_unit_hsa_ids().end());
  if (h.has_assessed_by()) {
    if (auto unit = UnitFromProto(h.assessed_by().unit(),
                                  "consent.harm_assessment.assessed_by.unit", v)) {
      out.assessed_by.unit = *std::move(unit);
    }
    out.assessed_by.user_id = h.assessed_by().user_id();
    if (out.assessed_by.user_id.empty() || out.assessed_by.user_id.size() > 64) {
      v.Add("consent.harm_assessment.assessed_by.user_id",
            "must name the user who made the assessment (1-64 characters), or leave "
            "assessed_by empty to record the caller");
    }
  }
  return out;
}

absl::StatusOr<ConsentInput> ConsentInputFromProto(const pb::Consent& c) {
  Violations v;
  ConsentInput input;
  input.giver = GiverFromProto(c.giver(), "consent.giver", v);
  if (c.has_second_guardian()) {
    input.second_guardian = GiverFromProto(c.second_guardian(), "consent.second_guardian", v);
  }
  input.form = FormOrDefault(c.form(), "consent.form", v);
  input.decision_time = OptionalTime(c.has_decision_time(), c.decision_time(),
                                     "consent.decision_time", v);
  input.covered_units = UnitsFromProto(c.covered_units(), "consent.covered_units", v);
  input.covered_others = OthersFromProto(c.covered_others(), "consent.covered_others", v);
  input.valid_until =
      OptionalTime(c.has_valid_until(), c.valid_until(), "consent.valid_until", v);
  input.individual_is_minor = c.individual_is_minor();
  input.maturity_note = c.maturity_note();
  input.reduced_capacity = c.reduced_capacity();
  input.harm_assessment = HarmFromProto(c, v);
  input.note = c.note();
  SIP_RETURN_IF_ERROR(v.ToStatus());
  return input;
}

}  // namespace sip::consent
