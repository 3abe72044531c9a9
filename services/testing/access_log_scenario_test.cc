// The access log after a scenario across the consent, plan and meeting services (each on
// its own schema, called through gRPC): every access is present with who, which unit,
// what and its outcome; refusals too; nothing in it is a personnummer or a name; each
// service's chain verifies; a changed row is named. And the extract's refusals.
#include <memory>
#include <string>

#include "common/access_log.h"
#include "common/proto_convert.h"
#include "common/testing/fake_clock.h"
#include "common/testing/grpc_details.h"
#include "common/testing/loopback.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gtest/gtest.h"
#include "services/plan/plan_test_data.h"
#include "services/testing/suite.h"

namespace sip {
namespace {

namespace cpb = ::sip::common::v1;
namespace consentpb = ::sip::consent::v1;
namespace meetingpb = ::sip::meeting::v1;
namespace planpb = ::sip::plan::v1;
using plan::testdata::kSoc;
using plan::testdata::kVc;
using plan::testdata::UnitOf;
using ::sip::testing::CallerContext;
constexpr char kOutsider[] = "SE2321000131-E000000000777";

std::unique_ptr<grpc::ClientContext> As(const char* unit, const char* user = "user-1") {
  return CallerContext(
      unit, UnitOf(unit).principal() == cpb::PRINCIPAL_KIND_REGION ? "REGION" : "MUNICIPALITY",
      user);
}

class AccessLogScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override { SIP_ASSERT_OK(suite_.Start(db_.conninfo())); }

  int64_t Count(const std::string& schema, const std::string& where) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1("SELECT count(*) FROM " + schema + ".access_log WHERE " + where)[0]
        .as<int64_t>();
  }
  void Exec(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    txn.exec(sql);
    txn.commit();
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{absl::Now()};
  sip::testing::Suite suite_{&clock_};
};

TEST_F(AccessLogScenarioTest, EveryAccessIsLoggedTheChainsVerifyAndATamperedRowIsNamed) {
  // The vårdcentral initiates a plan and records the person's consent for itself and
  // the socialtjänst; it reads the plan; the socialtjänst finds it by personnummer; an
  // outsider tries to read it; the vårdcentral schedules the SIP meeting and the
  // socialtjänst reads its inbox.
  planpb::CreatePlanRequest create;
  *create.mutable_plan() = plan::testdata::CompletePlan();
  planpb::CreatePlanResponse created;
  ASSERT_TRUE(suite_.plan->CreatePlan(As(kVc, "nurse-1").get(), create, &created).ok());
  const std::string plan = created.plan().name();
  const std::string plan_id = plan.substr(std::string("plans/").size());

  consentpb::RecordConsentRequest consent;
  consent.set_parent(plan);
  consent.mutable_consent()->mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  consent.mutable_consent()->set_form(cpb::COMMUNICATION_FORM_WRITTEN);
  *consent.mutable_consent()->add_covered_units() = UnitOf(kVc);
  *consent.mutable_consent()->add_covered_units() = UnitOf(kSoc);
  consentpb::RecordConsentResponse consented;
  const grpc::Status recorded =
      suite_.consent->RecordConsent(As(kVc, "nurse-1").get(), consent, &consented);
  ASSERT_TRUE(recorded.ok()) << recorded.error_message();

  planpb::GetPlanRequest get;
  get.set_name(plan);
  planpb::GetPlanResponse got;
  ASSERT_TRUE(suite_.plan->GetPlan(As(kVc, "nurse-1").get(), get, &got).ok());
  EXPECT_EQ(suite_.plan->GetPlan(As(kOutsider, "stranger-1").get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  planpb::ListPlansRequest list;
  list.set_personal_identity_number("19121212-1212");
  planpb::ListPlansResponse listed;
  ASSERT_TRUE(suite_.plan->ListPlans(As(kSoc, "social-worker-1").get(), list, &listed).ok());
  ASSERT_EQ(listed.plans_size(), 1);

  meetingpb::ScheduleMeetingRequest schedule;
  schedule.set_parent(plan);
  schedule.set_kind(meetingpb::MEETING_KIND_INITIAL);
  ToProto(clock_.Now() + absl::Hours(48), schedule.mutable_details()->mutable_start_time());
  ToProto(clock_.Now() + absl::Hours(50), schedule.mutable_details()->mutable_end_time());
  schedule.mutable_details()->set_mode(meetingpb::MEETING_MODE_IN_PERSON);
  schedule.mutable_details()->set_location("Vårdcentralen Kungälv, rum 3");
  schedule.mutable_details()->set_purpose("Jag vill kunna bo kvar i min lägenhet");
  schedule.mutable_details()->add_questions("Vem hjälper mig med medicinerna?");
  *schedule.add_invitees()->mutable_unit() = UnitOf(kVc);
  *schedule.add_invitees()->mutable_unit() = UnitOf(kSoc);
  meetingpb::ScheduleMeetingResponse scheduled;
  const grpc::Status meeting_status =
      suite_.meeting->ScheduleMeeting(As(kVc, "nurse-1").get(), schedule, &scheduled);
  ASSERT_TRUE(meeting_status.ok()) << meeting_status.error_message();
  meetingpb::ListInboxRequest inbox;
  inbox.set_unit_hsa_id(kSoc);
  meetingpb::ListInboxResponse items;
  ASSERT_TRUE(suite_.meeting->ListInbox(As(kSoc, "social-worker-1").get(), inbox, &items).ok());
  ASSERT_GE(items.items_size(), 1);

  // Every access, in the service that served it, with who, which unit, what, outcome.
  const std::string of_plan = "plan_id = '" + plan_id + "'";
  EXPECT_EQ(Count("plan", of_plan +
                              " AND method = 'CreatePlan' AND user_id = 'nurse-1' AND "
                              "unit_hsa_id = '" +
                              kVc + "' AND outcome = 'OK'"),
            1);
  // The nurse's own read, and the meeting service's read for her while scheduling.
  EXPECT_EQ(Count("plan", of_plan +
                              " AND method = 'GetPlan' AND user_id = 'nurse-1' AND "
                              "outcome = 'OK' AND resource = '" +
                              plan + "'"),
            2);
  EXPECT_EQ(Count("plan", of_plan +
                              " AND method = 'GetPlan' AND user_id = 'stranger-1' AND "
                              "unit_hsa_id = '" +
                              kOutsider + "' AND outcome = 'PERMISSION_DENIED'"),
            1);
  EXPECT_EQ(Count("plan", of_plan + " AND method = 'ListPlans' AND unit_hsa_id = '" + kSoc +
                              "' AND outcome = 'OK'"),
            1);
  EXPECT_EQ(Count("consent", of_plan + " AND method = 'RecordConsent' AND user_id = 'nurse-1' "
                                       "AND outcome = 'OK'"),
            1);
  EXPECT_EQ(Count("meeting", of_plan + " AND method = 'ScheduleMeeting' AND outcome = 'OK'"), 1);
  EXPECT_EQ(
      Count("meeting", of_plan + " AND method = 'ListInbox' AND unit_hsa_id = '" + kSoc + "'"), 1);
  // A service asking on its own is logged as itself: consent reading the plan it records
  // a consent for.
  EXPECT_GE(Count("plan", of_plan + " AND user_id = 'consent-service' AND outcome = 'OK'"), 1);

  // Never a personnummer or a name, in any column of any service's log.
  for (const char* schema : {"plan", "consent", "meeting"}) {
    const std::string any_column =
        "concat_ws('|', plan_id, user_id, unit_hsa_id, system, method, resource, outcome)";
    EXPECT_EQ(Count(schema, any_column + " LIKE '%191212%' OR " + any_column +
                                " LIKE '%Tolvan%' OR " + any_column + " LIKE '%Greta%'"),
              0)
        << schema;
  }

  // Sealed, each service's chain verifies over every entry.
  for (db::Pool* pool : {suite_.plan_pool(), suite_.consent_pool(), suite_.meeting_pool()}) {
    SIP_ASSERT_OK(accesslog::ChainOnce(*pool, 1000).status());
    SIP_ASSERT_OK_AND_ASSIGN(accesslog::Verification v, accesslog::Verify(*pool));
    EXPECT_EQ(v.first_broken, std::nullopt) << pool->schema();
    EXPECT_EQ(v.unchained, 0) << pool->schema();
    EXPECT_EQ(v.verified, Count(pool->schema(), "true")) << pool->schema();
  }

  // Someone with database access makes the refused read look like the vårdcentral's.
  Exec("UPDATE plan.access_log SET unit_hsa_id = '" + std::string(kVc) +
       "', user_id = "
       "'nurse-1' WHERE user_id = 'stranger-1'");
  SIP_ASSERT_OK_AND_ASSIGN(accesslog::Verification tampered,
                           accesslog::Verify(*suite_.plan_pool()));
  ASSERT_TRUE(tampered.first_broken.has_value());
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT position FROM plan.access_log WHERE outcome = 'PERMISSION_DENIED' "
                      "AND " +
                      of_plan)[0]
                .as<int64_t>(),
            *tampered.first_broken);
}

TEST_F(AccessLogScenarioTest, TheExtractIsNeverGivenIncompleteAndItsRequestIsChecked) {
  planpb::GetAccessExtractRequest request;
  planpb::GetAccessExtractResponse response;
  grpc::Status status = suite_.plan->GetAccessExtract(As(kVc).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("personal_identity_number"), std::string::npos);
  EXPECT_NE(status.error_message().find("start_time"), std::string::npos);

  planpb::CreatePlanRequest create;
  *create.mutable_plan() = plan::testdata::CompletePlan();
  planpb::CreatePlanResponse created;
  ASSERT_TRUE(suite_.plan->CreatePlan(As(kVc).get(), create, &created).ok());
  request.set_personal_identity_number("19121212-1212");
  ToProto(clock_.Now() - absl::Hours(24), request.mutable_start_time());
  // The suite runs no lifecycle service: an extract without its log is refused.
  status = suite_.plan->GetAccessExtract(As(kVc).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("lifecycle"), std::string::npos);

  // Another service's log is the plan service's to read, no one else's.
  accesslog::alpb::ListAccessEntriesRequest entries;
  entries.add_plans(created.plan().name());
  ToProto(clock_.Now() - absl::Hours(1), entries.mutable_start_time());
  ToProto(clock_.Now() + absl::Hours(1), entries.mutable_end_time());
  accesslog::alpb::ListAccessEntriesResponse listed;
  auto consent_log = accesslog::alpb::AccessLogService::NewStub(suite_.consent_channel);
  EXPECT_EQ(consent_log->ListAccessEntries(As(kVc).get(), entries, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext as_plan;
  as_plan.AddMetadata(kServiceHeader, "plan");
  const grpc::Status read = consent_log->ListAccessEntries(&as_plan, entries, &listed);
  EXPECT_TRUE(read.ok()) << read.error_message();
}

}  // namespace
}  // namespace sip
