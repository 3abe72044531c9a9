#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "common/token.h"
#include "grpcpp/server_context.h"

// Who calls: authenticated once per call, the one way every service does it.
//
// In production (TLS) a call is authenticated twice over:
//   - the calling *system* by its client certificate (mutual TLS, the suite's CA): an
//     integrating regional system, or one of the suite's services, whose certificates
//     have the common name "sip-<service>" (sip-consent, sip-plan, sip-meeting,
//     sip-lifecycle);
//   - the *user* and the unit they act for by the signed token in
//     `authorization: Bearer <token>` (token.h).
// A suite service acting on its own (the lifecycle service closing an expired plan, the
// meeting service following the plan's events) sends no token: its certificate is its
// identity. Any other system without a token is refused.
//
// In development (--insecure_dev_callers, only with --plaintext) the caller is whatever
// the headers below say, unverified; the server warns at start.
namespace sip {

inline constexpr char kUnitHsaIdHeader[] = "x-sip-unit-hsa-id";
inline constexpr char kUnitPrincipalHeader[] = "x-sip-unit-principal";
inline constexpr char kUserIdHeader[] = "x-sip-user-id";
// Development mode only, optional: the user's role, as a token's `role` claim says it.
inline constexpr char kUserRoleHeader[] = "x-sip-user-role";
// Development mode only: a suite service calling on its own behalf says which one.
inline constexpr char kServiceHeader[] = "x-sip-service";
// The common name of a suite service's certificate: "sip-" and the service's name.
inline constexpr char kServiceCertificatePrefix[] = "sip-";

// True for "consent", "plan", "meeting" and "lifecycle".
bool IsSuiteService(absl::string_view name);

// The actor a suite service is when it calls on its own behalf, not for a user: unit
// "SE0000000000-<SERVICE>" of principal OTHER, user "<service>-service". What the callee
// records as who made a change it asked for.
Actor ServiceActor(const std::string& service);

// The suite service `actor` is when it is a ServiceActor ("plan", …); empty otherwise.
std::string ServiceNameOf(const Actor& actor);

// Empty when `user_id` may identify a user (printable ASCII, at most 64 characters, not a
// personnummer); otherwise what is wrong with it.
std::string UserIdProblem(absl::string_view user_id);

// What a suite service acting on its own (no user, Caller::service set) may call:
// reads (Get…, List…, Check…, Render…: the events it follows, the facts it checks) and, of
// writes, only its own job: the lifecycle service closes plans (ClosePlan; the plan
// service says for which reasons). `request_type` is the request message's name, e.g.
// "UpdatePlanRequest". OK for a user's call; otherwise PERMISSION_DENIED,
// SERVICE_NOT_ALLOWED.
absl::Status ServiceMayCall(const Caller& caller, absl::string_view request_type);

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller, or UNAUTHENTICATED with a reason and what to do.
  virtual absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& context,
                                              absl::Time now) const = 0;
};

// Development mode: the caller from the x-sip-* headers, unverified.
std::shared_ptr<const Authenticator> MakeDevelopmentAuthenticator();

// Production: the client certificate's common name and the verified token. A suite
// service is known by its certificate alone ("sip-<service>", calling without a token);
// the systems in `event_reader_systems` (common names) may read the event feeds.
std::shared_ptr<const Authenticator> MakeTokenAuthenticator(
    std::shared_ptr<const auth::TokenVerifier> verifier,
    std::vector<std::string> event_reader_systems = {});

// OK when the caller may read a service's event feed (ListEvents): a suite service acting
// on its own, or an integrating system allowed by configuration; otherwise
// PERMISSION_DENIED, EVENTS_NOT_ALLOWED. The events carry every plan's ids, units and
// coverage: no user's token opens them.
absl::Status MayReadEvents(const Caller& caller);

// The process's authenticator, used by CallerFromContext; set once at start
// (ServeUntilSignal, or a test's harness). Before one is set every call is refused.
void InstallAuthenticator(std::shared_ptr<const Authenticator> authenticator);

// The call's caller, by the installed authenticator.
absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context);

// The development mode's reading of already-extracted header values (empty when absent);
// testable alone.
absl::StatusOr<Caller> CallerFromHeaders(absl::string_view unit_hsa_id,
                                         absl::string_view principal,
                                         absl::string_view user_id,
                                         absl::string_view service = {});

// While alive, the calls this thread makes to other services are made for `caller`: its
// token is passed on (HandleCall opens one per incoming call). Outside any, a service
// calls on its own behalf.
class ScopedCaller final {
 public:
  explicit ScopedCaller(const Caller& caller);
  ~ScopedCaller();
  ScopedCaller(const ScopedCaller&) = delete;
  ScopedCaller& operator=(const ScopedCaller&) = delete;
  // The innermost caller of this thread, or null.
  static const Caller* Current();

 private:
  const Caller* previous_;
};

}  // namespace sip
