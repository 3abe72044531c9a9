#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/call_deadline.h"
#include "common/caller.h"
#include "common/model.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

// Calling another service of the suite, the one way every service does it:
//   - the channel retries UNAVAILABLE by gRPC's service-config retry policy (exponential
//     backoff with jitter, at most `max_attempts` attempts), never by hand;
//   - a call never outlives the call that made it: its deadline is the sooner of now +
//     `timeout` and the incoming call's deadline (HandleCall records it for the thread);
//   - TLS by default, with an optional client certificate (mutual TLS); plaintext only
//     when configured, and only by a server that itself runs plaintext;
//   - the answer keeps its meaning (FromPeerStatus): NOT_FOUND stays NOT_FOUND, only an
//     unreachable peer becomes UNAVAILABLE.
namespace sip {

// One peer service, from configuration (`--<name>_address`, `--<name>_plaintext`,
// `--<name>_ca_file`, `--<name>_cert_file`, `--<name>_key_file`, `--<name>_timeout`,
// `--<name>_attempts`).
struct PeerConfig {
  std::string name;  // "consent", "plan", …: for messages and flag names
  std::string address;  // host:port
  bool plaintext = false;
  std::string ca_file;    // PEM CA of the peer's certificate; empty: the system roots
  std::string cert_file;  // PEM client certificate chain, for mutual TLS
  std::string key_file;   // its private key
  absl::Duration timeout = absl::Seconds(3);  // per call, all attempts together
  int max_attempts = 3;                       // 1–5: attempts on UNAVAILABLE

  // Every problem, each naming its flag; empty when valid. `server_plaintext`: the
  // calling server's own --plaintext (a plaintext peer is allowed only then).
  std::vector<std::string> Problems(bool server_plaintext) const;
};

// gRPC's service config for `max_attempts` attempts on UNAVAILABLE (exposed for tests).
std::string RetryServiceConfig(int max_attempts);

// The channel to `peer`: credentials and retry policy as configured. INVALID_ARGUMENT
// when a TLS file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakePeerChannel(const PeerConfig& peer);

// A client context for one call on behalf of `actor`, with the deadline described above.
// For the user of the call this thread serves (ScopedCaller, which HandleCall opens) the
// user's token is passed on;
// otherwise, or in development mode, the actor travels in the x-sip-* headers (with
// x-sip-service for a ServiceActor), which a server in production ignores: there a
// service on its own is known by its client certificate.
std::unique_ptr<grpc::ClientContext> PeerCallContext(const Actor& actor, absl::Duration timeout);

// The peer's answer as a status of ours, keeping its meaning: OK; UNAVAILABLE (after the
// retries) → UNAVAILABLE `<PEER>_UNAVAILABLE`; DEADLINE_EXCEEDED → DEADLINE_EXCEEDED; a
// fault of the peer (INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED) or a refusal of our own
// credentials (UNAUTHENTICATED) → INTERNAL, logged; any other code is kept with the
// peer's ErrorInfo reason and its message.
absl::Status FromPeerStatus(const grpc::Status& status, absl::string_view peer);


}  // namespace sip
