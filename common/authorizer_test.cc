// The authoriser's rules, unit by unit and action by action.
#include "common/authorizer.h"

#include "common/errors.h"
#include "gtest/gtest.h"

namespace sip::authz {
namespace {

constexpr char kVc[] = "SE2321000131-E000000000001";       // initiator, participant
constexpr char kSoc[] = "SE2120001652-S000000000002";      // coordinator, participant
constexpr char kPsy[] = "SE2321000131-P000000000003";      // participant, not covered
constexpr char kOutsider[] = "SE2321000131-X000000000009";  // takes no part

PlanAccess Plan(bool consent_recorded) {
  PlanAccess p;
  p.initiating_unit_hsa_id = kVc;
  p.participant_unit_hsa_ids = {kVc, kSoc, kPsy};
  p.covered_unit_hsa_ids = {kVc, kSoc};
  p.consent_recorded = consent_recorded;
  p.coordinator_unit_hsa_id = kSoc;
  return p;
}

Subject User(const char* unit) { return {unit, "user-1", ""}; }
Subject Service(const char* name) { return {"", "", name}; }

bool Allowed(const Subject& s, Action a, const std::optional<PlanAccess>& p) {
  return Authorize(s, a, p).ok();
}

TEST(AuthorizerTest, BeforeAnyConsentOnlyTheInitiatingUnit) {
  const PlanAccess p = Plan(false);
  EXPECT_TRUE(Allowed(User(kVc), Action::kRead, p));
  EXPECT_TRUE(Allowed(User(kVc), Action::kWrite, p));
  EXPECT_FALSE(Allowed(User(kSoc), Action::kRead, p));
  EXPECT_FALSE(Allowed(User(kOutsider), Action::kRead, p));
}

TEST(AuthorizerTest, AfterConsentTakingPartAndCoveredBoth) {
  const PlanAccess p = Plan(true);
  EXPECT_TRUE(Allowed(User(kVc), Action::kRead, p));
  EXPECT_TRUE(Allowed(User(kSoc), Action::kWrite, p));
  EXPECT_FALSE(Allowed(User(kPsy), Action::kRead, p)) << "takes part, not covered";
  PlanAccess covered_outsider = p;
  covered_outsider.covered_unit_hsa_ids.insert(kOutsider);
  EXPECT_FALSE(Allowed(User(kOutsider), Action::kRead, covered_outsider))
      << "covered, takes no part";
  EXPECT_FALSE(Allowed(Subject{"", "user-1", ""}, Action::kRead, p)) << "no unit";
}

TEST(AuthorizerTest, PermissionBeforeExistence) {
  const absl::Status unknown = Authorize(User(kOutsider), Action::kRead, std::nullopt);
  const absl::Status hidden = Authorize(User(kOutsider), Action::kRead, Plan(true));
  EXPECT_EQ(unknown.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(unknown, hidden) << "the same answer: an outsider learns nothing";
  EXPECT_EQ(ReasonOf(hidden), "NOT_VISIBLE");
}

TEST(AuthorizerTest, OnlyTheCoordinatorClosesAndOnlyLifecycleForExpiry) {
  const PlanAccess p = Plan(true);
  EXPECT_TRUE(Allowed(User(kSoc), Action::kClose, p));
  EXPECT_EQ(ReasonOf(Authorize(User(kVc), Action::kClose, p)), "NOT_THE_COORDINATOR");
  EXPECT_EQ(ReasonOf(Authorize(User(kSoc), Action::kCloseForExpiry, p)), "LIFECYCLE_ONLY");
  EXPECT_TRUE(Allowed(Service("lifecycle"), Action::kCloseForExpiry, p));
  EXPECT_TRUE(Allowed(Service("lifecycle"), Action::kCloseForConsentEnded, p));
  EXPECT_FALSE(Allowed(Service("lifecycle"), Action::kWrite, p));
  EXPECT_TRUE(Allowed(Service("lifecycle"), Action::kClose, p))
      << "a move out of the region: plan::MayClose names lifecycle's reasons";
  EXPECT_FALSE(Allowed(Service("lifecycle"), Action::kClose, std::nullopt));
  EXPECT_FALSE(Allowed(Service("meeting"), Action::kCloseForExpiry, p));
  EXPECT_FALSE(Allowed(Service("meeting"), Action::kClose, p));
  EXPECT_FALSE(Allowed(Service("consent"), Action::kWrite, p));
}

TEST(AuthorizerTest, ConsentDecisionsAreEveryTakingPartUnitsCoveredOrNot) {
  PlanAccess p = Plan(true);
  EXPECT_TRUE(Allowed(User(kPsy), Action::kConsent, p)) << "takes part, not covered";
  EXPECT_FALSE(Allowed(User(kPsy), Action::kRead, p));
  p.covered_unit_hsa_ids.clear();  // withdrawn: nobody is covered
  EXPECT_TRUE(Allowed(User(kVc), Action::kConsent, p)) << "a new consent can be recorded";
  EXPECT_FALSE(Allowed(User(kVc), Action::kRead, p));
  EXPECT_FALSE(Allowed(User(kOutsider), Action::kConsent, p));
  EXPECT_FALSE(Allowed(User(kSoc), Action::kConsent, Plan(false))) << "before consent";
  EXPECT_TRUE(Allowed(User(kVc), Action::kConsent, Plan(false)));
  EXPECT_EQ(Authorize(User(kOutsider), Action::kConsent, std::nullopt),
            Authorize(User(kOutsider), Action::kConsent, p));
}

TEST(AuthorizerTest, BeforeOverallResponsibilityTheInitiatingUnitCloses) {
  PlanAccess p = Plan(false);
  p.coordinator_unit_hsa_id.clear();
  EXPECT_TRUE(Allowed(User(kVc), Action::kClose, p));
  p.coordinator_unit_hsa_id = kSoc;
  EXPECT_EQ(ReasonOf(Authorize(User(kVc), Action::kClose, p)), "NOT_THE_COORDINATOR");
}

TEST(AuthorizerTest, ServicesReadWhatTheyCheckEvenOfAPlanTheyDoNotKnow) {
  const PlanAccess p = Plan(true);
  for (const char* service : {"plan", "consent", "meeting", "lifecycle"}) {
    EXPECT_TRUE(Allowed(Service(service), Action::kRead, p)) << service;
    EXPECT_TRUE(Allowed(Service(service), Action::kRead, std::nullopt))
        << service << ": the service answers NOT_FOUND itself";
  }
}

TEST(AuthorizerTest, AUnitsListsAreItsOwn) {
  EXPECT_TRUE(AuthorizeOwnUnit(User(kSoc), kSoc).ok());
  EXPECT_EQ(ReasonOf(AuthorizeOwnUnit(User(kVc), kSoc)), "NOT_YOUR_UNIT");
  EXPECT_FALSE(AuthorizeOwnUnit(Service("lifecycle"), kSoc).ok());
}

}  // namespace
}  // namespace sip::authz
