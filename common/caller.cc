#include "common/caller.h"

#include <atomic>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/hsa_id.h"
#include "common/model_json.h"
#include "common/personnummer.h"
#include "grpcpp/security/auth_context.h"

namespace sip {
namespace {

absl::string_view Header(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

absl::Status Unauthenticated(absl::string_view message) {
  return WithReason(absl::UnauthenticatedError(message), "CALLER_NOT_IDENTIFIED");
}

class DevelopmentAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context,
                                      absl::Time) const override {
    absl::StatusOr<Caller> caller = CallerFromHeaders(
        Header(context, kUnitHsaIdHeader), Header(context, kUnitPrincipalHeader),
        Header(context, kUserIdHeader), Header(context, kServiceHeader));
    const absl::string_view role = Header(context, kUserRoleHeader);
    if (caller.ok() && caller->service.empty() && !role.empty()) {
      bool valid = role.size() <= 32;
      for (char c : role) valid = valid && (absl::ascii_isupper(static_cast<unsigned char>(c)) || c == '_');
      if (!valid) {
        return Unauthenticated(absl::StrCat("metadata header ", kUserRoleHeader,
                                            " must be the user's role, 1-32 of A-Z and _"));
      }
      caller->role = std::string(role);
    }
    return caller;
  }
};

// The client certificate's common name, as the TLS handshake verified it against the
// suite's CA; empty when the connection has none.
std::string CertificateName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return "";
  for (const grpc::string_ref& value : auth->FindPropertyValues("x509_common_name")) {
    return std::string(value.data(), value.size());
  }
  return "";
}

class TokenAuthenticator final : public Authenticator {
 public:
  TokenAuthenticator(std::shared_ptr<const auth::TokenVerifier> verifier,
                     std::vector<std::string> event_reader_systems)
      : verifier_(std::move(verifier)),
        event_reader_systems_(event_reader_systems.begin(), event_reader_systems.end()) {}

  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context,
                                      absl::Time now) const override {
    Caller caller;
    caller.system = CertificateName(context);
    caller.event_reader = event_reader_systems_.contains(caller.system);
    if (caller.system.empty()) {
      return WithReason(
          absl::UnauthenticatedError(
              "the calling system must present a client certificate issued by the suite's CA "
              "(mutual TLS)"),
          "CLIENT_CERTIFICATE_REQUIRED");
    }
    const absl::string_view header = Header(context, auth::kAuthorizationHeader);
    if (header.empty()) {
      // Only the suite's own services act without a user, and only on their own behalf.
      std::string service;
      if (absl::StartsWith(caller.system, kServiceCertificatePrefix)) {
        service = caller.system.substr(sizeof(kServiceCertificatePrefix) - 1);
      }
      if (!IsSuiteService(service)) {
        return WithReason(absl::UnauthenticatedError(
                              "every call must carry the user's token as 'authorization: "
                              "Bearer <token>', issued by the region's identity provider"),
                          "TOKEN_MISSING");
      }
      static_cast<Actor&>(caller) = ServiceActor(service);
      return caller;
    }
    constexpr absl::string_view kBearer = "Bearer ";
    if (!absl::StartsWithIgnoreCase(header, kBearer) || header.size() == kBearer.size()) {
      return WithReason(absl::UnauthenticatedError(
                            "the authorization header must be 'Bearer <token>'"),
                        "TOKEN_MALFORMED");
    }
    auto claims = verifier_->Verify(header.substr(kBearer.size()), now);
    if (!claims.ok()) return claims.status();
    caller.unit = claims->unit;
    caller.user_id = claims->user_id;
    caller.role = claims->role;
    caller.credential = std::string(header);
    return caller;
  }

 private:
  std::shared_ptr<const auth::TokenVerifier> verifier_;
  absl::flat_hash_set<std::string> event_reader_systems_;
};

// std::mutex, not absl::Mutex: visible to ThreadSanitizer with Debian's Abseil.
std::mutex installed_mu;
std::shared_ptr<const Authenticator>& Installed() {
  static auto* installed = new std::shared_ptr<const Authenticator>();
  return *installed;
}

thread_local const Caller* current_caller = nullptr;

}  // namespace

bool IsSuiteService(absl::string_view name) {
  return name == "consent" || name == "plan" || name == "meeting" || name == "lifecycle";
}

Actor ServiceActor(const std::string& service) {
  Actor actor;
  actor.unit.hsa_id = absl::StrCat("SE0000000000-", absl::AsciiStrToUpper(service));
  actor.unit.principal = PrincipalKind::kOther;
  actor.user_id = absl::StrCat(service, "-service");
  actor.service = service;
  return actor;
}

std::string ServiceNameOf(const Actor& actor) {
  // Only what the authenticator (or ServiceActor) set: a user's unit and id, whatever they
  // read like, never make a service.
  return IsSuiteService(actor.service) ? actor.service : "";
}

absl::Status ServiceMayCall(const Caller& caller, absl::string_view request_type) {
  if (caller.service.empty()) return absl::OkStatus();
  absl::string_view method = request_type;
  absl::ConsumeSuffix(&method, "Request");
  for (absl::string_view read : {"Get", "List", "Check", "Render"}) {
    if (absl::StartsWith(method, read)) return absl::OkStatus();
  }
  if (caller.service == "lifecycle" && method == "ClosePlan") return absl::OkStatus();
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          "the ", caller.service, " service acting on its own may not call ", method,
          ": a service without a user only reads, and of writes only the lifecycle service "
          "closes plans; call for a user with the user's token")),
      "SERVICE_NOT_ALLOWED");
}

std::string UserIdProblem(absl::string_view user_id) {
  if (user_id.empty()) return "is required";
  if (user_id.size() > 64) return "must be at most 64 characters";
  for (char c : user_id) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return "must be printable ASCII without spaces";
    }
  }
  // A suite service is known by its certificate alone; no user may read as one.
  if (absl::EndsWith(user_id, "-service")) {
    return "ends in \"-service\", which names the suite's own services acting on their own; "
           "send the user's id";
  }
  // A user id is stored with every change and written to logs: it must identify the user
  // in the caller's identity system (an HSA-id, an account name), never be a person's
  // personnummer.
  if (ContainsPersonalIdentityNumberLike(user_id)) {
    return "looks like a personnummer; send the user's id in your identity system (e.g. the "
           "HSA-id or account name), never a personnummer";
  }
  return "";
}

absl::StatusOr<Caller> CallerFromHeaders(absl::string_view unit_hsa_id,
                                         absl::string_view principal,
                                         absl::string_view user_id,
                                         absl::string_view service) {
  if (!service.empty()) {
    if (!IsSuiteService(service)) {
      return Unauthenticated(absl::StrCat("metadata header ", kServiceHeader,
                                          " must be consent, plan, meeting or lifecycle"));
    }
    Caller caller;
    static_cast<Actor&>(caller) = ServiceActor(std::string(service));
    return caller;
  }
  if (unit_hsa_id.empty() || principal.empty() || user_id.empty()) {
    return Unauthenticated(absl::StrCat(
        "every call must name its caller in the metadata headers ", kUnitHsaIdHeader, ", ",
        kUnitPrincipalHeader, " (MUNICIPALITY, REGION or OTHER) and ", kUserIdHeader));
  }
  if (!IsValidHsaId(unit_hsa_id)) {
    return Unauthenticated(absl::StrCat("metadata header ", kUnitHsaIdHeader, " ",
                                        kHsaIdFormat));
  }
  Caller caller;
  caller.unit.hsa_id = std::string(unit_hsa_id);
  const std::optional<PrincipalKind> kind = ParsePrincipalKind(principal);
  if (!kind) {
    return Unauthenticated(absl::StrCat("metadata header ", kUnitPrincipalHeader,
                                        " must be MUNICIPALITY, REGION or OTHER"));
  }
  caller.unit.principal = *kind;
  if (std::string problem = UserIdProblem(user_id); !problem.empty()) {
    return Unauthenticated(absl::StrCat("metadata header ", kUserIdHeader, " ", problem));
  }
  caller.user_id = std::string(user_id);
  return caller;
}

std::shared_ptr<const Authenticator> MakeDevelopmentAuthenticator() {
  return std::make_shared<DevelopmentAuthenticator>();
}

std::shared_ptr<const Authenticator> MakeTokenAuthenticator(
    std::shared_ptr<const auth::TokenVerifier> verifier,
    std::vector<std::string> event_reader_systems) {
  return std::make_shared<TokenAuthenticator>(std::move(verifier),
                                              std::move(event_reader_systems));
}

absl::Status MayReadEvents(const Caller& caller) {
  if (!ServiceNameOf(caller).empty() || caller.event_reader) return absl::OkStatus();
  return WithReason(
      absl::PermissionDeniedError(
          "the event feed (ListEvents) is for the suite's own services and for integrating "
          "systems allowed by configuration (--event_reader_systems, by their client "
          "certificate's common name); a user's token does not open it"),
      "EVENTS_NOT_ALLOWED");
}

void InstallAuthenticator(std::shared_ptr<const Authenticator> authenticator) {
  std::lock_guard<std::mutex> lock(installed_mu);
  Installed() = std::move(authenticator);
}

absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context) {
  std::shared_ptr<const Authenticator> authenticator;
  {
    std::lock_guard<std::mutex> lock(installed_mu);
    authenticator = Installed();
  }
  if (!authenticator) {
    return Unauthenticated("this server has no way to authenticate callers configured");
  }
  return authenticator->Authenticate(context, absl::Now());
}

ScopedCaller::ScopedCaller(const Caller& caller) : previous_(current_caller) {
  current_caller = &caller;
}

ScopedCaller::~ScopedCaller() { current_caller = previous_; }

const Caller* ScopedCaller::Current() { return current_caller; }

}  // namespace sip
