// The lifecycle store on PostgreSQL: a timeline with its deadlines written and read back
// whole; a closure asked once; two sweepers racing over one database breach each due
// deadline exactly once.
#include "services/lifecycle/lifecycle_store.h"

#include <atomic>
#include <thread>

#include "common/calendar.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::lifecycle {
namespace {

using Kind = Fact::Kind;

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), Stockholm());
}

class LifecycleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "lifecycle", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "lifecycle", 4,
                                                      absl::Seconds(5),
                                                      LifecycleStore::Statements()}));
    store_ = std::make_unique<LifecycleStore>(pool_.get());
    SIP_ASSERT_OK_AND_ASSIGN(policies_, Policies::LoadDirectory(SIP_POLICIES_DIR));
  }

  // Applies `fact` to its plan's stored timeline in one transaction.
  void ApplyStored(const Fact& fact, absl::Time now) {
    SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
      return store_->Change(txn, fact.plan_id, now,
                            [&](Timeline& t) { return Apply(t, fact, *policies_); });
    }));
  }

  Fact Initiated(const std::string& plan, absl::Time when, const std::string& region) {
    Fact f;
    f.kind = Kind::kInitiated;
    f.plan_id = plan;
    f.time = when;
    f.need_noticed_time = when;
    f.region_code = region;
    f.source = "plan/" + plan;
    f.actor_unit_hsa_id = "SE2321000131-E000000000001";
    return f;
  }

  int Count(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1(sql)[0].as<int>();
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<LifecycleStore> store_;
  std::optional<Policies> policies_;
};

TEST_F(LifecycleStoreTest, ATimelineIsWrittenAndReadBackWhole) {
  ApplyStored(Initiated("p1", At(2026, 11, 25), "12"), At(2026, 11, 25));
  Fact consent;
  consent.kind = Kind::kConsentRecorded;
  consent.plan_id = "p1";
  consent.time = At(2026, 11, 26);
  consent.source = "consent/1";
  ApplyStored(consent, At(2026, 11, 26));
  ApplyStored(consent, At(2026, 11, 27));  // a replay
  SIP_ASSERT_OK_AND_ASSIGN(std::optional<Timeline> t, store_->Get("p1"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->region_code, "12");
  EXPECT_EQ(t->need_noticed_time, At(2026, 11, 25));
  ASSERT_EQ(t->entries.size(), 2u) << "the replay added nothing";
  EXPECT_EQ(t->entries[1].what, "consent_recorded");
  ASSERT_EQ(t->deadlines.size(), 2u);
  EXPECT_EQ(t->deadlines[0].rule, pb::DEADLINE_RULE_START_WITHOUT_DELAY);
  EXPECT_EQ(t->deadlines[0].state, DeadlineState::kMet);
  EXPECT_EQ(t->deadlines[0].met_time, At(2026, 11, 26));
  EXPECT_EQ(t->deadlines[0].policy_version, "2023-05-04");
  EXPECT_EQ(t->deadlines[1].state, DeadlineState::kPending);
  EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.deadlines WHERE state = 'MET'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.outbox WHERE event_type = "
                  "'lifecycle.deadline_met'"),
            1);
  SIP_ASSERT_OK_AND_ASSIGN(std::optional<Timeline> none, store_->Get("nope"));
  EXPECT_FALSE(none);
}

TEST_F(LifecycleStoreTest, AClosureIsAskedOnce) {
  ApplyStored(Initiated("p1", At(2026, 1, 10), "14"), At(2026, 1, 10));
  Fact withdrawn;
  withdrawn.kind = Kind::kConsentWithdrawn;
  withdrawn.plan_id = "p1";
  withdrawn.time = At(2026, 2, 1);
  withdrawn.source = "consent/9";
  ApplyStored(withdrawn, At(2026, 2, 1));
  withdrawn.source = "consent/10";
  ApplyStored(withdrawn, At(2026, 2, 2));
  EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.closure_requests WHERE cause = "
                  "'CLOSURE_CAUSE_CONSENT_WITHDRAWN' AND done_time IS NULL"),
            1);
}

TEST_F(LifecycleStoreTest, TwoSweepersRacingBreachEachDueDeadlineOnce) {
  constexpr int kPlans = 150;
  for (int i = 0; i < kPlans; ++i) {
    ApplyStored(Initiated(absl::StrCat("p", i), At(2026, 1, 1), "12"), At(2026, 1, 1));
  }
  // Plans initiated later: not due, not touched.
  ApplyStored(Initiated("later", At(2026, 3, 1), "12"), At(2026, 3, 1));
  const absl::Time now = At(2026, 1, 10);  // start (3 days) due, the meeting (21) not
  std::atomic<int> swept{0};
  auto sweeper = [&] {
    for (;;) {
      auto n = store_->SweepDue(now, 10, [&](Timeline& t) { return Sweep(t, now, *policies_); });
      ASSERT_TRUE(n.ok()) << n.status();
      if (*n == 0) break;
      swept += *n;
    }
  };
  std::thread a(sweeper), b(sweeper);
  a.join();
  b.join();
  // A sweeper that found only locked plans may stop early; one more pass sees none left.
  SIP_ASSERT_OK_AND_ASSIGN(int rest, store_->SweepDue(now, 1000, [&](Timeline& t) {
                             return Sweep(t, now, *policies_);
                           }));
  EXPECT_EQ(swept + rest, kPlans);
  EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.deadlines WHERE state = 'BREACHED'"), kPlans);
  EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.outbox WHERE event_type = "
                  "'lifecycle.deadline_breached'"),
            kPlans)
      << "each breach once";
  EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.deadlines WHERE plan_id = 'later' AND "
                  "state = 'PENDING'"),
            2);
}

// The sweeper's cost follows the due rows, not the table: with 100,000 plans pending far
// ahead and ten due, its query reads the due ones through the partial index.
TEST_F(LifecycleStoreTest, TheSweepReadsOnlyTheDueRowsOfAHundredThousandPlans) {
  {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    txn.exec(
        "INSERT INTO lifecycle.timelines (plan_id, region_code, plan_state, version, "
        "update_time, body) SELECT 'p' || i, '12', 'PLAN_STATE_ACTIVE', 1, now(), "
        "'{}'::jsonb FROM generate_series(1, 100000) AS i");
    txn.exec(
        "INSERT INTO lifecycle.deadlines (plan_id, deadline_no, rule, state, open_time, "
        "due_time, responsible_unit_hsa_id, region_code, policy_version, opened_by) "
        "SELECT 'p' || i, 0, 'DEADLINE_RULE_FORFEITURE', 'PENDING', now(), "
        "CASE WHEN i <= 10 THEN timestamptz '2026-01-01' ELSE timestamptz '2030-01-01' END, "
        "'SE2120001652-S000000000002', '12', '1', 'test/' || i FROM generate_series(1, 100000) "
        "AS i");
    // And as many settled ones, which the sweeper must not read either.
    txn.exec(
        "INSERT INTO lifecycle.deadlines (plan_id, deadline_no, rule, state, open_time, "
        "due_time, responsible_unit_hsa_id, region_code, policy_version, opened_by) "
        "SELECT 'p' || i, 1, 'DEADLINE_RULE_START_WITHOUT_DELAY', 'MET', now(), "
        "timestamptz '2025-01-01', 'SE2120001652-S000000000002', '12', '1', 'test/' || i "
        "FROM generate_series(1, 100000) AS i");
    txn.commit();
    pqxx::nontransaction analyze(conn);
    analyze.exec("ANALYZE lifecycle.timelines");
    analyze.exec("ANALYZE lifecycle.deadlines");
  }
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  const pqxx::result plan = txn.exec(
      "EXPLAIN (ANALYZE, FORMAT TEXT) SELECT t.plan_id FROM lifecycle.timelines t WHERE "
      "t.plan_id IN (SELECT d.plan_id FROM lifecycle.deadlines d WHERE d.state = 'PENDING' "
      "AND d.due_time <= timestamptz '2026-06-01' ORDER BY d.due_time LIMIT 100) "
      "FOR UPDATE OF t SKIP LOCKED");
  std::string text;
  for (const auto& row : plan) text += row[0].as<std::string>() + "\n";
  EXPECT_THAT(text, ::testing::HasSubstr("deadlines_due")) << text;
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("Seq Scan on deadlines"))) << text;
  // The index scan returned the ten due rows, no more.
  EXPECT_THAT(text, ::testing::ContainsRegex("Index (Only )?Scan using deadlines_due on "
                                             "deadlines d .*actual time=[0-9.]+ rows=10 "))
      << text;
}

}  // namespace
}  // namespace sip::lifecycle
