#include "common/db.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/access_log.h"
#include "common/call_deadline.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/outbox.h"
#include "common/plan_access.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

namespace sip::db {
namespace {

// The database metrics of this process (metrics.h), registered on first use.
struct DbMetrics {
  prometheus::Family<prometheus::Gauge>& connections = prometheus::BuildGauge()
      .Name("sip_db_pool_connections")
      .Help("Connections of the pool by state (in_use, idle)")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Gauge>& max_connections = prometheus::BuildGauge()
      .Name("sip_db_pool_max_connections")
      .Help("The most connections the pool opens")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Gauge>& waiting = prometheus::BuildGauge()
      .Name("sip_db_pool_waiting_calls")
      .Help("Calls waiting for a connection of the pool")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Histogram>& acquire = prometheus::BuildHistogram()
      .Name("sip_db_pool_acquire_seconds")
      .Help("Time to acquire a connection from the pool")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Counter>& exhausted = prometheus::BuildCounter()
      .Name("sip_db_pool_exhausted_total")
      .Help("Acquires that gave up: every connection stayed busy for the acquire timeout")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Histogram>& query = prometheus::BuildHistogram()
      .Name("sip_db_query_seconds")
      .Help("Time of one database statement, by prepared statement")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Counter>& errors = prometheus::BuildCounter()
      .Name("sip_db_errors_total")
      .Help("Database failures by kind (unavailable, conflict, timeout, internal)")
      .Register(*metrics::Registry());
  prometheus::Gauge& up = metrics::NewGauge(
      "sip_db_up",
      "1 when the last health probe of the database succeeded, else 0");
  prometheus::Family<prometheus::Counter>& timeout_sets = prometheus::BuildCounter()
      .Name("sip_db_statement_timeout_changes_total")
      .Help("Session statement timeouts changed to fit a call's deadline (one SET each)")
      .Register(*metrics::Registry());
};

DbMetrics& Metrics() {
  static DbMetrics* const kMetrics = [] {
    auto* m = new DbMetrics();
    // Every kind from the start, at 0, so that rates and alerts see a series at once.
    for (const char* kind : {"unavailable", "conflict", "timeout", "internal"}) {
      m->errors.Add({{"kind", kind}});
    }
    m->timeout_sets.Add({});
    return m;
  }();
  return *kMetrics;
}

const prometheus::Histogram::BucketBoundaries& AcquireBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
  return *kBuckets;
}

const prometheus::Histogram::BucketBoundaries& QueryBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 15};
  return *kBuckets;
}

void CountError(const char* kind) { Metrics().errors.Add({{"kind", kind}}).Increment(); }

}  // namespace

int64_t StatementTimeoutFor(absl::Duration left) {
  const int64_t ms = absl::ToInt64Milliseconds(left);
  if (ms >= kDefaultStatementTimeoutMs) return kDefaultStatementTimeoutMs;
  if (ms >= 1000) return ms / 1000 * 1000;
  if (ms >= 100) return ms / 100 * 100;
  return std::max<int64_t>(ms, 1);
}

QueryTimer::QueryTimer(const std::string& statement)
    : statement_(statement), start_(absl::Now()) {}

QueryTimer::~QueryTimer() {
  Metrics()
      .query.Add({{"statement", statement_}}, QueryBuckets())
      .Observe(absl::ToDoubleSeconds(absl::Now() - start_));
}

std::string ToSqlArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string ToSqlTime(absl::Time t) {
  // ISO 8601 with a four-digit year always: PostgreSQL reads "0010-…" as the year 10,
  // while "10-…" would be misread as 2010. Requests are held to 1900–2200 before this.
  return absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6S+00:00", t, absl::UTCTimeZone());
}

std::string WithSessionOptions(const std::string& conninfo, const std::string& schema) {
  // One stuck transaction must not stop every writer: a statement may run 15 s, wait 5 s
  // for a lock, and a transaction may sit idle 30 s before the server ends it.
  const std::vector<std::string> settings = {
      absl::StrCat("search_path=", schema), "TimeZone=UTC", "statement_timeout=15s",
      "lock_timeout=5s", "idle_in_transaction_session_timeout=30s"};
  const bool is_uri = conninfo.rfind("postgres://", 0) == 0 ||
                      conninfo.rfind("postgresql://", 0) == 0;
  std::string options;
  for (const std::string& setting : settings) {
    absl::StrAppend(&options, options.empty() ? "" : (is_uri ? "%20" : " "), "-c",
                    is_uri ? "%20" : " ",
                    is_uri ? absl::StrReplaceAll(setting, {{"=", "%3D"}}) : setting);
  }
  if (is_uri) {
    return absl::StrCat(conninfo, conninfo.find('?') == std::string::npos ? "?" : "&",
                        "options=", options);
  }
  return absl::StrCat(conninfo, " options='", options, "'");
}

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(Options options) {
  if (options.size < 1) return absl::InvalidArgumentError("pool size must be at least 1");
  const auto& common = CommonStatements();
  options.statements.insert(options.statements.begin(), common.begin(), common.end());
  const auto& access = authz::AccessStatements();
  options.statements.insert(options.statements.begin(), access.begin(), access.end());
  const auto& log = accesslog::Statements();
  options.statements.insert(options.statements.begin(), log.begin(), log.end());
  auto pool = std::unique_ptr<Pool>(new Pool(std::move(options)));
  Metrics().exhausted.Add({{"pool", pool->options_.schema}});
  // Fail fast on a bad connection string or unreachable server.
  auto lease = pool->Acquire();
  if (!lease.ok()) return lease.status();
  return pool;
}

Pool::~Pool() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> Pool::Connect() const {
  try {
    // Session settings go into the connection string so that they survive libpqxx's
    // transparent reconnects.
    auto conn = std::make_unique<pqxx::connection>(
        WithSessionOptions(options_.conninfo, options_.schema));
    for (const auto& st : options_.statements) conn->prepare(st.name, st.sql);
    return conn;
  } catch (const std::exception& e) {
    // libpq's message may quote the connection string; only the fact is logged.
    log::Warn("db_connect_failed", {{"schema", options_.schema}});
    return WithReason(absl::UnavailableError(
                          "the database is unreachable; the call can be retried"),
                      "DATABASE_UNAVAILABLE");
  }
}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  const absl::Time start = absl::Now();
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = absl::ToChronoTime(start + options_.acquire_timeout);
  if (idle_.empty() && open_ >= options_.size) {
    ++waiting_;
    UpdateGaugesLocked();
    while (idle_.empty() && open_ >= options_.size) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.size) {
        --waiting_;
        UpdateGaugesLocked();
        Metrics().exhausted.Add({{"pool", options_.schema}}).Increment();
        return WithReason(
            absl::UnavailableError("all database connections are busy; retry shortly"),
            "DATABASE_POOL_EXHAUSTED");
      }
    }
    --waiting_;
  }
  auto observe = [&] {
    UpdateGaugesLocked();
    Metrics()
        .acquire.Add({{"pool", options_.schema}}, AcquireBuckets())
        .Observe(absl::ToDoubleSeconds(absl::Now() - start));
  };
  if (!idle_.empty()) {
    Slot slot = std::move(idle_.back());
    idle_.pop_back();
    ++leased_;
    if (slot.conn->is_open()) {
      observe();
      return Lease(this, std::move(slot));
    }
    // Dropped while idle: replace it below.
    --leased_;
    --open_;
  }
  ++open_;
  lock.unlock();
  auto conn = Connect();
  lock.lock();
  if (!conn.ok()) {
    --open_;
    UpdateGaugesLocked();
    cv_.notify_one();
    return conn.status();
  }
  ++leased_;
  observe();
  // A new session has the connection string's statement timeout.
  return Lease(this, Slot{*std::move(conn), kDefaultStatementTimeoutMs});
}

void Pool::Return(Slot slot, bool broken) {
  std::lock_guard<std::mutex> lock(mu_);
  --leased_;
  if (broken || !slot.conn->is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(slot));
  }
  UpdateGaugesLocked();
  cv_.notify_one();
}

void Pool::UpdateGaugesLocked() {
  DbMetrics& m = Metrics();
  m.connections.Add({{"pool", options_.schema}, {"state", "in_use"}}).Set(leased_);
  m.connections.Add({{"pool", options_.schema}, {"state", "idle"}})
      .Set(static_cast<double>(idle_.size()));
  m.max_connections.Add({{"pool", options_.schema}}).Set(options_.size);
  m.waiting.Add({{"pool", options_.schema}}).Set(waiting_);
}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && slot_.conn != nullptr) pool_->Return(std::move(slot_), broken_);
}

absl::Status Pool::Lease::FitToCallDeadline() {
  const absl::Time deadline = ScopedCallDeadline::Current();
  int64_t wanted = kDefaultStatementTimeoutMs;
  if (deadline != absl::InfiniteFuture()) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return WithReason(absl::DeadlineExceededError(
                            "the call's deadline passed before the database was asked"),
                        "DEADLINE_PASSED");
    }
    wanted = StatementTimeoutFor(left);
  }
  if (wanted == slot_.statement_timeout_ms) return absl::OkStatus();
  try {
    // set_variable also keeps the value for libpqxx's reconnects.
    slot_.conn->set_variable("statement_timeout", std::to_string(wanted));
    slot_.statement_timeout_ms = wanted;
    Metrics().timeout_sets.Add({}).Increment();
    return absl::OkStatus();
  } catch (const std::exception& e) {
    bool broken = false;
    absl::Status status = StatusFromException(e, &broken);
    if (broken) MarkBroken();
    return status;
  }
}

int Pool::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leased_;
}

bool Pool::Ping() {
  // Its own connection, never one of the pool's: a busy pool must not make every replica
  // report NOT_SERVING at once.
  std::lock_guard<std::mutex> lock(probe_mu_);
  try {
    if (probe_ == nullptr || !probe_->is_open()) {
      probe_ = std::make_unique<pqxx::connection>(
          WithSessionOptions(options_.conninfo, options_.schema));
    }
    pqxx::nontransaction txn(*probe_);
    txn.exec("SELECT 1");
    Metrics().up.Set(1);
    return true;
  } catch (const std::exception& e) {
    probe_.reset();
    Metrics().up.Set(0);
    log::Warn("db_probe_failed", {{"schema", options_.schema}});
    return false;
  }
}

absl::Status Pool::InTransaction(const std::function<absl::Status(pqxx::work&)>& fn) {
  return InTransaction<bool>([&](pqxx::work& txn) -> absl::StatusOr<bool> {
           absl::Status s = fn(txn);
           if (!s.ok()) return s;
           return true;
         }).status();
}

std::string StatementName(const std::string& query) {
  // A prepared statement's name (libpqxx reports it as the query), or the SQL's first
  // words: parameters are never part of it.
  std::string out = query.substr(0, std::min<size_t>(query.size(), 60));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string ExceptionKind(const std::exception& e) {
  if (dynamic_cast<const std::runtime_error*>(&e) != nullptr) return "runtime_error";
  if (dynamic_cast<const std::logic_error*>(&e) != nullptr) return "logic_error";
  return "exception";
}

absl::Status StatusFromException(const std::exception& e, bool* connection_broken) {
  *connection_broken = false;
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    *connection_broken = true;
    CountError("unavailable");
    log::Warn("db_connection_lost", {});
    return WithReason(absl::UnavailableError(
                          "lost the connection to the database; the call can be retried"),
                      "DATABASE_UNAVAILABLE");
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    CountError("conflict");
    return WithReason(absl::AbortedError(
                          "a concurrent change conflicted with this one; retry the call"),
                      "CONCURRENT_CHANGE");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    // Class 08: connection exceptions; 57P01..57P03: server shutting down.
    if (state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0) {
      *connection_broken = true;
      CountError("unavailable");
      return WithReason(absl::UnavailableError(
                            "the database is restarting; the call can be retried"),
                        "DATABASE_UNAVAILABLE");
    }
    // 57014: the statement timeout, fitted to the call's deadline, ended the statement.
    if (state == "57014") {
      CountError("timeout");
      log::Warn("db_statement_timeout", {{"statement", StatementName(sql->query())}});
      return WithReason(absl::DeadlineExceededError(
                            "the database did not answer within the call's deadline"),
                        "DATABASE_TIMEOUT");
    }
    CountError("internal");
    // Never the server's message or detail: they quote rows, and rows hold names. The
    // SQLSTATE and the statement's first words say which statement failed and why.
    log::Error("db_error", {{"sqlstate", state}, {"statement", StatementName(sql->query())}});
    return absl::InternalError(absl::StrCat("database error ", state));
  }
  CountError("internal");
  log::Error("db_error", {{"exception", ExceptionKind(e)}});
  return absl::InternalError("database error");
}

}  // namespace sip::db
