#pragma once

#include <string>

// Plans for the plan service's tests: a complete one that can be established, and one
// for a person with protected identity.
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "services/plan/plan.h"

namespace sip::plan::testdata {

inline constexpr char kVc[] = "SE2321000131-E000000000001";   // region: vårdcentral
inline constexpr char kSoc[] = "SE2120001652-S000000000002";  // kommun: socialtjänst
inline constexpr char kPsy[] = "SE2321000131-P000000000003";  // region: psykiatri
inline const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 24, 10, 0, 0), absl::UTCTimeZone());
inline const Actor kCaller{{kVc, PrincipalKind::kRegion, "Vårdcentralen Kungälv"}, "nurse-1"};

inline void SetUnit(sip::common::v1::Unit* unit, const char* hsa_id,
                    sip::common::v1::PrincipalKind principal, const char* name) {
  unit->set_hsa_id(hsa_id);
  unit->set_principal(principal);
  unit->set_display_name(name);
  // Kungälv's kommun, Västra Götalandsregionen.
  if (principal == sip::common::v1::PRINCIPAL_KIND_MUNICIPALITY) unit->set_principal_code("1482");
  if (principal == sip::common::v1::PRINCIPAL_KIND_REGION) unit->set_principal_code("14");
}

// The unit with `hsa_id` as a request names it: a kommun unit of Kungälv (an HSA-id of
// SE2120001652) or a region unit of Västra Götaland.
inline sip::common::v1::Unit UnitOf(const char* hsa_id) {
  sip::common::v1::Unit u;
  u.set_hsa_id(hsa_id);
  const bool kommun = std::string(hsa_id).rfind("SE2120001652", 0) == 0;
  u.set_principal(kommun ? sip::common::v1::PRINCIPAL_KIND_MUNICIPALITY
                         : sip::common::v1::PRINCIPAL_KIND_REGION);
  u.set_principal_code(kommun ? "1482" : "14");
  return u;
}

inline pb::Plan CompletePlan() {
  namespace cpb = ::sip::common::v1;
  pb::Plan p;
  auto* ind = p.mutable_individual();
  ind->set_personal_identity_number("19121212-1212");
  ind->set_name("Tolvan Tolvansson");
  ind->set_address("Storgatan 1, 442 30 Kungälv");
  ind->set_phone("0303-12 34 56");
  ind->set_preferred_language("sv");
  auto* guardian = ind->add_representatives();
  guardian->set_role(pb::REPRESENTATIVE_ROLE_TRUSTEE);
  guardian->set_name("Greta Godman");
  p.set_need_noticed_by(pb::NEED_NOTICED_BY_REGIONAL_HEALTH_CARE);
  p.set_reason("Behöver stöd från både vårdcentral och socialtjänst");
  p.set_long_term_goal("Jag vill kunna bo kvar i min lägenhet och må bättre");
  p.set_what_works("Promenader med min hund");
  p.set_what_does_not_work("Att komma ihåg mediciner");
  p.set_relatives_needs("Mamma vill få information");
  p.set_own_contribution("Jag kan handla själv");
  p.add_needs("Hjälp med medicinering");
  p.add_needs("Stöd i vardagen");
  auto* goal = p.add_goals();
  goal->set_text("Ta mina mediciner varje dag");
  auto* by_region = goal->add_interventions();
  by_region->set_description("Dosett och läkemedelsgenomgång");
  by_region->set_timing("Varje vecka från december");
  by_region->set_responsible_principal(cpb::PRINCIPAL_KIND_REGION);
  SetUnit(by_region->mutable_responsible_unit(), kVc, cpb::PRINCIPAL_KIND_REGION,
          "Vårdcentralen Kungälv");
  by_region->set_follow_up("Vid uppföljningen i maj");
  auto* by_municipality = goal->add_interventions();
  by_municipality->set_description("Hemtjänst påminner om medicinen");
  by_municipality->set_timing("Dagligen");
  by_municipality->set_responsible_principal(cpb::PRINCIPAL_KIND_MUNICIPALITY);
  SetUnit(by_municipality->mutable_responsible_unit(), kSoc, cpb::PRINCIPAL_KIND_MUNICIPALITY,
          "Socialtjänsten Kungälv");
  auto* by_other = goal->add_interventions();
  by_other->set_description("Utreda sjukersättning");
  by_other->set_responsible_principal(cpb::PRINCIPAL_KIND_OTHER);
  by_other->mutable_responsible_other()->set_kind(cpb::OTHER_PARTY_KIND_SOCIAL_INSURANCE_AGENCY);
  by_other->mutable_responsible_other()->set_description("Försäkringskassan");
  auto* psychiatry = p.add_participants();
  SetUnit(psychiatry->mutable_unit(), kPsy, cpb::PRINCIPAL_KIND_REGION, "Psykiatrin");
  psychiatry->set_role("Konsult");
  auto* mother = p.add_participants();
  mother->mutable_other()->set_kind(cpb::OTHER_PARTY_KIND_RELATIVE);
  mother->mutable_other()->set_description("Mamma");
  auto* overall = p.mutable_overall_responsibility();
  overall->set_principal(cpb::PRINCIPAL_KIND_MUNICIPALITY);
  SetUnit(overall->mutable_unit(), kSoc, cpb::PRINCIPAL_KIND_MUNICIPALITY,
          "Socialtjänsten Kungälv");
  overall->mutable_coordinator()->mutable_unit()->CopyFrom(overall->unit());
  overall->mutable_coordinator()->set_user_id("coordinator-1");
  overall->set_coordinator_contact("Sara Samordnare, 0303-23 80 00");
  auto* next = p.mutable_next_follow_up_date();
  next->set_year(2027);
  next->set_month(5);
  next->set_day(20);
  return p;
}

inline pb::Plan ProtectedPlan() {
  pb::Plan p = CompletePlan();
  auto* ind = p.mutable_individual();
  ind->clear_personal_identity_number();
  ind->clear_name();
  ind->clear_address();
  ind->clear_phone();
  ind->set_protected_identity(true);
  ind->set_local_reference("VC-2026-117");
  for (auto& r : *ind->mutable_representatives()) r.clear_name();
  return p;
}

}  // namespace sip::plan::testdata
