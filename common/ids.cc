#include "common/ids.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"

namespace sip {

std::string NewId() {
  thread_local absl::BitGen gen;
  uint64_t hi = absl::Uniform<uint64_t>(gen);
  uint64_t lo = absl::Uniform<uint64_t>(gen);
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF,
                         hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

bool IsValidResourceId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(id[0])) &&
      !absl::ascii_isdigit(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (!absl::ascii_islower(u) && !absl::ascii_isdigit(u) && c != '-') return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view name, const std::vector<absl::string_view>& collections,
    absl::string_view field) {
  std::vector<std::string> pattern;
  for (absl::string_view c : collections) {
    pattern.push_back(absl::StrCat(c, "/{", c.substr(0, c.size() - 1), "}"));
  }
  const std::string expected = absl::StrCat(
      "must be a resource name \"", absl::StrJoin(pattern, "/"),
      "\", each id 1-63 lower-case letters, digits or \"-\"");
  if (name.empty()) {
    return InvalidField(std::string(field), absl::StrCat("is required; it ", expected));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 * collections.size()) {
    return InvalidField(std::string(field), expected);
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < collections.size(); ++i) {
    if (parts[2 * i] != collections[i] || !IsValidResourceId(parts[2 * i + 1])) {
      return InvalidField(std::string(field), expected);
    }
    ids.emplace_back(parts[2 * i + 1]);
  }
  return ids;
}

}  // namespace sip
