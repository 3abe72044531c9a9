#include "common/db.h"

#include "common/migrations.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::db {
namespace {

using ::sip::testing::StatusIs;

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
