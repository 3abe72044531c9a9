#include "services/plan/plan_copy.h"

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
           "Version 1, upprättad 2026-11-24",
           // Whose plan.
           "Namn: Tolvan Tolvansson", "Personnummer: 19121212-1212",
           "Adress: Storgatan 1, 442 30 Kungälv", "God man: Greta Godman",
           // Need noticed by, meeting.
           "Behov uppmärksammat av\n----------------------\n", "Regional hälso- och sjukvård",
           "Planen upprättades vid SIP-möte 2026-11-24",
           // The person's own words.
           "Vad är viktigt för mig? (långsiktigt mål)",
           "Jag vill kunna bo kvar i min lägenhet och må bättre",
           "Det här fungerar bra för mig", "Promenader med min hund",
           "Det här fungerar inte för mig", "Närståendes behov", "Det här kan jag göra själv",
           "• Hjälp med medicinering",
           // The table: goal, intervention (what and when), responsible, follow-up.
           "Delmål 1. Ta mina mediciner <varje> dag & må bra",
           "Insats/aktivitet: Dosett och läkemedelsgenomgång (Varje vecka från december)",
           "Ansvarig: Regionen, Vårdcentralen Kungälv",
           "Ansvarig: Kommunen, Socialtjänsten Kungälv",
           "Ansvarig: Försäkringskassan\n",
           "Uppföljning: Vid uppföljningen i maj",
           // Overall responsibility, coordinator, next follow-up, where to turn.
           "Huvudman med övergripande ansvar: Kommunen, Socialtjänsten Kungälv",
           "Samordningsansvarig: Sara Samordnare, 0303-23 80 00",
           "Planen följs upp senast 2027-05-20",
           "Vart vänder jag mig?", "kontakta din samordningsansvarige"}) {
    EXPECT_THAT(text, HasSubstr(expected));
  }
  EXPECT_THAT(text, Not(HasSubstr("PRINCIPAL_KIND"))) << "no API jargon in a person's copy";
  if (::testing::Test::HasFailure()) std::cerr << text;
  EXPECT_THAT(text, Not(HasSubstr("SE2321000131"))) << "units by name, not HSA-id";
}

TEST(PlanCopyTest, HtmlIsEscapedAndSelfContained) {
  const std::string html = RenderCopyHtml(EstablishedRevision());
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<html lang=\"sv\">"));
  EXPECT_THAT(html, HasSubstr("<th>Ansvarig</th>"));
  EXPECT_THAT(html, HasSubstr("Ta mina mediciner &lt;varje&gt; dag &amp; må bra"));
  EXPECT_THAT(html, Not(HasSubstr("<varje>")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("Vart vänder jag mig?"));
}

TEST(PlanCopyTest, RevisionSaysWhyAndClosedPlanSaysSo) {
  pb::PlanRevision revision = EstablishedRevision();
  revision.mutable_snapshot()->set_revision(2);
  revision.set_reason(pb::REVISION_REASON_CHANGED_HEALTH_CENTRE);
  EXPECT_THAT(RenderCopyText(revision), HasSubstr("Version 2, reviderad 2026-11-24 (byte av vårdcentral)"));
  revision.mutable_snapshot()->set_state(sip::common::v1::PLAN_STATE_CLOSED);
  revision.mutable_snapshot()->mutable_closure()->set_reason(pb::CLOSURE_REASON_GOALS_MET);
  EXPECT_THAT(RenderCopyText(revision), HasSubstr("målen är uppnådda"));
}

}  // namespace
}  // namespace sip::plan
