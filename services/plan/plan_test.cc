#include "services/plan/plan.h"

#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/field_mask_util.h"
#include "gtest/gtest.h"
#include "services/plan/plan_test_data.h"

namespace sip::plan {
namespace {

using ::sip::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace cpb = ::sip::common::v1;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

std::vector<std::string> Subjects(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : PreconditionViolationsOf(s)) out.push_back(v.subject);
  return out;
}

google::protobuf::FieldMask Mask(const std::string& paths) {
  google::protobuf::FieldMask mask;
  google::protobuf::util::FieldMaskUtil::FromString(paths, &mask);
  return mask;
}

TEST(NewPlanTest, InitiatesWithCanonicalPersonnummerAndIds) {
  auto plan = NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  SIP_ASSERT_OK(plan);
  EXPECT_EQ(plan->state(), cpb::PLAN_STATE_INITIATED);
  EXPECT_EQ(plan->individual().personal_identity_number(), "191212121212");
  EXPECT_EQ(plan->initiated_by().unit().hsa_id(), testdata::kVc);
  EXPECT_EQ(plan->create_time().seconds(), absl::ToUnixSeconds(testdata::kNow));
  EXPECT_EQ(plan->revision(), 0);
  EXPECT_FALSE(plan->goals(0).id().empty());
  EXPECT_FALSE(plan->goals(0).interventions(0).id().empty());
  EXPECT_NE(plan->goals(0).interventions(0).id(), plan->goals(0).interventions(1).id());
}

// The region whose policy sets the deadlines: given, or taken from the plan's units.
TEST(NewPlanTest, TheRegionIsGivenOrTakenFromTheUnits) {
  // The unit with overall responsibility is Kungälv's social services: kommun 1482 lies
  // in Västra Götaland, 14.
  auto plan = NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  SIP_ASSERT_OK(plan);
  EXPECT_EQ(plan->region_code(), "14");
  pb::Plan skane = testdata::CompletePlan();
  skane.set_region_code("12");
  EXPECT_EQ(NewPlan(skane, testdata::kCaller, testdata::kNow)->region_code(), "12");
  pb::Plan bare;
  bare.mutable_individual()->set_personal_identity_number("19121212-1212");
  bare.mutable_individual()->set_name("Tolvan Tolvansson");
  bare.set_need_noticed_by(pb::NEED_NOTICED_BY_SCHOOL);
  bare.set_reason("Behöver stöd");
  auto unknown = NewPlan(bare, testdata::kCaller, testdata::kNow);
  SIP_ASSERT_OK(unknown);
  EXPECT_EQ(unknown->region_code(), "") << "no unit yet: the default policy applies";
  // A participant from Region Skåne's psychiatry, added later, tells the region.
  pb::Plan patch;
  auto* participant = patch.add_participants()->mutable_unit();
  participant->set_hsa_id("SE2321000255-P000000000001");
  participant->set_principal(cpb::PRINCIPAL_KIND_REGION);
  participant->set_principal_code("12");
  google::protobuf::FieldMask mask;
  mask.add_paths("participants");
  SIP_ASSERT_OK(ApplyUpdate(*unknown, patch, mask, testdata::kNow).status());
  EXPECT_EQ(unknown->region_code(), "12");
  bare.set_region_code("99");
  EXPECT_THAT(Fields(NewPlan(bare, testdata::kCaller, testdata::kNow).status()),
              Contains("plan.region_code"));
}

TEST(ClosePlanTest, ARefusalClosesOnlyAPlanNotYetEstablished) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  plan.set_state(cpb::PLAN_STATE_ACTIVE);
  pb::Closure refused;
  refused.set_reason(pb::CLOSURE_REASON_CONSENT_REFUSED);
  EXPECT_THAT(Fields(Close(plan, refused, testdata::kCaller, testdata::kNow)),
              ElementsAre("closure.reason"));
  plan.set_state(cpb::PLAN_STATE_INITIATED);
  SIP_ASSERT_OK(Close(plan, refused, testdata::kCaller, testdata::kNow));
  EXPECT_EQ(plan.state(), cpb::PLAN_STATE_CLOSED);
}

TEST(NewPlanTest, OutputOnlyFieldsAreIgnored) {
  pb::Plan input = testdata::CompletePlan();
  input.set_state(cpb::PLAN_STATE_CLOSED);  // not output only: overwritten
  input.set_revision(7);
  input.mutable_closure()->set_note("x");
  auto plan = NewPlan(input, testdata::kCaller, testdata::kNow);
  SIP_ASSERT_OK(plan);
  EXPECT_EQ(plan->state(), cpb::PLAN_STATE_INITIATED);
  EXPECT_EQ(plan->revision(), 0);
  EXPECT_FALSE(plan->has_closure());
}

TEST(NewPlanTest, BadInputNamesEveryField) {
  pb::Plan input = testdata::CompletePlan();
  input.mutable_individual()->set_personal_identity_number("19121212-1213");  // checksum
  input.set_need_noticed_by(pb::NEED_NOTICED_BY_UNSPECIFIED);
  input.mutable_goals(0)->set_text("   ");
  input.mutable_goals(0)->mutable_interventions(0)->set_responsible_principal(
      static_cast<cpb::PrincipalKind>(42));
  input.mutable_next_follow_up_date()->set_month(13);
  auto plan = NewPlan(input, testdata::kCaller, testdata::kNow);
  EXPECT_THAT(plan, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(plan.status()),
              ElementsAre("plan.individual.personal_identity_number", "plan.need_noticed_by",
                          "plan.goals[0].text",
                          "plan.goals[0].interventions[0].responsible_principal",
                          "plan.next_follow_up_date"));
  EXPECT_THAT(plan.status().message(), ::testing::Not(HasSubstr("121212"))) << "never echo a personnummer";
}

TEST(NewPlanTest, OtherNeedsDescriptionAndDischargeNeedsItsContact) {
  pb::Plan input = testdata::CompletePlan();
  input.set_need_noticed_by(pb::NEED_NOTICED_BY_OTHER);
  input.mutable_discharge()->mutable_discharge_time()->set_seconds(absl::ToUnixSeconds(testdata::kNow));
  EXPECT_THAT(Fields(NewPlan(input, testdata::kCaller, testdata::kNow).status()),
              ElementsAre("plan.need_noticed_by_other",
                          "plan.discharge.designated_care_contact"));
}

TEST(NewPlanTest, EveryUnitNamesItsPrincipalBySCBsCode) {
  pb::Plan input = testdata::CompletePlan();
  input.mutable_goals(0)->mutable_interventions(0)->mutable_responsible_unit()->clear_principal_code();
  input.mutable_participants(0)->mutable_unit()->set_principal_code("1482");  // a kommunkod for a region
  input.mutable_overall_responsibility()->mutable_unit()->set_principal_code("9999");
  EXPECT_THAT(Fields(NewPlan(input, testdata::kCaller, testdata::kNow).status()),
              ElementsAre("plan.goals[0].interventions[0].responsible_unit.principal_code",
                          "plan.participants[0].unit.principal_code",
                          "plan.overall_responsibility.unit.principal_code"));
}

TEST(NewPlanTest, ProtectedIdentityStoresNoIdentifyingDetails) {
  pb::Plan input = testdata::CompletePlan();
  input.mutable_individual()->set_protected_identity(true);
  auto refused = NewPlan(input, testdata::kCaller, testdata::kNow);
  EXPECT_THAT(Fields(refused.status()),
              ElementsAre("plan.individual.personal_identity_number", "plan.individual.name",
                          "plan.individual.address", "plan.individual.phone",
                          "plan.individual.local_reference",
                          "plan.individual.representatives[0].name"));
  SIP_ASSERT_OK(NewPlan(testdata::ProtectedPlan(), testdata::kCaller, testdata::kNow));
  pb::Plan by_pin = testdata::ProtectedPlan();
  by_pin.mutable_individual()->set_local_reference("PN 191212121212");
  EXPECT_THAT(Fields(NewPlan(by_pin, testdata::kCaller, testdata::kNow).status()),
              ElementsAre("plan.individual.local_reference"));
}

TEST(ApplyUpdateTest, ChangesOnlyTheMaskedFields) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  pb::Plan patch;
  patch.set_long_term_goal("Jag vill bo kvar hemma");
  patch.set_reason("should not change");
  const absl::Time later = testdata::kNow + absl::Hours(1);
  auto changed = ApplyUpdate(plan, patch, Mask("long_term_goal"), later);
  SIP_ASSERT_OK(changed);
  EXPECT_THAT(*changed, ElementsAre("long_term_goal"));
  EXPECT_EQ(plan.long_term_goal(), "Jag vill bo kvar hemma");
  EXPECT_EQ(plan.reason(), testdata::CompletePlan().reason());
  EXPECT_EQ(plan.update_time().seconds(), absl::ToUnixSeconds(later));
}

TEST(ApplyUpdateTest, RepeatedFieldsAreReplaced) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  pb::Plan patch;
  patch.add_needs("Boende");
  SIP_ASSERT_OK(ApplyUpdate(plan, patch, Mask("needs"), testdata::kNow));
  EXPECT_THAT(plan.needs(), ElementsAre("Boende"));
}

TEST(ApplyUpdateTest, RefusesBadMasksAndBadContentWithoutChangingThePlan) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  const pb::Plan before = plan;
  pb::Plan patch;
  EXPECT_THAT(Fields(ApplyUpdate(plan, patch, Mask(""), testdata::kNow).status()),
              ElementsAre("update_mask"));
  EXPECT_THAT(Fields(ApplyUpdate(plan, patch, Mask("state,nonsense"), testdata::kNow).status()),
              ElementsAre("update_mask.paths[0]", "update_mask.paths[1]"));
  patch.add_goals()->set_text("");
  EXPECT_THAT(Fields(ApplyUpdate(plan, patch, Mask("goals"), testdata::kNow).status()),
              ElementsAre("plan.goals[0].text"));
  EXPECT_EQ(plan.SerializeAsString(), before.SerializeAsString());
}

TEST(ApplyUpdateTest, ClosedPlanRefusesEveryChange) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  pb::Closure closure;
  closure.set_reason(pb::CLOSURE_REASON_NO_LONGER_NEEDED);
  SIP_ASSERT_OK(Close(plan, closure, testdata::kCaller, testdata::kNow));
  pb::Plan patch;
  patch.set_long_term_goal("x");
  auto changed = ApplyUpdate(plan, patch, Mask("long_term_goal"), testdata::kNow);
  EXPECT_THAT(changed, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(changed.status()), "PLAN_CLOSED");
  EXPECT_EQ(ReasonOf(Close(plan, closure, testdata::kCaller, testdata::kNow)), "PLAN_CLOSED");
}

TEST(EstablishTest, ListsEverythingTheLawRequiresThatIsMissing) {
  pb::Plan input = testdata::CompletePlan();
  input.clear_needs();
  input.clear_overall_responsibility();
  // Only region interventions, one without a unit.
  input.mutable_goals(0)->mutable_interventions(1)->set_responsible_principal(cpb::PRINCIPAL_KIND_REGION);
  input.mutable_goals(0)->mutable_interventions(1)->clear_responsible_unit();
  pb::Plan plan = *NewPlan(input, testdata::kCaller, testdata::kNow);
  auto revision = Establish(plan, "p1", {}, testdata::kCaller, testdata::kNow);
  EXPECT_THAT(revision, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(revision.status()), "PLAN_INCOMPLETE");
  EXPECT_THAT(Subjects(revision.status()),
              ElementsAre("needs", "goals[0].interventions[1].responsible_unit", "goals",
                          "overall_responsibility.principal"));
  EXPECT_THAT(revision.status().message(), HasSubstr("MUNICIPALITY"));
  EXPECT_EQ(plan.state(), cpb::PLAN_STATE_INITIATED);
}

TEST(EstablishTest, AnOtherActorMustBeNamed) {
  pb::Plan input = testdata::CompletePlan();
  input.mutable_goals(0)->mutable_interventions(2)->clear_responsible_other();
  pb::Plan plan = *NewPlan(input, testdata::kCaller, testdata::kNow);
  EXPECT_THAT(Subjects(Establish(plan, "p1", {}, testdata::kCaller, testdata::kNow).status()),
              ElementsAre("goals[0].interventions[2].responsible_other"));
}

TEST(ConsentRuleTest, EveryUnitThatGetsThePlanMustBeCoveredAndAbsentIsNotCovered) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  // The participating psychiatry unit gets the plan too, not only responsible units.
  EXPECT_THAT(UnitsRequiringConsent(plan),
              ElementsAre(testdata::kSoc, testdata::kVc, testdata::kPsy));
  const absl::Status refused =
      RequireConsent(UnitsRequiringConsent(plan),
                     {{testdata::kSoc, false, "WITHDRAWN"}, {testdata::kVc, true, "COVERED"}});
  EXPECT_EQ(ReasonOf(refused), "CONSENT_NOT_ACTIVE");
  EXPECT_THAT(Subjects(refused), ElementsAre(testdata::kSoc, testdata::kPsy))
      << "psychiatry had no answer: not covered";
  EXPECT_THAT(refused.message(), HasSubstr("WITHDRAWN"));
  EXPECT_TRUE(RequireConsent({testdata::kVc}, {{testdata::kVc, true, "COVERED"}}).ok());
}

TEST(ConsentRuleTest, UnitsAddedAreThoseThatDidNotTakePartBefore) {
  pb::Plan before = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  pb::Plan after = before;
  auto* dental = after.add_participants()->mutable_unit();
  dental->set_hsa_id("SE2321000131-T000000000009");
  dental->set_principal(cpb::PRINCIPAL_KIND_REGION);
  dental->set_principal_code("14");
  after.mutable_overall_responsibility()->mutable_coordinator()->mutable_unit()->set_hsa_id(
      "SE2120001652-S000000000008");
  EXPECT_THAT(UnitsAdded(before, after),
              ElementsAre("SE2120001652-S000000000008", "SE2321000131-T000000000009"));
  EXPECT_THAT(UnitsAdded(after, before), ::testing::IsEmpty());
}

TEST(EstablishTest, WritesRevisionOneAndActivates) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  const absl::Time meeting = testdata::kNow + absl::Hours(24 * 14);
  auto revision = Establish(plan, "p1", {}, testdata::kCaller, meeting);
  SIP_ASSERT_OK(revision);
  EXPECT_EQ(plan.state(), cpb::PLAN_STATE_ACTIVE);
  EXPECT_EQ(plan.revision(), 1);
  EXPECT_EQ(plan.establish_time().seconds(), absl::ToUnixSeconds(meeting));
  EXPECT_EQ(revision->name(), "plans/p1/revisions/1");
  EXPECT_EQ(revision->snapshot().revision(), 1);
  EXPECT_EQ(revision->snapshot().state(), cpb::PLAN_STATE_ACTIVE);
  EXPECT_EQ(revision->reason(), pb::REVISION_REASON_UNSPECIFIED);
  EXPECT_EQ(ReasonOf(Establish(plan, "p1", {}, testdata::kCaller, meeting).status()),
            "PLAN_ALREADY_ESTABLISHED");
}

TEST(ReviseTest, OnlyActivePlansWithAReason) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  EXPECT_EQ(ReasonOf(Revise(plan, "p1", pb::REVISION_REASON_FOLLOW_UP, "", testdata::kCaller,
                            testdata::kNow).status()),
            "PLAN_NOT_ESTABLISHED");
  SIP_ASSERT_OK(Establish(plan, "p1", {}, testdata::kCaller, testdata::kNow));
  EXPECT_THAT(Fields(Revise(plan, "p1", pb::REVISION_REASON_UNSPECIFIED, "", testdata::kCaller,
                            testdata::kNow).status()),
              ElementsAre("reason"));
  EXPECT_THAT(Fields(Revise(plan, "p1", pb::REVISION_REASON_OTHER, " ", testdata::kCaller,
                            testdata::kNow).status()),
              ElementsAre("note"));
  auto second = Revise(plan, "p1", pb::REVISION_REASON_MOVED_MUNICIPALITY, "Flytt till Borås",
                       testdata::kCaller, testdata::kNow + absl::Hours(1));
  SIP_ASSERT_OK(second);
  EXPECT_EQ(second->name(), "plans/p1/revisions/2");
  EXPECT_EQ(plan.revision(), 2);
  EXPECT_EQ(second->snapshot().revision(), 2);
}

TEST(FollowUpTest, ValidatesDatesInterventionsAndDecision) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  pb::FollowUp follow_up;
  EXPECT_EQ(ReasonOf(NewFollowUp(plan, follow_up, testdata::kCaller, testdata::kNow).status()),
            "PLAN_NOT_ESTABLISHED");
  SIP_ASSERT_OK(Establish(plan, "p1", {}, testdata::kCaller, testdata::kNow));
  const absl::Time later = testdata::kNow + absl::Hours(24 * 100);
  // A date in the future, an unknown intervention, no decision.
  DayToProto(TodayInSweden(later) + 1, follow_up.mutable_follow_up_date());
  follow_up.add_intervention_outcomes()->set_intervention_id("no-such-intervention");
  EXPECT_THAT(Fields(NewFollowUp(plan, follow_up, testdata::kCaller, later).status()),
              ElementsAre("follow_up.follow_up_date",
                          "follow_up.intervention_outcomes[0].intervention_id",
                          "follow_up.decision", "follow_up.next_follow_up_date"));
  DayToProto(TodayInSweden(later), follow_up.mutable_follow_up_date());
  follow_up.mutable_intervention_outcomes(0)->set_intervention_id(
      plan.goals(0).interventions(0).id());
  follow_up.mutable_intervention_outcomes(0)->set_carried_out(true);
  follow_up.set_decision(pb::FOLLOW_UP_DECISION_REVISE);
  // The next follow-up must be agreed, and after this one.
  DayToProto(TodayInSweden(later), follow_up.mutable_next_follow_up_date());
  EXPECT_THAT(Fields(NewFollowUp(plan, follow_up, testdata::kCaller, later).status()),
              ElementsAre("follow_up.next_follow_up_date"));
  DayToProto(AddMonths(TodayInSweden(later), 6), follow_up.mutable_next_follow_up_date());
  auto recorded = NewFollowUp(plan, follow_up, testdata::kCaller, later);
  SIP_ASSERT_OK(recorded);
  EXPECT_EQ(recorded->recorded_by().unit().hsa_id(), testdata::kVc);
  // A decision to close needs no next date.
  follow_up.clear_next_follow_up_date();
  follow_up.set_decision(pb::FOLLOW_UP_DECISION_CLOSE);
  SIP_EXPECT_OK(NewFollowUp(plan, follow_up, testdata::kCaller, later));
}

TEST(NewPlanTest, NeedNoticedTimeDefaultsToNowAndIsNeverLater) {
  auto plan = NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  SIP_ASSERT_OK(plan);
  EXPECT_EQ(plan->need_noticed_time().seconds(), absl::ToUnixSeconds(testdata::kNow));
  EXPECT_EQ(plan->kind(), pb::PLAN_KIND_STATUTORY);
  pb::Plan input = testdata::CompletePlan();
  ToProto(testdata::kNow - absl::Hours(24 * 5), input.mutable_need_noticed_time());
  auto earlier = NewPlan(input, testdata::kCaller, testdata::kNow);
  SIP_ASSERT_OK(earlier);
  EXPECT_EQ(earlier->need_noticed_time().seconds(),
            absl::ToUnixSeconds(testdata::kNow - absl::Hours(24 * 5)));
  ToProto(testdata::kNow + absl::Minutes(1), input.mutable_need_noticed_time());
  EXPECT_THAT(Fields(NewPlan(input, testdata::kCaller, testdata::kNow).status()),
              ElementsAre("plan.need_noticed_time"));
  // Edited later: still not after the plan was initiated.
  pb::Plan patch;
  ToProto(testdata::kNow + absl::Hours(1), patch.mutable_need_noticed_time());
  EXPECT_THAT(Fields(ApplyUpdate(*plan, patch, Mask("need_noticed_time"),
                                 testdata::kNow + absl::Hours(2)).status()),
              ElementsAre("plan.need_noticed_time"));
}

TEST(EstablishTest, AnInternalSipNeedsOnlyOnePrincipal) {
  pb::Plan input = testdata::CompletePlan();
  // Region units only: the kommun's intervention becomes the region's.
  auto* in = input.mutable_goals(0)->mutable_interventions(1);
  in->set_responsible_principal(cpb::PRINCIPAL_KIND_REGION);
  *in->mutable_responsible_unit() = input.goals(0).interventions(0).responsible_unit();
  pb::Plan statutory = *NewPlan(input, testdata::kCaller, testdata::kNow);
  EXPECT_THAT(Subjects(Establish(statutory, "p1", {}, testdata::kCaller, testdata::kNow).status()),
              ElementsAre("goals"));
  // No interventions at all: the first refusal already names both principals' gaps.
  pb::Plan empty = testdata::CompletePlan();
  empty.clear_goals();
  pb::Plan bare = *NewPlan(empty, testdata::kCaller, testdata::kNow);
  const absl::Status refused = Establish(bare, "p1", {}, testdata::kCaller, testdata::kNow).status();
  EXPECT_THAT(Subjects(refused), ElementsAre("goals", "goals", "goals"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("kommun"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("region"));
  input.set_kind(pb::PLAN_KIND_INTERNAL);
  pb::Plan internal = *NewPlan(input, testdata::kCaller, testdata::kNow);
  SIP_EXPECT_OK(Establish(internal, "p1", {}, testdata::kCaller, testdata::kNow));
}

TEST(CloseTest, ReasonRequiredAndReplacementNamed) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  plan.set_name("plans/p1");
  pb::Closure closure;
  EXPECT_THAT(Fields(Close(plan, closure, testdata::kCaller, testdata::kNow)),
              ElementsAre("closure.reason"));
  closure.set_reason(pb::CLOSURE_REASON_REPLACED);
  EXPECT_THAT(Fields(Close(plan, closure, testdata::kCaller, testdata::kNow)),
              ElementsAre("closure.replaced_by"));
  closure.set_replaced_by("plans/p2");
  SIP_ASSERT_OK(Close(plan, closure, testdata::kCaller, testdata::kNow));
  EXPECT_EQ(plan.state(), cpb::PLAN_STATE_CLOSED);
  EXPECT_EQ(plan.closure().closed_by().unit().hsa_id(), testdata::kVc);
}

TEST(UnitsTest, ParticipantsIncludeEveryUnitTakingPart) {
  pb::Plan plan = *NewPlan(testdata::CompletePlan(), testdata::kCaller, testdata::kNow);
  EXPECT_THAT(ResponsibleUnitIds(plan), ElementsAre(testdata::kSoc, testdata::kVc));
  EXPECT_THAT(ParticipantUnitIds(plan),
              ElementsAre(testdata::kSoc, testdata::kVc, testdata::kPsy));
}

TEST(DateTest, StockholmCalendar) {
  // 23:30 UTC on 31 December is already 1 January in Sweden.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 12, 31, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(TodayInSweden(t), absl::CivilDay(2027, 1, 1));
  cpb::Date d;
  d.set_year(2026);
  d.set_month(2);
  d.set_day(29);
  EXPECT_FALSE(DayFromProto(d).has_value());
  d.set_day(28);
  EXPECT_EQ(DayFromProto(d), absl::CivilDay(2026, 2, 28));
}

}  // namespace
}  // namespace sip::plan
