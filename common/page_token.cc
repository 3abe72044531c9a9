#include "common/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"

namespace sip {
namespace {

// The query is folded into the token as a hash (64-bit FNV-1a: stable across processes
// and replicas, unlike absl::Hash), so tokens stay short and carry no filter values, which
// may be personal data.
std::string QueryTag(absl::string_view query) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : query) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrCat(absl::Hex(h));
}

absl::Status BadToken() {
  return InvalidField("page_token",
                      "is not a token this list returned for this query; pass the "
                      "previous response's next_page_token unchanged with the same "
                      "filters, or leave it empty for the first page");
}

}  // namespace

std::string EncodePageToken(const PageCursor& cursor, absl::string_view query) {
  return absl::WebSafeBase64Escape(absl::StrCat("1|", QueryTag(query), "|",
                                                absl::ToUnixMicros(cursor.time), "|",
                                                cursor.id));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view query) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('|', 3));
  int64_t micros = 0;
  if (parts.size() != 4 || parts[0] != "1" || parts[1] != QueryTag(query) ||
      !absl::SimpleAtoi(parts[2], &micros)) {
    return BadToken();
  }
  return PageCursor{absl::FromUnixMicros(micros), parts[3]};
}

absl::StatusOr<int> EffectivePageSize(int32_t requested, int default_size, int max) {
  if (requested < 0) {
    return InvalidField("page_size", absl::StrCat("must not be negative; 0 means the default ",
                                                  default_size, ", at most ", max));
  }
  if (requested == 0) return default_size;
  return requested > max ? max : static_cast<int>(requested);
}

}  // namespace sip
