#include "common/db.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/access_log.h"
#include "common/plan_access.h"

namespace sip::db {

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
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = absl::ToChronoTime(absl::Now() + options_.acquire_timeout);
  while (idle_.empty() && open_ >= options_.size) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      return WithReason(
          absl::UnavailableError("all database connections are busy; retry shortly"),
          "DATABASE_POOL_EXHAUSTED");
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    ++leased_;
    if (conn->is_open()) return Lease(this, std::move(conn));
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
    cv_.notify_one();
    return conn.status();
  }
  ++leased_;
  return Lease(this, *std::move(conn));
}

void Pool::Return(std::unique_ptr<pqxx::connection> conn, bool broken) {
  std::lock_guard<std::mutex> lock(mu_);
  --leased_;
  if (broken || !conn->is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Return(std::move(conn_), broken_);
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
    return true;
  } catch (const std::exception& e) {
    probe_.reset();
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
    log::Warn("db_connection_lost", {});
    return WithReason(absl::UnavailableError(
                          "lost the connection to the database; the call can be retried"),
                      "DATABASE_UNAVAILABLE");
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    return WithReason(absl::AbortedError(
                          "a concurrent change conflicted with this one; retry the call"),
                      "CONCURRENT_CHANGE");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    // Class 08: connection exceptions; 57P01..57P03: server shutting down.
    if (state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0) {
      *connection_broken = true;
      return WithReason(absl::UnavailableError(
                            "the database is restarting; the call can be retried"),
                        "DATABASE_UNAVAILABLE");
    }
    // Never the server's message or detail: they quote rows, and rows hold names. The
    // SQLSTATE and the statement's first words say which statement failed and why.
    log::Error("db_error", {{"sqlstate", state}, {"statement", StatementName(sql->query())}});
    return absl::InternalError(absl::StrCat("database error ", state));
  }
  log::Error("db_error", {{"exception", ExceptionKind(e)}});
  return absl::InternalError("database error");
}

}  // namespace sip::db
