#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "common/model.h"
#include "grpcpp/server_context.h"

namespace sip {

// The request metadata keys that name the caller. A later change authenticates them
// (mTLS identity plus a signed token); CallerFromContext is the one place that changes.
inline constexpr char kUnitHsaIdHeader[] = "x-sip-unit-hsa-id";
inline constexpr char kUnitPrincipalHeader[] = "x-sip-unit-principal";
inline constexpr char kUserIdHeader[] = "x-sip-user-id";

// Reads the caller from the call's metadata. UNAUTHENTICATED, naming the missing or
// malformed header, when it cannot.
absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context);

// The same, from already-extracted header values (empty when absent); testable alone.
absl::StatusOr<Caller> CallerFromHeaders(absl::string_view unit_hsa_id,
                                         absl::string_view principal,
                                         absl::string_view user_id);

}  // namespace sip
