#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace sip::lifecycle {

// The lifecycle service's own metrics, besides the RPC metrics every server has:
//   sip_lifecycle_deadlines{rule,state}          deadlines by rule and state (gauge)
//   sip_lifecycle_plans{phase}                   plans by phase: INITIATED, ACTIVE, CLOSED
//   sip_lifecycle_days_to_first_meeting          days from the need noticed to the first
//                                                meeting held (histogram)
//   sip_lifecycle_events_applied_total{source}   events applied, per source (counter)
//   sip_lifecycle_event_delay_seconds{source}    how old the last applied event was when
//                                                it was applied: the consumer's lag
//   sip_lifecycle_sweep_seconds                  one sweep's time (histogram)
class LifecycleMetrics final {
 public:
  explicit LifecycleMetrics(prometheus::Registry& registry);

  // Sets the counts as the store reports them: (rule, state, count), (phase, count).
  void SetCounts(const std::vector<std::tuple<std::string, std::string, int64_t>>& deadlines,
                 const std::vector<std::pair<std::string, int64_t>>& plans);
  void ObserveFirstMeeting(absl::Duration after_need);
  void ObserveApplied(const std::string& source, absl::Duration delay);
  void ObserveSweep(absl::Duration took);

 private:
  prometheus::Family<prometheus::Gauge>& deadlines_;
  prometheus::Family<prometheus::Gauge>& plans_;
  prometheus::Histogram& days_to_first_meeting_;
  prometheus::Family<prometheus::Counter>& applied_;
  prometheus::Family<prometheus::Gauge>& delay_;
  prometheus::Histogram& sweep_;
};

}  // namespace sip::lifecycle
