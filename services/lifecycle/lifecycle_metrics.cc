#include "services/lifecycle/lifecycle_metrics.h"

#include "common/metrics.h"
#include "common/principals.h"

namespace sip::lifecycle {
namespace {

// Prometheus' base unit is the second; the buckets are whole days.
prometheus::Histogram::BucketBoundaries DayBuckets(const std::vector<double>& days) {
  prometheus::Histogram::BucketBoundaries out;
  for (double d : days) out.push_back(d * 86400);
  return out;
}

// A plan whose units do not yet say its region (länskod) is counted as "unknown": an
// empty label would drop the label and mix such plans with the totals.
std::string RegionLabel(const std::string& code) { return code.empty() ? "unknown" : code; }

}  // namespace

LifecycleMetrics::LifecycleMetrics(prometheus::Registry& registry)
    : deadlines_(prometheus::BuildGauge()
                     .Name("sip_lifecycle_deadlines")
                     .Help("Deadlines by rule and state")
                     .Register(registry)),
      plans_(prometheus::BuildGauge()
                 .Name("sip_lifecycle_plans")
                 .Help("Plans by phase, as the lifecycle service knows them")
                 .Register(registry)),
      breaches_(prometheus::BuildCounter()
                    .Name("sip_lifecycle_deadline_breaches_total")
                    .Help("Deadlines this replica found breached, by rule and region")
                    .Register(registry)),
      days_to_first_meeting_(
          prometheus::BuildHistogram()
              .Name("sip_lifecycle_need_to_first_meeting_seconds")
              .Help("Time from the need noticed to the first SIP meeting held (buckets of "
                    "3, 7, 14, 21, 28, 42, 63, 90 and 180 days)")
              .Register(registry)
              .Add({}, DayBuckets({3, 7, 14, 21, 28, 42, 63, 90, 180}))),
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
                                                                  1, 5})),
      last_sweep_(prometheus::BuildGauge()
                      .Name("sip_lifecycle_last_sweep_timestamp_seconds")
                      .Help("When a sweep of due deadlines last succeeded")
                      .Register(registry)
                      .Add({})) {
  // Every rule in every region (and "unknown") from 0: a counter first seen at 1 would
  // hide that breach from increase(), and the alert on rising breaches with it.
  std::vector<std::string> regions = RegionCodes();
  regions.push_back("");
  for (int r = pb::DeadlineRule_MIN; r <= pb::DeadlineRule_MAX; ++r) {
    if (!pb::DeadlineRule_IsValid(r) || r == pb::DEADLINE_RULE_UNSPECIFIED) continue;
    for (const std::string& region : regions) {
      breaches_.Add({{"rule", RuleName(static_cast<pb::DeadlineRule>(r))},
                     {"region", RegionLabel(region)}});
    }
  }
}

void LifecycleMetrics::CountBreach(pb::DeadlineRule rule, const std::string& region_code) {
  breaches_.Add({{"rule", RuleName(rule)}, {"region", RegionLabel(region_code)}}).Increment();
}

void LifecycleMetrics::SetCounts(const LifecycleStore::Counts& counts) {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<prometheus::Labels> deadline_labels;
  for (const LifecycleStore::DeadlineCount& d : counts.deadlines) {
    prometheus::Labels labels = {{"rule", d.rule}, {"state", d.state}, {"region", RegionLabel(d.region_code)}};
    deadlines_.Add(labels).Set(static_cast<double>(d.count));
    deadline_labels.insert(std::move(labels));
  }
  for (const prometheus::Labels& gone : deadline_labels_) {
    if (deadline_labels.count(gone) == 0) deadlines_.Add(gone).Set(0);
  }
  deadline_labels_.insert(deadline_labels.begin(), deadline_labels.end());
  std::set<prometheus::Labels> plan_labels;
  for (const LifecycleStore::PlanCount& p : counts.plans) {
    prometheus::Labels labels = {{"phase", p.phase}, {"region", RegionLabel(p.region_code)}};
    plans_.Add(labels).Set(static_cast<double>(p.count));
    plan_labels.insert(std::move(labels));
  }
  for (const prometheus::Labels& gone : plan_labels_) {
    if (plan_labels.count(gone) == 0) plans_.Add(gone).Set(0);
  }
  plan_labels_.insert(plan_labels.begin(), plan_labels.end());
}

void LifecycleMetrics::ObserveFirstMeeting(absl::Duration after_need) {
  days_to_first_meeting_.Observe(absl::ToDoubleSeconds(after_need));
}

void LifecycleMetrics::ObserveApplied(const std::string& source, absl::Duration delay) {
  applied_.Add({{"source", source}}).Increment();
  delay_.Add({{"source", source}}).Set(absl::ToDoubleSeconds(delay));
}

void LifecycleMetrics::ObserveSweep(absl::Duration took, bool succeeded, absl::Time now) {
  sweep_.Observe(absl::ToDoubleSeconds(took));
  if (succeeded) metrics::SetTimestamp(last_sweep_, now);
}

}  // namespace sip::lifecycle
