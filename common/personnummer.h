#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace sip {

// A validated Swedish personal identity number (personnummer) or coordination number
// (samordningsnummer).
struct PersonalIdentityNumber {
  // Always 12 digits, "YYYYMMDDNNNC", the canonical stored form.
  std::string digits;
  // True for a samordningsnummer (birth day + 60).
  bool coordination_number = false;
  // The date of birth (for a samordningsnummer, with the 60 taken off).
  absl::CivilDay birth_date;
};

// Parses and validates a personnummer or samordningsnummer written as
// "YYYYMMDDNNNN", "YYYYMMDD-NNNN", "YYMMDDNNNN", "YYMMDD-NNNN" or "YYMMDD+NNNN" ("+" for
// people aged 100 or more). Checks a real date (day + 60 for samordningsnummer), not in
// the future, and the Luhn check digit. With 10 digits the century is taken relative to
// `today`. Errors are INVALID_ARGUMENT describing what is wrong, never echoing the number.
absl::StatusOr<PersonalIdentityNumber> ParsePersonalIdentityNumber(
    absl::string_view text, absl::CivilDay today);

// True when `text` contains something shaped like a personnummer (10 or 12 digits with an
// optional separator); used to keep them out of logs.
bool ContainsPersonalIdentityNumberLike(absl::string_view text);

// `text` with every personnummer-shaped run replaced by "[redacted]".
std::string RedactPersonalIdentityNumbers(absl::string_view text);

}  // namespace sip
