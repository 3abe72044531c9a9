#include "common/request_guard.h"

#include <string>

#include "common/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sip/plan/v1/plan.pb.h"

namespace sip {
namespace {

namespace pb = ::sip::plan::v1;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> FieldsOf(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(status)) out.push_back(v.field);
  return out;
}

pb::CreatePlanRequest Valid() {
  pb::CreatePlanRequest request;
  request.set_request_id("r-1");
  auto* plan = request.mutable_plan();
  plan->mutable_individual()->set_name("Tolvan Tolvansson");
  plan->add_needs("Stöd i vardagen");
  plan->mutable_next_follow_up_date()->set_year(2027);
  plan->mutable_next_follow_up_date()->set_month(3);
  plan->mutable_next_follow_up_date()->set_day(1);
  plan->mutable_discharge()->mutable_discharge_time()->set_seconds(1780000000);
  return request;
}

TEST(RequestGuardTest, AcceptsAnOrdinaryRequest) {
  EXPECT_TRUE(CheckRequestShape(Valid()).ok());
}

TEST(RequestGuardTest, NulInAnyStringIsNamedByItsPath) {
  pb::CreatePlanRequest request = Valid();
  request.mutable_plan()->mutable_individual()->set_name(std::string("Tol\0van", 7));
  request.mutable_plan()->add_needs(std::string("a\0", 2));
  const absl::Status status = CheckRequestShape(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldsOf(status), ElementsAre("plan.individual.name", "plan.needs[1]"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("NUL"));
}

TEST(RequestGuardTest, LongTextIsRefusedWithoutEchoingIt) {
  pb::CreatePlanRequest request = Valid();
  request.mutable_plan()->set_etag(std::string(64 * 1024, 'e'));
  const absl::Status status = CheckRequestShape(request);
  EXPECT_THAT(FieldsOf(status), ElementsAre("plan.etag"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("eeee")));
  EXPECT_LT(status.message().size(), 300u);
  request.mutable_plan()->set_etag(std::string(RequestLimits::kMaxTextBytes, 'e'));
  EXPECT_TRUE(CheckRequestShape(request).ok());
}

TEST(RequestGuardTest, RepeatedFieldsAreBounded) {
  pb::CreatePlanRequest request = Valid();
  for (int i = 0; i < 20000; ++i) request.mutable_plan()->add_participants();
  const absl::Status status = CheckRequestShape(request);
  EXPECT_THAT(FieldsOf(status), ElementsAre("plan.participants"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("at most 200"));
  request.mutable_plan()->mutable_participants()->DeleteSubrange(
      0, 20000 - RequestLimits::kMaxRepeated);
  EXPECT_TRUE(CheckRequestShape(request).ok());
}

TEST(RequestGuardTest, TimestampsOutsideSaneYearsAreRefused) {
  for (int64_t seconds : {int64_t{-62135596800} /* year 1 */, int64_t{-61851600000} /* 10 */,
                          int64_t{-59011459200} /* 99 */, int64_t{-2208988801} /* 1899 */,
                          int64_t{7289654400} /* 2201 */}) {
    pb::CreatePlanRequest request = Valid();
    request.mutable_plan()->mutable_discharge()->mutable_discharge_time()->set_seconds(seconds);
    EXPECT_THAT(FieldsOf(CheckRequestShape(request)),
                ElementsAre("plan.discharge.discharge_time"))
        << seconds;
  }
  pb::CreatePlanRequest request = Valid();
  request.mutable_plan()->mutable_discharge()->mutable_discharge_time()->set_seconds(
      -2208988800);  // 1900-01-01T00:00:00Z
  EXPECT_TRUE(CheckRequestShape(request).ok());
  request.mutable_plan()->mutable_discharge()->mutable_discharge_time()->set_nanos(-1);
  EXPECT_FALSE(CheckRequestShape(request).ok());
}

TEST(RequestGuardTest, DateYearsAreBounded) {
  pb::CreatePlanRequest request = Valid();
  request.mutable_plan()->mutable_next_follow_up_date()->set_year(26);
  EXPECT_THAT(FieldsOf(CheckRequestShape(request)),
              ElementsAre("plan.next_follow_up_date.year"));
}

TEST(RequestGuardTest, ListsAtMostTwentyViolationsAndCountsTheRest) {
  pb::CreatePlanRequest request = Valid();
  for (int i = 0; i < 50; ++i) request.mutable_plan()->add_needs(std::string("\0", 1));
  const auto fields = FieldsOf(CheckRequestShape(request));
  ASSERT_EQ(fields.size(), 21u);
  EXPECT_EQ(fields.back(), "request");
}

}  // namespace
}  // namespace sip
