#pragma once

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/service_client.h"

namespace sip::consent {

// The consent service's configuration: the shared server settings and how to reach the
// plan service, which it asks whether a plan exists and is open, and the individual's
// birth date, before recording a decision (--plan_address, _plaintext, _ca_file,
// _cert_file, _key_file, _timeout, _attempts; common/peer_flags.h).
struct ConsentConfig {
  ServerConfig server;
  PeerConfig plan;

  absl::Status Validate() const;
};

absl::StatusOr<ConsentConfig> LoadConsentConfig(int argc, char** argv);

}  // namespace sip::consent
