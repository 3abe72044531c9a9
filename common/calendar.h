#pragma once

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sip/common/v1/common.pb.h"

// The domain's calendar: every calendar day, week and month of the suite (follow-up dates,
// "today", "within three weeks", "12 months without follow-up") is reckoned in Swedish
// local time, Europe/Stockholm, with absl's civil-time types.
namespace sip {

// OK when the time zone database has Europe/Stockholm; otherwise FAILED_PRECONDITION with
// what to install. ServeUntilSignal checks it first, so a server without the database
// stops at start with that message instead of silently reckoning days in UTC.
absl::Status CheckCalendar();

// Europe/Stockholm. Stops the process with a clear message when the database is missing.
const absl::TimeZone& Stockholm();

// The calendar day `t` falls on in Sweden.
absl::CivilDay DayInSweden(absl::Time t);
inline absl::CivilDay TodayInSweden(absl::Time now) { return DayInSweden(now); }

// The first moment of `day` in Sweden (00:00 local time, whatever the UTC offset).
absl::Time StartOfDayInSweden(absl::CivilDay day);

// `day` plus `months` calendar months; a day past the end of the target month becomes its
// last day (31 January + 1 month = 28 or 29 February), as people count months.
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// Easter Sunday of `year` (Gregorian; the anonymous algorithm of Meeus, Jones and
// Butcher), from which Sweden's movable holidays follow.
absl::CivilDay EasterSunday(int year);

// The days of `year` a Swedish time limit does not count as working days, besides
// Saturdays and Sundays, in date order: the public holidays (allmänna helgdagar, lag
// 1989:253) — nyårsdagen, trettondedag jul, långfredagen, påskdagen, annandag påsk,
// första maj, Kristi himmelsfärdsdag, pingstdagen, nationaldagen, midsommardagen, alla
// helgons dag, juldagen, annandag jul — and the three eves that lag (1930:173) om
// beräkning av lagstadgad tid treats like them: midsommarafton, julafton, nyårsafton.
// Computed for any year, never listed by hand.
std::vector<absl::CivilDay> SwedishNonWorkingHolidays(int year);

// True for a Monday–Friday that is none of the above.
bool IsSwedishWorkingDay(absl::CivilDay day);

// The `n`th Swedish working day after `day` (n ≥ 1); `day` itself when n is 0.
absl::CivilDay AddSwedishWorkingDays(absl::CivilDay day, int n);

// sip.common.v1.Date ↔ civil day; nullopt for a date that does not exist or lies outside
// the years 1900–2200.
std::optional<absl::CivilDay> DayFromProto(const common::v1::Date& date);
void DayToProto(absl::CivilDay day, common::v1::Date* out);

}  // namespace sip
