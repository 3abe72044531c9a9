#include "common/page_token.h"

#include "absl/strings/escaping.h"
#include "common/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sip/consent/v1/consent.pb.h"
#include "sip/plan/v1/plan.pb.h"

namespace sip {
namespace {

using ::sip::testing::StatusIs;

TEST(PageTokenTest, RoundTripsForTheSameQuery) {
  const PageCursor cursor{absl::FromUnixMicros(1700000000123456), "id-with|bar"};
  const std::string token = EncodePageToken(cursor, "plans/p1");
  auto decoded = DecodePageToken(token, "plans/p1");
  SIP_ASSERT_OK(decoded);
  EXPECT_EQ(decoded->time, cursor.time);
  EXPECT_EQ(decoded->id, cursor.id);
  EXPECT_EQ(token.find("p1"), std::string::npos) << "the query must not be readable in it";
}

TEST(PageTokenTest, RefusedForAnotherQueryOrWhenMangled) {
  const std::string token = EncodePageToken({absl::FromUnixSeconds(5), "x"}, "plans/p1");
  auto other = DecodePageToken(token, "plans/p2");
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldViolationsOf(other.status()).at(0).field, "page_token");
  EXPECT_THAT(DecodePageToken("not a token!", "plans/p1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodePageToken(token.substr(0, token.size() - 4), "plans/p1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PageTokenTest, ForgedOrForeignTokensAreRefused) {
  SetPageTokenSecret("a-secret-of-at-least-thirty-two-characters");
  const std::string token = EncodePageToken({absl::FromUnixSeconds(5), "p-1"}, "pin=191212121212");
  SIP_ASSERT_OK(DecodePageToken(token, "pin=191212121212"));
  // The filter value is not in the token in any form a client could read or reverse.
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  EXPECT_EQ(raw.find("1912"), std::string::npos);
  // The same position under a forged MAC, or a token from a server with another secret.
  std::string forged = raw;
  forged[0] = static_cast<char>(forged[0] ^ 1);
  EXPECT_THAT(DecodePageToken(absl::WebSafeBase64Escape(forged), "pin=191212121212"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  SetPageTokenSecret("another-secret-of-at-least-thirty-two-chars");
  EXPECT_THAT(DecodePageToken(token, "pin=191212121212"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // An unsigned token of the old form (reached SQL with year 0).
  EXPECT_THAT(DecodePageToken(absl::WebSafeBase64Escape("1|cbf29ce484222325|-62167219200000000|x"),
                              "pin=191212121212"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PageQueryTest, BindsTheMethodAndEveryFilterButNotThePaging) {
  sip::consent::v1::ListConsentsRequest consents;
  consents.set_parent("plans/p1");
  sip::plan::v1::ListFollowUpsRequest follow_ups;
  follow_ups.set_parent("plans/p1");
  EXPECT_NE(PageQueryOf(consents), PageQueryOf(follow_ups)) << "same parent, other method";
  sip::plan::v1::ListPlansRequest plans;
  plans.set_participant_unit_hsa_id("SE2321000131-E000000000001");
  const std::string query = PageQueryOf(plans);
  plans.set_page_size(7);
  plans.set_page_token("abc");
  EXPECT_EQ(PageQueryOf(plans), query) << "paging is not the query";
  plans.set_state(sip::common::v1::PLAN_STATE_ACTIVE);
  EXPECT_NE(PageQueryOf(plans), query) << "another filter";
  const std::string token = EncodePageToken({absl::FromUnixSeconds(1), "x"}, PageQueryOf(consents));
  EXPECT_EQ(DecodePageToken(token, PageQueryOf(follow_ups)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EffectivePageSizeTest, DefaultsClampsAndRefusesNegative) {
  EXPECT_EQ(*EffectivePageSize(0, 50, 500), 50);
  EXPECT_EQ(*EffectivePageSize(7, 50, 500), 7);
  EXPECT_EQ(*EffectivePageSize(501, 50, 500), 500);
  auto negative = EffectivePageSize(-1, 50, 500);
  EXPECT_THAT(negative, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldViolationsOf(negative.status()).at(0).field, "page_size");
}

}  // namespace
}  // namespace sip
