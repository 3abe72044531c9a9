#pragma once

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "prometheus/registry.h"

namespace sip::testing {

// A sample's value in `registry`: a gauge's or counter's value, or a histogram's sample
// count when `name` ends in "_count"; -1 when no sample has exactly these labels.
inline double MetricValue(prometheus::Registry& registry, const std::string& name,
                          const std::map<std::string, std::string>& labels) {
  const bool count = absl::EndsWith(name, "_count");
  const std::string family = count ? name.substr(0, name.size() - 6) : name;
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      if (have != labels) continue;
      if (count) return static_cast<double>(m.histogram.sample_count);
      return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

}  // namespace sip::testing
