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
  // The runtime role's limits: a plan's facts are history (insert only).
  static db::TablePrivileges Privileges() { return {{"timeline_facts"}, {}}; }
  explicit LifecycleStore(db::Pool* pool) : pool_(pool) {}

  using ChangeFn = std::function<Effects(Timeline&)>;
  // The timeline rebuilt from all of a plan's facts, and what the change from `before`
  // owes (events, a closure request): Fold and Changes (timeline.h) in the book.
  using FoldFn = std::function<std::pair<Timeline, Effects>(const Timeline& before,
                                                            std::vector<Fact> facts)>;

  // In the event consumer's transaction: the plan's timeline row made if need be and
  // locked (so two consumers of one plan's facts queue, whichever comes first), `fact`
  // recorded among the plan's facts, the timeline rebuilt from all of them by `fold` and
  // written back with what it owes. A fact already recorded (a replay, another replica's)
  // changes nothing and writes nothing.
  absl::Status Record(pqxx::work& txn, const Fact& fact, absl::Time now, const FoldFn& fold);

  // A change asked for by a caller (with its `request_id`): the timeline locked and
  // rebuilt to `now`; `decide` refuses the change or gives the fact it adds; the timeline
  // is rebuilt with it, written back, and `answer` says the call's answer. NOT_FOUND for a
  // plan the service has not heard of; nothing is written when `decide` fails.
  absl::StatusOr<std::string> Mutate(
      const std::optional<db::RequestKey>& key, const std::string& plan_id, absl::Time now,
      const std::function<absl::StatusOr<Fact>(const Timeline& current)>& decide,
      const FoldFn& fold, const std::function<std::string(const Timeline&)>& answer);

  // The facts of one plan as recorded (one statement), in no particular order.
  absl::StatusOr<std::vector<Fact>> Facts(const std::string& plan_id);

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

// A fact as stored JSON, and back.
std::string FactToJson(const Fact& f);
absl::StatusOr<Fact> FactFromJson(const std::string& json);

// The timeline's own fields (not its deadlines) as stored JSON, and back.
std::string TimelineToJson(const Timeline& t);
absl::StatusOr<Timeline> TimelineFromJson(const std::string& json);

}  // namespace sip::lifecycle
