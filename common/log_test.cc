#include "common/log.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sip::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(LogTest, WritesOneJsonObjectWithFields) {
  Init("consent", Level::kInfo);
  const auto line = nlohmann::json::parse(
      Format(Level::kWarn, "rpc", {{"code", "NotFound"}, {"duration_ms", 1.5}}));
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["service"], "consent");
  EXPECT_EQ(line["event"], "rpc");
  EXPECT_EQ(line["code"], "NotFound");
  EXPECT_DOUBLE_EQ(line["duration_ms"].get<double>(), 1.5);
  EXPECT_TRUE(line.contains("time"));
}

TEST(LogTest, NeverContainsAPersonnummer) {
  const std::string line = Format(
      Level::kError, "failed for 19121212-1212",
      {{"message", "no plan for 121212-1212"},
       {"nested", nlohmann::json{{"pnr", "191212121212"}}},
       {"number", 191212121212LL}});
  EXPECT_THAT(line, Not(HasSubstr("1212-1212")));
  EXPECT_THAT(line, Not(HasSubstr("191212121212")));
  EXPECT_THAT(line, HasSubstr("[redacted]"));
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

}  // namespace
}  // namespace sip::log
