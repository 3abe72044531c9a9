#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sip {

// A new random resource id: a lower-case UUID version 4, e.g.
// "3f1e3b56-62b4-4c32-9a1e-7ff5aebb2e35".
std::string NewId();

// True for an id the suite accepts in a resource name (AIP-122): 1–63 characters of
// lower-case letters, digits and "-", starting with a letter or digit. Every id NewId
// makes is one.
bool IsValidResourceId(absl::string_view id);

// Splits `name` by the collection ids in `collections`, e.g. name
// "plans/p1/consents/c1" with {"plans", "consents"} gives {"p1", "c1"}. INVALID_ARGUMENT
// naming `field` and the expected pattern when it does not match.
absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view name, const std::vector<absl::string_view>& collections,
    absl::string_view field);

}  // namespace sip
