#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/service_client.h"

namespace sip::lifecycle {

// The lifecycle service's configuration: the shared server settings; the plan service,
// whose events it follows and through which it closes plans (--plan_…); the consent and
// meeting services, whose events it follows (--consent_…, --meeting_…;
// common/peer_flags.h); where the region policies are (--policies_dir, every *.textpb in
// it); and how often the sweeper looks for due deadlines and how many plans it takes at
// a time.
struct LifecycleConfig {
  ServerConfig server;
  PeerConfig plan;
  PeerConfig consent;
  PeerConfig meeting;
  std::string policies_dir;
  absl::Duration sweep_interval = absl::Seconds(30);
  int sweep_batch = 100;
  // How often the metrics' deadline and plan counts are read.
  absl::Duration counts_interval = absl::Minutes(1);
  absl::Status Validate() const;
};

absl::StatusOr<LifecycleConfig> LoadLifecycleConfig(int argc, char** argv);

}  // namespace sip::lifecycle
