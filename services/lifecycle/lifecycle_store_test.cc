// The lifecycle store on PostgreSQL: a timeline with its deadlines written and read back
// whole; a closure asked once; two sweepers racing over one database breach each due
// deadline exactly once.
#include "services/lifecycle/lifecycle_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/calendar.h"
#include "common/status_macros.h"
#include "services/lifecycle/report.h"
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

  // What the book does with a plan's facts: the fold at `now`, and what changed.
  LifecycleStore::FoldFn Rebuild(absl::Time now) {
    return [this, now](const Timeline& before, std::vector<Fact> facts) {
      Timeline after = Fold(before.plan_id, std::move(facts), now, *policies_);
      Effects effects = Changes(before, after);
      return std::make_pair(std::move(after), std::move(effects));
    };
  }

  // Records `facts` in one transaction, as a consumer applies a page; a deadlock with
  // another consumer (ABORTED) rolls it back and the page is applied again.
  void RecordPage(const std::vector<Fact>& facts, absl::Time now) {
    absl::Status status;
    for (int attempt = 0; attempt < 50; ++attempt) {
      status = pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
        for (const Fact& f : facts) SIP_RETURN_IF_ERROR(store_->Record(txn, f, now, Rebuild(now)));
        return absl::OkStatus();
      });
      if (status.code() != absl::StatusCode::kAborted) break;
    }
    SIP_ASSERT_OK(status);
  }
  void ApplyStored(const Fact& fact, absl::Time now) { RecordPage({fact}, now); }

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

// Issue 22: a timeline is a function of its set of facts. One history of many plans —
// initiation, consent, meetings (some late), establishment, follow-ups, withdrawal and
// closure — is recorded (a) by three consumers (plan, consent, meeting), each source in
// its own order, each run by two replicas at once, pages of several facts per transaction;
// (b) in random orders, one fact at a time. Each stored timeline must equal the fold of
// its facts in time order, each deadline met or breached must be announced once, and the
// compliance report must be the report of the folds.
class FactHistoryTest : public LifecycleStoreTest {
 protected:
  void SetUp() override {
    LifecycleStoreTest::SetUp();
    int64_t plan_seq = 0, consent_seq = 0, meeting_seq = 0;
    for (int i = 0; i < kPlans; ++i) {
      const std::string plan = absl::StrCat("h", i);
      const absl::Time base = At(2026, 1, 1) + absl::Hours(7 * i);
      auto fact = [&](Kind kind, absl::Duration after, const std::string& service) {
        int64_t& seq = service == "plan" ? plan_seq : service == "consent" ? consent_seq
                                                                           : meeting_seq;
        Fact f;
        f.kind = kind;
        f.plan_id = plan;
        f.time = base + after;
        f.source = absl::StrCat(service, "/", ++seq);
        f.actor_unit_hsa_id = "SE2321000131-E000000000001";
        return f;
      };
      Fact initiated = fact(Kind::kInitiated, absl::ZeroDuration(), "plan");
      initiated.need_noticed_time = initiated.time - absl::Hours(24 * (i % 3));
      initiated.region_code = i % 2 == 0 ? "12" : "14";
      initiated.municipality_code = i % 2 == 0 ? "1280" : "1482";
      plans_.push_back(initiated);
      // Consent within the three days, or late.
      consents_.push_back(fact(Kind::kConsentRecorded, absl::Hours(20 * (i % 6)), "consent"));
      Fact scheduled = fact(Kind::kMeetingScheduled, absl::Hours(30 + 11 * (i % 5)), "meeting");
      scheduled.meeting_kind = sip::meeting::v1::MEETING_KIND_INITIAL;
      meetings_.push_back(scheduled);
      // Held within the three weeks, or after.
      Fact held = fact(Kind::kMeetingHeld, absl::Hours(24 * (10 + i % 20)), "meeting");
      held.meeting_kind = sip::meeting::v1::MEETING_KIND_INITIAL;
      meetings_.push_back(held);
      Fact established = fact(Kind::kEstablished, absl::Hours(24 * (10 + i % 20) + 2), "plan");
      established.unit_hsa_id = "SE2120001652-S000000000002";
      plans_.push_back(established);
      if (i % 2 == 0) plans_.push_back(fact(Kind::kFollowUpRecorded, absl::Hours(24 * 200), "plan"));
      if (i % 4 == 0) {
        consents_.push_back(fact(Kind::kConsentWithdrawn, absl::Hours(24 * 300), "consent"));
        plans_.push_back(fact(Kind::kClosed, absl::Hours(24 * 301), "plan"));
      }
    }
  }

  std::vector<Fact> All() const {
    std::vector<Fact> all = plans_;
    all.insert(all.end(), consents_.begin(), consents_.end());
    all.insert(all.end(), meetings_.begin(), meetings_.end());
    return all;
  }

  // The expected timelines: each plan's facts folded in time order.
  std::map<std::string, Timeline> Folds() const {
    std::map<std::string, std::vector<Fact>> by_plan;
    for (const Fact& f : All()) by_plan[f.plan_id].push_back(f);
    std::map<std::string, Timeline> out;
    for (auto& [plan, facts] : by_plan) out[plan] = Fold(plan, facts, kNow, *policies_);
    return out;
  }

  static std::string Text(const Timeline& t) {
    std::string out = TimelineToJson(t);
    for (const Deadline& d : t.deadlines) {
      absl::StrAppend(&out, "\n", pb::DeadlineRule_Name(d.rule), " ", static_cast<int>(d.state),
                      " open=", absl::FormatTime(d.open_time), " due=", absl::FormatTime(d.due_time),
                      " met=", d.met_time ? absl::FormatTime(*d.met_time) : "-",
                      " breach=", d.breach_time ? absl::FormatTime(*d.breach_time) : "-",
                      " cancel=", d.cancel_time ? absl::FormatTime(*d.cancel_time) : "-",
                      " by=", d.opened_by, " unit=", d.responsible_unit_hsa_id);
    }
    return out;
  }

  // Every stored timeline is its fold; every met or breached deadline was announced once;
  // the report of the stored timelines is the report of the folds.
  void ExpectEveryTimelineIsItsFold(const std::string& how) {
    const std::map<std::string, Timeline> folds = Folds();
    std::map<std::string, std::multiset<std::string>> sources;
    for (const Fact& f : All()) sources[f.plan_id].insert(f.source);
    std::vector<Timeline> stored_all, folded_all;
    for (const auto& [plan, expected] : folds) {
      // Every fact recorded, each once, whichever consumer or replica came first.
      SIP_ASSERT_OK_AND_ASSIGN(std::vector<Fact> recorded, store_->Facts(plan));
      std::multiset<std::string> recorded_sources;
      for (const Fact& f : recorded) recorded_sources.insert(f.source);
      EXPECT_EQ(recorded_sources, sources[plan]) << how << ": " << plan;
      SIP_ASSERT_OK_AND_ASSIGN(std::optional<Timeline> stored, store_->Get(plan));
      ASSERT_TRUE(stored) << how << ": " << plan << " has no timeline";
      EXPECT_EQ(Text(*stored), Text(expected)) << how << ": " << plan;
      int met = 0, breached = 0;
      for (const Deadline& d : expected.deadlines) {
        met += d.state == DeadlineState::kMet;
        breached += d.breach_time.has_value();
      }
      EXPECT_EQ(Count(absl::StrCat("SELECT count(*) FROM lifecycle.outbox WHERE plan_id = '",
                                   plan, "' AND event_type = 'lifecycle.deadline_met'")),
                met)
          << how << ": " << plan;
      // A breach is announced when time has passed a deadline with what is known then; a
      // fact that arrives later and meets it in time cannot take the announcement back. So
      // every breach that stands was announced, and none twice.
      EXPECT_GE(Count(absl::StrCat("SELECT count(*) FROM lifecycle.outbox WHERE plan_id = '",
                                   plan, "' AND event_type = 'lifecycle.deadline_breached'")),
                breached)
          << how << ": " << plan;
      EXPECT_EQ(Count(absl::StrCat(
                    "SELECT count(*) FROM (SELECT payload FROM lifecycle.outbox WHERE plan_id = '",
                    plan, "' AND event_type IN ('lifecycle.deadline_breached', "
                    "'lifecycle.deadline_met') GROUP BY event_type, payload HAVING count(*) > 1) x")),
                0)
          << how << ": " << plan << ": a deadline announced twice";
      stored_all.push_back(*stored);
      folded_all.push_back(expected);
    }
    const absl::CivilDay start(2026, 1, 1), end(2027, 12, 31);
    EXPECT_EQ(ComplianceReport(stored_all, start, end, "all").DebugString(),
              ComplianceReport(folded_all, start, end, "all").DebugString())
        << how;
    EXPECT_EQ(Count("SELECT count(*) FROM lifecycle.closure_requests"),
              static_cast<int>(std::count_if(folded_all.begin(), folded_all.end(),
                                             [](const Timeline& t) { return t.closure_requested; })))
        << how;
  }

  static constexpr int kPlans = 48;
  const absl::Time kNow = At(2027, 3, 1);
  std::vector<Fact> plans_, consents_, meetings_;
};

TEST_F(FactHistoryTest, TwoReplicasOfThreeConsumersAtOnceGiveTheFoldOfEachPlansFacts) {
  std::vector<std::thread> consumers;
  for (const std::vector<Fact>* source : {&plans_, &consents_, &meetings_}) {
    for (int replica = 0; replica < 2; ++replica) {
      consumers.emplace_back([this, source, replica] {
        // Pages of a consumer: the source's order, a few facts each, the replicas' pages
        // cut differently so they overlap.
        const size_t page = 3 + replica;
        for (size_t i = 0; i < source->size(); i += page) {
          std::vector<Fact> facts(source->begin() + i,
                                  source->begin() + std::min(source->size(), i + page));
          RecordPage(facts, kNow);
        }
      });
    }
  }
  for (std::thread& t : consumers) t.join();
  ExpectEveryTimelineIsItsFold("two replicas of three consumers");
}

// The lost update of issue 22 at its sharpest: two consumers record the first facts of
// the same new plans at the same moment, and no later fact comes to repair a timeline.
// Locking a row that does not exist yet locks nothing: each built its own timeline and the
// second write replaced the first (seen: timelines with only "initiated" or only
// "consent_recorded").
TEST_F(LifecycleStoreTest, TwoConsumersWithTheFirstFactsOfNewPlansLoseNeither) {
  constexpr int kNew = 300;
  const absl::Time now = At(2026, 5, 1);
  std::vector<Fact> initiations, consents;
  for (int i = 0; i < kNew; ++i) {
    Fact initiated = Initiated(absl::StrCat("n", i), At(2026, 4, 1), "14");
    initiated.source = absl::StrCat("plan/", i + 1);
    initiations.push_back(initiated);
    Fact consent;
    consent.kind = Kind::kConsentRecorded;
    consent.plan_id = initiated.plan_id;
    consent.time = At(2026, 4, 2);
    consent.source = absl::StrCat("consent/", i + 1);
    consents.push_back(consent);
  }
  // The two start each plan together, as two consumers polling at once would.
  std::vector<std::atomic<int>> arrived(kNew);
  auto consumer = [&](const std::vector<Fact>* facts) {
    for (int i = 0; i < kNew; ++i) {
      ++arrived[i];
      while (arrived[i] < 2) std::this_thread::yield();
      ApplyStored((*facts)[i], now);
    }
  };
  std::thread a(consumer, &initiations), b(consumer, &consents);
  a.join();
  b.join();
  int lost = 0;
  for (int i = 0; i < kNew; ++i) {
    SIP_ASSERT_OK_AND_ASSIGN(std::optional<Timeline> t, store_->Get(absl::StrCat("n", i)));
    ASSERT_TRUE(t);
    lost += t->entries.size() != 2;
    if (t->entries.size() == 2) {
      EXPECT_EQ(t->deadlines[0].state, DeadlineState::kMet) << "n" << i;
    }
  }
  EXPECT_EQ(lost, 0) << "timelines that lost one of their two facts";
}

TEST_F(FactHistoryTest, AnyOrderOfTheFactsGivesTheFoldOfEachPlansFacts) {
  for (const uint32_t seed : {1u, 7u, 2026u}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::vector<Fact> facts = All();
    std::mt19937 random(seed);
    std::shuffle(facts.begin(), facts.end(), random);
    for (const Fact& f : facts) ApplyStored(f, kNow);
    // A replay of the whole history changes nothing.
    for (const Fact& f : facts) ApplyStored(f, kNow);
    ExpectEveryTimelineIsItsFold(absl::StrCat("shuffled with seed ", seed));
    if (::testing::Test::HasFailure()) return;
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    txn.exec("TRUNCATE lifecycle.closure_requests, lifecycle.timeline_facts, lifecycle.deadlines, "
             "lifecycle.timelines, lifecycle.outbox");
    txn.commit();
  }
}

// Issue 22: a consent recorded before the lifecycle hears of the plan's initiation meets
// the start deadline all the same; a start recorded after its due time is met late, even
// when the sweeper had not marked the breach yet.
TEST_F(LifecycleStoreTest, FactsArrivingBeforeTheirPlanAndLateFactsAreFoldedInTimeOrder) {
  const absl::Time t0 = At(2026, 4, 1);
  Fact consent;
  consent.kind = Kind::kConsentRecorded;
  consent.plan_id = "p1";
  consent.time = t0 + absl::Hours(24);
  consent.source = "consent/1";
  ApplyStored(consent, t0 + absl::Hours(25));
  ApplyStored(Initiated("p1", t0, "12"), t0 + absl::Hours(26));
  SIP_ASSERT_OK_AND_ASSIGN(std::optional<Timeline> p1, store_->Get("p1"));
  ASSERT_TRUE(p1);
  ASSERT_FALSE(p1->deadlines.empty());
  EXPECT_EQ(p1->deadlines[0].rule, pb::DEADLINE_RULE_START_WITHOUT_DELAY);
  EXPECT_EQ(p1->deadlines[0].state, DeadlineState::kMet);
  EXPECT_EQ(p1->deadlines[0].met_time, t0 + absl::Hours(24));
  EXPECT_FALSE(p1->deadlines[0].breach_time);
  EXPECT_EQ(p1->entries.front().what, "initiated");

  // Started five days after the need was noticed (three allowed), never swept.
  ApplyStored(Initiated("p2", t0, "12"), t0);
  consent.plan_id = "p2";
  consent.source = "consent/2";
  consent.time = t0 + absl::Hours(24 * 5);
  ApplyStored(consent, t0 + absl::Hours(24 * 5));
  SIP_ASSERT_OK_AND_ASSIGN(std::optional<Timeline> p2, store_->Get("p2"));
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->deadlines[0].state, DeadlineState::kMet);
  EXPECT_EQ(p2->deadlines[0].met_time, t0 + absl::Hours(24 * 5));
  EXPECT_EQ(p2->deadlines[0].breach_time, p2->deadlines[0].due_time) << "met late";
  const pb::ComplianceReport report =
      ComplianceReport({*p2}, absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 5, 1), "all");
  EXPECT_EQ(report.plans_started(), 1);
  EXPECT_EQ(report.started_without_delay(), 0) << "a late start is not counted as in time";
  EXPECT_EQ(report.started_without_delay_share(), 0.0);
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
