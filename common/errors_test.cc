#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

using ::testing::HasSubstr;

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status out;
  EXPECT_TRUE(out.ParseFromString(status.error_details()));
  return out;
}

TEST(ErrorsTest, InvalidArgumentCarriesEveryFieldViolation) {
  Violations v;
  v.Add("consent.giver.name", "is required for a guardian");
  v.Add("consent.form", "must be WRITTEN or ORAL");
  const absl::Status status = v.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("consent.giver.name"));

  const grpc::Status g = ToGrpcStatus(status, "consent.sip.se");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const google::rpc::Status details = Details(g);
  EXPECT_EQ(details.code(), 3);
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_ARGUMENT");
  EXPECT_EQ(info.domain(), "consent.sip.se");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "consent.giver.name");
  EXPECT_EQ(bad.field_violations(1).field(), "consent.form");
}

TEST(ErrorsTest, ReasonTravelsToErrorInfo) {
  const absl::Status status = FailedPrecondition("CONSENT_ALREADY_WITHDRAWN", "already");
  EXPECT_EQ(ReasonOf(status), "CONSENT_ALREADY_WITHDRAWN");
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(Details(ToGrpcStatus(status, "d")).details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "CONSENT_ALREADY_WITHDRAWN");
}

TEST(ErrorsTest, InternalDetailIsNotShownToTheCaller) {
  const grpc::Status g =
      ToGrpcStatus(absl::InternalError("database error 23505 at row 7"), "d");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(g.error_message(), ::testing::Not(HasSubstr("23505")));
}

TEST(ErrorsTest, PreconditionFailuresTravelAsDetailAndMessage) {
  const absl::Status status = FailedPreconditions(
      "PLAN_INCOMPLETE", "the plan cannot be established",
      {{"PLAN_CONTENT", "needs", "add the needs"}, {"CONSENT", "SE1-A", "WITHDRAWN"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("needs: add the needs; SE1-A: WITHDRAWN"));
  ASSERT_EQ(PreconditionViolationsOf(status).size(), 2u);
  const google::rpc::Status details = Details(ToGrpcStatus(status, "d"));
  google::rpc::PreconditionFailure failure;
  bool found = false;
  for (const auto& any : details.details()) found |= any.UnpackTo(&failure);
  ASSERT_TRUE(found);
  ASSERT_EQ(failure.violations_size(), 2);
  EXPECT_EQ(failure.violations(1).subject(), "SE1-A");
  EXPECT_EQ(ReasonOf(status), "PLAN_INCOMPLETE");
}

TEST(ErrorsTest, MessagesAndViolationListsAreBounded) {
  const grpc::Status long_message = ToGrpcStatus(
      absl::NotFoundError(std::string(5000, 'x') + "ä"), "d");
  EXPECT_LE(long_message.error_message().size(), 1024u + 3u);
  std::vector<FieldViolation> many;
  for (int i = 0; i < 500; ++i) many.push_back({absl::StrCat("f", i), "bad"});
  const absl::Status status = InvalidArgument(many);
  const auto listed = FieldViolationsOf(status);
  ASSERT_EQ(listed.size(), 21u);
  EXPECT_EQ(listed.back().field, "request");
  EXPECT_THAT(listed.back().description, HasSubstr("480 more"));
  EXPECT_LT(ToGrpcStatus(status, "d").error_details().size(), 2000u);
}

TEST(ErrorsTest, OkMapsToOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), "d").ok()); }

}  // namespace
}  // namespace sip
