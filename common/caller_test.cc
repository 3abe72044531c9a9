#include "common/caller.h"

#include "common/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

using ::sip::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CallerTest, ReadsUnitPrincipalAndUser) {
  auto caller = CallerFromHeaders("SE2321000131-E000000000001", "REGION", "nurse-7");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->unit.hsa_id, "SE2321000131-E000000000001");
  EXPECT_EQ(caller->unit.principal, PrincipalKind::kRegion);
  EXPECT_EQ(caller->user_id, "nurse-7");
}

TEST(CallerTest, MissingHeadersAreUnauthenticatedAndNamed) {
  auto caller = CallerFromHeaders("", "REGION", "u");
  EXPECT_THAT(caller, StatusIs(absl::StatusCode::kUnauthenticated,
                               HasSubstr("x-sip-unit-hsa-id")));
  EXPECT_EQ(ReasonOf(caller.status()), "CALLER_NOT_IDENTIFIED");
}

TEST(CallerTest, AUserIdThatIsAPersonnummerIsRefused) {
  for (const char* user : {"19121212-1212", "191212121212", "121212-1212", "x191212121212"}) {
    EXPECT_THAT(CallerFromHeaders("SE2321000131-E000000000001", "REGION", user),
                StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("personnummer")))
        << user;
  }
  EXPECT_THAT(CallerFromHeaders("SE2321000131-E000000000001", "REGION", "nurse 7"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_TRUE(CallerFromHeaders("SE2321000131-E000000000001", "REGION",
                                "SE2321000131-T000000000007").ok());
}

TEST(CallerTest, MalformedValuesAreRejected) {
  EXPECT_THAT(CallerFromHeaders("SE123", "REGION", "u"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("HSA-id")));
  EXPECT_THAT(CallerFromHeaders("SE2321000131-E000000000001", "COUNTY", "u"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("MUNICIPALITY")));
  EXPECT_THAT(CallerFromHeaders("SE2321000131-E000000000001", "REGION", std::string(65, 'u')),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("64")));
}

TEST(CallerTest, TheServiceHeaderMakesASuiteServiceActingOnItsOwn) {
  auto caller = CallerFromHeaders("", "", "", "lifecycle");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->service, "lifecycle");
  EXPECT_EQ(caller->user_id, "lifecycle-service");
  EXPECT_EQ(caller->unit.hsa_id, "SE0000000000-LIFECYCLE");
  EXPECT_EQ(caller->unit.principal, PrincipalKind::kOther);
  // Only the four services exist; a header naming another is refused, not ignored.
  EXPECT_THAT(CallerFromHeaders("SE2321000131-E000000000001", "REGION", "u", "billing"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("x-sip-service")));
}

TEST(CallerTest, AServiceOnItsOwnOnlyReadsAndLifecycleAloneCloses) {
  Caller user = *CallerFromHeaders("SE2321000131-E000000000001", "REGION", "nurse-1");
  EXPECT_TRUE(ServiceMayCall(user, "UpdatePlanRequest").ok());
  for (const char* service : {"meeting", "consent", "plan", "lifecycle"}) {
    Caller caller = *CallerFromHeaders("", "", "", service);
    for (const char* read : {"ListEventsRequest", "GetPlanRequest", "CheckConsentRequest",
                             "RenderPlanCopyRequest"}) {
      EXPECT_TRUE(ServiceMayCall(caller, read).ok()) << service << " " << read;
    }
    for (const char* write : {"UpdatePlanRequest", "RecordConsentRequest", "WithdrawConsentRequest",
                              "ScheduleMeetingRequest", "AgreeLaterMeetingRequest"}) {
      const absl::Status status = ServiceMayCall(caller, write);
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(service)))
          << write;
      EXPECT_EQ(ReasonOf(status), "SERVICE_NOT_ALLOWED");
    }
    EXPECT_EQ(ServiceMayCall(caller, "ClosePlanRequest").ok(), std::string(service) == "lifecycle")
        << service;
  }
}

TEST(CallerTest, AServiceActorIsKnownAsItsServiceAndNothingElseIs) {
  for (const char* service : {"consent", "plan", "meeting", "lifecycle"}) {
    EXPECT_EQ(ServiceNameOf(ServiceActor(service)), service);
  }
  Actor user{{"SE2321000131-E000000000001", PrincipalKind::kRegion, ""}, "nurse-1"};
  EXPECT_EQ(ServiceNameOf(user), "");
  // A user id that reads like a service's is not one without the service's unit.
  Actor lookalike{{"SE2321000131-E000000000001", PrincipalKind::kOther, ""}, "plan-service"};
  EXPECT_EQ(ServiceNameOf(lookalike), "");
  // Nor with it: the claims of a token that copies a service's unit and user exactly are
  // still a user's (issue 22); only the authenticator makes a service, from the
  // certificate.
  Actor copied{{"SE0000000000-PLAN", PrincipalKind::kOther, ""}, "plan-service"};
  EXPECT_EQ(ServiceNameOf(copied), "");
  EXPECT_FALSE(copied == ServiceActor("plan"));
}

TEST(CallerTest, NoUserMayNameAServicesUnitOrUserId) {
  EXPECT_THAT(CallerFromHeaders("SE0000000000-PLAN", "OTHER", "nurse-1"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("x-sip-unit-hsa-id")));
  EXPECT_THAT(CallerFromHeaders("SE2321000131-E000000000001", "REGION", "plan-service"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("-service")));
  EXPECT_NE(UserIdProblem("lifecycle-service"), "");
  EXPECT_EQ(UserIdProblem("SE2321000131-T000000000001"), "");
}

TEST(CallerTest, OnlyServicesAndAllowedSystemsReadTheEventFeeds) {
  Caller user = *CallerFromHeaders("SE2321000131-E000000000001", "REGION", "nurse-1");
  const absl::Status refused = MayReadEvents(user);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kPermissionDenied,
                                HasSubstr("--event_reader_systems")));
  EXPECT_EQ(ReasonOf(refused), "EVENTS_NOT_ALLOWED");
  user.event_reader = true;  // its system is on the allow-list
  EXPECT_TRUE(MayReadEvents(user).ok());
  for (const char* service : {"consent", "plan", "meeting", "lifecycle"}) {
    EXPECT_TRUE(MayReadEvents(*CallerFromHeaders("", "", "", service)).ok()) << service;
  }
}

TEST(CallerTest, ScopedCallersNestAndUnwind) {
  EXPECT_EQ(ScopedCaller::Current(), nullptr);
  Caller outer;
  outer.user_id = "outer";
  {
    ScopedCaller a(outer);
    EXPECT_EQ(ScopedCaller::Current(), &outer);
    Caller inner;
    inner.user_id = "inner";
    {
      ScopedCaller b(inner);
      EXPECT_EQ(ScopedCaller::Current(), &inner);
    }
    EXPECT_EQ(ScopedCaller::Current(), &outer);
  }
  EXPECT_EQ(ScopedCaller::Current(), nullptr);
}

}  // namespace
}  // namespace sip
