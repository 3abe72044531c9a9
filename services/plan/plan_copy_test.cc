#include "services/plan/plan_copy.h"

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plan/plan_test_data.h"

namespace sip::plan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

pb::PlanRevision EstablishedRevision() {
  pb::Plan input = testdata::CompletePlan();
  input.mutable_goals(0)->set_text("Ta mina mediciner <varje> dag & må bra");
  pb::Plan plan = *NewPlan(input, testdata::kCaller, testdata::kNow);
  return *Establish(plan, "p1", {}, testdata::kCaller, testdata::kNow);
}

TEST(PlanCopyTest, AnInternalSipSaysSo) {
  pb::PlanRevision revision = EstablishedRevision();
  EXPECT_EQ(RenderCopyText(revision).find("intern SIP"), std::string::npos);
  revision.mutable_snapshot()->set_kind(pb::PLAN_KIND_INTERNAL);
  EXPECT_THAT(RenderCopyText(revision), HasSubstr("intern SIP inom en huvudman"));
}

TEST(PlanCopyTest, TextHasEverySectionOfTheRegionalForm) {
  const std::string text = RenderCopyText(EstablishedRevision());
  for (const char* expected : {
           "Samordnad individuell plan (SIP)",
           "Version 1, upprättad 24 november 2026",
           // Whose plan.
           "Namn: Tolvan Tolvansson", "Personnummer: 19121212-1212",
           "Adress: Storgatan 1, 442 30 Kungälv", "God man: Greta Godman",
           // Need noticed by, meeting.
           "Behov uppmärksammat av\n----------------------\n", "Regional hälso- och sjukvård",
           "Planen upprättades vid SIP-mötet 24 november 2026.",
           // The person's own words.
           "Vad är viktigt för mig? (långsiktigt mål)",
           "Jag vill kunna bo kvar i min lägenhet och må bättre",
           "Det här fungerar bra för mig", "Promenader med min hund",
           "Det här fungerar inte för mig", "Närståendes behov", "Det här kan jag göra själv",
           "- Hjälp med medicinering\n- Stöd i vardagen\n",
           // The table: goal, intervention (what and when), responsible, follow-up.
           "Delmål: 1. Ta mina mediciner <varje> dag & må bra",
           "Insats/aktivitet (vad och när): Dosett och läkemedelsgenomgång (Varje vecka från december)",
           "Ansvarig: Regionen, Vårdcentralen Kungälv",
           "Ansvarig: Kommunen, Socialtjänsten Kungälv",
           "Ansvarig: Försäkringskassan\n",
           "Uppföljning: Vid uppföljningen i maj",
           // Overall responsibility, coordinator, next follow-up, where to turn.
           "Huvudman med övergripande ansvar: Kommunen, Socialtjänsten Kungälv",
           "Samordningsansvarig: Sara Samordnare, 0303-23 80 00",
           "Nästa uppföljning: senast 20 maj 2027",
           "Vart vänder jag mig?", "kontaktar jag min samordningsansvarige",
           "Planen tillhör\n--------------\n", "Inget samtycke är registrerat."}) {
    EXPECT_THAT(text, HasSubstr(expected));
  }
  EXPECT_THAT(text, Not(HasSubstr("PRINCIPAL_KIND"))) << "no API jargon in a person's copy";
  if (::testing::Test::HasFailure()) std::cerr << text;
  EXPECT_THAT(text, Not(HasSubstr("SE2321000131"))) << "units by name, not HSA-id";
  // One voice, the person's own, as the form's headings speak.
  for (const char* other_voice : {"den enskilde", "Den enskilde", " du ", " din ", "Du ",
                                  "Min plan – vems plan"}) {
    EXPECT_THAT(text, Not(HasSubstr(other_voice)));
  }
}

TEST(PlanCopyTest, ShowsTheMeetingTheConsentAndTheFollowUps) {
  pb::PlanRevision revision = EstablishedRevision();
  revision.mutable_snapshot()->mutable_individual()->set_interpreter_needed(true);
  revision.mutable_snapshot()->mutable_individual()->set_preferred_language("fi");
  CopyContext context;
  auto& meeting = context.meeting.emplace();
  auto* d = meeting.mutable_details();
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 13, 0, 0), Stockholm());
  ToProto(start, d->mutable_start_time());
  ToProto(start + absl::Minutes(90), d->mutable_end_time());
  d->set_mode(sip::meeting::v1::MEETING_MODE_IN_PERSON);
  d->set_location("Vårdcentralen Kungälv, rum 3");
  auto& given = context.consents.emplace_back();
  given.set_state(sip::consent::v1::CONSENT_STATE_ACTIVE);
  given.mutable_giver()->set_role(sip::consent::v1::GIVER_ROLE_INDIVIDUAL);
  given.set_form(sip::common::v1::COMMUNICATION_FORM_WRITTEN);
  ToProto(start - absl::Hours(24 * 5), given.mutable_decision_time());
  given.add_covered_units()->set_display_name("Vårdcentralen Kungälv");
  given.add_covered_units()->set_display_name("Socialtjänsten Kungälv");
  auto& withdrawn = context.consents.emplace_back();
  withdrawn.set_state(sip::consent::v1::CONSENT_STATE_WITHDRAWN);
  withdrawn.mutable_giver()->set_role(sip::consent::v1::GIVER_ROLE_TRUSTEE);
  withdrawn.mutable_giver()->set_name("Greta Godman");
  withdrawn.set_form(sip::common::v1::COMMUNICATION_FORM_ORAL);
  ToProto(start - absl::Hours(24 * 30), withdrawn.mutable_decision_time());
  ToProto(start - absl::Hours(24 * 10), withdrawn.mutable_withdrawal()->mutable_withdraw_time());
  auto& follow_up = context.follow_ups.emplace_back();
  DayToProto(absl::CivilDay(2027, 5, 20), follow_up.mutable_follow_up_date());
  follow_up.set_decision(pb::FOLLOW_UP_DECISION_CONTINUE);

  const std::string text = RenderCopyText(revision, context);
  for (const char* expected : {
           "Planen upprättades vid SIP-mötet:\nDag: tisdag 24 november 2026\nTid: 13.00–14.30\n"
           "Plats: Vårdcentralen Kungälv, rum 3",
           "Tolk: Jag behöver tolk på finska",
           "- Jag gav samtycke skriftligt 19 november 2026 för Vårdcentralen Kungälv, "
           "Socialtjänsten Kungälv. Samtycket gäller.",
           "- Min gode man Greta Godman gav samtycke muntligt 25 oktober 2026. Samtycket "
           "återkallades 14 november 2026.",
           "Uppföljning\n-----------\n- 20 maj 2027: planen fortsätter som den är.\n"}) {
    EXPECT_THAT(text, HasSubstr(expected));
  }
  EXPECT_THAT(text, Not(HasSubstr("(språk: fi)")));
}

TEST(PlanCopyTest, PrintsOnA4WithTheOwnerOnEveryPageAndOneGoalCellPerGoal) {
  const std::string html = RenderCopyHtml(EstablishedRevision());
  EXPECT_THAT(html, HasSubstr("size:A4"));
  EXPECT_THAT(html, HasSubstr("Planen tillhör Tolvan Tolvansson, 19121212-1212"));
  EXPECT_THAT(html, HasSubstr("<thead>"));
  EXPECT_THAT(html, HasSubstr("rowspan=\"3\""));
  EXPECT_EQ(html.find("Ta mina mediciner &lt;varje&gt;"), html.rfind("Ta mina mediciner &lt;varje&gt;"))
      << "the goal once, over its interventions";
  EXPECT_THAT(html, HasSubstr("<li>Hjälp med medicinering</li>"));
}

TEST(PlanCopyTest, HtmlIsEscapedAndSelfContained) {
  const std::string html = RenderCopyHtml(EstablishedRevision());
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<html lang=\"sv\">"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"col\">Ansvarig</th>"));
  EXPECT_THAT(html, HasSubstr("Ta mina mediciner &lt;varje&gt; dag &amp; må bra"));
  EXPECT_THAT(html, Not(HasSubstr("<varje>")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("Vart vänder jag mig?"));
}

TEST(PlanCopyTest, RevisionSaysWhyAndClosedPlanSaysSo) {
  pb::PlanRevision revision = EstablishedRevision();
  revision.mutable_snapshot()->set_revision(2);
  revision.set_reason(pb::REVISION_REASON_CHANGED_HEALTH_CENTRE);
  EXPECT_THAT(RenderCopyText(revision), HasSubstr("Version 2, reviderad 24 november 2026 (byte av vårdcentral)"));
  revision.mutable_snapshot()->set_state(sip::common::v1::PLAN_STATE_CLOSED);
  revision.mutable_snapshot()->mutable_closure()->set_reason(pb::CLOSURE_REASON_GOALS_MET);
  EXPECT_THAT(RenderCopyText(revision), HasSubstr("målen är uppnådda"));
}

}  // namespace
}  // namespace sip::plan
