#include "services/meeting/meeting_config.h"

#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(plan);
SIP_DEFINE_PEER_FLAGS(consent);
ABSL_FLAG(int, initial_meeting_target_days, 21,
          "the region policy's target for the initial SIP meeting, in calendar days from when "
          "the need was noticed (1-90); a later meeting is scheduled with a warning");

namespace sip::meeting {

absl::Status MeetingConfig::Validate() const {
  absl::Status status = ValidateWithPeers(server, {&plan, &consent});
  if (initial_meeting_target_days < 1 || initial_meeting_target_days > 90) {
    const std::string problem =
        "--initial_meeting_target_days must be 1-90 (days from when the need was noticed)";
    return absl::InvalidArgumentError(
        status.ok() ? absl::StrCat("invalid configuration: ", problem)
                    : absl::StrCat(status.message(), "; ", problem));
  }
  return status;
}

absl::StatusOr<MeetingConfig> LoadMeetingConfig(int argc, char** argv) {
  std::vector<std::string> extra = PeerFlagNames("plan");
  for (std::string& name : PeerFlagNames("consent")) extra.push_back(std::move(name));
  extra.push_back("initial_meeting_target_days");
  auto server = LoadServerConfig("meeting", argc, argv, extra);
  MeetingConfig config;
  if (server.ok()) config.server = *std::move(server);
  config.plan = SIP_PEER_CONFIG_FROM_FLAGS(plan);
  config.consent = SIP_PEER_CONFIG_FROM_FLAGS(consent);
  config.initial_meeting_target_days = absl::GetFlag(FLAGS_initial_meeting_target_days);
  if (!server.ok()) return server.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return config;
}

}  // namespace sip::meeting
