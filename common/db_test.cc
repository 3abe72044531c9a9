#include "common/db.h"

#include <algorithm>
#include <map>

#include "common/call_deadline.h"
#include "common/metrics.h"
#include "common/migrations.h"
#include "common/testing/metrics.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::db {
namespace {

using ::sip::testing::StatusIs;

// A sample's value in the process's registry (metrics.h); -1 when absent.
double MetricValue(const std::string& name, const std::map<std::string, std::string>& labels) {
  return sip::testing::MetricValue(*metrics::Registry(), name, labels);
}

TEST(StatementTimeoutTest, FollowsTheCallsDeadlineInSteps) {
  EXPECT_EQ(StatementTimeoutFor(absl::Minutes(5)), kDefaultStatementTimeoutMs);
  EXPECT_EQ(StatementTimeoutFor(absl::Seconds(15)), 15000);
  EXPECT_EQ(StatementTimeoutFor(absl::Milliseconds(4980)), 4000);
  EXPECT_EQ(StatementTimeoutFor(absl::Milliseconds(1000)), 1000);
  EXPECT_EQ(StatementTimeoutFor(absl::Milliseconds(999)), 900);
  EXPECT_EQ(StatementTimeoutFor(absl::Milliseconds(100)), 100);
  EXPECT_EQ(StatementTimeoutFor(absl::Milliseconds(42)), 42);
  EXPECT_EQ(StatementTimeoutFor(absl::Microseconds(10)), 1) << "never 0: that is no timeout";
}

TEST(PoolConnectTest, UnreachableDatabaseIsUnavailable) {
  auto pool = Pool::Create({"host=127.0.0.1 port=1 user=x connect_timeout=2", "svc", 2,
                            absl::Seconds(1), {}});
  EXPECT_THAT(pool, StatusIs(absl::StatusCode::kUnavailable));
}

class PoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pool> MakePool(int size) {
    auto pool = Pool::Create(
        {db_.conninfo(), "svc", size, absl::Milliseconds(200),
         {{"answer", "SELECT $1::int + 1"}}});
    EXPECT_THAT(pool, sip::testing::IsOk());
    return pool.ok() ? *std::move(pool) : nullptr;
  }
  void SetUp() override { SIP_ASSERT_OK(ApplyMigrations(db_.conninfo(), "svc", {})); }
  sip::testing::TestDatabase db_;
};

// Health must not wait for the request pool: a pool with every connection on loan still
// answers Ping at once, on its own connection.
TEST_F(PoolTest, PingHasItsOwnConnection) {
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  auto lease = pool->Acquire();
  SIP_ASSERT_OK(lease);
  // Through the pool it would wait 200 ms for a connection and fail.
  EXPECT_TRUE(pool->Ping());
  EXPECT_EQ(pool->in_use(), 1);
}

// An abandoned call stops costing the database: its statement ends at the call's deadline
// with DEADLINE_EXCEEDED, and the server is no longer running it.
TEST_F(PoolTest, AStatementEndsWithTheCallsDeadline) {
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  const double timeouts_before = MetricValue("sip_db_errors_total", {{"kind", "timeout"}});
  const absl::Time start = absl::Now();
  absl::Status slept;
  {
    ScopedCallDeadline deadline(absl::Now() + absl::Milliseconds(400));
    slept = pool->Read<bool>([](pqxx::transaction_base& txn) -> absl::StatusOr<bool> {
      txn.exec("SELECT pg_sleep(5)");
      return true;
    }).status();
  }
  EXPECT_THAT(slept, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(MetricValue("sip_db_errors_total", {{"kind", "timeout"}}),
            std::max(timeouts_before, 0.0) + 1);
  pqxx::connection admin(db_.conninfo());
  pqxx::nontransaction look(admin);
  EXPECT_EQ(look.exec1("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                       "AND query LIKE 'SELECT pg_sleep(5)%'")[0]
                .as<int>(),
            0);
  // The same in a transaction, and the connection is fine afterwards.
  {
    ScopedCallDeadline deadline(absl::Now() + absl::Milliseconds(300));
    EXPECT_THAT(pool->InTransaction([](pqxx::work& txn) {
      txn.exec("SELECT pg_sleep(5)");
      return absl::OkStatus();
    }),
                StatusIs(absl::StatusCode::kDeadlineExceeded));
  }
  // Outside any call the session's default applies again: a statement longer than the
  // last call's 300 ms succeeds.
  SIP_EXPECT_OK(pool->Read<bool>([](pqxx::transaction_base& txn) -> absl::StatusOr<bool> {
    txn.exec("SELECT pg_sleep(0.5)");
    return true;
  }));
}

TEST_F(PoolTest, ACallPastItsDeadlineDoesNotAskTheDatabase) {
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  bool ran = false;
  ScopedCallDeadline deadline(absl::Now() - absl::Milliseconds(1));
  EXPECT_THAT(pool->Read<bool>([&](pqxx::transaction_base&) -> absl::StatusOr<bool> {
    ran = true;
    return true;
  }),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(ran);
}

// Calls with like deadlines share the session's setting: no SET round trip for each.
TEST_F(PoolTest, LikeDeadlinesSendOneSetting) {
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  const double before = std::max(0.0, MetricValue("sip_db_statement_timeout_changes_total", {}));
  for (int i = 0; i < 5; ++i) {
    ScopedCallDeadline deadline(absl::Now() + absl::Milliseconds(7500));
    SIP_ASSERT_OK(pool->Read<int>([](pqxx::transaction_base& txn) -> absl::StatusOr<int> {
      return Exec1(txn, "answer", 1)[0].as<int>();
    }));
  }
  EXPECT_EQ(MetricValue("sip_db_statement_timeout_changes_total", {}), before + 1);
  EXPECT_GE(MetricValue("sip_db_query_seconds_count", {{"statement", "answer"}}), 5);
  SIP_ASSERT_OK_AND_ASSIGN(
      std::string setting,
      pool->Read<std::string>([](pqxx::transaction_base& txn) -> absl::StatusOr<std::string> {
        return txn.exec1("SHOW statement_timeout")[0].as<std::string>();
      }));
  EXPECT_EQ(setting, "15s") << "outside a call: the default again";
}

TEST_F(PoolTest, PoolGaugesFollowTheLeases) {
  auto pool = MakePool(2);
  ASSERT_NE(pool, nullptr);
  {
    auto a = pool->Acquire();
    auto b = pool->Acquire();
    SIP_ASSERT_OK(a);
    SIP_ASSERT_OK(b);
    EXPECT_EQ(MetricValue("sip_db_pool_connections", {{"pool", "svc"}, {"state", "in_use"}}), 2);
    EXPECT_EQ(MetricValue("sip_db_pool_max_connections", {{"pool", "svc"}}), 2);
    const double exhausted = std::max(0.0, MetricValue("sip_db_pool_exhausted_total", {{"pool", "svc"}}));
    EXPECT_THAT(pool->Acquire(), StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_EQ(MetricValue("sip_db_pool_exhausted_total", {{"pool", "svc"}}), exhausted + 1);
  }
  EXPECT_EQ(MetricValue("sip_db_pool_connections", {{"pool", "svc"}, {"state", "in_use"}}), 0);
  EXPECT_EQ(MetricValue("sip_db_pool_connections", {{"pool", "svc"}, {"state", "idle"}}), 2);
  EXPECT_TRUE(pool->Ping());
  EXPECT_EQ(MetricValue("sip_db_up", {}), 1);
}

TEST_F(PoolTest, ArraysRoundTripAndReadsNeedNoTransaction) {
  const std::vector<std::string> items = {"plain", "with \"quote\"", "back\\slash", "a,b", "",
                                          "{brace}", "NULL"};
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  SIP_ASSERT_OK_AND_ASSIGN(
      std::vector<std::string> back,
      pool->Read<std::vector<std::string>>(
          [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<std::string>> {
            std::vector<std::string> out;
            for (const auto& row : txn.exec_params("SELECT unnest($1::text[])", ToSqlArray(items))) {
              out.push_back(row[0].as<std::string>());
            }
            // Outside a transaction (autocommit, no BEGIN): each statement is its own, so
            // now() is the statement's start, not an earlier transaction's.
            txn.exec("SELECT pg_sleep(0.01)");
            EXPECT_TRUE(txn.exec1("SELECT now() = statement_timestamp()")[0].as<bool>());
            return out;
          }));
  EXPECT_EQ(back, items);
}

TEST_F(PoolTest, PreparedStatementsAndSchemaAreSetOnEveryConnection) {
  auto pool = MakePool(2);
  ASSERT_NE(pool, nullptr);
  SIP_ASSERT_OK(pool->InTransaction([](pqxx::work& txn) {
    EXPECT_EQ(txn.exec_prepared1("answer", 41)[0].as<int>(), 42);
    EXPECT_EQ(txn.exec1("SHOW search_path")[0].as<std::string>(), "svc");
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0);  // unqualified
    return absl::OkStatus();
  }));
}

TEST_F(PoolTest, ExhaustedPoolTimesOutAsUnavailable) {
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  auto held = pool->Acquire();
  SIP_ASSERT_OK(held);
  EXPECT_EQ(pool->in_use(), 1);
  EXPECT_THAT(pool->Acquire(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(PoolTest, FailedTransactionRollsBack) {
  auto pool = MakePool(1);
  ASSERT_NE(pool, nullptr);
  SIP_ASSERT_OK(pool->InTransaction([](pqxx::work& txn) {
    txn.exec("CREATE TABLE t (v int)");
    return absl::OkStatus();
  }));
  EXPECT_THAT(pool->InTransaction([](pqxx::work& txn) {
    txn.exec("INSERT INTO t VALUES (1)");
    return absl::FailedPreconditionError("no");
  }), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(pool->InTransaction([](pqxx::work& txn) {
    txn.exec("INSERT INTO t VALUES ('not a number')");
    return absl::OkStatus();
  }), StatusIs(absl::StatusCode::kInternal));
  SIP_ASSERT_OK(pool->InTransaction([](pqxx::work& txn) {
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM t")[0].as<int>(), 0);
    return absl::OkStatus();
  }));
}

// What happens when the server drops connections (a restart, a failover): the call that
// meets the dead connection gets UNAVAILABLE (retryable), and the pool recovers.
TEST_F(PoolTest, RecoversAfterTheServerDropsItsConnections) {
  auto pool = MakePool(2);
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Ping());
  {
    pqxx::connection admin(db_.admin_conninfo());
    pqxx::nontransaction tx(admin);
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
            tx.quote(pqxx::connection(db_.conninfo()).dbname()) +
            " AND pid <> pg_backend_pid()");
  }
  absl::Status first = pool->InTransaction([](pqxx::work& txn) {
    txn.exec_prepared1("answer", 1);
    return absl::OkStatus();
  });
  if (!first.ok()) {
    EXPECT_THAT(first, StatusIs(absl::StatusCode::kUnavailable));
  }
  SIP_ASSERT_OK(pool->InTransaction([](pqxx::work& txn) {
    EXPECT_EQ(txn.exec_prepared1("answer", 1)[0].as<int>(), 2);
    EXPECT_EQ(txn.exec1("SHOW search_path")[0].as<std::string>(), "svc");
    return absl::OkStatus();
  }));
}

}  // namespace
}  // namespace sip::db
