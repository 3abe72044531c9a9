#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace sip {

// The position after the last item of a page in a list ordered by (time, id), newest
// first or oldest first. Page tokens are opaque to clients: base64url of the position and
// an HMAC-SHA256 (under the server's page-token secret) of the position and the query it
// belongs to, so a token is refused for another query, a forged or altered token is
// refused, and the query's filter values (a personnummer) cannot be read out of it.
struct PageCursor {
  absl::Time time;
  std::string id;
};

// The secret every replica of a service signs and verifies tokens with (at least 32
// bytes; ServeUntilSignal sets it from --page_token_secret). Until it is set, a random
// secret of this process is used: tokens then verify only in this process.
void SetPageTokenSecret(absl::string_view secret);

std::string EncodePageToken(const PageCursor& cursor, absl::string_view query);

// INVALID_ARGUMENT naming `page_token` when the token is malformed or was issued for a
// different query.
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view query);

// A list call's position from its `page_token`: nullopt for the first page (empty
// token), else as DecodePageToken.
absl::StatusOr<std::optional<PageCursor>> CursorFromToken(absl::string_view token,
                                                          absl::string_view query);
// The `next_page_token` of a page: empty on the last page (no next position).
std::string TokenFromCursor(const std::optional<PageCursor>& next, absl::string_view query);

// The query a list request's page token is bound to: the request's message type (so a
// token of one method is refused by another, e.g. ListFollowUps' by ListConsents) and
// every field but `page_token` and `page_size` (the parent and every filter).
std::string PageQueryOf(const google::protobuf::Message& request);

// The page size to use: `requested` when 1..max, `default_size` when 0, `max` above it.
// INVALID_ARGUMENT naming `page_size` when negative.
absl::StatusOr<int> EffectivePageSize(int32_t requested, int default_size, int max);

}  // namespace sip
