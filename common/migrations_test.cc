#include "common/migrations.h"

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

}  // namespace
}  // namespace sip::db
