#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace sip {

// Limits every request of the suite is held to, whatever its message; documented in
// proto/sip/common/v1/common.proto and the README. A field may have a stricter limit of
// its own (its comment says so).
struct RequestLimits {
  // Any string field, in bytes of UTF-8: a free-text note fits, a pasted document not.
  static constexpr size_t kMaxTextBytes = 4000;
  // Any repeated field: units, participants, needs, goals, interventions, …
  static constexpr int kMaxRepeated = 200;
  // google.protobuf.Timestamp and sip.common.v1.Date years accepted anywhere.
  static constexpr int kMinYear = 1900;
  static constexpr int kMaxYear = 2200;
};

// Checks every field set in `request`, however deeply nested: no string contains the NUL
// character (U+0000) or exceeds kMaxTextBytes, no repeated field exceeds kMaxRepeated
// items, every set Timestamp and Date lies in kMinYear..kMaxYear (and a Timestamp's nanos
// in 0..999999999). INVALID_ARGUMENT with a BadRequest naming each offending field by its
// path in the request (e.g. `plan.needs[3].description`); never echoes the value.
absl::Status CheckRequestShape(const google::protobuf::Message& request);

// The RPC a request message is for: "GetPlanRequest" → "GetPlan".
std::string MethodOf(const google::protobuf::Descriptor& request);
// The resource a request names (its string field `name`, `parent` or `plan`, the first
// set), or empty. For the access log, which keeps resource names, never content.
std::string ResourceNameOf(const google::protobuf::Message& request);

}  // namespace sip
