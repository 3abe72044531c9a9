#include "services/consent/consent_store.h"

#include <future>
#include <thread>

#include "common/errors.h"
#include "common/migrations.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::consent {
namespace {

using ::sip::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const absl::Time kNow = absl::FromUnixMicros(1764000000123456);
const Unit kVc{"SE2321000131-E000000000001", PrincipalKind::kRegion, "Vårdcentralen"};
const Unit kSoc{"SE2120001652-S000000000002", PrincipalKind::kMunicipality, ""};
const Unit kPsy{"SE2321000131-P000000000003", PrincipalKind::kRegion, "Psykiatrin"};
const Actor kCaller{kVc, "user-1"};

EventFn TestEvent(const std::string& type) {
  return [type](const Consent& c, const std::vector<CoveredUntil>&) {
    return Event{type, c.consent_id};
  };
}

class ConsentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "consent", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(
        pool_, db::Pool::Create({db_.conninfo(), "consent", 4, absl::Seconds(5),
                                 ConsentStore::Statements()}));
    store_ = std::make_unique<ConsentStore>(pool_.get());
  }

  Consent Full(const std::string& id, absl::Time now = kNow) {
    ConsentInput in;
    in.giver = {GiverRole::kGuardian, "Anna Andersson"};
    in.form = CommunicationForm::kWritten;
    in.covered_units = {kVc, kSoc};
    in.covered_others = {{OtherPartyKind::kSchool, "Rektor, Kungälvs skola"}};
    in.valid_until = now + absl::Hours(24 * 365);
    in.individual_is_minor = true;
    in.reduced_capacity = true;
    in.harm_assessment =
        HarmAssessment{kCaller, HarmOutcome::kRestricted, "Ej journal", {kSoc.hsa_id}};
    in.second_guardian = Giver{GiverRole::kGuardian, "Bo Andersson"};
    in.note = "Informerad muntligt och skriftligt";
    auto c = NewConsent("plan-1", in, kCaller, now);
    EXPECT_TRUE(c.ok()) << c.status();
    c->consent_id = id;
    return *c;
  }

  int Count(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1(sql)[0].as<int>();
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ConsentStore> store_;
};

TEST_F(ConsentStoreTest, CreateThenGetReturnsEveryField) {
  const Consent original = Full("c1");
  SIP_ASSERT_OK(store_->Create(std::nullopt, original, kNow, TestEvent("recorded")));
  SIP_ASSERT_OK_AND_ASSIGN(Consent read, store_->Get("plan-1", "c1"));
  EXPECT_EQ(read.giver, original.giver);
  EXPECT_EQ(read.form, CommunicationForm::kWritten);
  EXPECT_EQ(read.recorded_by, kCaller);
  EXPECT_EQ(read.decision_time, kNow);
  EXPECT_EQ(read.valid_until, original.valid_until);
  EXPECT_TRUE(read.individual_is_minor);
  EXPECT_TRUE(read.reduced_capacity);
  ASSERT_TRUE(read.harm_assessment.has_value());
  EXPECT_EQ(read.harm_assessment->outcome, HarmOutcome::kRestricted);
  EXPECT_EQ(read.harm_assessment->note, "Ej journal");
  EXPECT_EQ(read.harm_assessment->restricted_unit_hsa_ids, std::vector<std::string>{kSoc.hsa_id});
  ASSERT_TRUE(read.second_guardian.has_value());
  EXPECT_EQ(read.second_guardian->name, "Bo Andersson");
  EXPECT_EQ(read.note, original.note);
  EXPECT_THAT(read.CoveredUnits(), ElementsAre(kVc, kSoc));
  EXPECT_EQ(read.CoveredOthers(), original.CoveredOthers());
  EXPECT_EQ(read.create_time, kNow);
  EXPECT_EQ(read.Etag(), original.Etag());
  EXPECT_EQ(Count("SELECT count(*) FROM consent.outbox WHERE event_type = 'recorded'"), 1);
}

TEST_F(ConsentStoreTest, GetUnknownIsNotFound) {
  EXPECT_THAT(store_->Get("plan-1", "nope"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("plans/plan-1/consents/nope")));
}

TEST_F(ConsentStoreTest, UpdateAppendsScopeHistoryAndEvent) {
  SIP_ASSERT_OK(store_->Create(std::nullopt, Full("c1"), kNow, TestEvent("recorded")));
  const absl::Time later = kNow + absl::Hours(1);
  SIP_ASSERT_OK(store_->Update(
      std::nullopt, "plan-1", "c1", later,
      [&](Consent& c) { return ChangeScope(c, {{kPsy}, {kSoc.hsa_id}, {}, {}, "why"}, kCaller, later); },
      TestEvent("scope")));
  SIP_ASSERT_OK_AND_ASSIGN(Consent read, store_->Get("plan-1", "c1"));
  EXPECT_THAT(read.CoveredUnits(), ElementsAre(kVc, kPsy));
  ASSERT_THAT(read.scope_history, SizeIs(2));
  EXPECT_EQ(read.scope_history[1].reason, "why");
  EXPECT_EQ(read.scope_history[1].change_time, later);
  EXPECT_EQ(read.version, 2);
  EXPECT_EQ(Count("SELECT count(*) FROM consent.consent_scope_changes"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM consent.outbox"), 2);
}

TEST_F(ConsentStoreTest, ScopeHistoryCannotBeRewrittenEvenBySql) {
  SIP_ASSERT_OK(store_->Create(std::nullopt, Full("c1"), kNow, TestEvent("recorded")));
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  EXPECT_THROW(txn.exec("UPDATE consent.consent_scope_changes SET change = '{}'"),
               pqxx::sql_error);
}

TEST_F(ConsentStoreTest, FailedMutationWritesNothing) {
  SIP_ASSERT_OK(store_->Create(std::nullopt, Full("c1"), kNow, TestEvent("recorded")));
  EXPECT_THAT(store_->Update(
                  std::nullopt, "plan-1", "c1", kNow,
                  [](Consent&) { return FailedPrecondition("NO", "refused by the rules"); },
                  TestEvent("never")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Count("SELECT count(*) FROM consent.outbox"), 1);
  EXPECT_THAT(store_->Update(std::nullopt, "plan-1", "missing", kNow,
                             [](Consent&) { return absl::OkStatus(); }, TestEvent("never")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ConsentStoreTest, RetriedCreateIsAppliedOnceAndReturnsTheFirstAnswer) {
  const db::RequestKey key{"RecordConsent", "req-1", "fingerprint-a"};
  SIP_ASSERT_OK_AND_ASSIGN(Consent first,
                           store_->Create(key, Full("c1"), kNow, TestEvent("recorded")));
  // The retry arrives with a fresh id (the caller's code runs again), but must get the
  // first answer back and insert nothing.
  SIP_ASSERT_OK_AND_ASSIGN(Consent retry, store_->Create(key, Full("c2"), kNow + absl::Seconds(3),
                                                         TestEvent("recorded")));
  EXPECT_EQ(retry.consent_id, first.consent_id);
  EXPECT_EQ(retry.CoveredUnits(), first.CoveredUnits());
  EXPECT_EQ(retry.create_time, first.create_time);
  EXPECT_EQ(Count("SELECT count(*) FROM consent.consents"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM consent.outbox"), 1);

  const db::RequestKey reused{"RecordConsent", "req-1", "fingerprint-b"};
  auto misuse = store_->Create(reused, Full("c3"), kNow, TestEvent("recorded"));
  EXPECT_THAT(misuse, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldViolationsOf(misuse.status()).at(0).field, "request_id");
}

TEST_F(ConsentStoreTest, ConcurrentWithdrawalsOneWinsTheOtherSeesItWithdrawn) {
  SIP_ASSERT_OK(store_->Create(std::nullopt, Full("c1"), kNow, TestEvent("recorded")));
  auto withdraw = [&] {
    return store_->Update(
        std::nullopt, "plan-1", "c1", kNow,
        [&](Consent& c) { return Withdraw(c, {}, kCaller, kNow); }, TestEvent("withdrawn"));
  };
  auto a = std::async(std::launch::async, withdraw);
  auto b = std::async(std::launch::async, withdraw);
  const auto ra = a.get();
  const auto rb = b.get();
  EXPECT_EQ(ra.ok() + rb.ok(), 1) << ra.status() << " / " << rb.status();
  const absl::Status loser = ra.ok() ? rb.status() : ra.status();
  EXPECT_THAT(loser, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Count("SELECT count(*) FROM consent.outbox WHERE event_type = 'withdrawn'"), 1);
}

TEST_F(ConsentStoreTest, ListPagesNewestFirstWithoutGapsOrRepeats) {
  for (int i = 0; i < 7; ++i) {
    SIP_ASSERT_OK(store_->Create(std::nullopt, Full(absl::StrCat("c", i), kNow + absl::Seconds(i)),
                                 kNow, TestEvent("recorded")));
  }
  // Another plan's consent never shows up.
  Consent other = Full("x");
  other.plan_id = "plan-2";
  SIP_ASSERT_OK(store_->Create(std::nullopt, other, kNow, TestEvent("recorded")));

  std::vector<std::string> ids;
  std::optional<PageCursor> cursor;
  int pages = 0;
  do {
    SIP_ASSERT_OK_AND_ASSIGN(ConsentStore::Page page, store_->List("plan-1", 3, cursor));
    for (const Consent& c : page.consents) {
      ids.push_back(c.consent_id);
      EXPECT_THAT(c.scope_history, SizeIs(1)) << "history loaded for every consent";
    }
    cursor = page.next;
    ++pages;
  } while (cursor);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(ids, ElementsAre("c6", "c5", "c4", "c3", "c2", "c1", "c0"));
  SIP_ASSERT_OK_AND_ASSIGN(auto all, store_->ListAll("plan-2"));
  EXPECT_THAT(all, SizeIs(1));
}

TEST_F(ConsentStoreTest, EventsAreReadBackInOrder) {
  SIP_ASSERT_OK(store_->Create(std::nullopt, Full("c1"), kNow, TestEvent("recorded")));
  SIP_ASSERT_OK(store_->Create(std::nullopt, Full("c2"), kNow, TestEvent("recorded")));
  SIP_ASSERT_OK_AND_ASSIGN(auto events, store_->Events(0, 10, ""));
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].payload, "c1");
  EXPECT_EQ(events[0].plan_id, "plan-1");
  SIP_ASSERT_OK_AND_ASSIGN(auto rest, store_->Events(1, 10, ""));
  ASSERT_THAT(rest, SizeIs(1));
  EXPECT_EQ(rest[0].payload, "c2");
}

}  // namespace
}  // namespace sip::consent
