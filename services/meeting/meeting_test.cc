#include "services/meeting/meeting.h"

#include <string>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/meeting/meeting_test_data.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testdata::kNow;
using testdata::kPsy;
using testdata::kSoc;
using testdata::kVc;
using testdata::kVcNurse;
using testdata::UnitOf;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

// The shared request, with the individual invited too.
pb::ScheduleMeetingRequest Valid() {
  pb::ScheduleMeetingRequest r = testdata::Request(absl::Hours(24 * 7));
  r.add_invitees()->set_individual(true);
  return r;
}

NewIdFn Counter() {
  auto n = std::make_shared<int>(0);
  return [n] { return "id" + std::to_string(++*n); };
}

pb::Meeting Scheduled() { return *NewMeeting(Valid(), {"p1"}, kVcNurse, kNow, Counter()); }

TEST(NewMeetingTest, SchedulesWithAnInvitationPerInviteeKeepingWhatWasSent) {
  auto m = NewMeeting(Valid(), {"p1"}, kVcNurse, kNow, Counter());
  SIP_ASSERT_OK(m);
  EXPECT_EQ(m->name(), "plans/p1/meetings/id1");
  EXPECT_EQ(m->state(), pb::MEETING_STATE_SCHEDULED);
  ASSERT_EQ(m->invitations_size(), 3);
  EXPECT_EQ(m->invitations(0).name(), "plans/p1/meetings/id1/invitations/id2");
  EXPECT_EQ(m->invitations(0).sent().purpose(), "Jag vill kunna bo kvar hemma");
  EXPECT_EQ(m->invitations(0).sequence(), 0);
  EXPECT_EQ(m->invitations(0).state(), pb::INVITATION_STATE_PENDING);
  EXPECT_EQ(m->convener().unit().hsa_id(), kVc);
  EXPECT_THAT(InvitedUnitIds(*m), ElementsAre(kSoc, kVc));
}

TEST(NewMeetingTest, BadDetailsAreNamedEveryOne) {
  pb::ScheduleMeetingRequest r = Valid();
  auto* d = r.mutable_details();
  ToProto(kNow + absl::Hours(24 * 7 + 30), d->mutable_end_time());  // a meeting of 30 hours
  d->clear_location();
  d->clear_purpose();
  d->clear_questions();
  d->set_interpreter_needed(true);
  EXPECT_THAT(Fields(NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()).status()),
              ElementsAre("details.end_time", "details.location", "details.purpose",
                          "details.questions", "details.interpreter_language"));
  r = Valid();
  ToProto(kNow - absl::Hours(1), r.mutable_details()->mutable_start_time());
  EXPECT_THAT(Fields(NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()).status()),
              ElementsAre("details.start_time", "details.end_time"));
  r = Valid();
  r.mutable_details()->set_mode(pb::MEETING_MODE_VIDEO);
  EXPECT_THAT(Fields(NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()).status()),
              ElementsAre("details.video_link"));
}

TEST(NewMeetingTest, ASipNeedsBothPrincipalsUnlessInternal) {
  pb::ScheduleMeetingRequest r = Valid();
  r.mutable_invitees()->DeleteSubrange(1, 1);  // no kommun unit
  const absl::Status refused = NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()).status();
  EXPECT_THAT(Fields(refused), ElementsAre("invitees"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("kommun"));
  SIP_EXPECT_OK(NewMeeting(r, {"p1", /*both_principals=*/false}, kVcNurse, kNow, Counter()));
  // A unit without its principal code, or invited twice.
  r = Valid();
  r.mutable_invitees(1)->mutable_unit()->clear_principal_code();
  *r.add_invitees()->mutable_unit() = UnitOf(kVc, cpb::PRINCIPAL_KIND_REGION, "14");
  EXPECT_THAT(Fields(NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()).status()),
              ElementsAre("invitees[1].unit.principal_code", "invitees[3]"));
}

TEST(NewMeetingTest, ProtectedIdentityGetsNoInvitations) {
  EXPECT_EQ(ReasonOf(NewMeeting(Valid(), {"p1", true, true}, kVcNurse, kNow, Counter()).status()),
            "PROTECTED_IDENTITY");
}

TEST(NewMeetingTest, TheHealthCentreMarkIsOnlyForARegionUnit) {
  pb::ScheduleMeetingRequest r = Valid();
  r.mutable_invitees(0)->set_as_health_centre(true);
  SIP_EXPECT_OK(NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()));
  r.mutable_invitees(1)->set_as_health_centre(true);
  EXPECT_THAT(Fields(NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter()).status()),
              ElementsAre("invitees[1].as_health_centre"));
}

TEST(InitialMeetingWarningTest, WarnsAfterThreeWeeksFromTheNeed) {
  const pb::Meeting m = Scheduled();  // a week from now
  EXPECT_FALSE(InitialMeetingWarning(m, kNow - absl::Hours(24 * 14), 21));
  auto late = InitialMeetingWarning(m, kNow - absl::Hours(24 * 15), 21);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code(), "INITIAL_MEETING_AFTER_TARGET");
  EXPECT_EQ(DayFromProto(late->date()), DayInSweden(kNow - absl::Hours(24 * 15)) + 21);
}

TEST(AnswerTest, AcceptNamingWhoAttends) {
  pb::Meeting m = Scheduled();
  const std::string vc = m.invitations(0).name();
  pb::AnswerInvitationRequest a;
  a.mutable_accept();
  EXPECT_THAT(Fields(Answer(m, vc, a, kVcNurse, kNow, Counter()).status()),
              ElementsAre("accept.attendees"));
  auto* who = a.mutable_accept()->add_attendees();
  who->set_name("Anna Lind");
  who->set_role("Distriktssköterska");
  auto answered = Answer(m, vc, a, kVcNurse, kNow, Counter());
  SIP_ASSERT_OK(answered);
  EXPECT_FALSE(answered->has_value());
  EXPECT_EQ(m.invitations(0).state(), pb::INVITATION_STATE_ACCEPTED);
  EXPECT_EQ(m.invitations(0).answered_by().user_id(), "nurse-1");
  EXPECT_EQ(ReasonOf(Answer(m, vc, a, kVcNurse, kNow, Counter()).status()), "INVITATION_ANSWERED");
  // Only the invited unit answers.
  const Actor soc{{kSoc, PrincipalKind::kMunicipality, "", "1482"}, "u"};
  EXPECT_EQ(Answer(m, m.invitations(1).name(), a, kVcNurse, kNow, Counter()).status().code(),
            absl::StatusCode::kPermissionDenied);
  SIP_EXPECT_OK(Answer(m, m.invitations(1).name(), a, soc, kNow, Counter()));
}

TEST(AnswerTest, ForwardOnlyWithinThePrincipalAndNeverDecline) {
  pb::Meeting m = Scheduled();
  const std::string vc = m.invitations(0).name();
  pb::AnswerInvitationRequest decline;
  decline.mutable_decline()->set_reason("Vi har inte tid");
  EXPECT_EQ(ReasonOf(Answer(m, vc, decline, kVcNurse, kNow, Counter()).status()),
            "DECLINE_NOT_ALLOWED");
  // To the kommun: another principal.
  pb::AnswerInvitationRequest forward;
  *forward.mutable_forward()->mutable_unit() =
      UnitOf("SE2120001652-S000000000007", cpb::PRINCIPAL_KIND_MUNICIPALITY, "1482");
  EXPECT_THAT(Fields(Answer(m, vc, forward, kVcNurse, kNow, Counter()).status()),
              ElementsAre("forward.unit.principal_code"));
  // To another region: another principal too.
  *forward.mutable_forward()->mutable_unit() =
      UnitOf("SE2321000131-P000000000009", cpb::PRINCIPAL_KIND_REGION, "12");
  EXPECT_THAT(Fields(Answer(m, vc, forward, kVcNurse, kNow, Counter()).status()),
              ElementsAre("forward.unit.principal_code"));
  // To psychiatry in the same region: a new invitation, the old one FORWARDED.
  *forward.mutable_forward()->mutable_unit() = UnitOf(kPsy, cpb::PRINCIPAL_KIND_REGION, "14");
  auto answered = Answer(m, vc, forward, kVcNurse, kNow, [] { return std::string("fw"); });
  SIP_ASSERT_OK(answered);
  ASSERT_TRUE(answered->has_value());
  EXPECT_EQ((*answered)->invitee().unit().hsa_id(), kPsy);
  EXPECT_EQ((*answered)->forwarded_from(), vc);
  EXPECT_EQ((*answered)->sent().purpose(), m.details().purpose());
  EXPECT_EQ(m.invitations(0).state(), pb::INVITATION_STATE_FORWARDED);
  EXPECT_EQ(m.invitations(0).forwarded_to(), (*answered)->name());
  EXPECT_EQ(m.invitations_size(), 4);
  EXPECT_THAT(InvitedUnitIds(m), ElementsAre(kSoc, kVc, kPsy));
}

TEST(RescheduleTest, EveryInvitationIsSentAgainAndAsked) {
  pb::Meeting m = Scheduled();
  pb::AnswerInvitationRequest a;
  a.mutable_accept()->add_attendees()->set_name("Anna Lind");
  SIP_ASSERT_OK(Answer(m, m.invitations(0).name(), a, kVcNurse, kNow, Counter()));
  pb::MeetingDetails later = m.details();
  ToProto(kNow + absl::Hours(24 * 9), later.mutable_start_time());
  ToProto(kNow + absl::Hours(24 * 9 + 2), later.mutable_end_time());
  SIP_ASSERT_OK(Reschedule(m, later, "", kNow));
  EXPECT_EQ(m.invitations(0).state(), pb::INVITATION_STATE_PENDING);
  EXPECT_EQ(m.invitations(0).sequence(), 1);
  EXPECT_EQ(m.invitations(0).sent().start_time().seconds(), later.start_time().seconds());
  EXPECT_TRUE(m.invitations(0).attendees().empty());
  EXPECT_EQ(m.invitations(2).sequence(), 1) << "the individual's letter is sent again too";
  later.clear_purpose();
  EXPECT_THAT(Fields(Reschedule(m, later, "", kNow)), ElementsAre("details.purpose"));
}

TEST(CancelAndHoldTest, CancelNeedsAReasonAndHoldNeedsThePast) {
  pb::Meeting m = Scheduled();
  EXPECT_THAT(Fields(Cancel(m, " ", kNow)), ElementsAre("reason"));
  pb::HeldRecord held;
  ToProto(kNow + absl::Hours(24 * 7), held.mutable_start_time());
  ToProto(kNow + absl::Hours(24 * 7 + 2), held.mutable_end_time());
  held.add_attended_invitations(m.invitations(0).name());
  EXPECT_THAT(Fields(Hold(m, held, kNow)), ElementsAre("held.start_time"));
  // Issue 22: a meeting scheduled a week ahead has not been held, whatever the held
  // record's own times say; before the fix it was recorded as held.
  pb::HeldRecord past;
  ToProto(kNow - absl::Hours(3), past.mutable_start_time());
  ToProto(kNow - absl::Hours(2), past.mutable_end_time());
  const absl::Status early = Hold(m, past, kNow);
  EXPECT_EQ(ReasonOf(early), "MEETING_NOT_STARTED") << early;
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(m.state(), pb::MEETING_STATE_SCHEDULED);
  const absl::Time after = kNow + absl::Hours(24 * 7 + 3);
  held.add_attended_invitations("plans/p1/meetings/other/invitations/x");
  EXPECT_THAT(Fields(Hold(m, held, after)), ElementsAre("held.attended_invitations[1]"));
  held.mutable_attended_invitations()->RemoveLast();
  SIP_ASSERT_OK(Hold(m, held, after));
  EXPECT_EQ(m.state(), pb::MEETING_STATE_HELD);
  EXPECT_EQ(ReasonOf(Cancel(m, "för sent", after)), "MEETING_HELD");

  pb::Meeting other = Scheduled();
  SIP_ASSERT_OK(Cancel(other, "Den enskilde är sjuk", kNow));
  EXPECT_EQ(other.state(), pb::MEETING_STATE_CANCELLED);
  EXPECT_EQ(other.invitations(0).state(), pb::INVITATION_STATE_CANCELLED);
  EXPECT_EQ(other.invitations(0).sequence(), 1) << "the calendar entry is cancelled";
  pb::AnswerInvitationRequest a;
  a.mutable_accept()->add_attendees()->set_name("Anna Lind");
  EXPECT_EQ(ReasonOf(Answer(other, other.invitations(0).name(), a, kVcNurse, kNow, Counter())
                         .status()),
            "MEETING_CANCELLED");
}

TEST(NoticesTest, EachChangeOwesTheUnitsItConcerns) {
  pb::Meeting m = Scheduled();
  const pb::Meeting scheduled = m;
  // A forward: only the new unit gets a notice.
  pb::AnswerInvitationRequest f;
  *f.mutable_forward()->mutable_unit() = UnitOf(kPsy, cpb::PRINCIPAL_KIND_REGION, "14");
  SIP_ASSERT_OK(Answer(m, m.invitations(0).name(), f, kVcNurse, kNow, Counter()));
  std::vector<pb::Notice> n = NoticesOf(scheduled, m, pb::NOTICE_KIND_CANCELLED, kNow, Counter());
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].kind(), pb::NOTICE_KIND_FORWARDED_TO_YOU);
  EXPECT_EQ(n[0].name(), absl::StrCat("units/", kPsy, "/notices/id1"));
  EXPECT_EQ(n[0].plan(), "plans/p1");
  EXPECT_EQ(n[0].invitation(), m.invitations(3).name());

  // Rescheduling: every unit asked again, not the one that forwarded, not the person.
  const pb::Meeting forwarded = m;
  pb::MeetingDetails later = m.details();
  ToProto(kNow + absl::Hours(24 * 9), later.mutable_start_time());
  ToProto(kNow + absl::Hours(24 * 9 + 2), later.mutable_end_time());
  SIP_ASSERT_OK(Reschedule(m, later, "Lokalen är upptagen", kNow));
  EXPECT_EQ(m.reschedule_reason(), "Lokalen är upptagen");
  n = NoticesOf(forwarded, m, pb::NOTICE_KIND_CANCELLED, kNow, Counter());
  std::vector<std::string> to;
  for (const auto& x : n) {
    EXPECT_EQ(x.kind(), pb::NOTICE_KIND_RESCHEDULED);
    to.push_back(x.name().substr(0, x.name().find("/notices/")));
  }
  EXPECT_THAT(to, ElementsAre(absl::StrCat("units/", kSoc), absl::StrCat("units/", kPsy)));

  // A cancellation: the kind asked for, to every unit with an open invitation.
  const pb::Meeting rescheduled = m;
  SIP_ASSERT_OK(Cancel(m, "Planen avslutad", kNow));
  n = NoticesOf(rescheduled, m, pb::NOTICE_KIND_PLAN_CLOSED, kNow, Counter());
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].kind(), pb::NOTICE_KIND_PLAN_CLOSED);
  EXPECT_TRUE(NoticesOf(m, m, pb::NOTICE_KIND_CANCELLED, kNow, Counter()).empty());
}

TEST(AddInvitationTest, InvitesOnceWithTheDetailsAsTheyStand) {
  pb::Meeting m = Scheduled();
  pb::Invitee other;
  other.mutable_other()->set_kind(cpb::OTHER_PARTY_KIND_RELATIVE);
  other.mutable_other()->set_description("Dotter");
  auto inv = AddInvitation(m, other, kNow, Counter());
  SIP_ASSERT_OK(inv);
  EXPECT_EQ(inv->sent().purpose(), m.details().purpose());
  EXPECT_EQ(m.invitations_size(), 4);
  EXPECT_THAT(Fields(AddInvitation(m, other, kNow, Counter()).status()), ElementsAre("invitee"));
  pb::Invitee vc_again;
  *vc_again.mutable_unit() = UnitOf(kVc, cpb::PRINCIPAL_KIND_REGION, "14");
  EXPECT_THAT(Fields(AddInvitation(m, vc_again, kNow, Counter()).status()),
              ElementsAre("invitee"));
  SIP_ASSERT_OK(Cancel(m, "Inställt", kNow));
  EXPECT_EQ(ReasonOf(AddInvitation(m, other, kNow, Counter()).status()), "MEETING_CANCELLED");
}

TEST(UnbookedTest, RecordsAHeldMeetingWithoutInvitations) {
  pb::RecordUnbookedMeetingRequest r;
  r.set_kind(pb::MEETING_KIND_INITIAL);
  r.set_mode(pb::MEETING_MODE_TELEPHONE);
  ToProto(kNow - absl::Hours(2), r.mutable_held()->mutable_start_time());
  ToProto(kNow - absl::Hours(1), r.mutable_held()->mutable_end_time());
  auto m = NewUnbookedMeeting(r, "p1", kVcNurse, kNow, Counter());
  SIP_ASSERT_OK(m);
  EXPECT_EQ(m->state(), pb::MEETING_STATE_HELD);
  EXPECT_TRUE(m->unbooked());
  EXPECT_EQ(m->details().start_time().seconds(), r.held().start_time().seconds());
  r.set_kind(pb::MEETING_KIND_UNSPECIFIED);
  r.set_mode(pb::MEETING_MODE_UNSPECIFIED);
  r.mutable_held()->add_attended_invitations("plans/p1/meetings/x/invitations/y");
  ToProto(kNow + absl::Hours(1), r.mutable_held()->mutable_start_time());
  EXPECT_THAT(Fields(NewUnbookedMeeting(r, "p1", kVcNurse, kNow, Counter()).status()),
              ElementsAre("kind", "mode", "held.start_time", "held.end_time",
                          "held.attended_invitations"));
}

}  // namespace
}  // namespace sip::meeting
