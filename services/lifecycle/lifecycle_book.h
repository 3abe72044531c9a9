#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/peer_facts.h"
#include "common/plan_access.h"
#include "services/lifecycle/lifecycle_metrics.h"
#include "services/lifecycle/lifecycle_store.h"
#include "services/lifecycle/policy.h"
#include "services/lifecycle/timeline.h"

namespace sip::lifecycle {

// The lifecycle service's use cases: the timeline rules at the clock's time, fed by the
// other services' events, swept as time passes, and the closures they ask for performed
// through the plan service.
class LifecycleBook final {
 public:
  // `gate` decides who sees a plan's timeline and deadlines, before anything is read.
  // `metrics` may be null (tests that do not look at them).
  LifecycleBook(LifecycleStore* store, const Policies* policies, PlanCloser* closer,
                const Clock* clock, authz::PlanGate* gate, LifecycleMetrics* metrics = nullptr)
      : store_(store), policies_(policies), closer_(closer), clock_(clock), gate_(gate),
        metrics_(metrics) {}

  // The event consumers' Apply: an event of `source` ("plan", "consent" or "meeting")
  // applied to its plan's timeline in the consumer's transaction. An event that tells the
  // lifecycle nothing changes nothing; an unreadable one is INTERNAL (the page is read
  // again, and the lag shows).
  absl::Status ApplyEvent(pqxx::work& txn, const std::string& source, const SourceEvent& event);

  // One sweep of up to `limit` plans with deadlines due now. Returns how many.
  absl::StatusOr<int> SweepOnce(int limit);

  // Refreshes the deadline and plan counts of the metrics (one statement).
  absl::Status RefreshMetrics();

  // Performs up to `limit` closures asked for, through the plan service, each with the
  // same request id every time (the plan service closes once). Returns how many were
  // done; one that fails stays open and is tried again.
  absl::StatusOr<int> PerformClosures(int limit);

  // PERMISSION_DENIED NOT_VISIBLE for a plan the caller may not see; NOT_FOUND for one
  // the service has not heard of.
  absl::StatusOr<Timeline> GetTimeline(const std::string& plan_id, const Actor& caller);

  // The initial meeting agreed for a later `day` for the person's sake (AgreeLaterMeeting
  // in timeline.h), with its `request_id`.
  absl::StatusOr<pb::AgreeLaterMeetingResponse> AgreeLaterMeeting(
      const std::string& plan_id, absl::CivilDay day, const std::string& reason,
      const Actor& caller, const std::optional<db::RequestKey>& key);
  // A work list: a unit's own (NOT_YOUR_UNIT for another's), and only of plans the
  // caller's unit sees.
  absl::StatusOr<std::pair<std::vector<LifecycleStore::ListedDeadline>, std::optional<PageCursor>>>
  ListDeadlines(LifecycleStore::DeadlineFilter filter, const Actor& caller, int page_size,
                const std::optional<PageCursor>& after);
  // The compliance report of `start`–`end` for a region, a unit, a kommun, or all (every
  // filter empty).
  absl::StatusOr<pb::GetComplianceReportResponse> Report(absl::CivilDay start, absl::CivilDay end,
                                                         const std::string& region_code,
                                                         const std::string& unit_hsa_id,
                                                         const std::string& municipality_code);
  const Policies& policies() const { return *policies_; }
  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader) {
    return store_->Events(after, limit, reader);
  }
  absl::Time Now() const { return clock_->Now(); }

 private:
  // The timeline rebuilt from all of its plan's facts at `now`, and what it owes since
  // `before`.
  std::pair<Timeline, Effects> Rebuild(const Timeline& before, std::vector<Fact> facts,
                                       absl::Time now) const;

  LifecycleStore* store_;
  const Policies* policies_;
  PlanCloser* closer_;
  const Clock* clock_;
  authz::PlanGate* gate_;
  LifecycleMetrics* metrics_;
};

}  // namespace sip::lifecycle
