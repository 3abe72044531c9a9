#include "common/caller.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/hsa_id.h"

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

}  // namespace

absl::StatusOr<Caller> CallerFromHeaders(absl::string_view unit_hsa_id,
                                         absl::string_view principal,
                                         absl::string_view user_id) {
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
  if (principal == "MUNICIPALITY") {
    caller.unit.principal = PrincipalKind::kMunicipality;
  } else if (principal == "REGION") {
    caller.unit.principal = PrincipalKind::kRegion;
  } else if (principal == "OTHER") {
    caller.unit.principal = PrincipalKind::kOther;
  } else {
    return Unauthenticated(absl::StrCat("metadata header ", kUnitPrincipalHeader,
                                        " must be MUNICIPALITY, REGION or OTHER"));
  }
  if (user_id.size() > 64) {
    return Unauthenticated(
        absl::StrCat("metadata header ", kUserIdHeader, " must be at most 64 characters"));
  }
  caller.user_id = std::string(user_id);
  return caller;
}

absl::StatusOr<Caller> CallerFromContext(const grpc::ServerContextBase& context) {
  return CallerFromHeaders(Header(context, kUnitHsaIdHeader),
                           Header(context, kUnitPrincipalHeader),
                           Header(context, kUserIdHeader));
}

}  // namespace sip
