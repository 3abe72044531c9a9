#pragma once

#include "absl/strings/string_view.h"

namespace sip {

// True for a well-formed HSA-id: "SE", a 10-digit organisation number, "-", and 1–31
// letters or digits, e.g. "SE2321000131-E000000000001"; never a reserved one.
bool IsValidHsaId(absl::string_view id);

// The organisation number of the suite's own service units ("SE0000000000-PLAN", …: who
// a service acting on its own is recorded as). No user's unit, no party of a plan.
inline constexpr char kReservedHsaIdPrefix[] = "SE0000000000-";

// True for an id under the reserved organisation number.
bool IsReservedHsaId(absl::string_view id);

// The description used in field violations for a malformed HSA-id.
inline constexpr char kHsaIdFormat[] =
    "must be an HSA-id: \"SE\", the 10-digit organisation number, \"-\" and the local "
    "id, e.g. \"SE2321000131-E000000000001\"";

}  // namespace sip
