// The access projection on PostgreSQL: what the events leave, what a read returns at a
// time, the list condition, and the gate's catch-up before it refuses.
#include "common/plan_access.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/migrations.h"
#include "common/proto_convert.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::authz {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kVc[] = "SE2321000131-E000000000001";
constexpr char kSoc[] = "SE2120001652-S000000000002";
constexpr char kPsy[] = "SE2321000131-P000000000003";
constexpr char kOutsider[] = "SE2321000131-X000000000009";
const absl::Time kNow = absl::FromUnixSeconds(1764000000);

sip::plan::v1::PlanEvent PlanEventOf(const std::string& plan, const std::string& initiator,
                                     const std::vector<std::string>& participants,
                                     const std::string& coordinator = "") {
  sip::plan::v1::PlanEvent e;
  e.set_plan(absl::StrCat("plans/", plan));
  auto* parties = e.mutable_parties();
  parties->set_initiating_unit_hsa_id(initiator);
  for (const auto& u : participants) parties->add_participant_unit_hsa_ids(u);
  parties->set_coordinator_unit_hsa_id(coordinator);
  return e;
}

// A consent event whose coverage is `units`, each until the time given (none: open).
sip::consent::v1::ConsentEvent ConsentEventOf(
    const std::string& plan, const std::vector<std::pair<std::string, absl::Time>>& until,
    const std::vector<std::string>& open = {}) {
  sip::consent::v1::ConsentEvent e;
  e.set_plan(absl::StrCat("plans/", plan));
  e.set_consent(absl::StrCat("plans/", plan, "/consents/c1"));
  auto* coverage = e.mutable_coverage();
  for (const auto& [unit, end] : until) {
    auto* u = coverage->add_units();
    u->set_unit_hsa_id(unit);
    ToProto(end, u->mutable_covered_until());
  }
  for (const auto& unit : open) coverage->add_units()->set_unit_hsa_id(unit);
  return e;
}

class PlanAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "svc", {}));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "svc", 2,
                                                      absl::Seconds(5), {}}));
  }

  void ApplyPlan(const sip::plan::v1::PlanEvent& e) {
    SIP_ASSERT_OK(pool_->InTransaction(
        [&](pqxx::work& txn) { return ApplyPlanEvent(txn, e.SerializeAsString()); }));
  }
  void ApplyMeeting(const sip::meeting::v1::MeetingEvent& e) {
    SIP_ASSERT_OK(pool_->InTransaction(
        [&](pqxx::work& txn) { return ApplyMeetingEvent(txn, e.SerializeAsString()); }));
  }
  void ApplyConsent(const sip::consent::v1::ConsentEvent& e) {
    SIP_ASSERT_OK(pool_->InTransaction(
        [&](pqxx::work& txn) { return ApplyConsentEvent(txn, e.SerializeAsString()); }));
  }

  std::optional<PlanAccess> Read(const std::string& plan, absl::Time at) {
    auto access = pool_->Read<std::optional<PlanAccess>>(
        [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::optional<PlanAccess>> {
          return ReadAccess(txn, plan, at);
        });
    EXPECT_TRUE(access.ok()) << access.status();
    return access.ok() ? *access : std::nullopt;
  }

  // The plans among p1..p4 the list condition shows `unit` at `at`.
  std::vector<std::string> Visible(const std::string& unit, absl::Time at) {
    auto rows = pool_->Read<std::vector<std::string>>(
        [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<std::string>> {
          std::vector<std::string> out;
          for (const auto& row : txn.exec_params(
                   absl::StrCat("SELECT k.id FROM unnest(ARRAY['p1','p2','p3','p4']) AS k(id) "
                                "WHERE ",
                                VisibleToUnitSql("k.id", "$1", "$2"), " ORDER BY k.id"),
                   unit, db::ToSqlTime(at))) {
            out.push_back(row[0].as<std::string>());
          }
          return out;
        });
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<std::string>{};
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{kNow};
  std::unique_ptr<db::Pool> pool_;
};

TEST_F(PlanAccessTest, TheEventsLeaveWhoTakesPartAndWhatTheConsentCoversUntilWhen) {
  EXPECT_FALSE(Read("p1", kNow).has_value()) << "a plan it has not heard of";
  ApplyPlan(PlanEventOf("p1", kVc, {kVc, kSoc}, kSoc));
  std::optional<PlanAccess> before = Read("p1", kNow);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->initiating_unit_hsa_id, kVc);
  EXPECT_EQ(before->coordinator_unit_hsa_id, kSoc);
  EXPECT_THAT(before->participant_unit_hsa_ids, UnorderedElementsAre(kVc, kSoc));
  EXPECT_FALSE(before->consent_recorded);

  ApplyConsent(ConsentEventOf("p1", {{kSoc, kNow + absl::Hours(24)}}, {kVc}));
  std::optional<PlanAccess> covered = Read("p1", kNow);
  ASSERT_TRUE(covered.has_value());
  EXPECT_TRUE(covered->consent_recorded);
  EXPECT_THAT(covered->covered_unit_hsa_ids, UnorderedElementsAre(kVc, kSoc));
  EXPECT_THAT(Read("p1", kNow + absl::Hours(24))->covered_unit_hsa_ids, ElementsAre(kVc))
      << "the time-limited coverage ends at its end";

  // A later event replaces both halves: a unit leaves, the consent is withdrawn.
  ApplyPlan(PlanEventOf("p1", kVc, {kVc}, kVc));
  ApplyConsent(ConsentEventOf("p1", {}));
  std::optional<PlanAccess> withdrawn = Read("p1", kNow);
  EXPECT_THAT(withdrawn->participant_unit_hsa_ids, ElementsAre(kVc));
  EXPECT_TRUE(withdrawn->consent_recorded) << "a withdrawal is a decision recorded";
  EXPECT_THAT(withdrawn->covered_unit_hsa_ids, IsEmpty());

  // Consent events may come before the plan's: the halves are independent.
  ApplyConsent(ConsentEventOf("p2", {}, {kPsy}));
  std::optional<PlanAccess> early = Read("p2", kNow);
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->initiating_unit_hsa_id, "");
  EXPECT_FALSE(Authorize({kPsy, "u", ""}, Action::kRead, early).ok());

  EXPECT_EQ(pool_->InTransaction([](pqxx::work& txn) {
              return ApplyPlanEvent(txn, "not an event");
            }).code(),
            absl::StatusCode::kInternal);
}

// Issue 22: a unit invited to the plan's meeting and covered by the person's consent takes
// part, and finds the plan (before, social services had the invitation in their inbox but
// ListPlans was empty and GetPlan refused). Invitations come from the meeting service's
// events: scheduled, invitation added, forwarded.
TEST_F(PlanAccessTest, AnInvitedUnitTheConsentCoversTakesPart) {
  ApplyPlan(PlanEventOf("p1", kVc, {kVc}));
  ApplyConsent(ConsentEventOf("p1", {}, {kVc, kSoc, kPsy}));
  EXPECT_EQ(ReasonOf(Authorize({kSoc, "u", ""}, Action::kRead, Read("p1", kNow))),
            "NOT_VISIBLE") << "covered, but not taking part yet";
  sip::meeting::v1::MeetingEvent scheduled;
  scheduled.set_plan("plans/p1");
  scheduled.mutable_scheduled()->add_invited_unit_hsa_ids(kVc);
  scheduled.mutable_scheduled()->add_invited_unit_hsa_ids(kSoc);
  ApplyMeeting(scheduled);
  ApplyMeeting(scheduled);  // a replay adds nothing
  EXPECT_THAT(Read("p1", kNow)->participant_unit_hsa_ids, UnorderedElementsAre(kVc, kSoc));
  SIP_EXPECT_OK(Authorize({kSoc, "u", ""}, Action::kRead, Read("p1", kNow)));
  SIP_EXPECT_OK(Authorize({kSoc, "u", ""}, Action::kConsent, Read("p1", kNow)));
  EXPECT_THAT(Visible(kSoc, kNow), ElementsAre("p1"));
  sip::meeting::v1::MeetingEvent forwarded;
  forwarded.set_plan("plans/p1");
  forwarded.mutable_forwarded()->set_to_unit_hsa_id(kPsy);
  ApplyMeeting(forwarded);
  EXPECT_THAT(Visible(kPsy, kNow), ElementsAre("p1"));
  sip::meeting::v1::MeetingEvent added;
  added.set_plan("plans/p1");
  added.mutable_invitation_added()->set_unit_hsa_id(kOutsider);
  ApplyMeeting(added);
  EXPECT_THAT(Visible(kOutsider, kNow), IsEmpty()) << "invited, but the consent leaves it out";
  EXPECT_EQ(ReasonOf(Authorize({kOutsider, "u", ""}, Action::kRead, Read("p1", kNow))),
            "NOT_VISIBLE");
  // Consent ends: the invited see nothing either.
  ApplyConsent(ConsentEventOf("p1", {}));
  EXPECT_THAT(Visible(kSoc, kNow), IsEmpty());
  // Other meeting events change nothing here.
  sip::meeting::v1::MeetingEvent held;
  held.set_plan("plans/p2");
  held.mutable_held()->add_attended_unit_hsa_ids(kSoc);
  ApplyMeeting(held);
  EXPECT_FALSE(Read("p2", kNow).has_value());
}

TEST_F(PlanAccessTest, TheListConditionIsTheReadRule) {
  ApplyPlan(PlanEventOf("p1", kVc, {kVc}));                    // no consent yet
  ApplyPlan(PlanEventOf("p2", kVc, {kVc, kSoc, kPsy}));
  ApplyConsent(ConsentEventOf("p2", {{kSoc, kNow + absl::Hours(1)}}, {kVc}));
  ApplyPlan(PlanEventOf("p3", kSoc, {kSoc}));
  ApplyConsent(ConsentEventOf("p3", {}, {kSoc, kOutsider}));   // covered, takes no part
  EXPECT_THAT(Visible(kVc, kNow), ElementsAre("p1", "p2"));
  EXPECT_THAT(Visible(kSoc, kNow), ElementsAre("p2", "p3"));
  EXPECT_THAT(Visible(kSoc, kNow + absl::Hours(1)), ElementsAre("p3"));
  EXPECT_THAT(Visible(kPsy, kNow), IsEmpty()) << "takes part, not covered";
  EXPECT_THAT(Visible(kOutsider, kNow), IsEmpty()) << "covered, takes no part";
  // The same answers as Authorize, plan by plan.
  for (const char* unit : {kVc, kSoc, kPsy, kOutsider}) {
    std::vector<std::string> allowed;
    for (const char* plan : {"p1", "p2", "p3", "p4"}) {
      if (Authorize({unit, "u", ""}, Action::kRead, Read(plan, kNow)).ok()) {
        allowed.push_back(plan);
      }
    }
    EXPECT_EQ(allowed, Visible(unit, kNow)) << unit;
  }
}

TEST_F(PlanAccessTest, TheGateCatchesUpBeforeItRefuses) {
  int catch_ups = 0;
  PlanGate gate(pool_.get(), &clock_, {[&]() -> absl::Status {
                  ++catch_ups;
                  // What the source's events say by now: the plan was just created.
                  return pool_->InTransaction([](pqxx::work& txn) {
                    return ApplyPlanEvent(txn, PlanEventOf("p1", kVc, {kVc}).SerializeAsString());
                  });
                }});
  const Actor nurse{{kVc, PrincipalKind::kRegion, "", "14"}, "nurse-1"};
  SIP_EXPECT_OK(gate.Check(nurse, Action::kWrite, "p1"));
  EXPECT_EQ(catch_ups, 1);
  SIP_EXPECT_OK(gate.Check(nurse, Action::kRead, "p1"));
  EXPECT_EQ(catch_ups, 1) << "no catch-up when the projection allows";
  const Actor outsider{{kOutsider, PrincipalKind::kRegion, "", "14"}, "u-9"};
  const absl::Status refused = gate.Check(outsider, Action::kRead, "p1");
  EXPECT_EQ(ReasonOf(refused), "NOT_VISIBLE");
  EXPECT_EQ(refused, gate.Check(outsider, Action::kRead, "p-unknown"));
  // A suite service reads without the projection; it writes nothing.
  SIP_EXPECT_OK(gate.Check(ServiceActor("meeting"), Action::kRead, "p-unknown"));
  EXPECT_FALSE(gate.Check(ServiceActor("meeting"), Action::kWrite, "p1").ok());
  // A user whose unit and id copy a service's is a user: it sees nothing it takes no part
  // in (issue 22: a token posing as the plan service read every plan).
  for (const char* service : {"plan", "meeting", "consent", "lifecycle"}) {
    Actor posing = ServiceActor(service);
    posing.service.clear();
    EXPECT_EQ(ReasonOf(gate.Check(posing, Action::kRead, "p1")), "NOT_VISIBLE") << service;
    EXPECT_EQ(ReasonOf(gate.Check(posing, Action::kConsent, "p1")), "NOT_VISIBLE") << service;
  }
}

}  // namespace
}  // namespace sip::authz
