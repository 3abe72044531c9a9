#include "services/consent/consent_config.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(plan);

namespace sip::consent {

absl::Status ConsentConfig::Validate() const {
  std::vector<std::string> problems;
  if (absl::Status s = server.Validate(); !s.ok()) problems.emplace_back(s.message());
  for (std::string& p : plan.Problems(server.plaintext)) problems.push_back(std::move(p));
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

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
