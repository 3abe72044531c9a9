// The written invitation: the letter's content for each kind of invitee and state, and
// the calendar entry's form (RFC 5545: CRLF, folding, escaping, UID, SEQUENCE, CANCEL,
// local times in Europe/Stockholm on both sides of a daylight-saving change).
#include "services/meeting/invitation.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/meeting/meeting_test_data.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;
using ::testing::HasSubstr;
using ::testing::Not;

using testdata::kNow;
using testdata::kPsy;
using testdata::kVcNurse;
using testdata::UnitOf;

NewIdFn Counter() {
  auto n = std::make_shared<int>(0);
  return [n] { return "id" + std::to_string(++*n); };
}

// A follow-up or initial meeting on 2 December 2026 10.00–12.00 in Stockholm, with an
// interpreter, the individual and a relative invited besides the two units.
pb::Meeting Scheduled() {
  pb::ScheduleMeetingRequest r = testdata::Request(absl::Hours(1));
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2026, 12, 2, 10, 0, 0), Stockholm());
  ToProto(start, r.mutable_details()->mutable_start_time());
  ToProto(start + absl::Hours(2), r.mutable_details()->mutable_end_time());
  r.mutable_details()->set_interpreter_needed(true);
  r.mutable_details()->set_interpreter_language("fi");
  r.mutable_details()->add_questions("Vem följer med till tandläkaren?");
  r.mutable_invitees(0)->mutable_unit()->set_display_name("Vårdcentralen Kungälv");
  r.mutable_invitees(0)->set_as_health_centre(true);
  r.mutable_invitees(1)->mutable_unit()->set_display_name("Socialtjänsten Kungälv");
  r.add_invitees()->set_individual(true);
  auto* relative = r.add_invitees()->mutable_other();
  relative->set_kind(cpb::OTHER_PARTY_KIND_RELATIVE);
  relative->set_description("Dotter");
  r.mutable_meeting_leader()->set_name("Eva Berg");
  r.mutable_meeting_leader()->set_role("Oberoende mötesledare");
  // The convener's headers carry no unit name; its invitation names it.
  auto m = NewMeeting(r, {"p1"}, kVcNurse, kNow, Counter());
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

std::string Letter(const pb::Meeting& m, int invitation) {
  return document::RenderText(InvitationLetter(m, m.invitations(invitation)));
}

TEST(InvitationLetterTest, AUnitsLetterSaysWhatWhenWhereWhoAndHowToAnswer) {
  const pb::Meeting m = Scheduled();
  const std::string text = Letter(m, 1);  // social services
  EXPECT_THAT(text, HasSubstr("Kallelse till SIP-möte (samordnad individuell plan)"));
  EXPECT_THAT(text, HasSubstr("Till: Socialtjänsten Kungälv, Kungälv (kommun)"));
  EXPECT_THAT(text, HasSubstr("Dag: onsdag 2 december 2026"));
  EXPECT_THAT(text, HasSubstr("Tid: 10.00–12.00"));
  EXPECT_THAT(text, HasSubstr("Plats: Vårdcentralen Kungälv, rum 3"));
  EXPECT_THAT(text, HasSubstr("Tolk på finska finns med på mötet."));
  EXPECT_THAT(text, HasSubstr("Jag vill kunna bo kvar hemma"));
  EXPECT_THAT(text, HasSubstr("- Hur får jag hjälp med medicinerna?\n- Vem följer med"));
  EXPECT_THAT(text, HasSubstr("Mötesledare: Eva Berg, Oberoende mötesledare"));
  EXPECT_THAT(text, HasSubstr("- Vårdcentralen Kungälv, Västra Götalandsregionen\n"
                              "- Den som planen gäller\n- Närstående: Dotter"));
  EXPECT_THAT(text, Not(HasSubstr("- Socialtjänsten Kungälv"))) << "not among the others";
  EXPECT_THAT(text, HasSubstr("rätt kompetens och mandat"));
  EXPECT_THAT(text, HasSubstr("kan inte avböjas"));
  EXPECT_THAT(text, Not(HasSubstr("vårdcentral:")));
  EXPECT_THAT(Letter(m, 0), HasSubstr("Ni kallas som vårdcentral"));
}

TEST(InvitationLetterTest, ThePersonsLetterAsksNoAnswerAndSaysWhomToCall) {
  const pb::Meeting m = Scheduled();
  const std::string text = Letter(m, 2);
  EXPECT_THAT(text, HasSubstr("Till: Den som planen gäller"));
  EXPECT_THAT(text, HasSubstr("Du är välkommen"));
  EXPECT_THAT(text, HasSubstr("Så svarar du\n"));
  EXPECT_THAT(text, HasSubstr("kontakta Vårdcentralen Kungälv"));
  EXPECT_THAT(text, Not(HasSubstr("avböjas")));
  EXPECT_THAT(Letter(m, 3), HasSubstr("Till: Närstående: Dotter"));
}

TEST(InvitationLetterTest, RescheduledAndCancelledLettersSaySo) {
  pb::Meeting m = Scheduled();
  pb::MeetingDetails later = m.details();
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2026, 12, 3, 13, 0, 0), Stockholm());
  ToProto(start, later.mutable_start_time());
  ToProto(start + absl::Minutes(90), later.mutable_end_time());
  SIP_ASSERT_OK(Reschedule(m, later, "Mötesrummet är upptaget", kNow));
  std::string text = Letter(m, 2);
  EXPECT_THAT(text, HasSubstr("ersätter den du fick tidigare"));
  EXPECT_THAT(text, HasSubstr("Skäl: Mötesrummet är upptaget"));
  EXPECT_THAT(text, HasSubstr("Dag: torsdag 3 december 2026\nTid: 13.00–14.30"));
  SIP_ASSERT_OK(Cancel(m, "Den enskilde är sjuk", kNow));
  text = Letter(m, 2);
  EXPECT_THAT(text, HasSubstr("Inställt: SIP-möte"));
  EXPECT_THAT(text, HasSubstr("Skäl: Den enskilde är sjuk"));
  EXPECT_THAT(text, Not(HasSubstr("Så svarar")));
}

TEST(InvitationLetterTest, HtmlIsEscapedAndPrintable) {
  pb::Meeting m = Scheduled();
  m.mutable_invitations(2)->mutable_sent()->set_purpose("<script>alert(1)</script> & mer");
  const std::string html = document::RenderHtml(InvitationLetter(m, m.invitations(2)));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; mer"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("size:A4"));
  EXPECT_THAT(html, HasSubstr("name=\"viewport\""));
  EXPECT_THAT(html, HasSubstr("<li>Hur får jag hjälp med medicinerna?</li>"));
}

std::vector<std::string> Lines(const std::string& ics) {
  return absl::StrSplit(ics, "\r\n");
}

std::string Property(const std::string& ics, const std::string& name) {
  // Unfolds first (RFC 5545 3.1), then finds "NAME:" or "NAME;".
  std::string unfolded = ics;
  for (size_t at; (at = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(at, 3);
  for (const std::string& line : Lines(unfolded)) {
    if (line.rfind(name + ":", 0) == 0 || line.rfind(name + ";", 0) == 0) return line;
  }
  return "";
}

TEST(InvitationICalendarTest, AStableEventWhoseSequenceGrowsAndThatCancels) {
  pb::Meeting m = Scheduled();
  const std::string first = InvitationICalendar(m, m.invitations(1), kNow);
  for (const std::string& line : Lines(first)) {
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
  }
  EXPECT_EQ(first.substr(first.size() - 2), "\r\n");
  EXPECT_EQ(Property(first, "METHOD"), "METHOD:REQUEST");
  EXPECT_EQ(Property(first, "SEQUENCE"), "SEQUENCE:0");
  EXPECT_EQ(Property(first, "DTSTART;TZID=Europe/Stockholm"), "DTSTART;TZID=Europe/Stockholm:20261202T100000");
  EXPECT_EQ(Property(first, "DTEND;TZID=Europe/Stockholm"), "DTEND;TZID=Europe/Stockholm:20261202T120000");
  EXPECT_THAT(Property(first, "DESCRIPTION"), HasSubstr("Frågor att ta upp:\\n- Hur får jag"));
  EXPECT_THAT(Property(first, "LOCATION"), HasSubstr("Vårdcentralen Kungälv\\, rum 3"));
  const std::string uid = Property(first, "UID");

  // Moved into summer time: local 10.00 stays 10.00 in the file.
  pb::MeetingDetails summer = m.details();
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2027, 4, 7, 10, 0, 0), Stockholm());
  ToProto(start, summer.mutable_start_time());
  ToProto(start + absl::Hours(1), summer.mutable_end_time());
  SIP_ASSERT_OK(Reschedule(m, summer, "", kNow));
  const std::string moved = InvitationICalendar(m, m.invitations(1), kNow);
  EXPECT_EQ(Property(moved, "UID"), uid);
  EXPECT_EQ(Property(moved, "SEQUENCE"), "SEQUENCE:1");
  EXPECT_EQ(Property(moved, "DTSTART;TZID=Europe/Stockholm"), "DTSTART;TZID=Europe/Stockholm:20270407T100000");

  SIP_ASSERT_OK(Cancel(m, "Inställt", kNow));
  const std::string cancelled = InvitationICalendar(m, m.invitations(1), kNow);
  EXPECT_EQ(Property(cancelled, "UID"), uid);
  EXPECT_EQ(Property(cancelled, "METHOD"), "METHOD:CANCEL");
  EXPECT_EQ(Property(cancelled, "STATUS"), "STATUS:CANCELLED");
  EXPECT_EQ(Property(cancelled, "SEQUENCE"), "SEQUENCE:2");
}

TEST(InvitationICalendarTest, LongLinesFoldWithoutSplittingACharacter) {
  pb::Meeting m = Scheduled();
  m.mutable_invitations(1)->mutable_sent()->set_purpose(std::string(100, 'x') + "ååååååååå");
  const std::string ics = InvitationICalendar(m, m.invitations(1), kNow);
  for (const std::string& line : Lines(ics)) {
    ASSERT_LE(line.size(), 75u);
    if (!line.empty()) {
      EXPECT_NE(static_cast<unsigned char>(line[line.size() - 1]), 0xC3) << "cut inside å";
    }
  }
  EXPECT_THAT(Property(ics, "DESCRIPTION"), HasSubstr(std::string(100, 'x') + "ååååååååå"));
}

}  // namespace
}  // namespace sip::meeting
