#include "services/lifecycle/lifecycle_config.h"

#include "absl/strings/strip.h"
#include "common/peer_flags.h"

SIP_DEFINE_PEER_FLAGS(plan);
SIP_DEFINE_PEER_FLAGS(consent);
SIP_DEFINE_PEER_FLAGS(meeting);
ABSL_FLAG(std::string, policies_dir, "",
          "the folder of the region policies (*.textpb): one per region and a default");
ABSL_FLAG(absl::Duration, sweep_interval, absl::Seconds(30),
          "how often the sweeper looks for deadlines that have fallen due (1s-1h)");
ABSL_FLAG(int, sweep_batch, 100, "plans the sweeper takes per transaction (1-10000)");
ABSL_FLAG(absl::Duration, counts_interval, absl::Minutes(1),
          "how often the deadline and plan counts of the metrics are read (1s-1h; each read "
          "counts the whole tables)");

namespace sip::lifecycle {

absl::Status LifecycleConfig::Validate() const {
  absl::Status status = ValidateWithPeers(server, {&plan, &consent, &meeting});
  std::vector<std::string> problems;
  if (!status.ok()) {
    problems.emplace_back(absl::StripPrefix(status.message(), "invalid configuration: "));
  }
  if (policies_dir.empty()) {
    problems.push_back("--policies_dir is required: the folder of the region policies");
  }
  if (sweep_interval < absl::Seconds(1) || sweep_interval > absl::Hours(1)) {
    problems.push_back("--sweep_interval must be 1s-1h");
  }
  if (counts_interval < absl::Seconds(1) || counts_interval > absl::Hours(1)) {
    problems.push_back("--counts_interval must be 1s-1h");
  }
  if (sweep_batch < 1 || sweep_batch > 10000) problems.push_back("--sweep_batch must be 1-10000");
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

absl::StatusOr<LifecycleConfig> LoadLifecycleConfig(int argc, char** argv) {
  std::vector<std::string> extra;
  for (const char* peer : {"plan", "consent", "meeting"}) {
    for (std::string& name : PeerFlagNames(peer)) extra.push_back(std::move(name));
  }
  for (const char* name : {"policies_dir", "sweep_interval", "sweep_batch", "counts_interval"}) extra.push_back(name);
  auto server = LoadServerConfig("lifecycle", argc, argv, extra);
  LifecycleConfig config;
  if (server.ok()) config.server = *std::move(server);
  config.plan = SIP_PEER_CONFIG_FROM_FLAGS(plan);
  config.consent = SIP_PEER_CONFIG_FROM_FLAGS(consent);
  config.meeting = SIP_PEER_CONFIG_FROM_FLAGS(meeting);
  config.policies_dir = absl::GetFlag(FLAGS_policies_dir);
  config.sweep_interval = absl::GetFlag(FLAGS_sweep_interval);
  config.sweep_batch = absl::GetFlag(FLAGS_sweep_batch);
  config.counts_interval = absl::GetFlag(FLAGS_counts_interval);
  if (!server.ok()) return server.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return config;
}

}  // namespace sip::lifecycle
