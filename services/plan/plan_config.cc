#include "services/plan/plan_config.h"

#include <fstream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

ABSL_FLAG(std::string, consent_address, "", "consent service address, host:port");
ABSL_FLAG(bool, consent_plaintext, false,
          "call the consent service without TLS (local development only)");
ABSL_FLAG(std::string, consent_ca_file, "",
          "PEM CA of the consent service's certificate; empty: system roots");
ABSL_FLAG(absl::Duration, consent_timeout, absl::Seconds(3),
          "deadline of one call to the consent service");
ABSL_FLAG(int, consent_attempts, 3, "attempts per consent check when UNAVAILABLE, 1-10");

namespace sip::plan {

absl::Status PlanConfig::Validate() const {
  std::vector<std::string> problems;
  if (absl::Status s = server.Validate(); !s.ok()) problems.emplace_back(s.message());
  if (consent_address.empty() || consent_address.find(':') == std::string::npos) {
    problems.push_back(
        "--consent_address (SIP_CONSENT_ADDRESS) is required: the consent service's "
        "host:port");
  }
  if (consent_plaintext && !consent_ca_file.empty()) {
    problems.push_back("--consent_plaintext and --consent_ca_file exclude each other");
  }
  if (consent_plaintext && !server.plaintext) {
    problems.push_back(
        "--consent_plaintext is only allowed together with --plaintext (local development)");
  }
  if (!consent_ca_file.empty() && !std::ifstream(consent_ca_file).good()) {
    problems.push_back(absl::StrCat("cannot read --consent_ca_file ", consent_ca_file));
  }
  if (consent_timeout <= absl::ZeroDuration()) {
    problems.push_back("--consent_timeout must be positive");
  }
  if (consent_attempts < 1 || consent_attempts > 10) {
    problems.push_back("--consent_attempts must be between 1 and 10");
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

absl::StatusOr<PlanConfig> LoadPlanConfig(int argc, char** argv) {
  auto server = LoadServerConfig(
      "plan", argc, argv,
      {"consent_address", "consent_plaintext", "consent_ca_file", "consent_timeout",
       "consent_attempts"});
  PlanConfig config;
  if (server.ok()) config.server = *std::move(server);
  config.consent_address = absl::GetFlag(FLAGS_consent_address);
  config.consent_plaintext = absl::GetFlag(FLAGS_consent_plaintext);
  config.consent_ca_file = absl::GetFlag(FLAGS_consent_ca_file);
  config.consent_timeout = absl::GetFlag(FLAGS_consent_timeout);
  config.consent_attempts = absl::GetFlag(FLAGS_consent_attempts);
  if (!server.ok()) return server.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return config;
}

}  // namespace sip::plan
