#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/db.h"

namespace sip::testing {

// Tells a service's access projection who takes part in `plan_id`, as the plan service's
// events would: for tests of one service without the plan service.
absl::Status SeedParties(db::Pool& pool, const std::string& plan_id,
                         const std::string& initiating_unit,
                         const std::vector<std::string>& participants,
                         const std::string& coordinator = "");

}  // namespace sip::testing
