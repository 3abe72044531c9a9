#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/status/status.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/model.h"
#include "common/periodic.h"
#include "pqxx/pqxx"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

// The access log (patientdatalagen): one entry per read or write of a person's data —
// when, which user of which unit through which system, which plan, what (method and
// resource), with what outcome. Never a personnummer or a name: plan ids and HSA-ids only.
//
// Tamper-evident by a hash chain. A chain cannot be extended inside the statement of a
// concurrent read (one statement has one snapshot: two reads would chain onto the same
// predecessor), so an entry is written durably with its access, unchained, and a chainer
// then gives every committed unchained entry, in order and one chainer at a time, its
// position and its hash over the previous entry's hash and its own fields. Verify
// recomputes the chain and names the first entry that does not match.
//
// How a service writes it (every call goes through HandleCall, grpc_handler.h):
//   - HandleCall opens a CallRecord for the call (who, through which system, which method
//     and resource);
//   - the access gate (plan_access.h) notes every plan the call is decided on, and a list
//     notes every plan it answers with;
//   - a write's entries are appended by RunMutation (outbox.h) in the change's own
//     transaction, so they commit, or not, with the change;
//   - the entries left when the handler returns (reads, and refusals) are written by the
//     service's Log with those of every concurrent call in one statement (group commit),
//     and the answer leaves only once its entries are durable; if they cannot be written,
//     the call is answered UNAVAILABLE instead.
// The runtime role only inserts entries; sealing them into the chain goes through the
// SECURITY DEFINER function access_log_seal (migration common_0008), which fills only an
// entry's empty chain fields; removal for retention is the migration role's
// (--prune_access_log).
namespace sip::accesslog {

struct Entry {
  absl::Time time;
  std::string plan_id;
  std::string user_id;
  std::string unit_hsa_id;
  std::string system;    // the calling system (mutual-TLS identity)
  std::string method;    // e.g. "GetPlan"
  std::string resource;  // e.g. "plans/…/revisions/2"
  std::string outcome;   // the gRPC code's name, e.g. "OK", "PERMISSION_DENIED"
};

// Statements of the log; every pool prepares them.
const std::vector<db::PreparedStatement>& Statements();

// Appends `entry` in the caller's transaction (a write's entry commits with the write).
void Append(pqxx::transaction_base& txn, const Entry& entry);

// The hash of an entry at `position` after `prev_hash`: SHA-256, hex, over the fields
// joined unambiguously (each length-prefixed).
std::string HashOf(const std::string& prev_hash, int64_t position, const Entry& entry);

// Chains up to `limit` committed unchained entries, in order; one chainer at a time (the
// others wait for it). Returns how many it chained.
absl::StatusOr<int> ChainOnce(db::Pool& pool, int limit);

struct Verification {
  std::optional<int64_t> first_kept;     // position of the first kept chained entry
  int64_t verified = 0;                  // chained entries that match
  std::optional<int64_t> first_broken;   // position of the first that does not
  int64_t unchained = 0;                 // entries not yet chained
};
// Recomputes the chain from its first kept entry (retention removes the oldest; the first
// kept entry's prev_hash is taken as given) and names the first broken entry: one whose
// fields or hash were changed, or whose predecessor was removed or changed.
absl::StatusOr<Verification> Verify(db::Pool& pool);

// The entries of `plan_ids` logged in [start, end), oldest first, at most `limit`, after
// the entry `after_seq` (0: from the first). One statement. Each entry's seq is set.
struct Listed {
  int64_t seq = 0;
  Entry entry;
};
absl::StatusOr<std::vector<Listed>> ListForPlans(db::Pool& pool,
                                                 const std::vector<std::string>& plan_ids,
                                                 absl::Time start, absl::Time end,
                                                 int64_t after_seq, int limit);

// Removes chained entries older than `before` (retention); the chain of those kept still
// verifies. Returns how many it removed.
absl::StatusOr<int64_t> RemoveBefore(db::Pool& pool, absl::Time before);

// One service's access log: writes the entries of reads, those of all calls waiting at
// the same moment in one statement, and chains what was written on a thread of its own.
class Log final {
 public:
  struct Options {
    absl::Duration chain_every = absl::Seconds(1);
    int chain_batch = 1000;
  };
  Log(db::Pool* pool, const Clock* clock, Options options);
  Log(db::Pool* pool, const Clock* clock) : Log(pool, clock, Options()) {}
  ~Log() { Stop(); }

  db::Pool* pool() const { return pool_; }
  // How many statements wrote reads' entries, and how many entries they wrote: their ratio
  // is how many reads shared a commit.
  int64_t writes() const { return writes_.load(); }
  int64_t entries_written() const { return entries_written_.load(); }
  absl::Time Now() const { return clock_->Now(); }

  // Writes `entries` durably (one autocommitted statement shared with the entries of
  // every call that waits meanwhile) and returns when they are; UNAVAILABLE
  // (ACCESS_LOG_UNAVAILABLE) when they could not be written.
  absl::Status Write(std::vector<Entry> entries);

  // The chainer: ChainOnce every `chain_every`, at once again while entries wait.
  void Start();
  void Stop();

 private:
  struct Batch {
    std::vector<Entry> entries;
    bool done = false;
    absl::Status status;
  };
  absl::Status Insert(const std::vector<Entry>& entries);

  db::Pool* pool_;
  const Clock* clock_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool flushing_ = false;
  std::shared_ptr<Batch> open_;
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> entries_written_{0};
  std::unique_ptr<PeriodicTask> chainer_;
};

// The accesses of the call this thread is serving, from HandleCall's start to its answer.
class CallRecord final {
 public:
  // `resource` is the request's resource name when it has one ("plans/…/revisions/2").
  CallRecord(const Caller& caller, std::string method, std::string resource);
  ~CallRecord();
  CallRecord(const CallRecord&) = delete;
  CallRecord& operator=(const CallRecord&) = delete;

  // Writes, through their Logs, the entries no transaction of the call wrote, with the
  // outcome `status`. Returns `status`, or UNAVAILABLE ACCESS_LOG_UNAVAILABLE when an
  // entry could not be written (the answer must then not leave).
  absl::Status Finish(const absl::Status& status);

 private:
  friend void Note(Log* log, const std::string& plan_id);
  friend std::vector<size_t> AppendForMutation(pqxx::transaction_base& txn, db::Pool& pool,
                                               const std::string& plan_id, absl::Time now);
  friend void MarkWritten(const std::vector<size_t>& entries);
  friend class Suspended;
  struct Noted {
    db::Pool* pool;
    Log* log;  // null for an entry only a mutation made
    Entry entry;
    bool written = false;
  };
  Entry Base(const std::string& plan_id, absl::Time time) const;

  Caller caller_;
  std::string method_;
  std::string resource_;
  std::vector<Noted> noted_;
  CallRecord* outer_;
};

// Notes that the call on this thread accesses `plan_id`, for `log`'s service. Nothing
// without a CallRecord (a consumer's or sweeper's own work) or without a log.
void Note(Log* log, const std::string& plan_id);

// In a mutation's transaction on `pool` (RunMutation): appends the entries noted for
// `pool` that are not yet written, and one for `plan_id` (the plan the change concerns,
// when not empty) if none was noted, all with outcome OK. Returns what to MarkWritten
// once the transaction committed.
std::vector<size_t> AppendForMutation(pqxx::transaction_base& txn, db::Pool& pool,
                                      const std::string& plan_id, absl::Time now);
void MarkWritten(const std::vector<size_t>& entries);

// While alive, the thread's CallRecord is set aside: work done on the call's thread that is
// not the call's own (an event consumer catching up) notes and appends nothing.
class Suspended final {
 public:
  Suspended();
  ~Suspended();

 private:
  CallRecord* saved_;
};

}  // namespace sip::accesslog
