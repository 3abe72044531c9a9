#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/lifecycle/timeline.h"

// The compliance report: how a set of plans kept their deadlines over a period, computed
// from their timelines (definitions in the contract's ComplianceReport).
namespace sip::lifecycle {

pb::ComplianceReport ComplianceReport(const std::vector<Timeline>& timelines,
                                      absl::CivilDay start, absl::CivilDay end,
                                      const std::string& scope);

// One header line and one row.
std::string ComplianceCsv(const pb::ComplianceReport& report);

}  // namespace sip::lifecycle
