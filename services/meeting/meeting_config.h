#pragma once

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/service_client.h"

namespace sip::meeting {

// The meeting service's configuration: the shared server settings; how to reach the plan
// service, which it asks whether a plan exists, is open and concerns a person with
// protected identity, and whose events it follows to cancel a closed plan's meetings
// (--plan_address, _plaintext, _ca_file, _cert_file, _key_file, _timeout, _attempts); and
// the consent service, which it asks whether each invited unit is covered (--consent_…;
// common/peer_flags.h).
struct MeetingConfig {
  ServerConfig server;
  PeerConfig plan;
  PeerConfig consent;
  // The policy's target for the initial meeting, in days from when the need was noticed.
  int initial_meeting_target_days = 21;
  absl::Status Validate() const;
};

absl::StatusOr<MeetingConfig> LoadMeetingConfig(int argc, char** argv);

}  // namespace sip::meeting
