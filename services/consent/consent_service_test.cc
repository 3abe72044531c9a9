// The consent service through gRPC on a loopback port, with the real server bootstrap
// (interceptor, metrics), the real store on PostgreSQL and a fake clock.
#include "services/consent/consent_service.h"

#include <map>
#include <memory>
#include <set>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/event_consumer.h"
#include "common/migrations.h"
#include "common/server.h"
#include "common/testing/access.h"
#include "common/testing/fake_clock.h"
#include "common/testing/grpc_details.h"
#include "common/testing/loopback.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace sip::consent {
namespace {

namespace pb = ::sip::consent::v1;
using ::testing::ElementsAre;
using ::sip::testing::ErrorDetails;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kVc[] = "SE2321000131-E000000000001";
constexpr char kSoc[] = "SE2120001652-S000000000002";
constexpr char kPsy[] = "SE2321000131-P000000000003";
const absl::Time kStart = absl::FromUnixSeconds(1764000000);

using ::sip::testing::DetailsOf;

// The plan service as the consent service sees it: plans by id, unknown ones NOT_FOUND.
class FakePlans final : public PlanReader {
 public:
  absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor&) override {
    auto it = plans.find(plan_id);
    if (it == plans.end()) {
      return NotFound("PLAN_NOT_FOUND", absl::StrCat("plans/", plan_id, " does not exist"));
    }
    return it->second;
  }
  std::map<std::string, PlanFacts> plans = {
      {"plan-1", {false, absl::CivilDay(1912, 12, 12)}}};
};

class ConsentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "consent", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "consent", 4,
                                                      absl::Seconds(5),
                                                      ConsentStore::Statements()}));
    store_ = std::make_unique<ConsentStore>(pool_.get());
    // The plan as the plan service's events tell it: initiated by kVc, which takes part
    // with kSoc and kPsy.
    for (const char* plan : {"plan-1", "plan-2", "adult", "closed", "minor", "protected"}) {
      SIP_ASSERT_OK(sip::testing::SeedParties(*pool_, plan, kVc, {kVc, kSoc, kPsy}, kSoc));
    }
    gate_ = std::make_unique<authz::PlanGate>(pool_.get(), &clock_);
    book_ = std::make_unique<ConsentBook>(store_.get(), &plans_, &clock_, gate_.get());
    service_ = std::make_unique<ConsentGrpcService>(book_.get());
    registry_ = std::make_shared<prometheus::Registry>();
    Server::Options options;
    options.health_names = {"sip.consent.v1.ConsentService"};
    options.listen_address = "127.0.0.1:0";
    options.credentials = grpc::InsecureServerCredentials();
    InstallAuthenticator(MakeDevelopmentAuthenticator());
    options.registry = registry_;
    options.healthy = [this] { return pool_->Ping(); };
    SIP_ASSERT_OK_AND_ASSIGN(server_, Server::Start(std::move(options), {service_.get()}));
    stub_ = pb::ConsentService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& unit = kVc,
                                               const std::string& principal = "REGION") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-sip-unit-hsa-id", unit);
    context->AddMetadata("x-sip-unit-principal", principal);
    context->AddMetadata("x-sip-user-id", "nurse-1");
    return context;
  }

  static pb::RecordConsentRequest ValidRecord(const std::string& plan = "plans/plan-1") {
    pb::RecordConsentRequest request;
    request.set_parent(plan);
    auto* c = request.mutable_consent();
    c->mutable_giver()->set_role(pb::GIVER_ROLE_INDIVIDUAL);
    c->set_form(sip::common::v1::COMMUNICATION_FORM_WRITTEN);
    auto* vc = c->add_covered_units();
    vc->set_hsa_id(kVc);
    vc->set_principal(sip::common::v1::PRINCIPAL_KIND_REGION);
    vc->set_principal_code("14");
    vc->set_display_name("Vårdcentralen Kungälv");
    auto* soc = c->add_covered_units();
    soc->set_hsa_id(kSoc);
    soc->set_principal(sip::common::v1::PRINCIPAL_KIND_MUNICIPALITY);
    soc->set_principal_code("1482");
    auto* relative = c->add_covered_others();
    relative->set_kind(sip::common::v1::OTHER_PARTY_KIND_RELATIVE);
    relative->set_description("Mother");
    return request;
  }

  pb::Consent Record(const pb::RecordConsentRequest& request = ValidRecord()) {
    pb::RecordConsentResponse response;
    const grpc::Status status = stub_->RecordConsent(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.consent();
  }

  grpc::Status Withdraw(const std::string& name, pb::Consent* out,
                        const std::string& etag = "") {
    pb::WithdrawConsentRequest request;
    request.set_name(name);
    request.mutable_withdrawn_by()->set_role(pb::GIVER_ROLE_INDIVIDUAL);
    request.set_form(sip::common::v1::COMMUNICATION_FORM_ORAL);
    request.set_etag(etag);
    pb::WithdrawConsentResponse response;
    grpc::Status status = stub_->WithdrawConsent(Context().get(), request, &response);
    *out = response.consent();
    return status;
  }

  std::vector<pb::CoverageReason> Check(const std::string& plan,
                                        const std::vector<std::string>& units) {
    pb::CheckConsentRequest request;
    request.set_parent(plan);
    for (const auto& u : units) request.add_unit_hsa_ids(u);
    pb::CheckConsentResponse response;
    const grpc::Status status = stub_->CheckConsent(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<pb::CoverageReason> out;
    for (const auto& u : response.units()) {
      EXPECT_EQ(u.covered(), u.reason() == pb::COVERAGE_REASON_COVERED);
      out.push_back(u.reason());
    }
    return out;
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{kStart};
  FakePlans plans_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ConsentStore> store_;
  std::unique_ptr<authz::PlanGate> gate_;
  std::unique_ptr<ConsentBook> book_;
  std::unique_ptr<ConsentGrpcService> service_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<pb::ConsentService::Stub> stub_;
};

TEST_F(ConsentServiceTest, RecordGetAndList) {
  const pb::Consent recorded = Record();
  EXPECT_THAT(recorded.name(), HasSubstr("plans/plan-1/consents/"));
  EXPECT_EQ(recorded.state(), pb::CONSENT_STATE_ACTIVE);
  EXPECT_EQ(recorded.recorded_by().unit().hsa_id(), kVc);
  EXPECT_EQ(recorded.recorded_by().unit().principal(), sip::common::v1::PRINCIPAL_KIND_REGION);
  EXPECT_EQ(recorded.recorded_by().user_id(), "nurse-1");
  EXPECT_EQ(recorded.decision_time().seconds(), absl::ToUnixSeconds(kStart));
  EXPECT_THAT(recorded.covered_units(), SizeIs(2));
  EXPECT_THAT(recorded.scope_history(), SizeIs(1));
  EXPECT_FALSE(recorded.etag().empty());

  pb::GetConsentRequest get;
  get.set_name(recorded.name());
  pb::GetConsentResponse got;
  ASSERT_TRUE(stub_->GetConsent(Context().get(), get, &got).ok());
  EXPECT_EQ(got.consent().SerializeAsString(), recorded.SerializeAsString());

  pb::ListConsentsRequest list;
  list.set_parent("plans/plan-1");
  pb::ListConsentsResponse listed;
  ASSERT_TRUE(stub_->ListConsents(Context().get(), list, &listed).ok());
  ASSERT_THAT(listed.consents(), SizeIs(1));
  EXPECT_EQ(listed.consents(0).name(), recorded.name());
  EXPECT_TRUE(listed.next_page_token().empty());
}

// Issue 22: the initiating unit recording a consent that leaves it out loses sight of
// the plan; the answer says so, naming the unit, before anything else is refused to it.
TEST_F(ConsentServiceTest, AConsentThatLeavesTheRecordingUnitOutWarnsIt) {
  pb::RecordConsentResponse response;
  ASSERT_TRUE(stub_->RecordConsent(Context().get(), ValidRecord(), &response).ok());
  EXPECT_THAT(response.warnings(), SizeIs(0)) << "its own unit is covered";

  plans_.plans["plan-2"] = {false, absl::CivilDay(1912, 12, 12)};
  pb::RecordConsentRequest without_me = ValidRecord("plans/plan-2");
  without_me.mutable_consent()->mutable_covered_units()->DeleteSubrange(0, 1);  // not kVc
  ASSERT_TRUE(stub_->RecordConsent(Context().get(), without_me, &response).ok());
  ASSERT_THAT(response.warnings(), SizeIs(1));
  EXPECT_EQ(response.warnings(0).code(), "RECORDING_UNIT_NOT_COVERED");
  EXPECT_THAT(response.warnings(0).unit_hsa_ids(), ElementsAre(kVc));
  EXPECT_THAT(response.warnings(0).message(), HasSubstr("no longer sees the plan"));
  // A retry gets the same answer, warning included.
  without_me.set_request_id("record-without-me");
  ASSERT_TRUE(stub_->RecordConsent(Context().get(), without_me, &response).ok());
  pb::RecordConsentResponse retried;
  ASSERT_TRUE(stub_->RecordConsent(Context().get(), without_me, &retried).ok());
  EXPECT_EQ(retried.consent().name(), response.consent().name());
  EXPECT_THAT(retried.warnings(), SizeIs(1));
}

TEST_F(ConsentServiceTest, ListPagesWithTokens) {
  for (int i = 0; i < 5; ++i) {
    Record();
    clock_.Advance(absl::Seconds(1));
  }
  pb::ListConsentsRequest list;
  list.set_parent("plans/plan-1");
  list.set_page_size(2);
  std::set<std::string> names;
  int pages = 0;
  do {
    pb::ListConsentsResponse page;
    ASSERT_TRUE(stub_->ListConsents(Context().get(), list, &page).ok());
    for (const auto& c : page.consents()) names.insert(c.name());
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names.size(), 5u);

  list.set_page_token("garbage");
  pb::ListConsentsResponse page;
  const grpc::Status bad = stub_->ListConsents(Context().get(), list, &page);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(bad).fields, ElementsAre("page_token"));
}

TEST_F(ConsentServiceTest, InvalidRecordNamesEveryField) {
  pb::RecordConsentRequest request = ValidRecord("plans/Not Valid");
  pb::RecordConsentResponse response;
  grpc::Status status = stub_->RecordConsent(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("parent"));

  request = ValidRecord();
  auto* c = request.mutable_consent();
  c->mutable_giver()->set_role(pb::GIVER_ROLE_TRUSTEE);  // no name
  c->set_form(sip::common::v1::COMMUNICATION_FORM_UNSPECIFIED);
  c->mutable_covered_units(0)->set_hsa_id("not-an-hsa-id");
  c->mutable_valid_until()->set_seconds(absl::ToUnixSeconds(kStart) - 10);
  status = stub_->RecordConsent(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto details = DetailsOf(status);
  EXPECT_THAT(details.fields, ElementsAre("consent.form", "consent.covered_units[0].hsa_id"));
  EXPECT_THAT(status.error_message(), HasSubstr("HSA-id"));

  // Once the shape is right, the domain rules speak.
  request = ValidRecord();
  request.mutable_consent()->mutable_giver()->set_role(pb::GIVER_ROLE_TRUSTEE);
  request.mutable_consent()->mutable_valid_until()->set_seconds(absl::ToUnixSeconds(kStart) - 10);
  status = stub_->RecordConsent(Context().get(), request, &response);
  EXPECT_THAT(DetailsOf(status).fields,
              ElementsAre("consent.giver.name", "consent.valid_until"));
}

TEST_F(ConsentServiceTest, MalformedInputNeverReachesTheDatabase) {
  // NUL in a name and in a note (jsonb refused them: INTERNAL).
  pb::RecordConsentRequest request = ValidRecord();
  request.mutable_consent()->mutable_giver()->set_name(std::string("Anna\0", 5));
  request.mutable_consent()->set_note(std::string("\0", 1));
  pb::RecordConsentResponse response;
  grpc::Status status = stub_->RecordConsent(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("consent.giver.name", "consent.note"));

  // A decision in the year 10 (INTERNAL) or 5 (stored as 2005).
  for (int64_t seconds : {int64_t{-61851600000}, int64_t{-61977744000}}) {
    request = ValidRecord();
    request.mutable_consent()->mutable_decision_time()->set_seconds(seconds);
    status = stub_->RecordConsent(Context().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << seconds;
    EXPECT_THAT(DetailsOf(status).fields, ElementsAre("consent.decision_time"));
  }

  pb::ListConsentsRequest list;
  list.set_parent("plans/plan-1");
  pb::ListConsentsResponse listed;
  ASSERT_TRUE(stub_->ListConsents(Context().get(), list, &listed).ok());
  EXPECT_THAT(listed.consents(), ::testing::IsEmpty());
}

// A decision needs a plan that exists and is open, and whether the person is a minor
// follows from the personnummer's birth date at the decision time.
TEST_F(ConsentServiceTest, DecisionsNeedAnOpenPlanAndMinorityFollowsTheBirthDate) {
  pb::RecordConsentResponse response;
  grpc::Status status =
      stub_->RecordConsent(Context().get(), ValidRecord("plans/no-such-plan"), &response);
  // Permission before existence: a plan the service does not know is one the unit may
  // not see.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(status).reason, "NOT_VISIBLE");
  pb::RecordRefusalRequest refusal;
  refusal.set_parent("plans/no-such-plan");
  refusal.mutable_giver()->set_role(pb::GIVER_ROLE_INDIVIDUAL);
  refusal.set_form(sip::common::v1::COMMUNICATION_FORM_ORAL);
  pb::RecordRefusalResponse refused;
  EXPECT_EQ(stub_->RecordRefusal(Context().get(), refusal, &refused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  plans_.plans["closed"] = {true, absl::CivilDay(1990, 1, 1)};
  status = stub_->RecordConsent(Context().get(), ValidRecord("plans/closed"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PLAN_CLOSED");

  // Born on the day 18 years before the decision: an adult, whatever the client says.
  const absl::CivilDay today = DayInSweden(clock_.Now());
  plans_.plans["adult"] = {false, absl::CivilDay(today.year() - 18, today.month(), today.day())};
  pb::RecordConsentRequest adult = ValidRecord("plans/adult");
  ASSERT_TRUE(stub_->RecordConsent(Context().get(), adult, &response).ok());
  EXPECT_FALSE(response.consent().individual_is_minor());
  adult.mutable_consent()->set_individual_is_minor(true);
  status = stub_->RecordConsent(Context().get(), adult, &response);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("consent.individual_is_minor"));
  // A guardian cannot consent for an adult.
  adult.mutable_consent()->set_individual_is_minor(false);
  adult.mutable_consent()->mutable_giver()->set_role(pb::GIVER_ROLE_GUARDIAN);
  adult.mutable_consent()->mutable_giver()->set_name("Anna Andersson");
  status = stub_->RecordConsent(Context().get(), adult, &response);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("consent.individual_is_minor"));

  // One day younger: a minor, so the guardians decide; both are recorded (joint custody).
  plans_.plans["minor"] = {false, absl::CivilDay(today.year() - 18, today.month(), today.day()) + 1};
  pb::RecordConsentRequest minor = ValidRecord("plans/minor");
  minor.mutable_consent()->mutable_giver()->set_role(pb::GIVER_ROLE_GUARDIAN);
  minor.mutable_consent()->mutable_giver()->set_name("Anna Andersson");
  minor.mutable_consent()->mutable_second_guardian()->set_role(pb::GIVER_ROLE_GUARDIAN);
  minor.mutable_consent()->mutable_second_guardian()->set_name("Bo Andersson");
  status = stub_->RecordConsent(Context().get(), minor, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.consent().individual_is_minor());
  EXPECT_EQ(response.consent().second_guardian().name(), "Bo Andersson");

  // Protected identity: no birth date on the plan; the caller's word stands. And no
  // guardian's name is taken: it could lead to the person.
  plans_.plans["protected"] = {false, std::nullopt, true};
  pb::RecordConsentRequest unknown_age = minor;
  unknown_age.set_parent("plans/protected");
  unknown_age.mutable_consent()->set_individual_is_minor(true);
  status = stub_->RecordConsent(Context().get(), unknown_age, &response);
  EXPECT_THAT(DetailsOf(status).fields,
              ElementsAre("consent.giver.name", "consent.second_guardian.name"));
  unknown_age.mutable_consent()->mutable_giver()->clear_name();
  unknown_age.mutable_consent()->mutable_second_guardian()->clear_name();
  status = stub_->RecordConsent(Context().get(), unknown_age, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.consent().individual_is_minor());
}

TEST_F(ConsentServiceTest, CallerIsRequired) {
  grpc::ClientContext anonymous;
  pb::RecordConsentResponse response;
  const grpc::Status status = stub_->RecordConsent(&anonymous, ValidRecord(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(status).reason, "CALLER_NOT_IDENTIFIED");
  EXPECT_EQ(DetailsOf(status).domain, kErrorDomain);
  EXPECT_THAT(status.error_message(), HasSubstr("x-sip-unit-hsa-id"));
}

TEST_F(ConsentServiceTest, UnknownConsentIsNotFound) {
  pb::GetConsentRequest get;
  get.set_name("plans/plan-1/consents/missing");
  pb::GetConsentResponse got;
  const grpc::Status status = stub_->GetConsent(Context().get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_FOUND");
}

TEST_F(ConsentServiceTest, RetriedRecordIsAppliedOnce) {
  pb::RecordConsentRequest request = ValidRecord();
  request.set_request_id("8a6e0804-2bd0-4672-b79d-d97027f9071a");
  const pb::Consent first = Record(request);
  clock_.Advance(absl::Minutes(1));
  const pb::Consent again = Record(request);
  EXPECT_EQ(again.name(), first.name());

  pb::ListConsentsRequest list;
  list.set_parent("plans/plan-1");
  pb::ListConsentsResponse listed;
  ASSERT_TRUE(stub_->ListConsents(Context().get(), list, &listed).ok());
  EXPECT_THAT(listed.consents(), SizeIs(1));

  // The same id for a different request is a client bug, said clearly.
  request.mutable_consent()->set_note("changed");
  pb::RecordConsentResponse response;
  const grpc::Status reused = stub_->RecordConsent(Context().get(), request, &response);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(reused).fields, ElementsAre("request_id"));
}

TEST_F(ConsentServiceTest, ChangeScopeKeepsHistoryAndHonoursEtag) {
  const pb::Consent recorded = Record();
  clock_.Advance(absl::Hours(1));
  pb::ChangeConsentScopeRequest change;
  change.set_name(recorded.name());
  auto* psy = change.add_add_units();
  psy->set_hsa_id(kPsy);
  psy->set_principal(sip::common::v1::PRINCIPAL_KIND_REGION);
  psy->set_principal_code("14");
  change.add_remove_unit_hsa_ids(kSoc);
  change.set_reason("psykiatrin tar över");
  change.set_etag(recorded.etag());
  pb::ChangeConsentScopeResponse changed;
  grpc::Status status = stub_->ChangeConsentScope(Context().get(), change, &changed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_THAT(changed.consent().covered_units(), SizeIs(2));
  EXPECT_EQ(changed.consent().covered_units(1).hsa_id(), kPsy);
  ASSERT_THAT(changed.consent().scope_history(), SizeIs(2));
  EXPECT_EQ(changed.consent().scope_history(1).removed_unit_hsa_ids(0), kSoc);
  EXPECT_NE(changed.consent().etag(), recorded.etag());

  // The same stale etag again: ABORTED.
  change.clear_add_units();
  change.clear_remove_unit_hsa_ids();
  change.add_remove_unit_hsa_ids(kPsy);
  status = stub_->ChangeConsentScope(Context().get(), change, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(DetailsOf(status).reason, "ETAG_MISMATCH");

  // Removing a unit that is not covered names the field.
  change.clear_etag();
  change.clear_remove_unit_hsa_ids();
  change.add_remove_unit_hsa_ids(kSoc);
  status = stub_->ChangeConsentScope(Context().get(), change, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("remove_unit_hsa_ids[0]"));
}

TEST_F(ConsentServiceTest, WithdrawOnceThenFailedPrecondition) {
  const pb::Consent recorded = Record();
  pb::Consent withdrawn;
  ASSERT_TRUE(Withdraw(recorded.name(), &withdrawn, recorded.etag()).ok());
  EXPECT_EQ(withdrawn.state(), pb::CONSENT_STATE_WITHDRAWN);
  EXPECT_EQ(withdrawn.withdrawal().recorded_by().unit().hsa_id(), kVc);
  const grpc::Status again = Withdraw(recorded.name(), &withdrawn);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(again).reason, "CONSENT_WITHDRAWN");
  const grpc::Status unknown = Withdraw("plans/plan-1/consents/nope", &withdrawn);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ConsentServiceTest, CheckConsentFollowsTheRecordThroughTime) {
  EXPECT_THAT(Check("plans/plan-1", {kVc}), ElementsAre(pb::COVERAGE_REASON_NO_CONSENT));

  pb::RecordConsentRequest limited = ValidRecord();
  limited.mutable_consent()->mutable_valid_until()->set_seconds(
      absl::ToUnixSeconds(kStart + absl::Hours(24 * 30)));
  const pb::Consent consent = Record(limited);
  EXPECT_THAT(Check("plans/plan-1", {kVc, kPsy}),
              ElementsAre(pb::COVERAGE_REASON_COVERED, pb::COVERAGE_REASON_UNIT_NOT_IN_SCOPE));
  EXPECT_THAT(Check("plans/plan-2", {kVc}), ElementsAre(pb::COVERAGE_REASON_NO_CONSENT));

  clock_.Advance(absl::Hours(24 * 30));
  EXPECT_THAT(Check("plans/plan-1", {kVc}), ElementsAre(pb::COVERAGE_REASON_EXPIRED));
  pb::GetConsentRequest get;
  get.set_name(consent.name());
  pb::GetConsentResponse got;
  ASSERT_TRUE(stub_->GetConsent(Context().get(), get, &got).ok());
  EXPECT_EQ(got.consent().state(), pb::CONSENT_STATE_EXPIRED) << "state comes from the clock";

  const pb::Consent fresh = Record();
  EXPECT_THAT(Check("plans/plan-1", {kVc}), ElementsAre(pb::COVERAGE_REASON_COVERED));
  pb::Consent withdrawn;
  ASSERT_TRUE(Withdraw(fresh.name(), &withdrawn).ok());
  EXPECT_THAT(Check("plans/plan-1", {kVc}), ElementsAre(pb::COVERAGE_REASON_WITHDRAWN));

  clock_.Advance(absl::Minutes(1));
  pb::RecordRefusalRequest refusal;
  refusal.set_parent("plans/plan-1");
  refusal.mutable_giver()->set_role(pb::GIVER_ROLE_INDIVIDUAL);
  refusal.set_form(sip::common::v1::COMMUNICATION_FORM_ORAL);
  pb::RecordRefusalResponse refused;
  ASSERT_TRUE(stub_->RecordRefusal(Context().get(), refusal, &refused).ok());
  EXPECT_EQ(refused.consent().state(), pb::CONSENT_STATE_REFUSED);
  EXPECT_THAT(Check("plans/plan-1", {kVc}), ElementsAre(pb::COVERAGE_REASON_REFUSED));
}

TEST_F(ConsentServiceTest, CheckConsentValidatesUnits) {
  pb::CheckConsentRequest request;
  request.set_parent("plans/plan-1");
  pb::CheckConsentResponse response;
  grpc::Status status = stub_->CheckConsent(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("unit_hsa_ids"));
  request.add_unit_hsa_ids(kVc);
  request.add_unit_hsa_ids("bogus");
  status = stub_->CheckConsent(Context().get(), request, &response);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("unit_hsa_ids[1]"));
}

TEST_F(ConsentServiceTest, EventsDescribeEveryChangeWithoutPersonalDetails) {
  const pb::Consent recorded = Record();
  pb::Consent withdrawn;
  ASSERT_TRUE(Withdraw(recorded.name(), &withdrawn).ok());

  pb::ListEventsRequest request;
  pb::ListEventsResponse response;
  ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), request, &response).ok());
  ASSERT_THAT(response.events(), SizeIs(2));
  const pb::ConsentEvent& first = response.events(0);
  EXPECT_EQ(first.sequence(), 1);
  EXPECT_EQ(first.plan(), "plans/plan-1");
  EXPECT_EQ(first.consent(), recorded.name());
  EXPECT_EQ(first.actor_unit_hsa_id(), kVc);
  ASSERT_TRUE(first.has_recorded());
  EXPECT_THAT(first.recorded().covered_unit_hsa_ids(), ElementsAre(kVc, kSoc));
  EXPECT_TRUE(response.events(1).has_withdrawn());
  EXPECT_EQ(response.last_sequence(), 2);
  EXPECT_EQ(first.SerializeAsString().find("Mother"), std::string::npos);

  request.set_after_sequence(2);
  ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), request, &response).ok());
  EXPECT_THAT(response.events(), SizeIs(0));
  EXPECT_EQ(response.last_sequence(), 2);

  request.set_after_sequence(-1);
  const grpc::Status bad = stub_->ListEvents(testing::ServiceContext("lifecycle").get(), request, &response);
  EXPECT_THAT(DetailsOf(bad).fields, ElementsAre("after_sequence"));
}

// The common event consumer reading this service's ListEvents over gRPC, as meeting and
// lifecycle will: every event applied once in the follower's own schema, however often
// it polls.
TEST_F(ConsentServiceTest, ItsEventsAreConsumedOnceThroughTheCommonConsumer) {
  SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "follower", {}));
  SIP_ASSERT_OK_AND_ASSIGN(auto follower_pool, db::Pool::Create({db_.conninfo(), "follower", 2,
                                                                 absl::Seconds(5), {}}));
  {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    txn.exec("CREATE TABLE follower.seen (sequence bigint, consent text)");
    txn.commit();
  }
  // A suite service reads the feed on its own (no user may).
  const Actor follower = ServiceActor("lifecycle");
  EventConsumer consumer(
      follower_pool.get(), &clock_, {"consent", 2},
      ListEventsFetch(stub_.get(), &pb::ConsentService::Stub::ListEvents, follower,
                      absl::Seconds(5), "consent"),
      [](pqxx::work& txn, const SourceEvent& e) -> absl::Status {
        pb::ConsentEvent event;
        if (!event.ParseFromString(e.payload)) return absl::InternalError("unreadable");
        txn.exec_params0("INSERT INTO seen VALUES ($1, $2)", e.sequence, event.consent());
        return absl::OkStatus();
      });
  const pb::Consent first = Record();
  pb::Consent withdrawn;
  ASSERT_TRUE(Withdraw(first.name(), &withdrawn).ok());
  Record();
  EXPECT_EQ(*consumer.PollOnce(), 2);
  EXPECT_EQ(*consumer.PollOnce(), 1);
  EXPECT_EQ(*consumer.PollOnce(), 0);
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM follower.seen")[0].as<int>(), 3);
  EXPECT_EQ(txn.exec1("SELECT consent FROM follower.seen WHERE sequence = 2")[0].as<std::string>(),
            first.name());
}

// Through the API: withdrawing consent to the plan ends every earlier consent's coverage,
// and a restricting harm assessment restricts the units it names.
TEST_F(ConsentServiceTest, WithdrawalEndsConsentToThePlanAndHarmAssessmentsRestrict) {
  const pb::Consent first = Record();  // covers the health centre and social services
  clock_.Advance(absl::Minutes(1));
  pb::RecordConsentRequest narrower = ValidRecord();
  narrower.mutable_consent()->mutable_covered_units()->DeleteSubrange(1, 1);
  const pb::Consent second = Record(narrower);
  EXPECT_THAT(Check("plans/plan-1", {kVc, kSoc}),
              ElementsAre(pb::COVERAGE_REASON_COVERED, pb::COVERAGE_REASON_COVERED));
  clock_.Advance(absl::Minutes(1));
  pb::Consent withdrawn;
  ASSERT_TRUE(Withdraw(second.name(), &withdrawn).ok());
  EXPECT_THAT(Check("plans/plan-1", {kVc, kSoc}),
              ElementsAre(pb::COVERAGE_REASON_WITHDRAWN, pb::COVERAGE_REASON_WITHDRAWN))
      << "the first consent, given before the withdrawal, no longer covers";

  clock_.Advance(absl::Minutes(1));
  pb::RecordConsentRequest restricted = ValidRecord();
  auto* c = restricted.mutable_consent();
  c->set_reduced_capacity(true);
  c->mutable_harm_assessment()->set_outcome(pb::HARM_ASSESSMENT_OUTCOME_RESTRICTED);
  c->mutable_harm_assessment()->set_note("Inget om missbruket till socialtjänsten");
  c->mutable_harm_assessment()->add_restricted_unit_hsa_ids(kSoc);
  const pb::Consent third = Record(restricted);
  EXPECT_THAT(third.harm_assessment().restricted_unit_hsa_ids(), ElementsAre(kSoc));
  EXPECT_THAT(Check("plans/plan-1", {kVc, kSoc}),
              ElementsAre(pb::COVERAGE_REASON_COVERED,
                          pb::COVERAGE_REASON_RESTRICTED_BY_HARM_ASSESSMENT));
}

TEST_F(ConsentServiceTest, EveryCallIsCountedByCode) {
  Record();
  pb::GetConsentRequest get;
  get.set_name("plans/plan-1/consents/missing");
  pb::GetConsentResponse got;
  (void)stub_->GetConsent(Context().get(), get, &got);
  std::map<std::string, double> handled;
  for (const auto& family : registry_->Collect()) {
    if (family.name != "grpc_server_handled_total") continue;
    for (const auto& metric : family.metric) {
      std::string method, code;
      for (const auto& label : metric.label) {
        if (label.name == "grpc_method") method = label.value;
        if (label.name == "grpc_code") code = label.value;
      }
      handled[method + "/" + code] = metric.counter.value;
    }
  }
  EXPECT_EQ(handled["RecordConsent/OK"], 1);
  EXPECT_EQ(handled["GetConsent/NotFound"], 1);
}

}  // namespace
}  // namespace sip::consent
