#include "common/personnummer.h"

#include <algorithm>
#include <regex>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace sip {
namespace {

// Luhn over the 10 digits YYMMDDNNNC (the check digit included): sum must be 0 mod 10.
bool LuhnValid(absl::string_view ten) {
  int sum = 0;
  for (size_t i = 0; i < ten.size(); ++i) {
    int d = ten[i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

int ToInt(absl::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

const std::regex& PnrLikeRegex() {
  static const auto* const kRe =
      new std::regex(R"((^|[^0-9])((19|20|18)?[0-9]{6}[-+ ]?[0-9]{4})(?![0-9]))");
  return *kRe;
}

}  // namespace

absl::StatusOr<PersonalIdentityNumber> ParsePersonalIdentityNumber(
    absl::string_view text, absl::CivilDay today) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  std::string digits;
  char separator = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if ((c == '-' || c == '+') && separator == 0 && s.size() - i == 5) {
      separator = c;
    } else {
      return absl::InvalidArgumentError(
          "must be 10 or 12 digits, optionally with '-' or '+' before the last four "
          "(YYYYMMDD-NNNN or YYMMDD-NNNN)");
    }
  }
  if (digits.size() != 10 && digits.size() != 12) {
    return absl::InvalidArgumentError(
        "must be 10 or 12 digits (YYYYMMDD-NNNN or YYMMDD-NNNN)");
  }
  if (digits.size() == 12 && separator == '+') {
    return absl::InvalidArgumentError(
        "'+' is only used with 10 digits; write the 12-digit form with '-' or no separator");
  }
  const absl::string_view ten =
      absl::string_view(digits).substr(digits.size() == 12 ? 2 : 0);
  constexpr char kNotADate[] =
      "the date part YYMMDD is not a real date (for a samordningsnummer, day + 60)";
  const int yy = ToInt(ten.substr(0, 2));
  const int month = ToInt(ten.substr(2, 2));
  int day = ToInt(ten.substr(4, 2));
  bool coordination = false;
  if (day > 60) {
    coordination = true;
    day -= 60;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return absl::InvalidArgumentError(kNotADate);
  }
  int year;
  if (digits.size() == 12) {
    year = ToInt(absl::string_view(digits).substr(0, 4));
    if (year < 1800) {
      return absl::InvalidArgumentError("the year of birth is not plausible");
    }
  } else {
    // '-' (or none): the latest such date not after today; '+': 100 years before that.
    year = static_cast<int>(today.year()) - ((static_cast<int>(today.year()) - yy) % 100);
    if (absl::CivilDay(year, month, std::min(day, 28)) > today) year -= 100;
    if (separator == '+') year -= 100;
  }
  const absl::CivilDay birth(year, month, day);
  if (birth.year() != year || birth.month() != month || birth.day() != day) {
    return absl::InvalidArgumentError(kNotADate);
  }
  if (birth > today) {
    return absl::InvalidArgumentError("the date of birth is in the future");
  }
  if (!LuhnValid(ten)) {
    return absl::InvalidArgumentError(
        "the check digit (the last digit) does not match; check for a typing error");
  }
  PersonalIdentityNumber out;
  out.digits = std::to_string(year) + std::string(ten.substr(2));
  out.coordination_number = coordination;
  out.birth_date = birth;
  return out;
}

namespace {

// A personnummer-shaped run whose month and day could be a birth date (day + 60 for a
// samordningsnummer). Organisation numbers, such as those inside HSA-ids, have a month
// part of 20 or more and are left alone.
bool PlausibleDate(const std::string& run) {
  std::string digits;
  for (char c : run) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  const absl::string_view ten = absl::string_view(digits).substr(digits.size() - 10);
  const int month = ToInt(ten.substr(2, 2));
  const int day = ToInt(ten.substr(4, 2));
  return month >= 1 && month <= 12 && ((day >= 1 && day <= 31) || (day >= 61 && day <= 91));
}

template <typename OnMatch>
void ForEachLikelyNumber(const std::string& s, OnMatch on_match) {
  for (auto it = std::sregex_iterator(s.begin(), s.end(), PnrLikeRegex());
       it != std::sregex_iterator(); ++it) {
    if (PlausibleDate((*it)[2].str())) on_match(*it);
  }
}

}  // namespace

bool ContainsPersonalIdentityNumberLike(absl::string_view text) {
  bool found = false;
  ForEachLikelyNumber(std::string(text), [&](const std::smatch&) { found = true; });
  return found;
}

std::string RedactPersonalIdentityNumbers(absl::string_view text) {
  const std::string s(text);
  std::string out;
  size_t copied = 0;
  ForEachLikelyNumber(s, [&](const std::smatch& m) {
    const size_t start = static_cast<size_t>(m.position(2));
    out.append(s, copied, start - copied);
    out.append("[redacted]");
    copied = start + static_cast<size_t>(m.length(2));
  });
  out.append(s, copied, std::string::npos);
  return out;
}

}  // namespace sip
