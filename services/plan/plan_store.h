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
#include "services/plan/plan.h"

namespace sip::plan {

// The plan service's schema, compiled in from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

// What a change writes besides the plan itself, in the same transaction.
struct Outcome {
  // The event for the outbox (a serialized PlanEvent) and its type.
  std::string event_type;
  std::string event_payload;
  std::optional<pb::PlanRevision> revision;
  std::optional<pb::FollowUp> follow_up;  // name set
  std::optional<pb::ChangedCircumstance> circumstance;  // name set
  // What the call answers (serialized), kept for retries with the same request_id.
  std::string result;
  // The plan switches to protected identity: remove the identifying details from every
  // earlier revision and stored answer too, in the same transaction.
  bool remove_identity = false;
};

// Filters of ListPlans; empty/unset ones do not filter. At least one must be set.
struct PlanFilter {
  std::string personal_identity_number;  // canonical 12 digits
  std::string participant_unit_hsa_id;
  std::string responsible_unit_hsa_id;
  std::optional<std::string> state;  // "INITIATED", "ACTIVE", "CLOSED"
  // Set for a user: only the plans this unit sees at `visible_at` (the access projection).
  std::string visible_to_unit_hsa_id;
  absl::Time visible_at;
};

// All SQL of the plan service.
class PlanStore final {
 public:
  static std::vector<db::PreparedStatement> Statements();
  // The runtime role's limits: follow-ups and changed circumstances are history (insert
  // only); a revision changes once, its body and identity_removed_time only, when the plan
  // switches to protected identity (migration 0002's trigger allows nothing else).
  static db::TablePrivileges Privileges() {
    return {{"plan_follow_ups", "plan_circumstances"},
            {{"plan_revisions", {"body", "identity_removed_time"}}}};
  }
  explicit PlanStore(db::Pool* pool) : pool_(pool) {}

  // Inserts a new plan (version 1) with its outcome. With a request key, a retry returns
  // the first call's result instead of inserting again.
  absl::StatusOr<std::string> Create(const std::optional<db::RequestKey>& key,
                                     const std::function<absl::StatusOr<StoredPlan>()>& make,
                                     absl::Time now,
                                     const std::function<Outcome(const StoredPlan&)>& outcome);

  // Loads the plan locked for update with its version already raised by one (and the
  // etag set), lets `change` change it, and writes plan, units, history, event and the
  // plan's parties in the access projection in one transaction. NOT_FOUND for an unknown plan; nothing is written when `change` fails.
  absl::StatusOr<std::string> Mutate(
      const std::optional<db::RequestKey>& key, const std::string& plan_id, absl::Time now,
      const std::function<absl::StatusOr<Outcome>(StoredPlan&)>& change);

  // The result a completed call with `key` returned, without claiming the key.
  absl::StatusOr<std::optional<std::string>> PriorResult(const db::RequestKey& key);

  absl::StatusOr<StoredPlan> Get(const std::string& plan_id);

  struct PlanPage {
    std::vector<StoredPlan> plans;
    std::optional<PageCursor> next;
  };
  absl::StatusOr<PlanPage> List(const PlanFilter& filter, int page_size,
                                const std::optional<PageCursor>& after);

  // Revision `revision` of a plan, or the latest when 0. NOT_FOUND when there is none.
  absl::StatusOr<pb::PlanRevision> GetRevision(const std::string& plan_id, int revision);
  // Newest first; the cursor's id is the revision number.
  absl::StatusOr<std::pair<std::vector<pb::PlanRevision>, std::optional<PageCursor>>>
  ListRevisions(const std::string& plan_id, int page_size, const std::optional<PageCursor>& after);
  absl::StatusOr<std::pair<std::vector<pb::FollowUp>, std::optional<PageCursor>>>
  ListFollowUps(const std::string& plan_id, int page_size, const std::optional<PageCursor>& after);

  // Newest first; the cursor is (record time, id).
  absl::StatusOr<std::pair<std::vector<pb::ChangedCircumstance>, std::optional<PageCursor>>>
  ListCircumstances(const std::string& plan_id, int page_size,
                    const std::optional<PageCursor>& after);

  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader);

 private:
  db::Pool* pool_;
};


}  // namespace sip::plan
