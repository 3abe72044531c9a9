#include "common/principals.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

using ::testing::HasSubstr;

TEST(PrincipalsTest, EveryMunicipalityAndRegionOfScbsListsIsKnown) {
  EXPECT_EQ(internal::MunicipalityRows().size(), 290u);
  EXPECT_EQ(internal::RegionRows().size(), 21u);
  EXPECT_EQ(MunicipalityName("1482"), "Kungälv");
  EXPECT_EQ(MunicipalityName("0180"), "Stockholm");
  EXPECT_EQ(RegionName("14"), "Västra Götalandsregionen");
  EXPECT_EQ(RegionName("12"), "Region Skåne");
  EXPECT_EQ(RegionOfMunicipality("1482"), "14");
  // Every municipality lies in a region on the list.
  for (const auto& row : internal::MunicipalityRows()) {
    EXPECT_TRUE(RegionName(RegionOfMunicipality(row.code))) << row.code;
  }
  // Gotland: one organisation, both principals.
  EXPECT_EQ(MunicipalityName("0980"), "Gotland");
  EXPECT_EQ(RegionName("09"), "Region Gotland");
  // RegionCodes lists each of them once.
  const std::vector<std::string> regions = RegionCodes();
  EXPECT_EQ(regions.size(), 21u);
  EXPECT_EQ(std::set<std::string>(regions.begin(), regions.end()).size(), 21u);
  for (const std::string& code : regions) EXPECT_TRUE(RegionName(code)) << code;
  EXPECT_THAT(regions, ::testing::Contains("14"));
}

TEST(PrincipalsTest, CodesMustFitTheirKind) {
  EXPECT_EQ(PrincipalCodeProblem(PrincipalKind::kMunicipality, "1482"), "");
  EXPECT_EQ(PrincipalCodeProblem(PrincipalKind::kRegion, "14"), "");
  EXPECT_EQ(PrincipalCodeProblem(PrincipalKind::kOther, ""), "");
  EXPECT_THAT(PrincipalCodeProblem(PrincipalKind::kMunicipality, ""), HasSubstr("required"));
  EXPECT_THAT(PrincipalCodeProblem(PrincipalKind::kMunicipality, "14"), HasSubstr("290"));
  EXPECT_THAT(PrincipalCodeProblem(PrincipalKind::kMunicipality, "1400"), HasSubstr("290"));
  EXPECT_THAT(PrincipalCodeProblem(PrincipalKind::kRegion, "1482"), HasSubstr("21"));
  EXPECT_THAT(PrincipalCodeProblem(PrincipalKind::kRegion, "02"), HasSubstr("21"));
  EXPECT_THAT(PrincipalCodeProblem(PrincipalKind::kOther, "14"), HasSubstr("empty"));
}

}  // namespace
}  // namespace sip
