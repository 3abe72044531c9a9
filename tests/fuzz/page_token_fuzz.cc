// libFuzzer: the page-token decoder (common/page_token.h) on arbitrary tokens, and its round
// trip on arbitrary positions. Invariants: a token is refused with INVALID_ARGUMENT naming
// page_token unless it is one the server issued, never a crash; a token the server issues
// decodes to its position for its own query and is refused for any other query.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "common/page_token.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sip::SetPageTokenSecret("the fuzzer's page-token secret, 32 bytes or more");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string query = in.ConsumeRandomLengthString(64);
  sip::PageCursor cursor;
  cursor.time = absl::FromUnixMicros(in.ConsumeIntegralInRange<int64_t>(
      -62135596800LL * 1000000, 253402300799LL * 1000000));
  cursor.id = in.ConsumeRandomLengthString(128);
  const std::string token = in.ConsumeRemainingBytesAsString();

  // Whatever a client sends.
  auto decoded = sip::DecodePageToken(token, query);
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
  } else {
    // Accepted only what the server would have issued itself (its bytes, whatever the
    // base64 spelling): a shortened or altered signature is never enough.
    std::string sent, issued;
    if (!absl::WebSafeBase64Unescape(token, &sent) ||
        !absl::WebSafeBase64Unescape(sip::EncodePageToken(*decoded, query), &issued) ||
        sent != issued) {
      std::abort();
    }
  }
  auto first = sip::CursorFromToken(token, query);
  if (token.empty() != (first.ok() && !first->has_value())) std::abort();

  // What the server issues.
  const std::string issued = sip::EncodePageToken(cursor, query);
  auto back = sip::DecodePageToken(issued, query);
  if (!back.ok() || back->time != cursor.time || back->id != cursor.id) std::abort();
  if (sip::DecodePageToken(issued, query + "x").ok()) std::abort();
  return 0;
}
