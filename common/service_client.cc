#include "common/service_client.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/model_json.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace sip {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view flag) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", flag, " ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

std::string Upper(absl::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}


}  // namespace

std::vector<std::string> PeerConfig::Problems(bool server_plaintext) const {
  std::vector<std::string> problems;
  const std::string f = absl::StrCat("--", name, "_");
  if (address.empty() || address.find(':') == std::string::npos) {
    problems.push_back(absl::StrCat(f, "address (SIP_", Upper(name), "_ADDRESS) is required: the ",
                                    name, " service's host:port"));
  }
  if (plaintext) {
    if (!server_plaintext) {
      problems.push_back(absl::StrCat(f, "plaintext is only allowed together with --plaintext "
                                      "(local development)"));
    }
    if (!ca_file.empty() || !cert_file.empty() || !key_file.empty()) {
      problems.push_back(absl::StrCat(f, "plaintext excludes ", f, "ca_file, ", f,
                                      "cert_file and ", f, "key_file"));
    }
  }
  for (const auto& [path, flag] : {std::pair{&ca_file, "ca_file"}, std::pair{&cert_file, "cert_file"},
                                   std::pair{&key_file, "key_file"}}) {
    if (!path->empty() && !Readable(*path)) {
      problems.push_back(absl::StrCat("cannot read ", f, flag, " ", *path));
    }
  }
  if (cert_file.empty() != key_file.empty()) {
    problems.push_back(absl::StrCat(f, "cert_file and ", f,
                                    "key_file go together (mutual TLS needs both)"));
  }
  if (timeout <= absl::ZeroDuration()) problems.push_back(absl::StrCat(f, "timeout must be positive"));
  if (max_attempts < 1 || max_attempts > 5) {
    problems.push_back(absl::StrCat(f, "attempts must be between 1 and 5"));
  }
  return problems;
}

std::string RetryServiceConfig(int max_attempts) {
  if (max_attempts < 2) return R"({"methodConfig":[{"name":[{}]}]})";
  // gRPC adds jitter of ±20 % to each backoff.
  return absl::StrFormat(
      R"({"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":%d,)"
      R"("initialBackoff":"0.1s","maxBackoff":"1s","backoffMultiplier":2,)"
      R"("retryableStatusCodes":["UNAVAILABLE"]}}]})",
      max_attempts);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakePeerChannel(const PeerConfig& peer) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (peer.plaintext) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions options;
    const std::string f = absl::StrCat("--", peer.name, "_");
    if (!peer.ca_file.empty()) {
      auto ca = ReadFile(peer.ca_file, f + "ca_file");
      if (!ca.ok()) return ca.status();
      options.pem_root_certs = *ca;
    }
    if (!peer.cert_file.empty()) {
      auto cert = ReadFile(peer.cert_file, f + "cert_file");
      if (!cert.ok()) return cert.status();
      auto key = ReadFile(peer.key_file, f + "key_file");
      if (!key.ok()) return key.status();
      options.pem_cert_chain = *cert;
      options.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(options);
  }
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(RetryServiceConfig(peer.max_attempts));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  // A peer that was down (starting after this service, or restarted) is reconnected within
  // a fraction of a second, not after gRPC's default 1 s and growing backoff, during
  // which every call to it fails at once.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(peer.address, credentials, args);
}

std::unique_ptr<grpc::ClientContext> PeerCallContext(const Actor& actor, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  const absl::Time deadline = std::min(absl::Now() + timeout, ScopedCallDeadline::Current());
  context->set_deadline(absl::ToChronoTime(deadline));
  // For the user of the call this thread serves: their token, as they sent it.
  if (const Caller* caller = ScopedCaller::Current();
      caller && !caller->credential.empty() && static_cast<const Actor&>(*caller) == actor) {
    context->AddMetadata(auth::kAuthorizationHeader, caller->credential);
    return context;
  }
  context->AddMetadata(kUnitHsaIdHeader, actor.unit.hsa_id);
  context->AddMetadata(kUnitPrincipalHeader, PrincipalKindName(actor.unit.principal));
  context->AddMetadata(kUserIdHeader, actor.user_id);
  if (std::string service = ServiceNameOf(actor); !service.empty()) {
    context->AddMetadata(kServiceHeader, service);
  }
  return context;
}

absl::Status FromPeerStatus(const grpc::Status& status, absl::string_view peer) {
  if (status.ok()) return absl::OkStatus();
  const std::string reason = GrpcReasonOf(status);
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      log::Warn("peer_unavailable", {{"peer", std::string(peer)}});
      return WithReason(absl::UnavailableError(absl::StrCat(
                            "the ", peer, " service cannot be reached; retry the call shortly")),
                        absl::StrCat(Upper(peer), "_SERVICE_UNAVAILABLE"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      log::Warn("peer_deadline_exceeded", {{"peer", std::string(peer)}});
      return WithReason(absl::DeadlineExceededError(absl::StrCat(
                            "the ", peer, " service did not answer within the call's deadline; "
                            "retry, with a longer deadline if this repeats")),
                        absl::StrCat(Upper(peer), "_SERVICE_TIMEOUT"));
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::UNAUTHENTICATED:
      log::Error("peer_failed", {{"peer", std::string(peer)},
                                 {"code", static_cast<int>(status.error_code())},
                                 {"reason", reason}});
      return absl::InternalError(absl::StrCat("the ", peer, " service failed (code ",
                                              static_cast<int>(status.error_code()), ")"));
    default: {
      absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                       absl::StrCat("the ", peer, " service answered: ", status.error_message()));
      return reason.empty() ? out : WithReason(out, reason);
    }
  }
}

}  // namespace sip
