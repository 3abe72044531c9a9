#include "common/personnummer.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

using ::sip::testing::StatusIs;
using ::testing::HasSubstr;

const absl::CivilDay kToday(2026, 11, 23);

struct ValidCase {
  const char* input;
  const char* digits;
  bool coordination;
};

class ValidNumberTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidNumberTest, ParsesToCanonicalTwelveDigits) {
  const ValidCase& c = GetParam();
  auto parsed = ParsePersonalIdentityNumber(c.input, kToday);
  ASSERT_TRUE(parsed.ok()) << c.input << ": " << parsed.status();
  EXPECT_EQ(parsed->digits, c.digits);
  EXPECT_EQ(parsed->coordination_number, c.coordination);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidNumberTest,
    ::testing::Values(
        ValidCase{"19121212-1212", "191212121212", false},
        ValidCase{"191212121212", "191212121212", false},
        ValidCase{"121212-1212", "201212121212", false},  // latest century not in future
        ValidCase{"1212121212", "201212121212", false},
        ValidCase{"121212+1212", "191212121212", false},  // '+': 100 years or older
        ValidCase{"811228-9874", "198112289874", false},
        ValidCase{" 811228-9874 ", "198112289874", false},
        ValidCase{"261231-1239", "192612311239", false},  // 2026-12-31 is future → 1926
        ValidCase{"000229-1235", "200002291235", false},  // leap day 2000
        ValidCase{"20000229-1235", "200002291235", false},
        ValidCase{"701063-2391", "197010632391", true},   // samordningsnummer, day 3 + 60
        ValidCase{"197010632391", "197010632391", true}));

struct InvalidCase {
  const char* input;
  const char* message_part;
};

class InvalidNumberTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidNumberTest, IsRejectedWithAReason) {
  const InvalidCase& c = GetParam();
  EXPECT_THAT(ParsePersonalIdentityNumber(c.input, kToday),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message_part)))
      << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidNumberTest,
    ::testing::Values(
        InvalidCase{"", "10 or 12 digits"},
        InvalidCase{"811228987", "10 or 12 digits"},
        InvalidCase{"8112289874123", "10 or 12 digits"},
        InvalidCase{"811228-98a4", "10 or 12 digits"},
        InvalidCase{"8112-289874", "10 or 12 digits"},
        InvalidCase{"19811228+9874", "'+' is only used with 10 digits"},
        InvalidCase{"8112289875", "check digit"},
        InvalidCase{"19121212-1213", "check digit"},
        InvalidCase{"811328-9874", "not a real date"},   // month 13
        InvalidCase{"811200-9874", "not a real date"},   // day 0
        InvalidCase{"010229-1234", "not a real date"},   // 2001 not a leap year
        InvalidCase{"19000229-1235", "not a real date"}, // 1900 not a leap year
        InvalidCase{"701093-2391", "not a real date"},   // day 93 - 60 = 33
        InvalidCase{"20261231-1239", "in the future"},
        InvalidCase{"17991231-1234", "not plausible"}));

TEST(RedactTest, RemovesEveryPersonnummerShape) {
  EXPECT_EQ(RedactPersonalIdentityNumbers("pnr 19121212-1212 and 8112289874."),
            "pnr [redacted] and [redacted].");
  EXPECT_EQ(RedactPersonalIdentityNumbers("id=121212+1212"), "id=[redacted]");
  EXPECT_TRUE(ContainsPersonalIdentityNumberLike("x191212121212y"));
  EXPECT_FALSE(ContainsPersonalIdentityNumberLike("port 50051, 3 weeks, seq 12345"));
  EXPECT_EQ(RedactPersonalIdentityNumbers("SE2321000131-E000000000001"),
            "SE2321000131-E000000000001");
}

}  // namespace
}  // namespace sip
