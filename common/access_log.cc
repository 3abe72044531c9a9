#include "common/access_log.h"

#include <openssl/sha.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/call_deadline.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace sip::accesslog {
namespace {

// The log's own metrics: the shared writes of reads' and refusals' entries, and the
// chainer's progress (entries left unsealed are not yet tamper-evident).
struct LogMetrics {
  prometheus::Counter& writes = metrics::NewCounter(
      "sip_access_log_writes_total",
      "Shared statements that wrote reads' and refusals' entries (group commits)");
  prometheus::Counter& entries = metrics::NewCounter(
      "sip_access_log_written_entries_total",
      "Entries those statements wrote; per write, how many calls shared a commit");
  prometheus::Counter& failures = metrics::NewCounter(
      "sip_access_log_write_failures_total",
      "Shared writes that failed; their calls were answered UNAVAILABLE");
  prometheus::Counter& chained = metrics::NewCounter(
      "sip_access_log_chained_entries_total",
      "Entries this replica's chainer sealed into the hash chain");
  prometheus::Gauge& caught_up = metrics::NewGauge(
      "sip_access_log_chain_caught_up_timestamp_seconds",
      "When this replica's chainer last left no committed entry unsealed");
};

LogMetrics& Metrics() {
  static LogMetrics* const kMetrics = new LogMetrics();
  return *kMetrics;
}

constexpr char kColumns[] =
    "(extract(epoch from log_time) * 1000000)::bigint, plan_id, user_id, unit_hsa_id, system, "
    "method, resource, outcome";

Entry EntryFromRow(const pqxx::row& row, int first) {
  Entry e;
  e.time = absl::FromUnixMicros(row[first].as<int64_t>());
  e.plan_id = row[first + 1].as<std::string>();
  e.user_id = row[first + 2].as<std::string>();
  e.unit_hsa_id = row[first + 3].as<std::string>();
  e.system = row[first + 4].as<std::string>();
  e.method = row[first + 5].as<std::string>();
  e.resource = row[first + 6].as<std::string>();
  e.outcome = row[first + 7].as<std::string>();
  return e;
}

thread_local CallRecord* current_record = nullptr;

absl::Status LogUnavailable() {
  return WithReason(absl::UnavailableError(
                        "the access could not be logged, so it is not answered; retry"),
                    "ACCESS_LOG_UNAVAILABLE");
}

}  // namespace

const std::vector<db::PreparedStatement>& Statements() {
  static const auto* const kStatements = new std::vector<db::PreparedStatement>{
      {"sip_access_log_append",
       "INSERT INTO access_log (log_time, plan_id, user_id, unit_hsa_id, system, method, "
       "resource, outcome) VALUES ($1::timestamptz, $2, $3, $4, $5, $6, $7, $8)"},
      {"sip_access_log_chain_lock", "SELECT pg_advisory_xact_lock(hashtext('sip_access_log'))"},
      {"sip_access_log_last",
       "SELECT position, hash FROM access_log WHERE position IS NOT NULL "
       "ORDER BY position DESC LIMIT 1"},
      {"sip_access_log_unchained",
       absl::StrCat("SELECT seq, ", kColumns,
                    " FROM access_log WHERE position IS NULL ORDER BY seq LIMIT $1")},
      // The runtime role has no UPDATE on the log: sealing is access_log_seal's (migration
      // common_0008), which fills only empty chain fields.
      {"sip_access_log_seal",
       "SELECT access_log_seal($1::bigint[], $2::bigint[], $3::text[], $4::text[])"},
      {"sip_access_log_append_many",
       "INSERT INTO access_log (log_time, plan_id, user_id, unit_hsa_id, system, method, "
       "resource, outcome) SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], "
       "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[])"},
      {"sip_access_log_of_plans",
       absl::StrCat("SELECT seq, ", kColumns,
                    " FROM access_log WHERE plan_id = ANY($1::text[]) "
                    "AND log_time >= $2::timestamptz AND log_time < $3::timestamptz "
                    "AND seq > $4 ORDER BY seq LIMIT $5")},
      {"sip_access_log_chained",
       absl::StrCat("SELECT position, prev_hash, hash, ", kColumns,
                    " FROM access_log WHERE position IS NOT NULL ORDER BY position")},
      {"sip_access_log_unchained_count",
       "SELECT count(*) FROM access_log WHERE position IS NULL"},
      // The oldest chained entries before the first kept one; the last chained entry always
      // stays, so the chain goes on from it.
      {"sip_access_log_remove_before",
       "DELETE FROM access_log WHERE position IS NOT NULL AND position < coalesce("
       "(SELECT min(position) FROM access_log WHERE position IS NOT NULL "
       "AND log_time >= $1::timestamptz), "
       "(SELECT max(position) FROM access_log WHERE position IS NOT NULL))"},
  };
  return *kStatements;
}

void Append(pqxx::transaction_base& txn, const Entry& e) {
  db::Exec0(txn, "sip_access_log_append", db::ToSqlTime(e.time), e.plan_id, e.user_id,
                     e.unit_hsa_id, e.system, e.method, e.resource, e.outcome);
}

std::string HashOf(const std::string& prev_hash, int64_t position, const Entry& e) {
  std::string input;
  for (const std::string& part :
       {prev_hash, absl::StrCat(position), absl::StrCat(absl::ToUnixMicros(e.time)), e.plan_id,
        e.user_id, e.unit_hsa_id, e.system, e.method, e.resource, e.outcome}) {
    absl::StrAppend(&input, part.size(), ":", part, ";");
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

absl::StatusOr<int> ChainOnce(db::Pool& pool, int limit) {
  return pool.InTransaction<int>([&](pqxx::work& txn) -> absl::StatusOr<int> {
    db::Exec(txn, "sip_access_log_chain_lock");
    // After the lock, so it sees what the previous chainer committed.
    const pqxx::result last = db::Exec(txn, "sip_access_log_last");
    int64_t position = last.empty() ? 0 : last[0][0].as<int64_t>();
    std::string prev = last.empty() ? std::string() : last[0][1].as<std::string>();
    const pqxx::result rows = db::Exec(txn, "sip_access_log_unchained", limit);
    if (rows.empty()) return 0;
    std::vector<std::string> seqs, positions, prevs, hashes;
    for (const auto& row : rows) {
      ++position;
      const std::string hash = HashOf(prev, position, EntryFromRow(row, 1));
      seqs.push_back(row[0].as<std::string>());
      positions.push_back(absl::StrCat(position));
      prevs.push_back(prev);
      hashes.push_back(hash);
      prev = hash;
    }
    db::Exec1(txn, "sip_access_log_seal", db::ToSqlArray(seqs), db::ToSqlArray(positions),
                       db::ToSqlArray(prevs), db::ToSqlArray(hashes));
    return static_cast<int>(rows.size());
  });
}

absl::StatusOr<Verification> Verify(db::Pool& pool) {
  return pool.InTransaction<Verification>([&](pqxx::work& txn) -> absl::StatusOr<Verification> {
    Verification out;
    std::optional<std::string> expected_prev;  // the first kept entry's is taken as given
    std::optional<int64_t> expected_position;
    for (const auto& row : db::Exec(txn, "sip_access_log_chained")) {
      const int64_t position = row[0].as<int64_t>();
      const std::string prev = row[1].as<std::string>();
      const std::string hash = row[2].as<std::string>();
      const bool linked = (!expected_prev || prev == *expected_prev) &&
                          (!expected_position || position == *expected_position);
      if (!linked || HashOf(prev, position, EntryFromRow(row, 3)) != hash) {
        out.first_broken = position;
        break;
      }
      if (!out.first_kept) out.first_kept = position;
      ++out.verified;
      expected_prev = hash;
      expected_position = position + 1;
    }
    out.unchained = db::Exec1(txn, "sip_access_log_unchained_count")[0].as<int64_t>();
    return out;
  });
}

absl::StatusOr<std::vector<Listed>> ListForPlans(db::Pool& pool,
                                                 const std::vector<std::string>& plan_ids,
                                                 absl::Time start, absl::Time end,
                                                 int64_t after_seq, int limit) {
  return pool.Read<std::vector<Listed>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<Listed>> {
        std::vector<Listed> out;
        for (const auto& row :
             db::Exec(txn, "sip_access_log_of_plans", db::ToSqlArray(plan_ids),
                               db::ToSqlTime(start), db::ToSqlTime(end), after_seq, limit)) {
          out.push_back(Listed{row[0].as<int64_t>(), EntryFromRow(row, 1)});
        }
        return out;
      });
}

absl::StatusOr<int64_t> RemoveBefore(db::Pool& pool, absl::Time before) {
  return pool.InTransaction<int64_t>([&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
    db::Exec(txn, "sip_access_log_chain_lock");
    return static_cast<int64_t>(
        db::Exec(txn, "sip_access_log_remove_before", db::ToSqlTime(before)).affected_rows());
  });
}

Log::Log(db::Pool* pool, const Clock* clock, Options options)
    : pool_(pool), clock_(clock), options_(options) {
  Metrics();  // registered from the start: 0, not absent, until the first write
}

absl::Status Log::Insert(const std::vector<Entry>& entries) {
  std::vector<std::string> times, plans, users, units, systems, methods, resources, outcomes;
  for (const Entry& e : entries) {
    times.push_back(db::ToSqlTime(e.time));
    plans.push_back(e.plan_id);
    users.push_back(e.user_id);
    units.push_back(e.unit_hsa_id);
    systems.push_back(e.system);
    methods.push_back(e.method);
    resources.push_back(e.resource);
    outcomes.push_back(e.outcome);
  }
  // Autocommit: one statement is one round trip and its own commit, shared by the batch.
  return pool_->Read<bool>([&](pqxx::transaction_base& txn) -> absl::StatusOr<bool> {
    db::Exec0(txn, "sip_access_log_append_many", db::ToSqlArray(times),
                       db::ToSqlArray(plans), db::ToSqlArray(users), db::ToSqlArray(units),
                       db::ToSqlArray(systems), db::ToSqlArray(methods),
                       db::ToSqlArray(resources), db::ToSqlArray(outcomes));
    return true;
  }).status();
}

absl::Status Log::Write(std::vector<Entry> entries) {
  if (entries.empty()) return absl::OkStatus();
  std::unique_lock<std::mutex> lock(mu_);
  if (!open_) open_ = std::make_shared<Batch>();
  std::shared_ptr<Batch> mine = open_;
  for (Entry& e : entries) mine->entries.push_back(std::move(e));
  // Group commit: whoever finds no write in progress writes every batch that waits, the
  // others wait for the write their entries are in.
  while (!mine->done) {
    if (flushing_) {
      cv_.wait(lock);
      continue;
    }
    flushing_ = true;
    std::shared_ptr<Batch> batch = std::move(open_);
    open_ = nullptr;
    lock.unlock();
    absl::Status status;
    {
      // The batch holds other calls' entries too: this call's deadline must not end it.
      ScopedNoCallDeadline shared;
      status = Insert(batch->entries);
    }
    if (status.ok()) {
      ++writes_;
      entries_written_ += static_cast<int64_t>(batch->entries.size());
      Metrics().writes.Increment();
      Metrics().entries.Increment(static_cast<double>(batch->entries.size()));
    } else {
      Metrics().failures.Increment();
    }
    lock.lock();
    if (!status.ok()) {
      log::Error("access_log_write_failed",
                 {{"code", absl::StatusCodeToString(status.code())},
                  {"entries", static_cast<int64_t>(batch->entries.size())}});
    }
    batch->status = status.ok() ? status : LogUnavailable();
    batch->done = true;
    flushing_ = false;
    cv_.notify_all();
  }
  return mine->status;
}

void Log::Start() {
  if (chainer_) return;
  chainer_ = std::make_unique<PeriodicTask>(
      [this] {
        absl::StatusOr<int> chained = ChainOnce(*pool_, options_.chain_batch);
        if (!chained.ok()) {
          log::Warn("access_log_chain_failed",
                    {{"code", absl::StatusCodeToString(chained.status().code())}});
          return false;
        }
        Metrics().chained.Increment(static_cast<double>(*chained));
        const bool more = *chained == options_.chain_batch;
        if (!more) metrics::SetTimestamp(Metrics().caught_up, clock_->Now());
        return more;
      },
      options_.chain_every);
  chainer_->Start();
}

void Log::Stop() {
  if (chainer_) chainer_->Stop();
  chainer_.reset();
}

CallRecord::CallRecord(const Caller& caller, std::string method, std::string resource)
    : caller_(caller), method_(std::move(method)), resource_(std::move(resource)),
      outer_(current_record) {
  caller_.credential.clear();  // not kept longer than the call needs it
  current_record = this;
}

CallRecord::~CallRecord() { current_record = outer_; }

Entry CallRecord::Base(const std::string& plan_id, absl::Time time) const {
  Entry e;
  e.time = time;
  e.plan_id = plan_id;
  e.user_id = caller_.user_id;
  e.unit_hsa_id = caller_.unit.hsa_id;
  e.system = caller_.system;
  e.method = method_;
  // The request's own resource when it is of this plan, else the plan itself.
  const std::string plan_name = absl::StrCat("plans/", plan_id);
  e.resource = resource_ == plan_name || absl::StartsWith(resource_, plan_name + "/")
                   ? resource_
                   : plan_name;
  return e;
}

absl::Status CallRecord::Finish(const absl::Status& status) {
  // Entries of one Log go in one write.
  std::vector<std::pair<Log*, std::vector<Entry>>> by_log;
  for (Noted& n : noted_) {
    if (n.written || n.log == nullptr) continue;
    n.entry.outcome = absl::StatusCodeToString(status.code());
    auto it = std::find_if(by_log.begin(), by_log.end(),
                           [&](const auto& p) { return p.first == n.log; });
    if (it == by_log.end()) {
      by_log.emplace_back(n.log, std::vector<Entry>());
      it = by_log.end() - 1;
    }
    it->second.push_back(n.entry);
    n.written = true;
  }
  for (auto& [log, entries] : by_log) {
    if (!log->Write(std::move(entries)).ok()) return LogUnavailable();
  }
  return status;
}

void Note(Log* log, const std::string& plan_id) {
  CallRecord* record = current_record;
  if (record == nullptr || log == nullptr || plan_id.empty()) return;
  for (const CallRecord::Noted& n : record->noted_) {
    if (n.pool == log->pool() && n.entry.plan_id == plan_id) return;
  }
  record->noted_.push_back({log->pool(), log, record->Base(plan_id, log->Now()), false});
}

std::vector<size_t> AppendForMutation(pqxx::transaction_base& txn, db::Pool& pool,
                                      const std::string& plan_id, absl::Time now) {
  std::vector<size_t> appended;
  CallRecord* record = current_record;
  if (record == nullptr) return appended;
  bool has_plan = plan_id.empty();
  for (const CallRecord::Noted& n : record->noted_) {
    if (n.pool == &pool && n.entry.plan_id == plan_id) has_plan = true;
  }
  if (!has_plan) record->noted_.push_back({&pool, nullptr, record->Base(plan_id, now), false});
  for (size_t i = 0; i < record->noted_.size(); ++i) {
    CallRecord::Noted& n = record->noted_[i];
    if (n.pool != &pool || n.written) continue;
    Entry e = n.entry;
    e.outcome = "OK";
    Append(txn, e);
    appended.push_back(i);
  }
  return appended;
}

void MarkWritten(const std::vector<size_t>& entries) {
  CallRecord* record = current_record;
  if (record == nullptr) return;
  for (size_t i : entries) {
    if (i < record->noted_.size()) record->noted_[i].written = true;
  }
}

Suspended::Suspended() : saved_(current_record) { current_record = nullptr; }
Suspended::~Suspended() { current_record = saved_; }

}  // namespace sip::accesslog
