#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/service_client.h"

namespace sip::plan {

// The plan service's configuration: the shared server settings and how to reach the
// consent service (--consent_address, _plaintext, _ca_file, _cert_file, _key_file,
// _timeout, _attempts; common/peer_flags.h). Every flag can also be set as SIP_<FLAG> in
// the environment.
struct PlanConfig {
  ServerConfig server;
  PeerConfig consent;

  absl::Status Validate() const;
};

absl::StatusOr<PlanConfig> LoadPlanConfig(int argc, char** argv);

}  // namespace sip::plan
