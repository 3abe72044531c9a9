#include "services/plan/plan_config.h"

#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(consent);
SIP_DEFINE_PEER_FLAGS(meeting);
SIP_DEFINE_PEER_FLAGS(lifecycle);

namespace sip::plan {

absl::Status PlanConfig::Validate() const {
  std::vector<const PeerConfig*> peers = {&consent, &meeting};
  if (!lifecycle.address.empty()) peers.push_back(&lifecycle);
  return ValidateWithPeers(server, peers);
}

absl::StatusOr<PlanConfig> LoadPlanConfig(int argc, char** argv) {
  std::vector<std::string> peer_flags = PeerFlagNames("consent");
  for (const char* peer : {"meeting", "lifecycle"}) {
    for (std::string& name : PeerFlagNames(peer)) peer_flags.push_back(std::move(name));
  }
  auto server = LoadServerConfig("plan", argc, argv, peer_flags);
  PlanConfig config;
  if (server.ok()) config.server = *std::move(server);
  config.consent = SIP_PEER_CONFIG_FROM_FLAGS(consent);
  config.meeting = SIP_PEER_CONFIG_FROM_FLAGS(meeting);
  config.lifecycle = SIP_PEER_CONFIG_FROM_FLAGS(lifecycle);
  if (!server.ok()) return server.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return config;
}

}  // namespace sip::plan
