#pragma once

// The flags of a peer service a server calls, defined the same way for every peer:
//   SIP_DEFINE_PEER_FLAGS(consent);                  // at file scope, once per binary
//   PeerConfig consent = SIP_PEER_CONFIG_FROM_FLAGS(consent);
// defines and reads --consent_address, --consent_plaintext, --consent_ca_file,
// --consent_cert_file, --consent_key_file, --consent_timeout and --consent_attempts
// (each also SIP_CONSENT_… in the environment when PeerFlagNames is passed to
// LoadServerConfig).
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config.h"
#include "absl/time/time.h"
#include "common/service_client.h"

#define SIP_DEFINE_PEER_FLAGS(peer)                                                        \
  ABSL_FLAG(std::string, peer##_address, "", "the " #peer " service's address, host:port"); \
  ABSL_FLAG(bool, peer##_plaintext, false,                                                 \
            "call the " #peer " service without TLS (only with --plaintext)");            \
  ABSL_FLAG(std::string, peer##_ca_file, "",                                               \
            "PEM CA of the " #peer " service's certificate; empty: system roots");        \
  ABSL_FLAG(std::string, peer##_cert_file, "",                                             \
            "PEM client certificate for mutual TLS with the " #peer " service");          \
  ABSL_FLAG(std::string, peer##_key_file, "", "private key of --" #peer "_cert_file");     \
  ABSL_FLAG(absl::Duration, peer##_timeout, absl::Seconds(3),                              \
            "deadline of one call to the " #peer " service, retries included");           \
  ABSL_FLAG(int, peer##_attempts, 3, "attempts per call to the " #peer " service, 1-5")

#define SIP_PEER_CONFIG_FROM_FLAGS(peer)                                  \
  ([] {                                                                   \
    ::sip::PeerConfig c;                                                  \
    c.name = #peer;                                                       \
    c.address = absl::GetFlag(FLAGS_##peer##_address);                   \
    c.plaintext = absl::GetFlag(FLAGS_##peer##_plaintext);               \
    c.ca_file = absl::GetFlag(FLAGS_##peer##_ca_file);                   \
    c.cert_file = absl::GetFlag(FLAGS_##peer##_cert_file);               \
    c.key_file = absl::GetFlag(FLAGS_##peer##_key_file);                 \
    c.timeout = absl::GetFlag(FLAGS_##peer##_timeout);                   \
    c.max_attempts = absl::GetFlag(FLAGS_##peer##_attempts);             \
    return c;                                                             \
  }())

namespace sip {

// A server's configuration and the peers it calls, checked together: every problem at
// once, as one INVALID_ARGUMENT naming each flag.
inline absl::Status ValidateWithPeers(const ServerConfig& server,
                                      const std::vector<const PeerConfig*>& peers) {
  std::vector<std::string> problems;
  if (absl::Status s = server.Validate(); !s.ok()) problems.emplace_back(s.message());
  for (const PeerConfig* peer : peers) {
    for (std::string& p : peer->Problems(server.plaintext)) problems.push_back(std::move(p));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

// The flag names SIP_DEFINE_PEER_FLAGS(peer) defines, for LoadServerConfig's environment.
inline std::vector<std::string> PeerFlagNames(const std::string& peer) {
  std::vector<std::string> out;
  for (const char* suffix :
       {"_address", "_plaintext", "_ca_file", "_cert_file", "_key_file", "_timeout", "_attempts"}) {
    out.push_back(absl::StrCat(peer, suffix));
  }
  return out;
}

}  // namespace sip
