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

  // A change asked for by a caller (with its `request_id`): the timeline locked, changed
  // by `change` (which says the call's answer), written back. NOT_FOUND for a plan the
  // service has not heard of; nothing is written when `change` fails.
  absl::StatusOr<std::string> Mutate(
      const std::optional<db::RequestKey>& key, const std::string& plan_id, absl::Time now,
      const std::function<absl::StatusOr<std::string>(Timeline&)>& change);

  // One sweeper batch in its own transaction: up to `limit` plans with a pending deadline
  // due at `now`, each timeline locked with SKIP LOCKED (another sweeper's plans are left
  // to it), swept and written. Returns how many plans it swept.
  absl::StatusOr<int> SweepDue(absl::Time now, int limit, const ChangeFn& sweep);

  // One statement each.
  absl::StatusOr<std::optional<Timeline>> Get(const std::string& plan_id);

  // Closures asked for and not yet done, oldest first; done or failed once more.
  struct ClosureRequest {
    std::string plan_id;
    pb::ClosureCause cause = pb::CLOSURE_CAUSE_UNSPECIFIED;
    int attempts = 0;
  };
  absl::StatusOr<std::vector<ClosureRequest>> OpenClosures(int limit);
  // Counts an attempt; when `done`, records it and publishes PlanClosurePerformed.
  absl::Status MarkClosure(const std::string& plan_id, pb::ClosureCause cause, bool done,
                           absl::Time now);

  // A work list: deadlines by unit, state, rule and due time, soonest due first, a page
  // at a time (the position: due time, then "plan/number").
  struct DeadlineFilter {
    std::string responsible_unit_hsa_id;
    std::optional<DeadlineState> state;
    pb::DeadlineRule rule = pb::DEADLINE_RULE_UNSPECIFIED;
    std::optional<absl::Time> due_before;
    // Set for a user: only deadlines of plans this unit sees at `visible_at`.
    std::string visible_to_unit_hsa_id;
    absl::Time visible_at;
  };
  struct ListedDeadline {
    std::string plan_id;
    int number = 0;
    Deadline deadline;
  };
  absl::StatusOr<std::pair<std::vector<ListedDeadline>, std::optional<PageCursor>>> ListDeadlines(
      const DeadlineFilter& filter, int page_size, const std::optional<PageCursor>& after);

  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader);

  // For the metrics, in one statement: deadlines by rule and state, plans by phase.
  struct DeadlineCount {
    std::string rule;  // without the DEADLINE_RULE_ prefix
    std::string state;
    std::string region_code;  // länskod
    int64_t count = 0;
  };
  struct PlanCount {
    std::string phase;  // without the PLAN_STATE_ prefix
    std::string region_code;
    int64_t count = 0;
  };
  struct Counts {
    std::vector<DeadlineCount> deadlines;
    std::vector<PlanCount> plans;
  };
  absl::StatusOr<Counts> CountAll();

  // The timelines of a region (länskod), of a unit (initiating or coordinating), of a
  // kommun (kommunkod), or all (every filter empty), with their deadlines, in one
  // statement: the compliance report's input.
  absl::StatusOr<std::vector<Timeline>> TimelinesOf(const std::string& region_code,
                                                    const std::string& unit_hsa_id,
                                                    const std::string& municipality_code);

 private:
  db::Pool* pool_;
};

// The timeline's own fields (not its deadlines) as stored JSON, and back.
std::string TimelineToJson(const Timeline& t);
absl::StatusOr<Timeline> TimelineFromJson(const std::string& json);

}  // namespace sip::lifecycle
