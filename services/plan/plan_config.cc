#include "services/plan/plan_config.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(consent);

namespace sip::plan {

absl::Status PlanConfig::Validate() const {
  std::vector<std::string> problems;
  if (absl::Status s = server.Validate(); !s.ok()) problems.emplace_back(s.message());
  for (std::string& p : consent.Problems(server.plaintext)) problems.push_back(std::move(p));
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

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
