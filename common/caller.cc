#include "common/caller.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "absl/strings/ascii.h"
#include "common/hsa_id.h"
#include "common/personnummer.h"

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
  for (char c : user_id) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return Unauthenticated(absl::StrCat("metadata header ", kUserIdHeader,
                                          " must be printable ASCII without spaces"));
    }
  }
  // A user id is stored with every change and written to logs: it must identify the user
  // in the caller's identity system (an HSA-id, an account name), never be a person's
  // personnummer.
  if (ContainsPersonalIdentityNumberLike(user_id)) {
    return Unauthenticated(absl::StrCat(
        "metadata header ", kUserIdHeader,
        " looks like a personnummer; send the user's id in your identity system (e.g. the "
        "HSA-id or account name), never a personnummer"));
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
