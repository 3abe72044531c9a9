#include "common/ids.h"

#include <set>

#include "common/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

using ::sip::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NewIdTest, IsAVersion4UuidAndAValidResourceId) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewId();
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4') << "version nibble: " << id;
    EXPECT_THAT(std::string("89ab"), HasSubstr(std::string(1, id[19]))) << id;
    EXPECT_TRUE(IsValidResourceId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IsValidResourceIdTest, FollowsAip122) {
  EXPECT_TRUE(IsValidResourceId("a"));
  EXPECT_TRUE(IsValidResourceId("plan-1"));
  EXPECT_TRUE(IsValidResourceId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidResourceId(""));
  EXPECT_FALSE(IsValidResourceId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidResourceId("-a"));
  EXPECT_FALSE(IsValidResourceId("Plan"));
  EXPECT_FALSE(IsValidResourceId("a/b"));
  EXPECT_FALSE(IsValidResourceId("a b"));
}

TEST(ParseResourceNameTest, SplitsIds) {
  auto ids = ParseResourceName("plans/p1/consents/c-2", {"plans", "consents"}, "name");
  SIP_ASSERT_OK(ids);
  EXPECT_THAT(*ids, ElementsAre("p1", "c-2"));
}

TEST(ParseResourceNameTest, RefusesMalformedNamesNamingTheField) {
  for (const char* bad : {"", "plans", "plans/", "plan/p1/consents/c1", "plans/p1/consent/c1",
                          "plans/P1/consents/c1", "plans/p1/consents/c1/x",
                          "plans//consents/c1"}) {
    auto ids = ParseResourceName(bad, {"plans", "consents"}, "name");
    EXPECT_THAT(ids, StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    const auto violations = FieldViolationsOf(ids.status());
    ASSERT_EQ(violations.size(), 1u) << bad;
    EXPECT_EQ(violations[0].field, "name");
    EXPECT_THAT(violations[0].description, HasSubstr("plans/{plan}/consents/{consent}"));
  }
}

}  // namespace
}  // namespace sip
