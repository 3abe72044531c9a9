#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db.h"
#include "pqxx/pqxx"

namespace sip::db {

// Statements for the outbox and the request log; every pool prepares them.
const std::vector<PreparedStatement>& CommonStatements();

// One stored event. `payload` is the service's serialized event message.
struct StoredEvent {
  int64_t seq = 0;
  absl::Time event_time;
  std::string plan_id;
  std::string type;
  std::string payload;
};

// Appends an event in the caller's transaction; make it the transaction's last write
// (after its row locks), so that two changes of one plan draw their numbers in commit
// order. Returns its internal number. No lock is held: writers never queue here.
int64_t AppendEvent(pqxx::work& txn, absl::Time event_time, absl::string_view plan_id,
                    absl::string_view type, absl::string_view payload);

// Events with position > `after`, oldest first, at most `limit`; `seq` of each is its
// position, the public sequence number. First gives a position to every committed event
// still without one (one reader at a time numbers; the others wait for it). A position is
// given only to a committed event and always above every earlier one, so a reader never
// skips an event that commits late, and a rolled-back event leaves no gap.
// A non-empty `reader` (a consuming suite service) acknowledges `after`: it has applied
// every event up to there, and retention may remove them (retention.h). FAILED_PRECONDITION
// `EVENTS_PRUNED` when events after `after` were already removed by retention: the reader
// would miss them. The lock, the acknowledgement and the check are one statement.
absl::StatusOr<std::vector<StoredEvent>> ReadEvents(pqxx::work& txn, int64_t after, int limit,
                                                    const std::string& reader);

// Idempotency of mutating calls (request_id).
struct RequestKey {
  std::string method;
  std::string request_id;
  // Identifies the request's content (its serialized bytes); a retry must match.
  std::string fingerprint;
};

// Inside the mutation's transaction, before changing anything. Returns the result the
// first call with this key recorded, or nullopt when this call is the first; then the key
// stays locked until commit, so a concurrent retry waits and then sees the result.
// INVALID_ARGUMENT (field `request_id`) when the key was used for a different request.
absl::StatusOr<std::optional<std::string>> ClaimRequest(pqxx::work& txn,
                                                        const RequestKey& key,
                                                        absl::Time now);

// Without claiming: the result recorded for `key`, or nullopt when the key is new.
// INVALID_ARGUMENT (field `request_id`) when the key was used for a different request.
// For calls that check preconditions before their transaction, so that a retry of a
// completed call is answered before those checks refuse it.
absl::StatusOr<std::optional<std::string>> LookupRequest(pqxx::transaction_base& txn,
                                                         const RequestKey& key);

// Records what the claimed request produced, and the plan it concerns (may be empty); in
// the same transaction.
void RecordRequestResult(pqxx::work& txn, const RequestKey& key, absl::string_view result,
                         absl::string_view plan_id);

// An answer kept for retries, decoded (its key's fingerprint is not read back).
struct StoredAnswer {
  RequestKey key;
  std::string answer;
};
// Every completed answer kept for `plan_id`, to rewrite them (protected identity).
std::vector<StoredAnswer> AnswersOfPlan(pqxx::work& txn, absl::string_view plan_id);
void RewriteAnswer(pqxx::work& txn, const RequestKey& key, absl::string_view answer);

// What a mutation leaves besides its own rows; RunMutation writes it in the same
// transaction.
struct Effect {
  std::string plan_id;        // the plan the change concerns
  std::string event_type;     // the outbox event's type; empty when nothing changed
  std::string event_payload;  // the serialized event message
  std::string answer;         // what the call answers (any bytes), kept for retries
};

// The one mutation skeleton of every service. In one transaction: claims the request key
// (a retry gets the first call's answer back and `apply` does not run; a different
// request under the same key is INVALID_ARGUMENT on `request_id`), lets `apply` write the
// service's rows and say its Effect, appends the event as the transaction's last write
// (after the change's row locks, so two changes of one plan are numbered in commit
// order), and records the answer. Returns the answer. Nothing is written when `apply`
// fails.
absl::StatusOr<std::string> RunMutation(Pool& pool, const std::optional<RequestKey>& key,
                                        absl::Time now,
                                        const std::function<absl::StatusOr<Effect>(pqxx::work&)>& apply);

// The answer a completed call with `key` gave, without claiming the key (one statement);
// nullopt when the key is new. For calls that check preconditions before their
// transaction, so that a retry of a completed call is answered before those checks.
absl::StatusOr<std::optional<std::string>> PriorAnswer(Pool& pool, const RequestKey& key);

// INVALID_ARGUMENT naming `field` unless empty or 1–64 printable ASCII characters.
absl::Status ValidateRequestId(absl::string_view request_id, absl::string_view field);

}  // namespace sip::db
