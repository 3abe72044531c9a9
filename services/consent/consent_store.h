#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db.h"
#include "common/migrations.h"
#include "common/outbox.h"
#include "common/page_token.h"
#include "services/consent/consent.h"

namespace sip::consent {

// The consent service's schema, compiled in from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

// An event to append in the same transaction as a change.
struct Event {
  std::string type;
  std::string payload;
};
// Makes the event of a change of a consent, given what the plan's consents cover after
// it (every consent of the plan, the changed one included).
using EventFn = std::function<Event(const Consent&, const std::vector<CoveredUntil>& coverage)>;

// All SQL of the consent service.
class ConsentStore final {
 public:
  // The statements every pool connection must prepare.
  static std::vector<db::PreparedStatement> Statements();
  // The runtime role's limits: the changes of a consent's scope are history (insert only).
  static db::TablePrivileges Privileges() { return {{"consent_scope_changes"}, {}}; }

  explicit ConsentStore(db::Pool* pool) : pool_(pool) {}

  // Every change of a plan's consents is serialized per plan, and writes, with its event,
  // what the plan's consents then cover to this service's access projection.
  //
  // Inserts `consent` (with its first scope) and its event in one transaction. With a
  // request key, a retry returns what the first call stored instead of inserting again.
  absl::StatusOr<Consent> Create(const std::optional<db::RequestKey>& key,
                                 const Consent& consent, absl::Time now,
                                 const EventFn& event);

  // Loads the consent locked for update, applies `mutate`, and stores the result with its
  // new scope changes and event, all in one transaction. NOT_FOUND when absent; whatever
  // `mutate` returns when it fails (nothing is written then).
  absl::StatusOr<Consent> Update(const std::optional<db::RequestKey>& key,
                                 const std::string& plan_id, const std::string& consent_id,
                                 absl::Time now,
                                 const std::function<absl::Status(Consent&)>& mutate,
                                 const EventFn& event);

  // What a completed call with `key` answered, without claiming the key; nullopt when new.
  absl::StatusOr<std::optional<Consent>> PriorResult(const db::RequestKey& key);

  absl::StatusOr<Consent> Get(const std::string& plan_id, const std::string& consent_id);

  struct Page {
    std::vector<Consent> consents;
    std::optional<PageCursor> next;
  };
  // A plan's consents, newest first (create_time, then id), after `after` when set.
  absl::StatusOr<Page> List(const std::string& plan_id, int page_size,
                            const std::optional<PageCursor>& after);

  // Every consent of a plan (a plan has a handful), for coverage decisions.
  absl::StatusOr<std::vector<Consent>> ListAll(const std::string& plan_id);

  // Committed events after `after`, oldest first.
  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader);

 private:
  db::Pool* pool_;
};

}  // namespace sip::consent
