#include "common/outbox.h"

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "common/db.h"
#include "common/migrations.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::db {
namespace {

using ::sip::testing::StatusIs;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(ApplyMigrations(db_.conninfo(), "svc", {}));
    auto pool = Pool::Create({db_.conninfo(), "svc", 6, absl::Seconds(5), {}});
    SIP_ASSERT_OK(pool);
    pool_ = *std::move(pool);
  }

  std::vector<StoredEvent> Read(int64_t after) {
    std::vector<StoredEvent> out;
    SIP_EXPECT_OK(pool_->InTransaction([&](pqxx::work& txn) {
      out = ReadEvents(txn, after, 1000);
      return absl::OkStatus();
    }));
    return out;
  }

  // True once another session waits for a lock (the second writer queued at the outbox).
  bool SomeoneWaitsForALock() {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'")[0]
               .as<int>() > 0;
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(OutboxTest, EventsReadBackInOrderWithPayload) {
  SIP_ASSERT_OK(pool_->InTransaction([](pqxx::work& txn) {
    EXPECT_EQ(AppendEvent(txn, absl::FromUnixSeconds(100), "p1", "a", std::string("\0\1x", 3)), 1);
    EXPECT_EQ(AppendEvent(txn, absl::FromUnixSeconds(101), "p2", "b", "y"), 2);
    return absl::OkStatus();
  }));
  auto events = Read(0);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].plan_id, "p1");
  EXPECT_EQ(events[0].type, "a");
  EXPECT_EQ(events[0].payload, std::string("\0\1x", 3));
  EXPECT_EQ(events[0].event_time, absl::FromUnixSeconds(100));
  EXPECT_EQ(Read(1).size(), 1u);
  EXPECT_TRUE(Read(2).empty());
}

TEST_F(OutboxTest, RolledBackEventLeavesNoGap) {
  EXPECT_THAT(pool_->InTransaction([](pqxx::work& txn) {
    AppendEvent(txn, absl::Now(), "p", "a", "x");
    return absl::AbortedError("changed my mind");
  }), StatusIs(absl::StatusCode::kAborted));
  SIP_ASSERT_OK(pool_->InTransaction([](pqxx::work& txn) {
    EXPECT_EQ(AppendEvent(txn, absl::Now(), "p", "b", "y"), 1);
    return absl::OkStatus();
  }));
}

// The race a plain bigserial loses: T1 draws its number first, T2 draws the next and
// commits first. A reader in between must not see T2's event yet, or its cursor would
// pass T1's event, which commits afterwards and would be skipped forever.
TEST_F(OutboxTest, ReverseOrderCommitsNeverSkipAnEvent) {
  pqxx::connection c1(WithSessionOptions(db_.conninfo(), "svc"));
  c1.prepare("sip_outbox_next_seq", CommonStatements()[0].sql);
  c1.prepare("sip_outbox_insert", CommonStatements()[1].sql);
  pqxx::work t1(c1);
  AppendEvent(t1, absl::Now(), "p", "first", "1");  // T1 holds the first number

  // T2 appends and tries to commit before T1.
  std::promise<void> t2_done;
  auto t2_future = t2_done.get_future();
  std::thread t2([&] {
    SIP_EXPECT_OK(pool_->InTransaction([](pqxx::work& txn) {
      AppendEvent(txn, absl::Now(), "p", "second", "2");
      return absl::OkStatus();
    }));
    t2_done.set_value();
  });
  // Wait until T2 has either committed or is queued behind T1 — no sleeping on timing.
  for (int i = 0; i < 500; ++i) {
    if (t2_future.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready ||
        SomeoneWaitsForALock()) {
      break;
    }
  }

  // The reader in between: nothing it sees may run ahead of T1's uncommitted event.
  int64_t cursor = 0;
  std::vector<std::string> seen;
  for (const auto& e : Read(cursor)) {
    seen.push_back(e.type);
    cursor = e.seq;
  }
  EXPECT_TRUE(seen.empty()) << "a reader saw an event that can be overtaken: " << seen[0];

  t1.commit();
  t2.join();
  for (const auto& e : Read(cursor)) {
    seen.push_back(e.type);
    cursor = e.seq;
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("first", "second"));
}

// Many writers, one reader polling with a cursor the whole time: the reader ends up with
// every event exactly once, in sequence order, no gaps.
TEST_F(OutboxTest, ConcurrentWritersAndAPollingReaderLoseNothing) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 50;
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        SIP_EXPECT_OK(pool_->InTransaction([&](pqxx::work& txn) {
          txn.exec("SELECT pg_sleep(0.001)");  // some work before the event
          AppendEvent(txn, absl::Now(), "p", "e", std::to_string(w * 1000 + i));
          return absl::OkStatus();
        }));
      }
    });
  }
  std::vector<int64_t> seqs;
  std::set<std::string> payloads;
  int64_t cursor = 0;
  auto poll = [&] {
    for (const auto& e : Read(cursor)) {
      seqs.push_back(e.seq);
      payloads.insert(e.payload);
      cursor = e.seq;
    }
  };
  std::thread stopper([&] {
    for (auto& t : writers) t.join();
    writing = false;
  });
  while (writing) poll();
  stopper.join();
  poll();
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kWriters * kPerWriter));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int64_t>(i + 1));
  EXPECT_EQ(payloads.size(), static_cast<size_t>(kWriters * kPerWriter));
}

TEST_F(OutboxTest, RequestClaimReturnsTheFirstResultAndRefusesADifferentRequest) {
  const RequestKey key{"M", "req-1", "fingerprint-a"};
  SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
    auto claim = ClaimRequest(txn, key, absl::Now());
    SIP_EXPECT_OK(claim);
    EXPECT_FALSE(claim->has_value());
    RecordRequestResult(txn, key, "result-1", "p-1");
    return absl::OkStatus();
  }));
  SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
    auto claim = ClaimRequest(txn, key, absl::Now());
    SIP_EXPECT_OK(claim);
    EXPECT_EQ(claim->value_or(""), "result-1");
    return absl::OkStatus();
  }));
  EXPECT_THAT(pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
    return ClaimRequest(txn, {"M", "req-1", "fingerprint-b"}, absl::Now()).status();
  }), StatusIs(absl::StatusCode::kInvalidArgument));
  // The same id under another method is another request.
  SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
    auto claim = ClaimRequest(txn, {"N", "req-1", "x"}, absl::Now());
    SIP_EXPECT_OK(claim);
    EXPECT_FALSE(claim->has_value());
    return absl::OkStatus();
  }));
}

}  // namespace
}  // namespace sip::db
