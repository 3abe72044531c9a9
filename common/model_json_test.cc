#include "common/model_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

TEST(ModelJsonTest, SharedTypesRoundTripWithEnumsByName) {
  const Actor actor{{"SE2321000131-E000000000001", PrincipalKind::kRegion, "VC Kungälv"}, "u1"};
  const nlohmann::json j = actor;
  EXPECT_EQ(j["unit"]["principal"], "REGION");
  EXPECT_EQ(j.get<Actor>(), actor);

  const OtherParty party{OtherPartyKind::kSocialInsuranceAgency, "Försäkringskassan"};
  const nlohmann::json p = party;
  EXPECT_EQ(p["kind"], "SOCIAL_INSURANCE_AGENCY");
  EXPECT_EQ(p.get<OtherParty>(), party);
}

TEST(ModelJsonTest, TimesAreExactMicroseconds) {
  const absl::Time t = absl::FromUnixMicros(1732442400123456);
  EXPECT_EQ(TimeFromJson(TimeToJson(t)), t);
  EXPECT_EQ(OptionalTimeFromJson(OptionalTimeToJson(std::nullopt)), std::nullopt);
  EXPECT_EQ(OptionalTimeFromJson(OptionalTimeToJson(t)), t);
}

TEST(ModelJsonTest, UnknownEnumNameIsAnError) {
  const nlohmann::json bad = {{"hsa_id", "SE2321000131-E1"}, {"principal", "COUNTY"}};
  EXPECT_THROW(bad.get<Unit>(), std::invalid_argument);
}

}  // namespace
}  // namespace sip
