#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"

namespace sip::db {

// A named SQL statement, prepared on every connection of a pool.
struct PreparedStatement {
  std::string name;
  std::string sql;
};

// A bounded pool of PostgreSQL connections for one service schema. Each connection has
// `search_path` set to the schema and every registered statement prepared. A connection
// found broken (the server restarted) is dropped and a new one made on the next acquire.
class Pool final {
 public:
  struct Options {
    std::string conninfo;
    std::string schema;
    int size = 8;
    absl::Duration acquire_timeout = absl::Seconds(5);
    std::vector<PreparedStatement> statements;
  };

  static absl::StatusOr<std::unique_ptr<Pool>> Create(Options options);
  ~Pool();

  // A connection with the statement timeout its session has now.
  struct Slot {
    std::unique_ptr<pqxx::connection> conn;
    int64_t statement_timeout_ms = 0;
  };

  // A connection on loan; returned to the pool when destroyed.
  class Lease final {
   public:
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), slot_(std::move(other.slot_)), broken_(other.broken_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *slot_.conn; }
    pqxx::connection* operator->() { return slot_.conn.get(); }
    // The connection failed; the pool drops it instead of reusing it.
    void MarkBroken() { broken_ = true; }
    // Makes the session's statement timeout fit the thread's call deadline
    // (call_deadline.h; StatementTimeoutFor), so that a statement of an abandoned call
    // stops costing the database. A SET is sent only when the session's timeout must
    // change: a call whose deadline falls in the same step as the last one's sends
    // nothing. DEADLINE_EXCEEDED when the deadline has already passed.
    absl::Status FitToCallDeadline();

   private:
    friend class Pool;
    Lease(Pool* pool, Slot slot) : pool_(pool), slot_(std::move(slot)) {}
    Pool* pool_;
    Slot slot_;
    bool broken_ = false;
  };

  // UNAVAILABLE when no connection frees up within the acquire timeout or the database
  // cannot be reached. Metrics (sip_db_pool_*): connections in use and idle, calls
  // waiting, the time to acquire, and how often the pool was exhausted.
  absl::StatusOr<Lease> Acquire();

  // Runs `fn` in one transaction (READ COMMITTED) and commits when it returns OK; rolls
  // back otherwise. Database errors become statuses: lost connection → UNAVAILABLE,
  // serialization failure or deadlock → ABORTED (retry), others → INTERNAL (logged).
  template <typename T>
  absl::StatusOr<T> InTransaction(const std::function<absl::StatusOr<T>(pqxx::work&)>& fn);
  absl::Status InTransaction(const std::function<absl::Status(pqxx::work&)>& fn);

  // Runs `fn` outside any transaction (autocommit): a read of one statement is one round
  // trip, without BEGIN and COMMIT. For reads only; errors map as in InTransaction.
  template <typename T>
  absl::StatusOr<T> Read(const std::function<absl::StatusOr<T>(pqxx::transaction_base&)>& fn);

  // True when a trivial query succeeds now, on a connection of its own (not the pool's).
  // Sets sip_db_up.
  bool Ping();

  const std::string& schema() const { return options_.schema; }
  int size() const { return options_.size; }
  int in_use() const;

 private:
  explicit Pool(Options options) : options_(std::move(options)) {}
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect() const;
  void Return(Slot slot, bool broken);
  void UpdateGaugesLocked();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> idle_;
  int open_ = 0;  // idle + leased
  int leased_ = 0;
  int waiting_ = 0;
  std::mutex probe_mu_;
  std::unique_ptr<pqxx::connection> probe_;  // Ping's own connection
};

// The statement timeout for a call with `left` until its deadline: the default (15 s)
// when that is longer, else `left` rounded down to a step (whole seconds above 1 s, tenths
// below, whole milliseconds below 100 ms), so that a statement never outlives its call
// and calls with like deadlines share a session setting.
int64_t StatementTimeoutFor(absl::Duration left);
inline constexpr int64_t kDefaultStatementTimeoutMs = 15000;

// A prepared statement run and timed: sip_db_query_seconds{statement=<name>}. Every
// store runs its statements through these (the name is a fixed string, never data).
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& txn, const std::string& statement, Args&&... args);
template <typename... Args>
pqxx::row Exec1(pqxx::transaction_base& txn, const std::string& statement, Args&&... args);
template <typename... Args>
pqxx::result Exec0(pqxx::transaction_base& txn, const std::string& statement, Args&&... args);

// Observes one statement's time while alive (for Exec and for statements built at run
// time, named by the caller).
class QueryTimer final {
 public:
  explicit QueryTimer(const std::string& statement);
  ~QueryTimer();
  QueryTimer(const QueryTimer&) = delete;
  QueryTimer& operator=(const QueryTimer&) = delete;

 private:
  const std::string& statement_;
  absl::Time start_;
};

// A PostgreSQL array literal of `items` ({"a","b"}, each quoted and escaped), for a
// parameter cast as $n::text[] or $n::boolean[]: many rows in one statement.
std::string ToSqlArray(const std::vector<std::string>& items);

// A time as a PostgreSQL timestamptz literal (UTC, microseconds), for $n::timestamptz.
std::string ToSqlTime(absl::Time t);
// SQL that reads a timestamptz column as microseconds since the epoch (bigint).
inline std::string MicrosOf(const std::string& column) {
  return "(extract(epoch from " + column + ") * 1000000)::bigint";
}

// `conninfo` (key=value or URI form) with search_path set to `schema` and UTC time zone.
// `schema` must already be validated (lower-case letters, digits, _).
std::string WithSessionOptions(const std::string& conninfo, const std::string& schema);

// The name of a failed statement for a log line: a prepared statement's name or the first
// words of its SQL, never a parameter. Exposed for tests.
std::string StatementName(const std::string& query);

// Maps a libpqxx exception to a status; logs unexpected ones by SQLSTATE and statement,
// never the server's message or detail (they quote the row, which may hold a name).
absl::Status StatusFromException(const std::exception& e, bool* connection_broken);

template <typename T>
absl::StatusOr<T> Pool::InTransaction(
    const std::function<absl::StatusOr<T>(pqxx::work&)>& fn) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  if (absl::Status fitted = lease->FitToCallDeadline(); !fitted.ok()) return fitted;
  try {
    pqxx::work txn(**lease);
    absl::StatusOr<T> result = fn(txn);
    if (result.ok()) txn.commit();
    return result;
  } catch (const std::exception& e) {
    bool broken = false;
    absl::Status status = StatusFromException(e, &broken);
    if (broken) lease->MarkBroken();
    return status;
  }
}

template <typename T>
absl::StatusOr<T> Pool::Read(const std::function<absl::StatusOr<T>(pqxx::transaction_base&)>& fn) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  if (absl::Status fitted = lease->FitToCallDeadline(); !fitted.ok()) return fitted;
  try {
    pqxx::nontransaction txn(**lease);
    return fn(txn);
  } catch (const std::exception& e) {
    bool broken = false;
    absl::Status status = StatusFromException(e, &broken);
    if (broken) lease->MarkBroken();
    return status;
  }
}

template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& txn, const std::string& statement, Args&&... args) {
  QueryTimer timer(statement);
  return txn.exec_prepared(statement, std::forward<Args>(args)...);
}

template <typename... Args>
pqxx::row Exec1(pqxx::transaction_base& txn, const std::string& statement, Args&&... args) {
  QueryTimer timer(statement);
  return txn.exec_prepared1(statement, std::forward<Args>(args)...);
}

template <typename... Args>
pqxx::result Exec0(pqxx::transaction_base& txn, const std::string& statement, Args&&... args) {
  QueryTimer timer(statement);
  return txn.exec_prepared0(statement, std::forward<Args>(args)...);
}

}  // namespace sip::db
