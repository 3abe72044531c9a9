#include "services/consent/consent_config.h"

#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(plan);

namespace sip::consent {

absl::Status ConsentConfig::Validate() const { return ValidateWithPeers(server, {&plan}); }

absl::StatusOr<ConsentConfig> LoadConsentConfig(int argc, char** argv) {
  auto server = LoadServerConfig("consent", argc, argv, PeerFlagNames("plan"));
  ConsentConfig config;
  if (server.ok()) config.server = *std::move(server);
  config.plan = SIP_PEER_CONFIG_FROM_FLAGS(plan);
  if (!server.ok()) return server.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return config;
}

}  // namespace sip::consent
