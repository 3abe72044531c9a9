// libFuzzer: the personnummer parser and the log redactor on arbitrary text. Invariants:
// an accepted number is canonical (12 digits) and parses again to itself; redacted text
// never still holds something shaped like a personnummer.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/time/civil_time.h"
#include "common/personnummer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const absl::CivilDay today(2026, 11, 25);
  auto parsed = sip::ParsePersonalIdentityNumber(text, today);
  if (parsed.ok()) {
    if (parsed->digits.size() != 12) std::abort();
    auto again = sip::ParsePersonalIdentityNumber(parsed->digits, today);
    if (!again.ok() || again->digits != parsed->digits ||
        again->birth_date != parsed->birth_date) {
      std::abort();
    }
  } else if (parsed.status().code() != absl::StatusCode::kInvalidArgument) {
    std::abort();
  }
  if (sip::ContainsPersonalIdentityNumberLike(sip::RedactPersonalIdentityNumbers(text))) {
    std::abort();
  }
  return 0;
}
