#include "common/outbox.h"
#include "common/status_macros.h"

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
      SIP_ASSIGN_OR_RETURN(out, ReadEvents(txn, after, 1000, ""));
      return absl::OkStatus();
    }));
    return out;
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(OutboxTest, EventsReadBackInOrderWithPayload) {
  SIP_ASSERT_OK(pool_->InTransaction([](pqxx::work& txn) {
    AppendEvent(txn, absl::FromUnixSeconds(100), "p1", "a", std::string("\0\1x", 3));
    AppendEvent(txn, absl::FromUnixSeconds(101), "p2", "b", "y");
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
    AppendEvent(txn, absl::Now(), "p", "b", "y");
    return absl::OkStatus();
  }));
  const auto events = Read(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, 1) << "the rolled-back event took no position";
  EXPECT_EQ(events[0].type, "b");
}

// The race a plain bigserial loses: T1 draws its number first, T2 draws the next and
// commits first. T2 must not wait for T1 (writers never queue), and a reader in between
// may see T2's event but must still get T1's after it commits: a cursor never passes an
// event that commits late.
TEST_F(OutboxTest, ReverseOrderCommitsNeverSkipAnEventAndNeverQueue) {
  pqxx::connection c1(WithSessionOptions(db_.conninfo(), "svc"));
  for (const auto& st : CommonStatements()) c1.prepare(st.name, st.sql);
  pqxx::work t1(c1);
  AppendEvent(t1, absl::Now(), "p", "first", "1");  // T1 draws the first number

  // T2 appends and commits while T1 is still open: it must not wait for T1.
  std::promise<void> t2_done;
  auto t2_future = t2_done.get_future();
  std::thread t2([&] {
    SIP_EXPECT_OK(pool_->InTransaction([](pqxx::work& txn) {
      AppendEvent(txn, absl::Now(), "p", "second", "2");
      return absl::OkStatus();
    }));
    t2_done.set_value();
  });
  const bool t2_committed_first =
      t2_future.wait_for(std::chrono::seconds(4)) == std::future_status::ready;
  EXPECT_TRUE(t2_committed_first) << "the second writer queued behind the first";

  // The reader in between.
  int64_t cursor = 0;
  std::vector<std::string> seen;
  std::vector<int64_t> positions;
  auto poll = [&] {
    for (const auto& e : Read(cursor)) {
      seen.push_back(e.type);
      positions.push_back(e.seq);
      cursor = e.seq;
    }
  };
  poll();
  t1.commit();
  t2.join();
  poll();
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("first", "second"));
  EXPECT_THAT(positions, ::testing::ElementsAre(1, 2));
  if (t2_committed_first) {
    EXPECT_THAT(seen, ::testing::ElementsAre("second", "first"));
  }
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

// Two readers (two replicas' ListEvents) numbering and reading while writers write: both
// see every event exactly once, with the same positions 1..N.
TEST_F(OutboxTest, TwoReadersNumberingAtOnceSeeTheSameHistory) {
  constexpr int kWriters = 3;
  constexpr int kPerWriter = 40;
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        SIP_EXPECT_OK(pool_->InTransaction([&](pqxx::work& txn) {
          AppendEvent(txn, absl::Now(), "p", "e", std::to_string(w * 1000 + i));
          return absl::OkStatus();
        }));
      }
      --writers_left;
    });
  }
  std::vector<std::vector<std::pair<int64_t, std::string>>> seen(2);
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      int64_t cursor = 0;
      auto poll = [&] {
        for (const auto& e : Read(cursor)) {
          seen[r].emplace_back(e.seq, e.payload);
          cursor = e.seq;
        }
      };
      while (writers_left > 0) poll();
      poll();
    });
  }
  for (auto& t : writers) t.join();
  for (auto& t : readers) t.join();
  ASSERT_EQ(seen[0].size(), static_cast<size_t>(kWriters * kPerWriter));
  EXPECT_EQ(seen[0], seen[1]);
  for (size_t i = 0; i < seen[0].size(); ++i) {
    EXPECT_EQ(seen[0][i].first, static_cast<int64_t>(i + 1));
  }
}

// The one mutation skeleton: applied once per key with its event, a retry answered from
// the log (binary answers too), a failed apply leaves nothing — not even the claim.
TEST_F(OutboxTest, RunMutationAppliesOnceWritesItsEventAndNothingOnFailure) {
  const RequestKey key{"M", "req-9", "fp"};
  int applied = 0;
  auto apply = [&](pqxx::work&) -> absl::StatusOr<Effect> {
    ++applied;
    return Effect{"p-1", "thing.done", "payload", std::string("\0\xff" "answer", 8)};
  };
  auto failing = [&](pqxx::work& txn) -> absl::StatusOr<Effect> {
    AppendEvent(txn, absl::Now(), "p-1", "half", "x");
    return absl::FailedPreconditionError("no");
  };
  EXPECT_EQ(RunMutation(*pool_, RequestKey{"M", "req-8", "fp"}, absl::Now(), failing).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Read(0).empty()) << "a failed mutation wrote its event";
  SIP_ASSERT_OK_AND_ASSIGN(std::string first, RunMutation(*pool_, key, absl::Now(), apply));
  SIP_ASSERT_OK_AND_ASSIGN(std::string again, RunMutation(*pool_, key, absl::Now(), apply));
  EXPECT_EQ(first, std::string("\0\xff" "answer", 8));
  EXPECT_EQ(again, first);
  EXPECT_EQ(applied, 1);
  const auto events = Read(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "thing.done");
  SIP_ASSERT_OK_AND_ASSIGN(auto prior, PriorAnswer(*pool_, key));
  EXPECT_EQ(prior, first);
  SIP_ASSERT_OK_AND_ASSIGN(auto unknown, PriorAnswer(*pool_, RequestKey{"M", "req-8", "fp"}));
  EXPECT_FALSE(unknown.has_value()) << "the failed call's key was not kept";
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
