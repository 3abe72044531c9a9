#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

// The process's Prometheus metrics. Every metric of a service (the RPC metrics, the
// database pool's, the outbox's, the consumers', the service's own) is registered in one
// registry that the server serves at /metrics. Names and labels follow Prometheus'
// conventions (checked by `promtool check metrics` in the suite); a label never carries a
// personnummer, a name, an HSA-id or a plan id: only fixed vocabularies (statement names,
// rules, phases, regions, source services, gRPC codes).
namespace sip::metrics {

// The registry of this process, made on first use.
std::shared_ptr<prometheus::Registry> Registry();

// sip_build_info{service, version, revision} 1: which build runs, for dashboards and for
// telling the replicas of a rollout apart.
void SetBuildInfo(const std::string& service);

// An unlabelled counter or gauge NAME in this process's registry (one series, made now).
prometheus::Counter& NewCounter(const std::string& name, const std::string& help);
prometheus::Gauge& NewGauge(const std::string& name, const std::string& help);

// `time` as a *_timestamp_seconds gauge holds it: seconds since the Unix epoch.
inline double UnixSeconds(absl::Time time) {
  return absl::FDivDuration(time - absl::UnixEpoch(), absl::Seconds(1));
}
inline void SetTimestamp(prometheus::Gauge& gauge, absl::Time time) {
  gauge.Set(UnixSeconds(time));
}

}  // namespace sip::metrics
