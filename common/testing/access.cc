#include "common/testing/access.h"

#include "common/plan_access.h"

namespace sip::testing {

absl::Status SeedParties(db::Pool& pool, const std::string& plan_id,
                         const std::string& initiating_unit,
                         const std::vector<std::string>& participants,
                         const std::string& coordinator) {
  sip::plan::v1::PlanParties parties;
  parties.set_initiating_unit_hsa_id(initiating_unit);
  for (const std::string& unit : participants) parties.add_participant_unit_hsa_ids(unit);
  parties.set_coordinator_unit_hsa_id(coordinator);
  return pool.InTransaction([&](pqxx::work& txn) {
    authz::WriteParties(txn, plan_id, parties);
    return absl::OkStatus();
  });
}

}  // namespace sip::testing
