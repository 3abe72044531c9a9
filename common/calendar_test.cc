#include "common/calendar.h"

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

}  // namespace
}  // namespace sip
