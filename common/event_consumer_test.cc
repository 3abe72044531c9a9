// The common event consumer on PostgreSQL: each event applied exactly once across
// restarts, duplicate pages, failures and two replicas consuming one source at once.
#include "common/event_consumer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/migrations.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

// A source of `n` events 1..n; serves pages like ListEvents, duplicates included when told.
class FakeSource {
 public:
  explicit FakeSource(int n) : n_(n) {}
  EventConsumer::Fetch Fetch() {
    return [this](int64_t after, int limit) -> absl::StatusOr<std::vector<SourceEvent>> {
      fetches_ += 1;
      if (slow_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::vector<SourceEvent> out;
      for (int64_t s = after + 1; s <= n_ && static_cast<int>(out.size()) < limit; ++s) {
        out.push_back({s, absl::FromUnixSeconds(1700000000 + s), absl::StrCat("e", s)});
      }
      return out;
    };
  }
  // Pages that always start from the first event, as a source replaying would.
  EventConsumer::Fetch Replaying() {
    return [this](int64_t, int limit) -> absl::StatusOr<std::vector<SourceEvent>> {
      return Fetch()(0, limit);
    };
  }
  // More events happen at the source.
  void Grow(int n) { n_ = n; }
  // Each fetch takes 100 ms, so that callers pile up behind one.
  void SlowDown() { slow_ = true; }
  int fetches() const { return fetches_; }

 private:
  std::atomic<int64_t> n_;
  std::atomic<int> fetches_{0};
  std::atomic<bool> slow_{false};
};

class EventConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "consumer", {}));
    for (auto* pool : {&pool_a_, &pool_b_}) {
      SIP_ASSERT_OK_AND_ASSIGN(*pool, db::Pool::Create({db_.conninfo(), "consumer", 2,
                                                        absl::Seconds(5), {}}));
    }
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    // The effect: one row per application, no key, so a second application would show.
    txn.exec("CREATE TABLE consumer.applied (sequence bigint NOT NULL, payload text NOT NULL)");
    txn.commit();
  }

  // Applies an event by inserting its row; fails on `fail_at` while it is set.
  EventConsumer::Apply Apply() {
    return [this](pqxx::work& txn, const SourceEvent& e) -> absl::Status {
      if (e.sequence == fail_at_) return absl::UnavailableError("not now");
      if (e.sequence == abort_at_ && aborts_left_ > 0) {
        --aborts_left_;
        return absl::AbortedError("deadlock detected");
      }
      txn.exec_params0("INSERT INTO applied (sequence, payload) VALUES ($1, $2)", e.sequence,
                       e.payload);
      return absl::OkStatus();
    };
  }

  std::pair<int, int> AppliedCountAndDistinct() {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    const pqxx::row r =
        txn.exec1("SELECT count(*), count(DISTINCT sequence) FROM consumer.applied");
    return {r[0].as<int>(), r[1].as<int>()};
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{absl::FromUnixSeconds(1764000000)};
  std::unique_ptr<db::Pool> pool_a_;
  std::unique_ptr<db::Pool> pool_b_;
  int64_t fail_at_ = -1;
  int64_t abort_at_ = -1;
  std::atomic<int> aborts_left_{0};
};

TEST_F(EventConsumerTest, AppliesInPagesAndResumesAfterARestart) {
  FakeSource source(25);
  {
    EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 10}, source.Fetch(), Apply());
    EXPECT_EQ(*consumer.PollOnce(), 10);
    EXPECT_EQ(*consumer.PollOnce(), 10);
    EXPECT_EQ(*consumer.Cursor(), 20);
  }
  // A new process (a restart) goes on from the stored cursor.
  EventConsumer restarted(pool_b_.get(), &clock_, {"plan", 10}, source.Fetch(), Apply());
  EXPECT_EQ(*restarted.PollOnce(), 5);
  EXPECT_EQ(*restarted.PollOnce(), 0);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(25, 25));
}

TEST_F(EventConsumerTest, ReplayedPagesChangeNothing) {
  FakeSource source(8);
  EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 5}, source.Replaying(), Apply());
  EXPECT_EQ(*consumer.PollOnce(), 5);
  EXPECT_EQ(*consumer.PollOnce(), 0) << "the same page again: nothing new";
  EXPECT_EQ(*consumer.Cursor(), 5);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(5, 5));
}

TEST_F(EventConsumerTest, AFailedEventRollsThePageBackAndIsRetried) {
  FakeSource source(6);
  EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 10}, source.Fetch(), Apply());
  fail_at_ = 4;
  EXPECT_EQ(consumer.PollOnce().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(*consumer.Cursor(), 0);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(0, 0)) << "events 1-3 rolled back too";
  fail_at_ = -1;
  EXPECT_EQ(*consumer.PollOnce(), 6);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(6, 6));
}

TEST_F(EventConsumerTest, TwoReplicasConsumingOneSourceApplyEachEventOnce) {
  constexpr int kEvents = 600;
  FakeSource source(kEvents);
  EventConsumer a(pool_a_.get(), &clock_, {"plan", 7, absl::Milliseconds(1)}, source.Fetch(),
                  Apply());
  EventConsumer b(pool_b_.get(), &clock_, {"plan", 7, absl::Milliseconds(1)}, source.Fetch(),
                  Apply());
  int applied_by_a = 0;
  int applied_by_b = 0;
  auto run = [](EventConsumer* c, int* count) {
    for (int i = 0; i < 2000; ++i) {
      absl::StatusOr<int> n = c->PollOnce();
      ASSERT_TRUE(n.ok()) << n.status();
      *count += *n;
      if (*c->Cursor() == kEvents) return;
    }
  };
  std::thread ta(run, &a, &applied_by_a);
  std::thread tb(run, &b, &applied_by_b);
  ta.join();
  tb.join();
  EXPECT_EQ(applied_by_a + applied_by_b, kEvents);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(kEvents, kEvents));
  EXPECT_EQ(*a.Cursor(), kEvents);
}

// The gate's catch-up: everything the source has now, every page of it, at once.
TEST_F(EventConsumerTest, CatchUpAppliesAllTheSourceHasNow) {
  FakeSource source(25);
  EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 10, absl::Seconds(1)},
                         source.Fetch(), Apply());
  SIP_ASSERT_OK(consumer.CatchUp());
  EXPECT_EQ(*consumer.Cursor(), 25);
  // An event after it is not lost to the coalescing: the next catch-up began after it.
  source.Grow(26);
  SIP_ASSERT_OK(consumer.CatchUp());
  EXPECT_EQ(*consumer.Cursor(), 26);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(26, 26));
}

// A page aborted as a deadlock's victim (the lifecycle's consumers of two sources lock
// one plan's timeline in opposite orders) is applied again: the call waiting on the
// catch-up is not refused for it. Only more aborts in a row than the retries fail it.
TEST_F(EventConsumerTest, CatchUpAppliesAPageAgainWhenItWasADeadlocksVictim) {
  FakeSource source(6);
  EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 10, absl::Seconds(1)},
                         source.Fetch(), Apply());
  abort_at_ = 4;
  aborts_left_ = EventConsumer::kCatchUpRetries;
  SIP_ASSERT_OK(consumer.CatchUp());
  EXPECT_EQ(*consumer.Cursor(), 6);
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(6, 6));

  source.Grow(9);
  abort_at_ = 8;
  aborts_left_ = EventConsumer::kCatchUpRetries + 1;
  EXPECT_EQ(consumer.CatchUp().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(*consumer.Cursor(), 6) << "nothing of the aborted page is kept";
}

// A burst of refusals catching up at once costs a fetch or two, not one each, and every
// caller returns only after a catch-up that began after it asked.
TEST_F(EventConsumerTest, ConcurrentCatchUpsCoalesce) {
  FakeSource source(0);
  EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 10, absl::Seconds(1)},
                         source.Fetch(), Apply());
  source.SlowDown();
  source.Grow(3);
  std::vector<std::thread> callers;
  std::atomic<int> failed{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      if (!consumer.CatchUp().ok()) failed += 1;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(*consumer.Cursor(), 3);
  EXPECT_LE(source.fetches(), 2) << "eight callers, one catch-up under way and one after it";
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(3, 3));
}

TEST_F(EventConsumerTest, RunsOnItsOwnThreadUntilStopped) {
  FakeSource source(30);
  EventConsumer consumer(pool_a_.get(), &clock_, {"plan", 10, absl::Milliseconds(5)},
                         source.Fetch(), Apply());
  consumer.Start();
  for (int i = 0; i < 400 && *consumer.Cursor() < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  consumer.Stop();
  EXPECT_EQ(AppliedCountAndDistinct(), std::make_pair(30, 30));
}

}  // namespace
}  // namespace sip
