#include "common/retention.h"

#include "common/migrations.h"
#include "common/outbox.h"
#include "common/status_macros.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::db {
namespace {

using ::sip::testing::StatusIs;

const absl::Time kOld = absl::FromUnixSeconds(1700000000);

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(ApplyMigrations(db_.conninfo(), "svc", {}));
    auto pool = Pool::Create({db_.conninfo(), "svc", 2, absl::Seconds(5), {}});
    SIP_ASSERT_OK(pool);
    pool_ = *std::move(pool);
  }

  void Append(int n, absl::Time at) {
    SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) {
      for (int i = 0; i < n; ++i) AppendEvent(txn, at, "p1", "t", "x");
      return absl::OkStatus();
    }));
  }

  // A read as `reader` after `after`: the positions it gets.
  absl::StatusOr<std::vector<int64_t>> Read(const std::string& reader, int64_t after) {
    return pool_->InTransaction<std::vector<int64_t>>(
        [&](pqxx::work& txn) -> absl::StatusOr<std::vector<int64_t>> {
          SIP_ASSIGN_OR_RETURN(std::vector<StoredEvent> events,
                               ReadEvents(txn, after, 100, reader));
          std::vector<int64_t> out;
          for (const StoredEvent& e : events) out.push_back(e.seq);
          return out;
        });
  }

  int64_t Count(const std::string& table) {
    pqxx::connection conn(db_.conninfo());
    pqxx::nontransaction txn(conn);
    return txn.exec1("SELECT count(*) FROM svc." + table)[0].as<int64_t>();
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(RetentionTest, RemovesOnlyOldEventsEveryReaderAcknowledged) {
  Append(5, kOld);
  SIP_ASSERT_OK(Read("consent", 0));      // numbers the events; consent acknowledges 0
  SIP_ASSERT_OK(Read("consent", 5));      // consent applied all five
  SIP_ASSERT_OK(Read("lifecycle", 3));    // lifecycle is at 3
  SIP_ASSERT_OK(Read("", 1));             // a user's read acknowledges nothing
  RetentionOptions options;
  SIP_ASSERT_OK_AND_ASSIGN(Removed removed,
                           RemoveExpired(*pool_, kOld + absl::Hours(24 * 31), options));
  EXPECT_EQ(removed.events, 3) << "1-3: old and applied by both readers";
  EXPECT_EQ(Count("outbox"), 2);
  // Lifecycle goes on where it was.
  SIP_ASSERT_OK_AND_ASSIGN(std::vector<int64_t> rest, Read("lifecycle", 3));
  EXPECT_EQ(rest, (std::vector<int64_t>{4, 5}));
  // A reader behind what was removed is told, not given a gap.
  EXPECT_THAT(Read("meeting", 0), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Read("", 2), StatusIs(absl::StatusCode::kFailedPrecondition));
  SIP_ASSERT_OK_AND_ASSIGN(OutboxFigures figures, ReadOutboxFigures(*pool_));
  EXPECT_EQ(figures.events, 2);
  EXPECT_EQ(figures.head, 5);
  EXPECT_EQ(figures.reader_lag,
            (std::vector<std::pair<std::string, int64_t>>{{"consent", 0}, {"lifecycle", 2}}));
}

TEST_F(RetentionTest, KeepsRecentEventsAndEverythingWithoutAReader) {
  Append(3, kOld);
  SIP_ASSERT_OK(Read("", 0));  // numbered, but no suite reader has read
  SIP_ASSERT_OK_AND_ASSIGN(Removed none,
                           RemoveExpired(*pool_, kOld + absl::Hours(24 * 365), {}));
  EXPECT_EQ(none.events, 0);
  SIP_ASSERT_OK(Read("plan", 3));
  // Acknowledged, but younger than the retention.
  SIP_ASSERT_OK_AND_ASSIGN(Removed young, RemoveExpired(*pool_, kOld + absl::Hours(24 * 29), {}));
  EXPECT_EQ(young.events, 0);
  EXPECT_EQ(Count("outbox"), 3);
}

// Positions continue from the newest event, so retention always keeps it: removing every
// event would restart the numbering at 1 and readers would skip the new ones.
TEST_F(RetentionTest, TheNewestEventStaysAndNumberingContinues) {
  Append(4, kOld);
  SIP_ASSERT_OK(Read("plan", 0));
  SIP_ASSERT_OK(Read("plan", 4));
  RetentionOptions options;
  options.batch = 1;  // one row per statement: the pass repeats until done
  SIP_ASSERT_OK_AND_ASSIGN(Removed removed,
                           RemoveExpired(*pool_, kOld + absl::Hours(24 * 31), options));
  EXPECT_EQ(removed.events, 3);
  Append(1, kOld + absl::Hours(24 * 31));
  SIP_ASSERT_OK_AND_ASSIGN(std::vector<int64_t> next, Read("plan", 4));
  EXPECT_EQ(next, (std::vector<int64_t>{5}));
}

TEST_F(RetentionTest, RequestLogRowsOlderThanTheirRetentionGo) {
  const RequestKey old_key{"svc.v1.S/Create", "req-old", "a"};
  const RequestKey new_key{"svc.v1.S/Create", "req-new", "b"};
  const absl::Time now = kOld + absl::Hours(24 * 10);
  SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
    SIP_RETURN_IF_ERROR(ClaimRequest(txn, old_key, kOld).status());
    RecordRequestResult(txn, old_key, "answer", "");
    SIP_RETURN_IF_ERROR(ClaimRequest(txn, new_key, now - absl::Hours(24)).status());
    RecordRequestResult(txn, new_key, "answer", "");
    return absl::OkStatus();
  }));
  SIP_ASSERT_OK_AND_ASSIGN(Removed removed, RemoveExpired(*pool_, now, {}));
  EXPECT_EQ(removed.requests, 1);
  SIP_ASSERT_OK_AND_ASSIGN(
      auto kept, pool_->Read<std::optional<std::string>>(
                     [&](pqxx::transaction_base& txn) { return LookupRequest(txn, new_key); }));
  EXPECT_EQ(kept, std::optional<std::string>("answer"));
  SIP_ASSERT_OK_AND_ASSIGN(
      auto gone, pool_->Read<std::optional<std::string>>(
                     [&](pqxx::transaction_base& txn) { return LookupRequest(txn, old_key); }));
  EXPECT_EQ(gone, std::nullopt);
}

}  // namespace
}  // namespace sip::db
