#include "common/calendar.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sip {
namespace {

constexpr char kZoneName[] = "Europe/Stockholm";
constexpr char kMissing[] =
    "the time zone database has no Europe/Stockholm: install tzdata (Debian: apt-get "
    "install tzdata; scripts/setup.sh does) or point TZDIR at a zoneinfo folder; days "
    "would otherwise be reckoned in UTC";

const absl::TimeZone* LoadStockholm() {
  auto* zone = new absl::TimeZone;
  if (!absl::LoadTimeZone(kZoneName, zone)) {
    delete zone;
    return nullptr;
  }
  return zone;
}

const absl::TimeZone* Zone() {
  static const absl::TimeZone* const kZone = LoadStockholm();
  return kZone;
}

}  // namespace

absl::Status CheckCalendar() {
  if (Zone() == nullptr) return absl::FailedPreconditionError(kMissing);
  return absl::OkStatus();
}

const absl::TimeZone& Stockholm() {
  const absl::TimeZone* zone = Zone();
  if (zone == nullptr) {
    std::fprintf(stderr, "fatal: %s\n", kMissing);
    std::abort();
  }
  return *zone;
}

absl::CivilDay DayInSweden(absl::Time t) { return absl::ToCivilDay(t, Stockholm()); }

absl::Time StartOfDayInSweden(absl::CivilDay day) { return absl::FromCivil(day, Stockholm()); }

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  const absl::CivilDay wanted(month.year(), month.month(), day.day());
  // absl normalises 31 February to early March; clamp to the month's last day instead.
  return absl::CivilMonth(wanted) == month ? wanted : last;
}

absl::CivilDay EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

namespace {

// The first day on or after `from` that falls on `weekday`.
absl::CivilDay OnOrAfter(absl::CivilDay from, absl::Weekday weekday) {
  while (absl::GetWeekday(from) != weekday) ++from;
  return from;
}

}  // namespace

std::vector<absl::CivilDay> SwedishNonWorkingHolidays(int year) {
  const absl::CivilDay easter = EasterSunday(year);
  // Midsommardagen: the Saturday of 20–26 June; alla helgons dag: of 31 October–6 November.
  const absl::CivilDay midsummer =
      OnOrAfter(absl::CivilDay(year, 6, 20), absl::Weekday::saturday);
  std::vector<absl::CivilDay> days = {
      absl::CivilDay(year, 1, 1),   absl::CivilDay(year, 1, 6),
      easter - 2,                   easter,
      easter + 1,                   absl::CivilDay(year, 5, 1),
      easter + 39,                  easter + 49,
      absl::CivilDay(year, 6, 6),   midsummer - 1,
      midsummer,                    OnOrAfter(absl::CivilDay(year, 10, 31), absl::Weekday::saturday),
      absl::CivilDay(year, 12, 24), absl::CivilDay(year, 12, 25),
      absl::CivilDay(year, 12, 26), absl::CivilDay(year, 12, 31),
  };
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

bool IsSwedishWorkingDay(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  if (w == absl::Weekday::saturday || w == absl::Weekday::sunday) return false;
  const std::vector<absl::CivilDay> holidays = SwedishNonWorkingHolidays(static_cast<int>(day.year()));
  return !std::binary_search(holidays.begin(), holidays.end(), day);
}

absl::CivilDay AddSwedishWorkingDays(absl::CivilDay day, int n) {
  while (n > 0) {
    ++day;
    if (IsSwedishWorkingDay(day)) --n;
  }
  return day;
}

std::optional<absl::CivilDay> DayFromProto(const common::v1::Date& date) {
  if (date.year() < 1900 || date.year() > 2200) return std::nullopt;
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (day.month() != date.month() || day.day() != date.day()) return std::nullopt;
  return day;
}

void DayToProto(absl::CivilDay day, common::v1::Date* out) {
  out->set_year(static_cast<int32_t>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
}

}  // namespace sip
