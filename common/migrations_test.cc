#include "common/migrations.h"

#include <unistd.h>

#include <memory>
#include <string>
#include <thread>

#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"

namespace sip::db {
namespace {

using ::sip::testing::StatusIs;
using ::testing::HasSubstr;

const std::vector<Migration> kService = {
    {"0001_things", "CREATE TABLE things (id int PRIMARY KEY);"},
    {"0002_more", "ALTER TABLE things ADD COLUMN name text; INSERT INTO things VALUES (1, 'a');"},
};

int Count(const std::string& conninfo, const std::string& sql) {
  pqxx::connection conn(conninfo);
  pqxx::work txn(conn);
  return txn.exec1(sql)[0].as<int>();
}

TEST(MigrationsTest, AppliesInOrderOnceAndTwiceIsANoOp) {
  sip::testing::TestDatabase db;
  SIP_ASSERT_OK(ApplyMigrations(db.conninfo(), "svc", kService));
  SIP_ASSERT_OK(ApplyMigrations(db.conninfo(), "svc", kService));
  EXPECT_EQ(Count(db.conninfo(), "SELECT count(*) FROM svc.things"), 1);
  EXPECT_EQ(Count(db.conninfo(), "SELECT count(*) FROM svc.schema_migrations"),
            static_cast<int>(CommonMigrations().size() + kService.size()));
  EXPECT_EQ(Count(db.conninfo(), "SELECT count(*) FROM svc.event_cursors"), 0);
}

TEST(MigrationsTest, ConcurrentRunnersApplyOnce) {
  sip::testing::TestDatabase db;
  std::vector<absl::Status> results(4);
  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i) {
    runners.emplace_back([&, i] { results[i] = ApplyMigrations(db.conninfo(), "svc", kService); });
  }
  for (auto& t : runners) t.join();
  for (const auto& r : results) SIP_EXPECT_OK(r);
  // The INSERT in 0002 would have run twice (and failed on the key) without the lock.
  EXPECT_EQ(Count(db.conninfo(), "SELECT count(*) FROM svc.things"), 1);
  EXPECT_EQ(Count(db.conninfo(), "SELECT count(*) FROM svc.event_cursors"), 0);
}

TEST(MigrationsTest, NewMigrationIsAppliedLater) {
  sip::testing::TestDatabase db;
  SIP_ASSERT_OK(ApplyMigrations(db.conninfo(), "svc", {kService[0]}));
  SIP_ASSERT_OK(ApplyMigrations(db.conninfo(), "svc", kService));
  EXPECT_EQ(Count(db.conninfo(), "SELECT count(*) FROM svc.things WHERE name = 'a'"), 1);
}

TEST(MigrationsTest, EditedAppliedMigrationIsRefused) {
  sip::testing::TestDatabase db;
  SIP_ASSERT_OK(ApplyMigrations(db.conninfo(), "svc", kService));
  std::vector<Migration> edited = kService;
  edited[0].sql = "CREATE TABLE things (id bigint PRIMARY KEY);";
  EXPECT_THAT(ApplyMigrations(db.conninfo(), "svc", edited),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("0001_things")));
}

TEST(MigrationsTest, FailingMigrationLeavesNoTrace) {
  sip::testing::TestDatabase db;
  std::vector<Migration> broken = kService;
  broken.push_back({"0003_broken", "CREATE TABLE half (id int); SELECT no_such_function();"});
  EXPECT_FALSE(ApplyMigrations(db.conninfo(), "svc", broken).ok());
  EXPECT_EQ(Count(db.conninfo(),
                  "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'"),
            0);
  EXPECT_EQ(Count(db.conninfo(),
                  "SELECT count(*) FROM svc.schema_migrations WHERE name = '0003_broken'"),
            0);
}

// Least privilege: the runtime role does what a service does and nothing more.
TEST(MigrationsTest, TheRuntimeRoleOwnsNothingAndHistoryIsInsertOnly) {
  sip::testing::TestDatabase db;
  const std::string role = "sip_test_runtime_" + std::to_string(::getpid());
  Count(db.conninfo(), "SELECT 1");
  {
    pqxx::connection conn(db.conninfo());
    pqxx::nontransaction txn(conn);
    txn.exec("DROP ROLE IF EXISTS " + role);
    txn.exec("CREATE ROLE " + role + " LOGIN");
  }
  std::vector<Migration> migrations = kService;
  migrations.push_back({"0003_history", "CREATE TABLE history (id int PRIMARY KEY, note text);"
                                        "CREATE TABLE revisions (id int PRIMARY KEY, body text, "
                                        "created text);"});
  SIP_ASSERT_OK(ApplyMigrations(db.conninfo(), "svc", migrations));
  SIP_ASSERT_OK(GrantRuntimeRole(db.conninfo(), "svc", role,
                                 {{"history"}, {{"revisions", {"body"}}}}));
  SIP_ASSERT_OK(GrantRuntimeRole(db.conninfo(), "svc", role,
                                 {{"history"}, {{"revisions", {"body"}}}}));  // idempotent
  auto as_runtime_conn = std::make_unique<pqxx::connection>(db.conninfo() + " user=" + role);
  pqxx::connection& as_runtime = *as_runtime_conn;
  auto runs = [&](const std::string& sql) {
    try {
      pqxx::work txn(as_runtime);
      txn.exec(sql);
      txn.commit();
      return std::string("ok");
    } catch (const pqxx::insufficient_privilege&) {
      return std::string("denied");
    } catch (const pqxx::sql_error& e) {
      return std::string("error: ") + e.what();
    }
  };
  constexpr char kDenied[] = "denied";  // SQLSTATE 42501
  EXPECT_EQ(runs("INSERT INTO svc.things VALUES (2, 'b')"), "ok");
  EXPECT_EQ(runs("UPDATE svc.things SET name = 'c' WHERE id = 2"), "ok");
  EXPECT_EQ(runs("DELETE FROM svc.things WHERE id = 2"), "ok");
  EXPECT_EQ(runs("INSERT INTO svc.history VALUES (1, 'x')"), "ok");
  EXPECT_EQ(runs("UPDATE svc.history SET note = 'y'"), kDenied);
  EXPECT_EQ(runs("DELETE FROM svc.history"), kDenied);
  EXPECT_EQ(runs("INSERT INTO svc.revisions VALUES (1, 'a', 'now')"), "ok");
  EXPECT_EQ(runs("UPDATE svc.revisions SET body = 'redacted'"), "ok");
  EXPECT_EQ(runs("UPDATE svc.revisions SET created = 'then'"), kDenied);
  EXPECT_EQ(runs("DELETE FROM svc.revisions"), kDenied);
  EXPECT_EQ(runs("INSERT INTO svc.access_log (log_time, plan_id, user_id, unit_hsa_id, system, "
                 "method, resource, outcome) VALUES (now(), 'p', 'u', 'e', 's', 'GetPlan', "
                 "'plans/p', 'OK')"),
            "ok");
  EXPECT_EQ(runs("UPDATE svc.access_log SET outcome = 'PERMISSION_DENIED'"), kDenied);
  EXPECT_EQ(runs("DELETE FROM svc.access_log"), kDenied);
  EXPECT_EQ(runs("TRUNCATE svc.things"), kDenied);
  // Sealing goes through the migration role's function, which fills only empty fields.
  EXPECT_EQ(runs("SELECT svc.access_log_seal(ARRAY(SELECT seq FROM svc.access_log), '{1}', "
                 "'{\"\"}', '{h}')"),
            "ok");
  EXPECT_EQ(runs("SELECT * FROM svc.schema_migrations"), kDenied);
  EXPECT_EQ(runs("CREATE TABLE svc.mine (id int)"), kDenied);
  EXPECT_NE(runs("DROP TABLE svc.history"), "ok");  // not its owner
  as_runtime_conn.reset();
  pqxx::connection conn(db.conninfo());
  pqxx::nontransaction txn(conn);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM svc.access_log WHERE position = 1")[0].as<int>(), 1);
  txn.exec("DROP OWNED BY " + role);
  txn.exec("DROP ROLE " + role);
}

}  // namespace
}  // namespace sip::db
