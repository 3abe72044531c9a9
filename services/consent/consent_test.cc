#include "services/consent/consent.h"

#include "common/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::consent {
namespace {

using ::sip::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1764000000);  // 2025-11-24
const Unit kVc{"SE2321000131-E000000000001", PrincipalKind::kRegion, "Vårdcentralen"};
const Unit kSoc{"SE2120001652-S000000000002", PrincipalKind::kMunicipality, "Socialtjänsten"};
const Unit kPsy{"SE2321000131-P000000000003", PrincipalKind::kRegion, "Psykiatrin"};
const Actor kCaller{kVc, "user-1"};

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

ConsentInput ValidInput() {
  ConsentInput in;
  in.giver = {GiverRole::kIndividual, ""};
  in.form = CommunicationForm::kOral;
  in.covered_units = {kVc, kSoc};
  in.covered_others = {{OtherPartyKind::kRelative, "Mother"}};
  return in;
}

Consent Given(ConsentInput in = ValidInput(), absl::Time now = kNow) {
  auto c = NewConsent("p1", std::move(in), kCaller, now);
  EXPECT_TRUE(c.ok()) << c.status();
  c->consent_id = "c1";
  return *c;
}

TEST(NewConsentTest, RecordsScopeAsFirstHistoryEntryAndDefaultsTimes) {
  const Consent c = Given();
  EXPECT_EQ(c.decision, Decision::kGiven);
  EXPECT_EQ(c.decision_time, kNow);
  EXPECT_EQ(c.recorded_by, kCaller);
  ASSERT_EQ(c.scope_history.size(), 1u);
  EXPECT_EQ(c.scope_history[0].version, 1);
  EXPECT_EQ(c.scope_history[0].changed_by, kCaller);
  EXPECT_THAT(c.CoveredUnits(), ElementsAre(kVc, kSoc));
  EXPECT_EQ(c.CoveredOthers().size(), 1u);
  EXPECT_EQ(c.StateAt(kNow), State::kActive);
  EXPECT_EQ(c.version, 1);
}

TEST(NewConsentTest, ReportsEveryProblemAtOnce) {
  ConsentInput in;
  in.giver = {GiverRole::kTrustee, ""};       // name missing
  in.decision_time = kNow + absl::Hours(1);   // future
  in.valid_until = kNow - absl::Hours(2);     // before decision
  in.reduced_capacity = true;                 // no harm assessment
  auto c = NewConsent("p1", in, kCaller, kNow);
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(c.status()),
              ElementsAre("consent.giver.name", "consent.decision_time",
                          "consent.covered_units", "consent.valid_until",
                          "consent.harm_assessment"));
}

TEST(NewConsentTest, MinorAndGuardianRules) {
  ConsentInput guardian_for_adult = ValidInput();
  guardian_for_adult.giver = {GiverRole::kGuardian, "Anna Andersson"};
  EXPECT_THAT(Fields(NewConsent("p1", guardian_for_adult, kCaller, kNow).status()),
              ElementsAre("consent.individual_is_minor"));

  ConsentInput guardian_for_minor = guardian_for_adult;
  guardian_for_minor.individual_is_minor = true;
  SIP_EXPECT_OK(NewConsent("p1", guardian_for_minor, kCaller, kNow));

  ConsentInput minor_alone = ValidInput();
  minor_alone.individual_is_minor = true;
  EXPECT_THAT(Fields(NewConsent("p1", minor_alone, kCaller, kNow).status()),
              ElementsAre("consent.maturity_note"));
  minor_alone.maturity_note = "16 years old, understands what the plan means";
  SIP_EXPECT_OK(NewConsent("p1", minor_alone, kCaller, kNow));
}

TEST(NewConsentTest, HarmAssessmentRules) {
  ConsentInput in = ValidInput();
  in.reduced_capacity = true;
  in.harm_assessment =
      HarmAssessment{{}, HarmOutcome::kRestricted, "", {in.covered_units[0].hsa_id}};
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.harm_assessment.note"));
  in.harm_assessment->note = "Not the psychiatric history";
  auto c = NewConsent("p1", in, kCaller, kNow);
  SIP_ASSERT_OK(c);
  EXPECT_EQ(c->harm_assessment->assessed_by, kCaller) << "defaults to the caller";
}

TEST(NewConsentTest, DuplicateUnitsAreRefused) {
  ConsentInput in = ValidInput();
  in.covered_units = {kVc, kVc};
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.covered_units[1].hsa_id"));
}

TEST(StateTest, ExpiresAtValidUntil) {
  ConsentInput in = ValidInput();
  in.valid_until = kNow + absl::Hours(24);
  const Consent c = Given(in);
  EXPECT_EQ(c.StateAt(kNow + absl::Hours(23)), State::kActive);
  EXPECT_EQ(c.StateAt(kNow + absl::Hours(24)), State::kExpired);
}

TEST(ChangeScopeTest, AddsAndRemovesKeepingHistory) {
  Consent c = Given();
  const absl::Time later = kNow + absl::Hours(1);
  SIP_ASSERT_OK(ChangeScope(c, {{kPsy}, {kSoc.hsa_id}, {}, {}, "psychiatry joins"}, kCaller, later));
  EXPECT_THAT(c.CoveredUnits(), ElementsAre(kVc, kPsy));
  ASSERT_EQ(c.scope_history.size(), 2u);
  EXPECT_EQ(c.scope_history[1].version, 2);
  EXPECT_EQ(c.scope_history[1].change_time, later);
  EXPECT_THAT(c.scope_history[0].added_units, ElementsAre(kVc, kSoc)) << "first scope kept";
  EXPECT_EQ(c.version, 2);
  EXPECT_EQ(c.update_time, later);
}

TEST(ChangeScopeTest, RefusesChangesThatMakeNoSense) {
  Consent c = Given();
  EXPECT_THAT(Fields(ChangeScope(c, {{kVc}, {kPsy.hsa_id}, {}, {}, ""}, kCaller, kNow)),
              ElementsAre("reason", "remove_unit_hsa_ids[0]", "add_units[0].hsa_id"));
  EXPECT_THAT(Fields(ChangeScope(c, {{}, {kVc.hsa_id, kSoc.hsa_id}, {}, {}, "x"}, kCaller, kNow)),
              ElementsAre("remove_unit_hsa_ids"));
  EXPECT_THAT(Fields(ChangeScope(c, {}, kCaller, kNow)), ElementsAre("reason", "add_units"));
  EXPECT_EQ(c.version, 1) << "a refused change leaves the consent as it was";
}

TEST(ChangeScopeTest, OnlyActiveConsentsChange) {
  Consent c = Given();
  SIP_ASSERT_OK(Withdraw(c, {{GiverRole::kIndividual, ""}, CommunicationForm::kOral, {}, ""},
                         kCaller, kNow));
  EXPECT_THAT(ChangeScope(c, {{kPsy}, {}, {}, {}, "x"}, kCaller, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(ChangeScope(c, {{kPsy}, {}, {}, {}, "x"}, kCaller, kNow)),
            "CONSENT_WITHDRAWN");
}

TEST(NewConsentTest, HarmRestrictionsNameCoveredUnits) {
  ConsentInput in = ValidInput();
  in.reduced_capacity = true;
  in.harm_assessment = HarmAssessment{kCaller, HarmOutcome::kRestricted, "Inte till psykiatrin", {}};
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.harm_assessment.restricted_unit_hsa_ids"));
  in.harm_assessment->restricted_unit_hsa_ids = {"SE2321000131-Z000000000077"};
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.harm_assessment.restricted_unit_hsa_ids[0]"));
  in.harm_assessment->restricted_unit_hsa_ids = {in.covered_units[0].hsa_id};
  SIP_EXPECT_OK(NewConsent("p1", in, kCaller, kNow));
  in.harm_assessment->outcome = HarmOutcome::kNoHarm;
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.harm_assessment.restricted_unit_hsa_ids"));
}

TEST(NewConsentTest, JointCustodyRecordsBothGuardians) {
  ConsentInput in = ValidInput();
  in.giver = {GiverRole::kGuardian, "Anna Andersson"};
  in.individual_is_minor = true;
  in.second_guardian = Giver{GiverRole::kGuardian, "Bo Andersson"};
  auto consent = NewConsent("p1", in, kCaller, kNow);
  SIP_ASSERT_OK(consent);
  EXPECT_EQ(consent->second_guardian->name, "Bo Andersson");
  in.second_guardian = Giver{GiverRole::kGuardian, "Anna Andersson"};
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.second_guardian.name"));
  in.giver = {GiverRole::kTrustee, "Gustav Godman"};
  in.individual_is_minor = false;
  in.second_guardian = Giver{GiverRole::kTrustee, "Bo Andersson"};
  EXPECT_THAT(Fields(NewConsent("p1", in, kCaller, kNow).status()),
              ElementsAre("consent.second_guardian", "consent.second_guardian.role"));
}

TEST(WithdrawTest, WithdrawsOnceThenFailsPrecondition) {
  Consent c = Given();
  const absl::Time later = kNow + absl::Hours(2);
  SIP_ASSERT_OK(Withdraw(c, {{GiverRole::kIndividual, ""}, CommunicationForm::kWritten,
                             kNow + absl::Hours(1), "no longer wants it"},
                         kCaller, later));
  EXPECT_EQ(c.StateAt(later), State::kWithdrawn);
  EXPECT_EQ(c.withdrawal->withdraw_time, kNow + absl::Hours(1));
  EXPECT_EQ(c.withdrawal->recorded_by, kCaller);
  auto again = Withdraw(c, {{GiverRole::kIndividual, ""}, CommunicationForm::kOral, {}, ""},
                        kCaller, later);
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already")));
}

TEST(WithdrawTest, RefusesBadTimesRefusalsAndExpiredConsents) {
  Consent c = Given();
  EXPECT_THAT(Fields(Withdraw(c, {{GiverRole::kTrustee, ""}, CommunicationForm::kOral,
                                  kNow + absl::Hours(1), ""},
                              kCaller, kNow)),
              ElementsAre("withdrawn_by.name", "withdraw_time"));
  EXPECT_THAT(Fields(Withdraw(c, {{GiverRole::kIndividual, ""}, CommunicationForm::kOral,
                                  kNow - absl::Hours(1), ""},
                              kCaller, kNow)),
              ElementsAre("withdraw_time"));

  auto refusal = NewRefusal("p1", {{GiverRole::kIndividual, ""}, CommunicationForm::kOral, {}, ""},
                            kCaller, kNow);
  SIP_ASSERT_OK(refusal);
  EXPECT_EQ(ReasonOf(Withdraw(*refusal, {}, kCaller, kNow)), "CONSENT_REFUSED");

  ConsentInput limited = ValidInput();
  limited.valid_until = kNow + absl::Hours(1);
  Consent expired = Given(limited);
  EXPECT_EQ(ReasonOf(Withdraw(expired, {}, kCaller, kNow + absl::Hours(2))), "CONSENT_EXPIRED");
}

TEST(RefusalTest, HasNoScopeAndIsRefused) {
  auto r = NewRefusal("p1", {{GiverRole::kAdministrator, "Bo Berg"}, CommunicationForm::kWritten,
                             kNow - absl::Hours(3), "does not want a SIP"},
                      kCaller, kNow);
  SIP_ASSERT_OK(r);
  EXPECT_EQ(r->StateAt(kNow), State::kRefused);
  EXPECT_THAT(r->CoveredUnits(), IsEmpty());
  EXPECT_EQ(r->decision_time, kNow - absl::Hours(3));
}

class CheckCoverageTest : public ::testing::Test {
 protected:
  std::vector<Coverage> Check(const std::vector<Consent>& consents, absl::Time at = kNow) {
    std::vector<Coverage> out;
    for (const auto& u : CheckCoverage(consents, {kVc.hsa_id, kPsy.hsa_id}, at)) {
      out.push_back(u.coverage);
    }
    return out;
  }
};

TEST_F(CheckCoverageTest, NoConsent) {
  EXPECT_THAT(Check({}), ElementsAre(Coverage::kNoConsent, Coverage::kNoConsent));
}

TEST_F(CheckCoverageTest, CoveredAndNotInScope) {
  const auto answers = CheckCoverage({Given()}, {kVc.hsa_id, kPsy.hsa_id}, kNow);
  EXPECT_EQ(answers[0].coverage, Coverage::kCovered);
  EXPECT_TRUE(answers[0].covered());
  EXPECT_EQ(answers[0].consent_id, "c1");
  EXPECT_EQ(answers[1].coverage, Coverage::kNotInScope);
  EXPECT_FALSE(answers[1].covered());
}

TEST_F(CheckCoverageTest, WithdrawnAndExpired) {
  Consent withdrawn = Given();
  SIP_ASSERT_OK(Withdraw(withdrawn, {}, kCaller, kNow));
  EXPECT_THAT(Check({withdrawn}), ElementsAre(Coverage::kWithdrawn, Coverage::kWithdrawn));

  ConsentInput limited = ValidInput();
  limited.valid_until = kNow + absl::Hours(1);
  EXPECT_THAT(Check({Given(limited)}, kNow + absl::Hours(1)),
              ElementsAre(Coverage::kExpired, Coverage::kExpired));
}

TEST_F(CheckCoverageTest, TheLatestDecisionRules) {
  Consent given = Given();
  auto refusal = NewRefusal("p1", {{GiverRole::kIndividual, ""}, CommunicationForm::kOral, {}, ""},
                            kCaller, kNow + absl::Hours(1));
  SIP_ASSERT_OK(refusal);
  refusal->consent_id = "r1";
  // A refusal after the consent: nothing is covered.
  EXPECT_THAT(Check({given, *refusal}, kNow + absl::Hours(2)),
              ElementsAre(Coverage::kRefused, Coverage::kRefused));
  // A new consent after the refusal covers again — only what it names: the consent
  // given before the refusal stays void.
  ConsentInput later = ValidInput();
  later.covered_units = {kPsy};
  Consent renewed = Given(later, kNow + absl::Hours(3));
  renewed.consent_id = "c2";
  EXPECT_THAT(Check({given, *refusal, renewed}, kNow + absl::Hours(4)),
              ElementsAre(Coverage::kNotInScope, Coverage::kCovered));
}

TEST_F(CheckCoverageTest, OtherPartiesByTheSameRule) {
  const std::vector<OtherParty> asked = {{OtherPartyKind::kRelative, "  mother "},
                                         {OtherPartyKind::kRelative, "Father"},
                                         {OtherPartyKind::kSocialInsuranceAgency, "Mother"}};
  auto answers = CheckOtherCoverage({Given()}, asked, kNow);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].coverage, Coverage::kCovered) << "case and spaces do not matter";
  EXPECT_EQ(answers[0].consent_id, "c1");
  EXPECT_EQ(answers[1].coverage, Coverage::kNotInScope);
  EXPECT_EQ(answers[2].coverage, Coverage::kNotInScope) << "the kind must match too";
  EXPECT_EQ(CheckOtherCoverage({}, asked, kNow)[0].coverage, Coverage::kNoConsent);
  Consent withdrawn = Given();
  SIP_ASSERT_OK(Withdraw(withdrawn, {}, kCaller, kNow));
  EXPECT_EQ(CheckOtherCoverage({withdrawn}, asked, kNow)[0].coverage, Coverage::kWithdrawn);
}

// The person withdraws consent to the plan: every consent given before the withdrawal
// stops covering, as with a refusal; narrowing the scope is ChangeScope's job.
TEST_F(CheckCoverageTest, AWithdrawalEndsEveryEarlierConsent) {
  Consent first = Given();
  ConsentInput in = ValidInput();
  in.covered_units = {kPsy};
  Consent second = Given(in, kNow - absl::Hours(1));
  second.consent_id = "c2";
  SIP_ASSERT_OK(Withdraw(second, {}, kCaller, kNow + absl::Minutes(1)));
  EXPECT_THAT(Check({first, second}, kNow + absl::Hours(1)),
              ElementsAre(Coverage::kWithdrawn, Coverage::kWithdrawn));
  // Before the withdrawal took effect both covered.
  EXPECT_THAT(Check({first, second}, kNow), ElementsAre(Coverage::kCovered, Coverage::kCovered));
  // A consent given after the withdrawal covers again, what it names.
  Consent renewed = Given(in, kNow + absl::Hours(2));
  renewed.consent_id = "c3";
  EXPECT_THAT(Check({first, second, renewed}, kNow + absl::Hours(3)),
              ElementsAre(Coverage::kNotInScope, Coverage::kCovered));
}

TEST_F(CheckCoverageTest, ARestrictingHarmAssessmentRestrictsWhatItNames) {
  ConsentInput in = ValidInput();
  in.covered_units = {kVc, kPsy};
  in.reduced_capacity = true;
  in.harm_assessment = HarmAssessment{kCaller, HarmOutcome::kRestricted,
                                      "Inget om missbruket till psykiatrin", {kPsy.hsa_id}};
  const auto answers = CheckCoverage({Given(in)}, {kVc.hsa_id, kPsy.hsa_id}, kNow);
  EXPECT_EQ(answers[0].coverage, Coverage::kCovered);
  EXPECT_EQ(answers[1].coverage, Coverage::kRestrictedByHarmAssessment);
  EXPECT_FALSE(answers[1].covered());
}

// What the access projection is told: every unit covered now, until the first end of a
// consent's validity after which it is no longer covered.
TEST(CoverageOfPlanTest, EveryCoveredUnitWithTheEndOfItsCoverage) {
  EXPECT_THAT(CoverageOfPlan({}, kNow), IsEmpty());
  ConsentInput short_one = ValidInput();
  short_one.covered_units = {kVc, kSoc};
  short_one.valid_until = kNow + absl::Hours(24);
  ConsentInput long_one = ValidInput();
  long_one.covered_units = {kSoc};
  long_one.valid_until = kNow + absl::Hours(48);
  Consent a = Given(short_one);
  Consent b = Given(long_one);
  b.consent_id = "c2";
  const std::vector<CoveredUntil> both = CoverageOfPlan({a, b}, kNow);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].unit_hsa_id, kSoc.hsa_id) << "sorted by HSA-id";
  EXPECT_EQ(both[0].until, kNow + absl::Hours(48)) << "the longer consent keeps covering it";
  EXPECT_EQ(both[1].unit_hsa_id, kVc.hsa_id);
  EXPECT_EQ(both[1].until, kNow + absl::Hours(24));
  // An open consent covers until the person decides otherwise.
  EXPECT_EQ(CoverageOfPlan({Given()}, kNow)[0].until, std::nullopt);
  // A harm assessment's restriction, a withdrawal and an expiry leave units uncovered.
  ConsentInput harm = ValidInput();
  HarmAssessment assessment;
  assessment.assessed_by = kCaller;
  assessment.outcome = HarmOutcome::kRestricted;
  assessment.restricted_unit_hsa_ids = {kSoc.hsa_id};
  assessment.note = "Uppgifter om missbruk lämnas inte till socialtjänsten";
  harm.harm_assessment = assessment;
  const std::vector<CoveredUntil> restricted = CoverageOfPlan({Given(harm)}, kNow);
  ASSERT_EQ(restricted.size(), 1u);
  EXPECT_EQ(restricted[0].unit_hsa_id, kVc.hsa_id);
  Consent withdrawn = Given();
  SIP_ASSERT_OK(Withdraw(withdrawn, {}, kCaller, kNow));
  EXPECT_THAT(CoverageOfPlan({withdrawn}, kNow + absl::Minutes(1)), IsEmpty());
  EXPECT_THAT(CoverageOfPlan({a}, kNow + absl::Hours(24)), IsEmpty());
}

}  // namespace
}  // namespace sip::consent
