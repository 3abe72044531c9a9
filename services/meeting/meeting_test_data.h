#pragma once

// Test data shared by the meeting service's tests.
#include "common/calendar.h"
#include "common/model.h"
#include "common/proto_convert.h"
#include "services/meeting/meeting.h"

namespace sip::meeting::testdata {

inline constexpr char kVc[] = "SE2321000131-E000000000001";   // region 14: vårdcentral
inline constexpr char kPsy[] = "SE2321000131-P000000000003";  // region 14: psykiatri
inline constexpr char kSoc[] = "SE2120001652-S000000000002";  // kommun 1482: socialtjänst
inline const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 25, 9, 0, 0), Stockholm());
inline const Actor kVcNurse{{kVc, PrincipalKind::kRegion, "", "14"}, "nurse-1"};

inline sip::common::v1::Unit UnitOf(const char* hsa, sip::common::v1::PrincipalKind kind,
                                    const char* code) {
  sip::common::v1::Unit u;
  u.set_hsa_id(hsa);
  u.set_principal(kind);
  u.set_principal_code(code);
  return u;
}

// An initial meeting in person `from_now` ahead, two hours long, inviting the health
// centre and social services.
inline pb::ScheduleMeetingRequest Request(absl::Duration from_now) {
  namespace cpb = ::sip::common::v1;
  pb::ScheduleMeetingRequest r;
  r.set_parent("plans/p1");
  r.set_kind(pb::MEETING_KIND_INITIAL);
  auto* d = r.mutable_details();
  ToProto(kNow + from_now, d->mutable_start_time());
  ToProto(kNow + from_now + absl::Hours(2), d->mutable_end_time());
  d->set_mode(pb::MEETING_MODE_IN_PERSON);
  d->set_location("Vårdcentralen Kungälv, rum 3");
  d->set_purpose("Jag vill kunna bo kvar hemma");
  d->add_questions("Hur får jag hjälp med medicinerna?");
  *r.add_invitees()->mutable_unit() = UnitOf(kVc, cpb::PRINCIPAL_KIND_REGION, "14");
  *r.add_invitees()->mutable_unit() = UnitOf(kSoc, cpb::PRINCIPAL_KIND_MUNICIPALITY, "1482");
  return r;
}

}  // namespace sip::meeting::testdata
