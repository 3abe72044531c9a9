#include "services/plan/plan_config.h"

#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(consent);

namespace sip::plan {

absl::Status PlanConfig::Validate() const { return ValidateWithPeers(server, {&consent}); }

absl::StatusOr<PlanConfig> LoadPlanConfig(int argc, char** argv) {
  auto server = LoadServerConfig("plan", argc, argv, PeerFlagNames("consent"));
  PlanConfig config;
  if (server.ok()) config.server = *std::move(server);
  config.consent = SIP_PEER_CONFIG_FROM_FLAGS(consent);
  if (!server.ok()) return server.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return config;
}

}  // namespace sip::plan
