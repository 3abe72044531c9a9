#include "common/calendar.h"

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
