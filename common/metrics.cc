#include "common/metrics.h"

#include "prometheus/gauge.h"

#ifndef SIP_VERSION
#define SIP_VERSION "unknown"
#endif
#ifndef SIP_REVISION
#define SIP_REVISION "unknown"
#endif

namespace sip::metrics {

std::shared_ptr<prometheus::Registry> Registry() {
  static const auto* const kRegistry =
      new std::shared_ptr<prometheus::Registry>(std::make_shared<prometheus::Registry>());
  return *kRegistry;
}

prometheus::Counter& NewCounter(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*Registry()).Add({});
}

prometheus::Gauge& NewGauge(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*Registry()).Add({});
}

void SetBuildInfo(const std::string& service) {
  prometheus::BuildGauge()
      .Name("sip_build_info")
      .Help("The build this process runs; always 1")
      .Register(*Registry())
      .Add({{"service", service}, {"version", SIP_VERSION}, {"revision", SIP_REVISION}})
      .Set(1);
}

}  // namespace sip::metrics
