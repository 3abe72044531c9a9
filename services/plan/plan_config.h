#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config.h"

namespace sip::plan {

// The plan service's configuration: the shared server settings and how to reach the
// consent service. Every flag can also be set as SIP_<FLAG> in the environment.
struct PlanConfig {
  ServerConfig server;
  // The consent service, host:port.
  std::string consent_address;
  // Talk to the consent service without TLS (local development only).
  bool consent_plaintext = false;
  // PEM CA that signed the consent service's certificate; empty: the system roots.
  std::string consent_ca_file;
  // Deadline of one call to the consent service, and how many attempts on UNAVAILABLE.
  absl::Duration consent_timeout = absl::Seconds(3);
  int consent_attempts = 3;

  absl::Status Validate() const;
};

absl::StatusOr<PlanConfig> LoadPlanConfig(int argc, char** argv);

}  // namespace sip::plan
