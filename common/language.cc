#include "common/language.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace sip {

bool IsLanguageTag(absl::string_view tag) {
  std::vector<absl::string_view> parts = absl::StrSplit(tag, '-');
  if (parts[0].size() < 2 || parts[0].size() > 3) return false;
  for (char c : parts[0]) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c))) return false;
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty() || parts[i].size() > 8) return false;
    for (char c : parts[i]) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

}  // namespace sip
