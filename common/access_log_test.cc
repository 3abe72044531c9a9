// The access log's hash chain on PostgreSQL: entries chained in order by one chainer at a
// time, however many write at once; a changed field, a changed hash or a removed entry is
// named; retention keeps what is left verifiable.
#include "common/access_log.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/call_deadline.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/metrics.h"
#include "common/migrations.h"
#include "common/outbox.h"
#include "common/service_main.h"
#include "common/testing/metrics.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"

namespace sip::accesslog {
namespace {

const absl::Time kStart = absl::FromUnixMicros(1764000000123456);

Entry EntryAt(int i) {
  return {kStart + absl::Minutes(i), "plan-1", "nurse-1", "SE2321000131-E000000000001",
          "dev-regional-system", "GetPlan", "plans/plan-1", "OK"};
}

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "svc", {}));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "svc", 4,
                                                      absl::Seconds(5), {}}));
  }

  void AppendAll(int from, int to) {
    for (int i = from; i < to; ++i) {
      SIP_ASSERT_OK(pool_->InTransaction([&](pqxx::work& txn) {
        Append(txn, EntryAt(i));
        return absl::OkStatus();
      }));
    }
  }

  void Exec(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    txn.exec(sql);
    txn.commit();
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
};

TEST_F(AccessLogTest, EntriesAreChainedInOrderAndVerify) {
  AppendAll(0, 5);
  SIP_ASSERT_OK_AND_ASSIGN(Verification before, Verify(*pool_));
  EXPECT_EQ(before.verified, 0);
  EXPECT_EQ(before.unchained, 5);
  SIP_ASSERT_OK_AND_ASSIGN(int chained, ChainOnce(*pool_, 3));
  EXPECT_EQ(chained, 3);
  SIP_ASSERT_OK_AND_ASSIGN(chained, ChainOnce(*pool_, 100));
  EXPECT_EQ(chained, 2);
  SIP_ASSERT_OK_AND_ASSIGN(chained, ChainOnce(*pool_, 100));
  EXPECT_EQ(chained, 0);
  SIP_ASSERT_OK_AND_ASSIGN(Verification after, Verify(*pool_));
  EXPECT_EQ(after.verified, 5);
  EXPECT_EQ(after.first_broken, std::nullopt);
  EXPECT_EQ(after.unchained, 0);
  // Each hash covers the previous one: the chain is not five independent hashes.
  EXPECT_NE(HashOf("", 1, EntryAt(0)), HashOf("x", 1, EntryAt(0)));
  EXPECT_NE(HashOf("", 1, EntryAt(0)), HashOf("", 2, EntryAt(0)));
}

TEST_F(AccessLogTest, ATamperedEntryIsNamed) {
  AppendAll(0, 6);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  // Someone with database access changes who read: the third entry.
  Exec("UPDATE svc.access_log SET unit_hsa_id = 'SE2321000131-X000000000009' WHERE position = 3");
  SIP_ASSERT_OK_AND_ASSIGN(Verification changed, Verify(*pool_));
  EXPECT_EQ(changed.first_broken, 3);
  EXPECT_EQ(changed.verified, 2);
}

TEST_F(AccessLogTest, ARecomputedHashOrARemovedEntryIsNamedToo) {
  AppendAll(0, 6);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  // The change covered by a new hash of its own: the next entry no longer links to it.
  Entry forged = EntryAt(3);
  forged.outcome = "PERMISSION_DENIED";
  pqxx::connection conn(db_.conninfo());
  {
    pqxx::work txn(conn);
    const std::string prev =
        txn.exec1("SELECT prev_hash FROM svc.access_log WHERE position = 4")[0].as<std::string>();
    txn.exec_params("UPDATE svc.access_log SET outcome = $1, hash = $2 WHERE position = 4",
                    forged.outcome, HashOf(prev, 4, forged));
    txn.commit();
  }
  SIP_ASSERT_OK_AND_ASSIGN(Verification rehashed, Verify(*pool_));
  EXPECT_EQ(rehashed.first_broken, 5);
  // A removed entry in the middle: its successor is named.
  Exec("TRUNCATE svc.access_log");
  AppendAll(0, 6);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  Exec("DELETE FROM svc.access_log WHERE position = 2");
  SIP_ASSERT_OK_AND_ASSIGN(Verification removed, Verify(*pool_));
  EXPECT_EQ(removed.first_broken, 3);
}

TEST_F(AccessLogTest, ConcurrentWritersAndChainersMakeOneChain) {
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        const absl::Status s = pool_->InTransaction([&](pqxx::work& txn) {
          Append(txn, EntryAt(w * 100 + i));
          return absl::OkStatus();
        });
        if (!s.ok()) ++failed;
      }
    });
  }
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        if (!ChainOnce(*pool_, 10).ok()) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  while (true) {
    SIP_ASSERT_OK_AND_ASSIGN(int chained, ChainOnce(*pool_, 100));
    if (chained == 0) break;
  }
  EXPECT_EQ(failed, 0);
  SIP_ASSERT_OK_AND_ASSIGN(Verification v, Verify(*pool_));
  EXPECT_EQ(v.verified, 200);
  EXPECT_EQ(v.first_broken, std::nullopt);
  EXPECT_EQ(v.unchained, 0);
}

TEST_F(AccessLogTest, RetentionKeepsWhatIsLeftVerifiable) {
  AppendAll(0, 10);  // one a minute
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  SIP_ASSERT_OK_AND_ASSIGN(int64_t removed, RemoveBefore(*pool_, kStart + absl::Minutes(4)));
  EXPECT_EQ(removed, 4);
  AppendAll(10, 12);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  SIP_ASSERT_OK_AND_ASSIGN(Verification v, Verify(*pool_));
  EXPECT_EQ(v.verified, 8);
  EXPECT_EQ(v.first_broken, std::nullopt);
  // Everything older: the last chained entry stays, so the chain goes on from it.
  SIP_ASSERT_OK_AND_ASSIGN(removed, RemoveBefore(*pool_, kStart + absl::Hours(1)));
  EXPECT_EQ(removed, 7);
  AppendAll(20, 21);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  SIP_ASSERT_OK_AND_ASSIGN(v, Verify(*pool_));
  EXPECT_EQ(v.verified, 2);
  EXPECT_EQ(v.first_broken, std::nullopt);
}

TEST_F(AccessLogTest, RetentionKeepsTheFirstKeptPositionKnown) {
  AppendAll(0, 6);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  SIP_ASSERT_OK(RemoveBefore(*pool_, kStart + absl::Minutes(2)).status());
  SIP_ASSERT_OK_AND_ASSIGN(Verification v, Verify(*pool_));
  EXPECT_EQ(v.first_kept, 3);
  EXPECT_EQ(v.verified, 4);
}

TEST_F(AccessLogTest, SealingFillsOnlyEmptyChainFields) {
  AppendAll(0, 2);
  SIP_ASSERT_OK(ChainOnce(*pool_, 100).status());
  // The sealing function is the runtime role's only way to change an entry: it cannot
  // reseal a chained entry with a hash of its choosing.
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  const int64_t seq = txn.exec1("SELECT seq FROM svc.access_log WHERE position = 1")[0].as<int64_t>();
  const int sealed = txn.exec_params1("SELECT svc.access_log_seal($1::bigint[], '{7}'::bigint[], "
                                      "'{x}'::text[], '{forged}'::text[])",
                                      db::ToSqlArray({absl::StrCat(seq)}))[0]
                         .as<int>();
  txn.commit();
  EXPECT_EQ(sealed, 0);
  SIP_ASSERT_OK_AND_ASSIGN(Verification v, Verify(*pool_));
  EXPECT_EQ(v.verified, 2);
  EXPECT_EQ(v.first_broken, std::nullopt);
}

TEST_F(AccessLogTest, TheVerifyCommandSealsVerifiesAndNamesTheFirstBrokenEntry) {
  AppendAll(0, 5);
  ServerConfig config;
  config.service_name = "svc";
  config.database_url = config.migration_database_url = db_.conninfo();
  config.database_schema = "svc";
  config.verify_access_log = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunAccessLogCommand(config, *pool_), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("5 entries verified, from position 1"), std::string::npos) << out;
  EXPECT_NE(out.find("intact"), std::string::npos) << out;
  Exec("UPDATE svc.access_log SET method = 'ListPlans' WHERE position = 4");
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunAccessLogCommand(config, *pool_), 3);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("BROKEN at position 4"), std::string::npos) << out;
  // Retention as the migration role: everything older than the retention goes but the
  // last chained entry, and what is left verifies from there.
  config.verify_access_log = false;
  config.prune_access_log = true;
  config.access_log_retention = absl::Hours(24);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunAccessLogCommand(config, *pool_), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("removed 4 access-log entries"), std::string::npos) << out;
}

class ManualClock final : public Clock {
 public:
  absl::Time Now() const override { return kStart; }
};

class CallRecordTest : public AccessLogTest {
 protected:
  int64_t Count(const std::string& where) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1("SELECT count(*) FROM svc.access_log WHERE " + where)[0].as<int64_t>();
  }
  Caller Nurse() {
    Caller c;
    c.unit.hsa_id = "SE2321000131-E000000000001";
    c.user_id = "SE2321000131-T000000000001";
    c.system = "regional-system";
    c.credential = "secret-token";
    return c;
  }
  ManualClock clock_;
};

TEST_F(CallRecordTest, AReadIsLoggedBeforeFinishReturnsWithItsOutcome) {
  Log log(pool_.get(), &clock_);
  {
    CallRecord record(Nurse(), "GetPlan", "plans/p-1/revisions/2");
    Note(&log, "p-1");
    Note(&log, "p-1");  // once per plan and call
    Note(&log, "p-2");
    EXPECT_EQ(Count("true"), 0);  // nothing before the answer is ready
    SIP_EXPECT_OK(record.Finish(absl::OkStatus()));
  }
  EXPECT_EQ(Count("true"), 2);
  EXPECT_EQ(Count("plan_id = 'p-1' AND resource = 'plans/p-1/revisions/2' AND outcome = 'OK' "
                  "AND method = 'GetPlan' AND system = 'regional-system' "
                  "AND user_id = 'SE2321000131-T000000000001' "
                  "AND unit_hsa_id = 'SE2321000131-E000000000001'"),
            1);
  // Another plan than the request's resource is logged as the plan itself.
  EXPECT_EQ(Count("plan_id = 'p-2' AND resource = 'plans/p-2'"), 1);
  {
    CallRecord record(Nurse(), "GetPlan", "plans/p-3");
    Note(&log, "p-3");
    const absl::Status refused = absl::PermissionDeniedError("no");
    EXPECT_EQ(record.Finish(refused), refused);
  }
  EXPECT_EQ(Count("plan_id = 'p-3' AND outcome = 'PERMISSION_DENIED'"), 1);
  // Without a record (a consumer's own work) or suspended, nothing is noted.
  Note(&log, "p-4");
  {
    CallRecord record(Nurse(), "GetPlan", "");
    {
      Suspended not_the_call;
      Note(&log, "p-4");
    }
    SIP_EXPECT_OK(record.Finish(absl::OkStatus()));
  }
  EXPECT_EQ(Count("plan_id = 'p-4'"), 0);
}

// The access happened even when the call ran out of time: its entry is written anyway,
// and the shared write it leads is not cut short by its deadline (nor the others'
// entries in it).
TEST_F(CallRecordTest, ACallPastItsDeadlineIsStillLogged) {
  Log log(pool_.get(), &clock_);
  {
    ScopedCallDeadline late(absl::Now() - absl::Milliseconds(1));
    CallRecord record(Nurse(), "GetPlan", "plans/p-9");
    Note(&log, "p-9");
    const absl::Status late_status = absl::DeadlineExceededError("late");
    EXPECT_EQ(record.Finish(late_status), late_status);
  }
  EXPECT_EQ(Count("plan_id = 'p-9' AND outcome = 'DEADLINE_EXCEEDED'"), 1);
}

TEST_F(CallRecordTest, AWritesEntryCommitsWithItAndARolledBackOneIsLoggedAfter) {
  Log log(pool_.get(), &clock_);
  {
    CallRecord record(Nurse(), "UpdatePlan", "plans/p-1");
    Note(&log, "p-1");
    SIP_ASSERT_OK(db::RunMutation(*pool_, std::nullopt, kStart,
                                  [&](pqxx::work&) -> absl::StatusOr<db::Effect> {
                                    return db::Effect{"p-1", "", "", "answer"};
                                  })
                      .status());
    // Written in the change's transaction, before the call ends.
    EXPECT_EQ(Count("plan_id = 'p-1' AND outcome = 'OK' AND method = 'UpdatePlan'"), 1);
    SIP_EXPECT_OK(record.Finish(absl::OkStatus()));
  }
  EXPECT_EQ(Count("plan_id = 'p-1'"), 1);  // not twice
  {
    CallRecord record(Nurse(), "UpdatePlan", "plans/p-2");
    Note(&log, "p-2");
    const absl::Status failed =
        db::RunMutation(*pool_, std::nullopt, kStart,
                        [&](pqxx::work&) -> absl::StatusOr<db::Effect> {
                          return absl::FailedPreconditionError("closed");
                        })
            .status();
    EXPECT_EQ(Count("plan_id = 'p-2'"), 0);  // rolled back with the change
    EXPECT_EQ(record.Finish(failed).code(), absl::StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(Count("plan_id = 'p-2' AND outcome = 'FAILED_PRECONDITION'"), 1);
  // A created plan, not noted by a gate, is logged by its mutation.
  {
    CallRecord record(Nurse(), "CreatePlan", "");
    SIP_ASSERT_OK(db::RunMutation(*pool_, std::nullopt, kStart,
                                  [&](pqxx::work&) -> absl::StatusOr<db::Effect> {
                                    return db::Effect{"p-new", "", "", "answer"};
                                  })
                      .status());
    SIP_EXPECT_OK(record.Finish(absl::OkStatus()));
  }
  EXPECT_EQ(Count("plan_id = 'p-new' AND method = 'CreatePlan' AND resource = 'plans/p-new'"), 1);
}

TEST_F(CallRecordTest, ConcurrentReadsShareCommitsAndAreAllDurable) {
  Log log(pool_.get(), &clock_);
  std::atomic<int> failed{0}, not_yet_durable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      pqxx::connection reader(db_.conninfo());
      for (int i = 0; i < 25; ++i) {
        const std::string plan = absl::StrCat("p-", t, "-", i);
        CallRecord record(Nurse(), "GetPlan", "");
        Note(&log, plan);
        if (!record.Finish(absl::OkStatus()).ok()) ++failed;
        // When Finish returns, the answer may leave: its entry must already be committed.
        pqxx::nontransaction txn(reader);
        if (txn.exec_params1("SELECT count(*) FROM svc.access_log WHERE plan_id = $1", plan)[0]
                .as<int>() != 1) {
          ++not_yet_durable;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(not_yet_durable, 0);
  EXPECT_EQ(Count("true"), 200);
  EXPECT_EQ(Count("plan_id = 'p-7-24'"), 1);
}

TEST_F(CallRecordTest, AnAnswerDoesNotLeaveWhenItsEntryCannotBeWritten) {
  Log log(pool_.get(), &clock_);
  Exec("ALTER TABLE svc.access_log RENAME TO access_log_gone");
  CallRecord record(Nurse(), "GetPlan", "");
  Note(&log, "p-1");
  const absl::Status status = record.Finish(absl::OkStatus());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(status), "ACCESS_LOG_UNAVAILABLE");
  Exec("ALTER TABLE svc.access_log_gone RENAME TO access_log");
}

// What operations see of the log at work: its shared writes and their entries, a write
// that failed, and the chainer sealing what was written and saying when it last left
// nothing unsealed (the alert on an unsealed log watches that time).
TEST_F(CallRecordTest, ItsMetricsCountWritesFailuresAndTheChainersProgress) {
  const auto value = [](const std::string& name) {
    return sip::testing::MetricValue(*metrics::Registry(), name, {});
  };
  Log log(pool_.get(), &clock_, Log::Options{absl::Milliseconds(20), 1000});
  const double writes = value("sip_access_log_writes_total");
  const double entries = value("sip_access_log_written_entries_total");
  const double failures = value("sip_access_log_write_failures_total");
  const double chained = value("sip_access_log_chained_entries_total");
  ASSERT_GE(writes, 0) << "registered with the first log, before any write";
  ASSERT_GE(failures, 0);
  ASSERT_GE(chained, 0);
  {
    CallRecord record(Nurse(), "GetPlan", "");
    Note(&log, "p-1");
    Note(&log, "p-2");
    SIP_ASSERT_OK(record.Finish(absl::OkStatus()));
  }
  {
    CallRecord record(Nurse(), "GetPlan", "");
    Note(&log, "p-3");
    SIP_ASSERT_OK(record.Finish(absl::OkStatus()));
  }
  EXPECT_EQ(value("sip_access_log_writes_total"), writes + 2);
  EXPECT_EQ(value("sip_access_log_written_entries_total"), entries + 3);
  EXPECT_EQ(value("sip_access_log_write_failures_total"), failures);
  Exec("ALTER TABLE svc.access_log RENAME TO access_log_gone");
  {
    CallRecord record(Nurse(), "GetPlan", "");
    Note(&log, "p-4");
    EXPECT_EQ(record.Finish(absl::OkStatus()).code(), absl::StatusCode::kUnavailable);
  }
  Exec("ALTER TABLE svc.access_log_gone RENAME TO access_log");
  EXPECT_EQ(value("sip_access_log_write_failures_total"), failures + 1);
  EXPECT_EQ(value("sip_access_log_writes_total"), writes + 2) << "a failed write is not a write";

  // Nothing is sealed until the chainer runs; then all three are, and it says when it
  // last left nothing waiting (the log's clock).
  EXPECT_EQ(value("sip_access_log_chained_entries_total"), chained);
  log.Start();
  for (int i = 0; i < 250 && value("sip_access_log_chained_entries_total") < chained + 3; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  log.Stop();
  EXPECT_EQ(value("sip_access_log_chained_entries_total"), chained + 3);
  EXPECT_EQ(value("sip_access_log_chain_caught_up_timestamp_seconds"), metrics::UnixSeconds(kStart));
  EXPECT_EQ(Count("position IS NULL"), 0);
}

}  // namespace
}  // namespace sip::accesslog
