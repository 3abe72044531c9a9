#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/lifecycle/lifecycle_store.h"

namespace sip::lifecycle {

// The lifecycle service's own metrics, besides the RPC metrics every server has:
//   sip_lifecycle_deadlines{rule,state,region}   deadlines by rule, state and region (länskod;
//                                                "unknown" while the plan's units say none)
//   sip_lifecycle_plans{phase,region}            plans by phase: INITIATED, ACTIVE, CLOSED
//   sip_lifecycle_deadline_breaches_total{rule,region}
//                                                deadlines this replica found breached,
//                                                counted once their sweep committed
//                                                (counter; every rule and region from 0,
//                                                so the first breach shows in increase())
//   sip_lifecycle_need_to_first_meeting_seconds  from the need noticed to the first
//                                                meeting held (histogram, day buckets)
//   sip_lifecycle_events_applied_total{source}   events applied, per source (counter)
//   sip_lifecycle_event_delay_seconds{source}    how old the last applied event was when
//                                                it was applied: the consumer's lag
//   sip_lifecycle_sweep_seconds                  one sweep's time (histogram)
//   sip_lifecycle_last_sweep_timestamp_seconds   when a sweep last succeeded (stalls)
class LifecycleMetrics final {
 public:
  explicit LifecycleMetrics(prometheus::Registry& registry);

  // Sets the counts as the store reports them; a combination counted before and absent
  // now is set to 0 (its last deadline changed state), not left at its old value.
  void SetCounts(const LifecycleStore::Counts& counts);
  // A deadline of `rule` found breached in a plan of `region_code` (empty: unknown), by a
  // sweep that has committed.
  void CountBreach(pb::DeadlineRule rule, const std::string& region_code);
  void ObserveFirstMeeting(absl::Duration after_need);
  void ObserveApplied(const std::string& source, absl::Duration delay);
  // `succeeded` also sets the last-sweep time.
  void ObserveSweep(absl::Duration took, bool succeeded, absl::Time now);

 private:
  prometheus::Family<prometheus::Gauge>& deadlines_;
  prometheus::Family<prometheus::Gauge>& plans_;
  prometheus::Family<prometheus::Counter>& breaches_;
  prometheus::Histogram& days_to_first_meeting_;
  prometheus::Family<prometheus::Counter>& applied_;
  prometheus::Family<prometheus::Gauge>& delay_;
  prometheus::Histogram& sweep_;
  prometheus::Gauge& last_sweep_;
  std::mutex mu_;
  std::set<prometheus::Labels> deadline_labels_;
  std::set<prometheus::Labels> plan_labels_;
};

}  // namespace sip::lifecycle
