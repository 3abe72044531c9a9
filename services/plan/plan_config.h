#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/service_client.h"

namespace sip::plan {

// The plan service's configuration: the shared server settings and how to reach the
// consent service, which it asks whether units are covered and, for the copy of the plan,
// for the person's consents (--consent_address, _plaintext, _ca_file, _cert_file,
// _key_file, _timeout, _attempts; common/peer_flags.h), and the meeting service, which it
// asks for the meeting the plan was established at, for the copy (--meeting_…). The
// person's extract of the access log reads those two services' logs and the lifecycle
// service's (--lifecycle_…; without --lifecycle_address the extract is refused, never
// given incomplete). Every flag can also be set as SIP_<FLAG> in the environment.
struct PlanConfig {
  ServerConfig server;
  PeerConfig consent;
  PeerConfig meeting;
  PeerConfig lifecycle;  // optional: address empty

  absl::Status Validate() const;
};

absl::StatusOr<PlanConfig> LoadPlanConfig(int argc, char** argv);

}  // namespace sip::plan
