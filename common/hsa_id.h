#pragma once

#include "absl/strings/string_view.h"

namespace sip {

// True for a well-formed HSA-id: "SE", a 10-digit organisation number, "-", and 1–31
// letters or digits, e.g. "SE2321000131-E000000000001".
bool IsValidHsaId(absl::string_view id);

// The description used in field violations for a malformed HSA-id.
inline constexpr char kHsaIdFormat[] =
    "must be an HSA-id: \"SE\", the 10-digit organisation number, \"-\" and the local "
    "id, e.g. \"SE2321000131-E000000000001\"";

}  // namespace sip
