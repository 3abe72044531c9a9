#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db.h"
#include "common/migrations.h"
#include "services/lifecycle/timeline.h"

namespace sip::lifecycle {

// The lifecycle service's schema, compiled in from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

// All SQL of the lifecycle service. A change writes the timeline, its deadlines (a row
// each), its events and its closure request in one statement after the timeline's row
// lock, in the caller's transaction.
class LifecycleStore final {
 public:
  static std::vector<db::PreparedStatement> Statements();
  explicit LifecycleStore(db::Pool* pool) : pool_(pool) {}

  using ChangeFn = std::function<Effects(Timeline&)>;

  // In the event consumer's transaction: the plan's timeline locked (a new, empty one for
  // a plan not seen before), changed, and written back with what the change owes.
  absl::Status Change(pqxx::work& txn, const std::string& plan_id, absl::Time now,
                      const ChangeFn& change);

  // One sweeper batch in its own transaction: up to `limit` plans with a pending deadline
  // due at `now`, each timeline locked with SKIP LOCKED (another sweeper's plans are left
  // to it), swept and written. Returns how many plans it swept.
  absl::StatusOr<int> SweepDue(absl::Time now, int limit, const ChangeFn& sweep);

  // One statement each.
  absl::StatusOr<std::optional<Timeline>> Get(const std::string& plan_id);

 private:
  db::Pool* pool_;
};

// The timeline's own fields (not its deadlines) as stored JSON, and back.
std::string TimelineToJson(const Timeline& t);
absl::StatusOr<Timeline> TimelineFromJson(const std::string& json);

}  // namespace sip::lifecycle
