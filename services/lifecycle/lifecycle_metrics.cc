#include "services/lifecycle/lifecycle_metrics.h"

namespace sip::lifecycle {

LifecycleMetrics::LifecycleMetrics(prometheus::Registry& registry)
    : deadlines_(prometheus::BuildGauge()
                     .Name("sip_lifecycle_deadlines")
                     .Help("Deadlines by rule and state")
                     .Register(registry)),
      plans_(prometheus::BuildGauge()
                 .Name("sip_lifecycle_plans")
                 .Help("Plans by phase, as the lifecycle service knows them")
                 .Register(registry)),
      days_to_first_meeting_(
          prometheus::BuildHistogram()
              .Name("sip_lifecycle_days_to_first_meeting")
              .Help("Days from the need noticed to the first SIP meeting held")
              .Register(registry)
              .Add({}, prometheus::Histogram::BucketBoundaries{3, 7, 14, 21, 28, 42, 63, 90,
                                                               180})),
      applied_(prometheus::BuildCounter()
                   .Name("sip_lifecycle_events_applied_total")
                   .Help("Events applied from each source service")
                   .Register(registry)),
      delay_(prometheus::BuildGauge()
                 .Name("sip_lifecycle_event_delay_seconds")
                 .Help("How old the last applied event of each source was when applied")
                 .Register(registry)),
      sweep_(prometheus::BuildHistogram()
                 .Name("sip_lifecycle_sweep_seconds")
                 .Help("Time of one sweep of due deadlines")
                 .Register(registry)
                 .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.05, 0.1, 0.5,
                                                                  1, 5})) {}

void LifecycleMetrics::SetCounts(
    const std::vector<std::tuple<std::string, std::string, int64_t>>& deadlines,
    const std::vector<std::pair<std::string, int64_t>>& plans) {
  for (const auto& [rule, state, count] : deadlines) {
    deadlines_.Add({{"rule", rule}, {"state", state}}).Set(static_cast<double>(count));
  }
  for (const auto& [phase, count] : plans) {
    plans_.Add({{"phase", phase}}).Set(static_cast<double>(count));
  }
}

void LifecycleMetrics::ObserveFirstMeeting(absl::Duration after_need) {
  days_to_first_meeting_.Observe(absl::ToDoubleHours(after_need) / 24.0);
}

void LifecycleMetrics::ObserveApplied(const std::string& source, absl::Duration delay) {
  applied_.Add({{"source", source}}).Increment();
  delay_.Add({{"source", source}}).Set(absl::ToDoubleSeconds(delay));
}

void LifecycleMetrics::ObserveSweep(absl::Duration took) {
  sweep_.Observe(absl::ToDoubleSeconds(took));
}

}  // namespace sip::lifecycle
