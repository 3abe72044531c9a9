#include "common/hsa_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sip {

bool IsReservedHsaId(absl::string_view id) {
  return absl::StartsWith(id, kReservedHsaIdPrefix);
}

bool IsValidHsaId(absl::string_view id) {
  if (IsReservedHsaId(id)) return false;
  if (id.size() < 14 || id.size() > 44) return false;
  if (id.substr(0, 2) != "SE" || id[12] != '-') return false;
  for (size_t i = 2; i < 12; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  for (size_t i = 13; i < id.size(); ++i) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

}  // namespace sip
