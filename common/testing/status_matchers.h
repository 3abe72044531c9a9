#pragma once

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"

// Abseil 20220623 ships no status matchers; these are the two the tests need.
namespace sip::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::sip::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = ::sip::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code) + " and a matching message") {
  const absl::Status& s = ::sip::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()),
                                       result_listener);
}

}  // namespace sip::testing

#define SIP_ASSERT_OK(expr) ASSERT_THAT(expr, ::sip::testing::IsOk())
#define SIP_EXPECT_OK(expr) EXPECT_THAT(expr, ::sip::testing::IsOk())
#define SIP_ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                   \
  SIP_ASSERT_OK_AND_ASSIGN_IMPL_(SIP_STATUS_CONCAT_(sip_test_sor_, __LINE__), lhs, rexpr)
#define SIP_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  ASSERT_THAT(statusor, ::sip::testing::IsOk());             \
  lhs = *std::move(statusor)
