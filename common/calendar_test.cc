#include "common/calendar.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

TEST(CalendarTest, DaysAreSwedishDaysAcrossDaylightSaving) {
  ASSERT_TRUE(CheckCalendar().ok());
  // 22:30 UTC on 2026-06-30 is already 1 July in Sweden (summer time, UTC+2)…
  EXPECT_EQ(DayInSweden(absl::FromCivil(absl::CivilSecond(2026, 6, 30, 22, 30, 0),
                                        absl::UTCTimeZone())),
            absl::CivilDay(2026, 7, 1));
  // …and 23:30 UTC on 2026-01-31 is 1 February (winter time, UTC+1).
  EXPECT_EQ(DayInSweden(absl::FromCivil(absl::CivilSecond(2026, 1, 31, 23, 30, 0),
                                        absl::UTCTimeZone())),
            absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(StartOfDayInSweden(absl::CivilDay(2026, 7, 1)),
            absl::FromCivil(absl::CivilSecond(2026, 6, 30, 22, 0, 0), absl::UTCTimeZone()));
  // Three weeks are 21 calendar days, across the change to summer time too.
  EXPECT_EQ(absl::CivilDay(2026, 3, 20) + 21, absl::CivilDay(2026, 4, 10));
}

TEST(CalendarTest, MonthsAreCalendarMonthsClampedToTheMonthsEnd) {
  EXPECT_EQ(AddMonths(absl::CivilDay(2026, 3, 15), 12), absl::CivilDay(2027, 3, 15));
  EXPECT_EQ(AddMonths(absl::CivilDay(2026, 1, 31), 1), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 1, 31), 13), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(AddMonths(absl::CivilDay(2026, 8, 31), 15), absl::CivilDay(2027, 11, 30));
  EXPECT_EQ(AddMonths(absl::CivilDay(2026, 5, 31), -3), absl::CivilDay(2026, 2, 28));
}

TEST(CalendarTest, DatesOutsideTheCalendarOrTheRangeAreRefused) {
  common::v1::Date date;
  DayToProto(absl::CivilDay(2028, 2, 29), &date);
  EXPECT_EQ(DayFromProto(date), absl::CivilDay(2028, 2, 29));
  date.set_year(2027);
  EXPECT_EQ(DayFromProto(date), std::nullopt);
  date.set_year(1899);
  date.set_day(28);
  EXPECT_EQ(DayFromProto(date), std::nullopt);
}

// Easter from published tables: 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28,
// 2038-04-25 (the latest possible), 2285-03-22 (the earliest).
TEST(CalendarTest, EasterSundayMatchesThePublishedDates) {
  EXPECT_EQ(EasterSunday(2024), absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), absl::CivilDay(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2026), absl::CivilDay(2026, 4, 5));
  EXPECT_EQ(EasterSunday(2027), absl::CivilDay(2027, 3, 28));
  EXPECT_EQ(EasterSunday(2038), absl::CivilDay(2038, 4, 25));
  EXPECT_EQ(EasterSunday(2285), absl::CivilDay(2285, 3, 22));
}

// 2026 as Swedish calendars print it.
TEST(CalendarTest, SwedishHolidaysOf2026) {
  using D = absl::CivilDay;
  EXPECT_THAT(SwedishNonWorkingHolidays(2026),
              ::testing::ElementsAre(D(2026, 1, 1), D(2026, 1, 6), D(2026, 4, 3), D(2026, 4, 5),
                                     D(2026, 4, 6), D(2026, 5, 1), D(2026, 5, 14),
                                     D(2026, 5, 24), D(2026, 6, 6), D(2026, 6, 19),
                                     D(2026, 6, 20), D(2026, 10, 31), D(2026, 12, 24),
                                     D(2026, 12, 25), D(2026, 12, 26), D(2026, 12, 31)));
  // Midsummer and All Saints fall on their Saturday also at the window's edges.
  EXPECT_EQ(SwedishNonWorkingHolidays(2027)[10], D(2027, 6, 26));  // midsommardagen
  EXPECT_EQ(SwedishNonWorkingHolidays(2027)[11], D(2027, 11, 6));  // alla helgons dag
}

TEST(CalendarTest, WorkingDaysSkipWeekendsHolidaysAndTheThreeEves) {
  using D = absl::CivilDay;
  EXPECT_TRUE(IsSwedishWorkingDay(D(2026, 11, 25)));   // a Wednesday
  EXPECT_FALSE(IsSwedishWorkingDay(D(2026, 11, 28)));  // a Saturday
  EXPECT_FALSE(IsSwedishWorkingDay(D(2026, 4, 3)));    // långfredagen
  EXPECT_FALSE(IsSwedishWorkingDay(D(2026, 6, 19)));   // midsommarafton
  EXPECT_FALSE(IsSwedishWorkingDay(D(2026, 12, 24)));  // julafton, a Thursday
  // Three working days from Tuesday 22 December 2026: Wednesday 23, then Monday 28
  // (24–27 are julafton, juldagen, annandag jul, Sunday) and Tuesday 29.
  EXPECT_EQ(AddSwedishWorkingDays(D(2026, 12, 22), 3), D(2026, 12, 29));
  // Over Easter 2027: Thursday 25 March + 1 is Tuesday 30 March.
  EXPECT_EQ(AddSwedishWorkingDays(D(2027, 3, 25), 1), D(2027, 3, 30));
  EXPECT_EQ(AddSwedishWorkingDays(D(2026, 11, 25), 0), D(2026, 11, 25));
  // Ten working days from Friday 30 December 2026 (nyårsafton 31st, nyårsdagen 1st,
  // trettondedag jul Wednesday 6 January 2027): 4, 5, 7, 8, 11, 12, 13, 14, 15, 18.
  EXPECT_EQ(AddSwedishWorkingDays(D(2026, 12, 30), 10), D(2027, 1, 18));
}

}  // namespace
}  // namespace sip
