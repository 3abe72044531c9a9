// The plan service through gRPC on a loopback port, calling a real consent service (also
// on loopback) for establishment; both on PostgreSQL, with one fake clock.
#include "services/plan/plan_service.h"

#include <map>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "pqxx/pqxx"
#include "common/document.h"
#include "common/event_consumer.h"
#include "common/plan_access.h"
#include "common/migrations.h"
#include "common/proto_convert.h"
#include "common/peer_clients.h"
#include "common/server.h"
#include "common/service_client.h"
#include "common/testing/fake_clock.h"
#include "common/testing/grpc_details.h"
#include "common/testing/loopback.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/consent/consent_service.h"
#include "services/plan/plan_test_data.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::common::v1;
namespace consentpb = ::sip::consent::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using ::sip::testing::DetailsOf;

// Every table of every schema in the test database, searched for `needles`: in each
// value as stored, as base64-decoded text (stored answers) and as bytea. Returns
// "schema.table: needle" for each hit.
std::vector<std::string> FindAnywhere(const std::string& conninfo,
                                      const std::vector<std::string>& needles) {
  std::vector<std::string> hits;
  pqxx::connection conn(conninfo);
  pqxx::work txn(conn);
  const pqxx::result tables = txn.exec(
      "SELECT table_schema, table_name FROM information_schema.tables "
      "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', "
      "'information_schema')");
  EXPECT_GE(tables.size(), 8u) << "the search must see both services' tables";
  for (const auto& t : tables) {
    const std::string table = absl::StrCat(txn.quote_name(t[0].as<std::string>()), ".",
                                           txn.quote_name(t[1].as<std::string>()));
    for (const auto& row : txn.exec(absl::StrCat("SELECT * FROM ", table))) {
      for (const auto& field : row) {
        if (field.is_null()) continue;
        const std::string value = field.as<std::string>();
        std::vector<std::string> forms = {value};
        std::string decoded;
        if (absl::Base64Unescape(value, &decoded)) forms.push_back(decoded);
        if (absl::StartsWith(value, "\\x")) forms.push_back(absl::HexStringToBytes(value.substr(2)));
        for (const std::string& needle : needles) {
          for (const std::string& form : forms) {
            if (form.find(needle) != std::string::npos) {
              hits.push_back(absl::StrCat(table, ": ", needle));
              break;
            }
          }
        }
      }
    }
  }
  return hits;
}

// Lets the consent service be made before the plan service it reads from exists.
class LatePlanReader final : public PlanReader {
 public:
  absl::StatusOr<PlanFacts> Facts(const std::string& plan_id,
                                           const Actor& caller) override {
    return target->Facts(plan_id, caller);
  }
  PlanReader* target = nullptr;
};

// The meeting service's meetings, as the copy of the plan asks for them.
class FakeMeetings final : public MeetingReader {
 public:
  absl::StatusOr<sip::meeting::v1::Meeting> Get(const std::string& name, const Actor&) override {
    auto it = meetings.find(name);
    if (it == meetings.end()) return NotFound("MEETING_NOT_FOUND", "no such meeting");
    return it->second;
  }
  std::map<std::string, sip::meeting::v1::Meeting> meetings;
};

class PlanServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The consent service, in its own schema of the same database.
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "consent", consent::Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(consent_pool_,
                             db::Pool::Create({db_.conninfo(), "consent", 2, absl::Seconds(5),
                                               consent::ConsentStore::Statements()}));
    consent_store_ = std::make_unique<consent::ConsentStore>(consent_pool_.get());
    // The consent service asks this plan service about plans; it starts below.
    // Its gate learns who takes part from this plan service's events (the consumer is
    // made once the plan service has started, below).
    consent_gate_ = std::make_unique<authz::PlanGate>(
        consent_pool_.get(), &clock_,
        std::vector<authz::PlanGate::CatchUp>{[this] { return consent_follows_plan_->CatchUp(); }});
    consent_book_ = std::make_unique<consent::ConsentBook>(
        consent_store_.get(), &plans_for_consent_, &clock_, consent_gate_.get());
    consent_service_ = std::make_unique<consent::ConsentGrpcService>(consent_book_.get());
    consent_server_ = sip::testing::ServeOnLoopback(consent_service_.get(), "sip.consent.v1.ConsentService");
    ASSERT_NE(consent_server_, nullptr);
    const std::string consent_address = absl::StrCat("127.0.0.1:", consent_server_->port());

    // The plan service, calling it.
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "plan", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "plan", 4,
                                                      absl::Seconds(5), PlanStore::Statements()}));
    store_ = std::make_unique<PlanStore>(pool_.get());
    PeerConfig peer;
    peer.name = "consent";
    peer.address = consent_address;
    peer.plaintext = true;
    SIP_ASSERT_OK_AND_ASSIGN(auto channel, MakePeerChannel(peer));
    checker_ = std::make_unique<GrpcConsentChecker>(channel, absl::Seconds(2));
    consent_stub_ = consentpb::ConsentService::NewStub(
        grpc::CreateChannel(consent_address, grpc::InsecureChannelCredentials()));
    // The plan service's gate learns what the consent covers from the consent events.
    follows_consent_ = std::make_unique<EventConsumer>(
        pool_.get(), &clock_, EventConsumer::Options{"consent", 100, absl::Seconds(1)},
        ListEventsOf("consent", channel, ServiceActor("plan"), absl::Seconds(5)),
        authz::ConsentEventsToAccess());
    gate_ = std::make_unique<authz::PlanGate>(
        pool_.get(), &clock_,
        std::vector<authz::PlanGate::CatchUp>{[this] { return follows_consent_->CatchUp(); }});
    book_ = std::make_unique<PlanBook>(
        store_.get(), PlanBook::Peers{checker_.get(), checker_.get(), &meetings_, {}}, &clock_,
        gate_.get());
    service_ = std::make_unique<PlanGrpcService>(book_.get());
    server_ = sip::testing::ServeOnLoopback(service_.get(), "sip.plan.v1.PlanService");
    ASSERT_NE(server_, nullptr);
    stub_ = pb::PlanService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    PeerConfig plan_peer;
    plan_peer.name = "plan";
    plan_peer.address = absl::StrCat("127.0.0.1:", server_->port());
    plan_peer.plaintext = true;
    SIP_ASSERT_OK_AND_ASSIGN(auto plan_channel, MakePeerChannel(plan_peer));
    plan_reader_ = std::make_unique<GrpcPlanReader>(plan_channel, absl::Seconds(2));
    consent_follows_plan_ = std::make_unique<EventConsumer>(
        consent_pool_.get(), &clock_, EventConsumer::Options{"plan", 100, absl::Seconds(1)},
        ListEventsOf("plan", plan_channel, ServiceActor("consent"), absl::Seconds(5)),
        authz::PlanEventsToAccess());
    plans_for_consent_.target = plan_reader_.get();
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
    if (consent_server_) consent_server_->Shutdown(absl::Seconds(1));
  }

  static std::unique_ptr<grpc::ClientContext> Context() { return ContextOf(testdata::kVc); }

  // A user of `unit` (kSoc is the kommun's, the others the region's).
  static std::unique_ptr<grpc::ClientContext> ContextOf(const std::string& unit) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-sip-unit-hsa-id", unit);
    context->AddMetadata("x-sip-unit-principal",
                         unit == testdata::kSoc ? "MUNICIPALITY" : "REGION");
    context->AddMetadata("x-sip-user-id", "nurse-1");
    return context;
  }

  // A suite service acting on its own.
  static std::unique_ptr<grpc::ClientContext> AsService(const char* service) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-sip-service", service);
    return context;
  }

  pb::Plan Create(pb::Plan plan = testdata::CompletePlan()) {
    pb::CreatePlanRequest request;
    *request.mutable_plan() = std::move(plan);
    pb::CreatePlanResponse response;
    const grpc::Status status = stub_->CreatePlan(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.plan();
  }

  void RecordConsent(const std::string& plan_name, std::vector<std::string> units) {
    consentpb::RecordConsentRequest request;
    request.set_parent(plan_name);
    auto* c = request.mutable_consent();
    c->mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
    c->set_form(cpb::COMMUNICATION_FORM_WRITTEN);
    for (const auto& hsa : units) {
      auto* u = c->add_covered_units();
      u->set_hsa_id(hsa);
      u->set_principal(hsa == std::string(testdata::kSoc) ? cpb::PRINCIPAL_KIND_MUNICIPALITY
                                                          : cpb::PRINCIPAL_KIND_REGION);
      u->set_principal_code(hsa == std::string(testdata::kSoc) ? "1482" : "14");
    }
    consentpb::RecordConsentResponse response;
    const grpc::Status status = consent_stub_->RecordConsent(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Establish(const std::string& name, pb::Plan* out, const std::string& etag = "") {
    pb::EstablishPlanRequest request;
    request.set_name(name);
    request.set_etag(etag);
    pb::EstablishPlanResponse response;
    grpc::Status status = stub_->EstablishPlan(Context().get(), request, &response);
    *out = response.plan();
    return status;
  }

  grpc::Status Update(const pb::Plan& plan, const std::string& paths, pb::Plan* out) {
    pb::UpdatePlanRequest request;
    *request.mutable_plan() = plan;
    google::protobuf::util::FieldMaskUtil::FromString(paths, request.mutable_update_mask());
    pb::UpdatePlanResponse response;
    grpc::Status status = stub_->UpdatePlan(Context().get(), request, &response);
    *out = response.plan();
    return status;
  }

  grpc::Status Revise(const std::string& name, pb::RevisionReason reason,
                      pb::PlanRevision* out) {
    pb::RevisePlanRequest request;
    request.set_name(name);
    request.set_reason(reason);
    pb::RevisePlanResponse response;
    grpc::Status status = stub_->RevisePlan(Context().get(), request, &response);
    *out = response.revision();
    return status;
  }

  grpc::Status Copy(const std::string& name, pb::CopyFormat format,
                    pb::RenderPlanCopyResponse* out) {
    pb::RenderPlanCopyRequest request;
    request.set_name(name);
    request.set_format(format);
    return stub_->RenderPlanCopy(Context().get(), request, out);
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{testdata::kNow};
  LatePlanReader plans_for_consent_;
  std::unique_ptr<GrpcPlanReader> plan_reader_;
  std::unique_ptr<db::Pool> consent_pool_;
  std::unique_ptr<consent::ConsentStore> consent_store_;
  std::unique_ptr<EventConsumer> consent_follows_plan_;
  std::unique_ptr<authz::PlanGate> consent_gate_;
  std::unique_ptr<consent::ConsentBook> consent_book_;
  std::unique_ptr<consent::ConsentGrpcService> consent_service_;
  std::unique_ptr<Server> consent_server_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<PlanStore> store_;
  std::unique_ptr<GrpcConsentChecker> checker_;
  FakeMeetings meetings_;
  std::unique_ptr<EventConsumer> follows_consent_;
  std::unique_ptr<authz::PlanGate> gate_;
  std::unique_ptr<PlanBook> book_;
  std::unique_ptr<PlanGrpcService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<pb::PlanService::Stub> stub_;
  std::unique_ptr<consentpb::ConsentService::Stub> consent_stub_;
};

// Initiation → content → establishment (refused without consent) → two revisions → a
// follow-up → closure, through the public API, with the events it publishes.
TEST_F(PlanServiceTest, APlanFromInitiationToClosure) {
  pb::Plan initial = testdata::CompletePlan();
  initial.clear_long_term_goal();
  const pb::Plan created = Create(initial);
  EXPECT_EQ(created.state(), cpb::PLAN_STATE_INITIATED);
  EXPECT_EQ(created.etag(), "\"1\"");

  // Edit: the person's long-term goal, in their words.
  pb::Plan patch;
  patch.set_name(created.name());
  patch.set_etag(created.etag());
  patch.set_long_term_goal("Jag vill klara mig hemma");
  pb::Plan edited;
  ASSERT_TRUE(Update(patch, "long_term_goal", &edited).ok());
  EXPECT_EQ(edited.long_term_goal(), "Jag vill klara mig hemma");
  EXPECT_EQ(edited.etag(), "\"2\"");
  // The same etag again is stale.
  const grpc::Status stale = Update(patch, "long_term_goal", &edited);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);

  // No consent yet: refused, naming the units.
  pb::Plan established;
  grpc::Status status = Establish(created.name(), &established);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_ACTIVE");
  EXPECT_THAT(DetailsOf(status).preconditions,
              ElementsAre(testdata::kSoc, testdata::kVc, testdata::kPsy));
  // Consent for the health centre only: still refused for social services and the
  // participating psychiatry unit, which would get the plan too.
  RecordConsent(created.name(), {testdata::kVc});
  status = Establish(created.name(), &established);
  EXPECT_THAT(DetailsOf(status).preconditions, ElementsAre(testdata::kSoc, testdata::kPsy));
  EXPECT_THAT(status.error_message(), HasSubstr("UNIT_NOT_IN_SCOPE"));
  // Consent covering both: established, revision 1.
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  clock_.Advance(absl::Hours(24 * 10));
  status = Establish(created.name(), &established);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(established.state(), cpb::PLAN_STATE_ACTIVE);
  EXPECT_EQ(established.revision(), 1);

  // Two revisions.
  pb::PlanRevision revision;
  ASSERT_TRUE(Revise(created.name(), pb::REVISION_REASON_CHANGED_HEALTH_CENTRE, &revision).ok());
  EXPECT_EQ(revision.name(), created.name() + "/revisions/2");
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(Revise(created.name(), pb::REVISION_REASON_NEW_PARTY, &revision).ok());
  EXPECT_EQ(revision.snapshot().revision(), 3);
  pb::ListPlanRevisionsRequest list_revisions;
  list_revisions.set_parent(created.name());
  list_revisions.set_page_size(2);
  pb::ListPlanRevisionsResponse revisions;
  ASSERT_TRUE(stub_->ListPlanRevisions(Context().get(), list_revisions, &revisions).ok());
  ASSERT_THAT(revisions.revisions(), SizeIs(2));
  EXPECT_EQ(revisions.revisions(0).snapshot().revision(), 3);
  list_revisions.set_page_token(revisions.next_page_token());
  // Issue 22: a token is bound to its method and filter, not only to the parent; before,
  // another list of the same plan accepted it.
  pb::ListFollowUpsRequest foreign;
  foreign.set_parent(created.name());
  foreign.set_page_token(revisions.next_page_token());
  pb::ListFollowUpsResponse foreign_page;
  status = stub_->ListFollowUps(Context().get(), foreign, &foreign_page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("page_token"));
  ASSERT_TRUE(stub_->ListPlanRevisions(Context().get(), list_revisions, &revisions).ok());
  ASSERT_THAT(revisions.revisions(), SizeIs(1));
  EXPECT_EQ(revisions.revisions(0).name(), created.name() + "/revisions/1");
  EXPECT_TRUE(revisions.next_page_token().empty());
  pb::GetPlanRevisionRequest get_revision;
  get_revision.set_name(created.name() + "/revisions/1");
  pb::GetPlanRevisionResponse first;
  ASSERT_TRUE(stub_->GetPlanRevision(Context().get(), get_revision, &first).ok());
  EXPECT_EQ(first.revision().snapshot().revision(), 1);

  // A follow-up.
  clock_.Advance(absl::Hours(24 * 60));
  pb::RecordFollowUpRequest follow_up;
  follow_up.set_parent(created.name());
  DayToProto(TodayInSweden(clock_.Now()), follow_up.mutable_follow_up()->mutable_follow_up_date());
  follow_up.mutable_follow_up()->set_progress("Tar medicinen de flesta dagar");
  auto* outcome = follow_up.mutable_follow_up()->add_intervention_outcomes();
  outcome->set_intervention_id(established.goals(0).interventions(0).id());
  outcome->set_carried_out(true);
  outcome->set_had_effect(true);
  follow_up.mutable_follow_up()->set_decision(pb::FOLLOW_UP_DECISION_CONTINUE);
  const absl::CivilDay next_day = AddMonths(TodayInSweden(clock_.Now()), 12);
  DayToProto(next_day, follow_up.mutable_follow_up()->mutable_next_follow_up_date());
  pb::RecordFollowUpResponse recorded;
  status = stub_->RecordFollowUp(Context().get(), follow_up, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(recorded.follow_up().name(), HasSubstr(created.name() + "/followUps/"));
  {
    // The agreed date becomes the plan's next follow-up.
    pb::GetPlanRequest get;
    get.set_name(created.name());
    pb::GetPlanResponse got;
    ASSERT_TRUE(stub_->GetPlan(Context().get(), get, &got).ok());
    EXPECT_EQ(DayFromProto(got.plan().next_follow_up_date()), next_day);
    // And the event says so (it carried the plan's old date).
    pb::ListEventsRequest events_request;
    pb::ListEventsResponse events;
    ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), events_request, &events).ok());
    ASSERT_GT(events.events_size(), 0);
    const pb::PlanEvent& last = events.events(events.events_size() - 1);
    ASSERT_TRUE(last.has_follow_up_recorded());
    EXPECT_EQ(DayFromProto(last.follow_up_recorded().next_follow_up_date()), next_day);
  }
  pb::ListFollowUpsRequest list_follow_ups;
  list_follow_ups.set_parent(created.name());
  pb::ListFollowUpsResponse follow_ups;
  ASSERT_TRUE(stub_->ListFollowUps(Context().get(), list_follow_ups, &follow_ups).ok());
  EXPECT_THAT(follow_ups.follow_ups(), SizeIs(1));

  // Changed circumstances.
  pb::RecordChangedCircumstancesRequest moved;
  moved.set_name(created.name());
  moved.set_kind(pb::CIRCUMSTANCE_KIND_CHANGED_HEALTH_CENTRE);
  DayToProto(TodayInSweden(clock_.Now()), moved.mutable_effective_date());
  pb::RecordChangedCircumstancesResponse moved_response;
  ASSERT_TRUE(stub_->RecordChangedCircumstances(Context().get(), moved, &moved_response).ok());

  // Closure; afterwards every change is refused.
  pb::ClosePlanRequest close;
  close.set_name(created.name());
  close.mutable_closure()->set_reason(pb::CLOSURE_REASON_GOALS_MET);
  close.mutable_closure()->set_note("Kontakta vårdcentralen om behovet kommer tillbaka");
  pb::ClosePlanResponse closed;
  // Only the coordinator's unit (samordningsansvarig) closes it.
  grpc::Status not_coordinator = stub_->ClosePlan(Context().get(), close, &closed);
  EXPECT_EQ(not_coordinator.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(not_coordinator).reason, "NOT_THE_COORDINATOR");
  ASSERT_TRUE(stub_->ClosePlan(ContextOf(testdata::kSoc).get(), close, &closed).ok());
  EXPECT_EQ(closed.plan().state(), cpb::PLAN_STATE_CLOSED);
  EXPECT_EQ(closed.plan().closure().closed_by().unit().hsa_id(), testdata::kSoc);
  patch.set_etag("");
  status = Update(patch, "long_term_goal", &edited);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PLAN_CLOSED");
  EXPECT_EQ(stub_->ClosePlan(ContextOf(testdata::kSoc).get(), close, &closed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Revise(created.name(), pb::REVISION_REASON_FOLLOW_UP, &revision).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // The events: one per change, the closure naming every unit, no personal details.
  pb::ListEventsRequest events_request;
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), events_request, &events).ok());
  std::vector<pb::PlanEvent::PayloadCase> kinds;
  for (const auto& e : events.events()) {
    kinds.push_back(e.payload_case());
    EXPECT_EQ(e.plan(), created.name());
    EXPECT_EQ(e.SerializeAsString().find("Tolvan"), std::string::npos);
    EXPECT_EQ(e.SerializeAsString().find("121212"), std::string::npos);
  }
  EXPECT_THAT(kinds, ElementsAre(pb::PlanEvent::kInitiated, pb::PlanEvent::kContentUpdated,
                                 pb::PlanEvent::kEstablished, pb::PlanEvent::kRevised,
                                 pb::PlanEvent::kRevised, pb::PlanEvent::kFollowUpRecorded,
                                 pb::PlanEvent::kCircumstancesChanged, pb::PlanEvent::kClosed));
  EXPECT_THAT(events.events(7).closed().participant_unit_hsa_ids(),
              ElementsAre(testdata::kSoc, testdata::kVc, testdata::kPsy));
  EXPECT_THAT(events.events(1).content_updated().changed_fields(), ElementsAre("long_term_goal"));
  EXPECT_EQ(events.last_sequence(), 8);
  // What the lifecycle service reckons deadlines from: when the need was noticed, the
  // region, and whose work list a deadline goes on.
  EXPECT_EQ(events.events(0).initiated().need_noticed_time().seconds(),
            created.need_noticed_time().seconds());
  EXPECT_EQ(events.events(0).initiated().region_code(), "14");
  EXPECT_EQ(events.events(2).established().coordinator_unit_hsa_id(), testdata::kSoc);
  EXPECT_EQ(events.events(2).established().region_code(), "14");
  EXPECT_EQ(events.events(3).revised().coordinator_unit_hsa_id(), testdata::kSoc);
}

// A unit added to an ACTIVE plan gets it at once: it must be covered by consent first,
// as a participant, a responsible unit or the coordinator's unit; so must every unit that
// gets a new revision.
TEST_F(PlanServiceTest, UnitsJoiningAnActivePlanNeedConsentFirst) {
  constexpr char kDental[] = "SE2321000131-T000000000009";
  const pb::Plan created = Create();
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::Plan established;
  ASSERT_TRUE(Establish(created.name(), &established).ok());

  pb::Plan patch;
  patch.set_name(created.name());
  *patch.mutable_participants() = established.participants();
  auto* dental = patch.add_participants()->mutable_unit();
  dental->set_hsa_id(kDental);
  dental->set_principal(cpb::PRINCIPAL_KIND_REGION);
  dental->set_principal_code("14");
  pb::Plan updated;
  grpc::Status status = Update(patch, "participants", &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_ACTIVE");
  EXPECT_THAT(DetailsOf(status).preconditions, ElementsAre(kDental));
  pb::GetPlanRequest get;
  get.set_name(created.name());
  pb::GetPlanResponse got;
  ASSERT_TRUE(stub_->GetPlan(Context().get(), get, &got).ok());
  EXPECT_EQ(got.plan().etag(), established.etag()) << "nothing changed";

  // The coordinator's unit likewise.
  pb::Plan coordinator;
  coordinator.set_name(created.name());
  *coordinator.mutable_overall_responsibility() = established.overall_responsibility();
  coordinator.mutable_overall_responsibility()->mutable_coordinator()->mutable_unit()->set_hsa_id(
      "SE2120001652-S000000000008");
  status = Update(coordinator, "overall_responsibility", &updated);
  EXPECT_THAT(DetailsOf(status).preconditions, ElementsAre("SE2120001652-S000000000008"));

  // Once the person consents for the dental unit, it may join, and a revision for the new
  // party goes to units that are all covered.
  RecordConsent(created.name(), {kDental});
  status = Update(patch, "participants", &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  pb::PlanRevision revision;
  status = Revise(created.name(), pb::REVISION_REASON_NEW_PARTY, &revision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(revision.snapshot().participants_size(), updated.participants_size());
}

// "Consent withdrawn" is a closure reason only the consent service can confirm, and the
// lifecycle service acts on: a user, even the coordinator's, does not close for it.
TEST_F(PlanServiceTest, ClosingForWithdrawnConsentNeedsTheWithdrawal) {
  const pb::Plan created = Create();
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::ClosePlanRequest close;
  close.set_name(created.name());
  close.mutable_closure()->set_reason(pb::CLOSURE_REASON_CONSENT_WITHDRAWN);
  pb::ClosePlanResponse closed;
  grpc::Status status = stub_->ClosePlan(ContextOf(testdata::kSoc).get(), close, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(status).reason, "CLOSURE_NOT_ALLOWED");
  status = stub_->ClosePlan(AsService("lifecycle").get(), close, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_WITHDRAWN");
  EXPECT_THAT(status.error_message(), HasSubstr("COVERED"));
  // Nor for a refusal the consent service does not know of.
  close.mutable_closure()->set_reason(pb::CLOSURE_REASON_CONSENT_REFUSED);
  status = stub_->ClosePlan(AsService("lifecycle").get(), close, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_REFUSED");
  close.mutable_closure()->set_reason(pb::CLOSURE_REASON_CONSENT_WITHDRAWN);

  consentpb::ListConsentsRequest list;
  list.set_parent(created.name());
  consentpb::ListConsentsResponse consents;
  ASSERT_TRUE(consent_stub_->ListConsents(Context().get(), list, &consents).ok());
  ASSERT_EQ(consents.consents_size(), 1);
  consentpb::WithdrawConsentRequest withdraw;
  withdraw.set_name(consents.consents(0).name());
  withdraw.mutable_withdrawn_by()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  withdraw.set_form(cpb::COMMUNICATION_FORM_ORAL);
  consentpb::WithdrawConsentResponse withdrawn;
  ASSERT_TRUE(consent_stub_->WithdrawConsent(Context().get(), withdraw, &withdrawn).ok());
  // No unit is covered now: the plan is visible to none of them.
  pb::GetPlanRequest get;
  get.set_name(created.name());
  pb::GetPlanResponse got;
  EXPECT_EQ(stub_->GetPlan(ContextOf(testdata::kSoc).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  status = stub_->ClosePlan(AsService("lifecycle").get(), close, &closed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(closed.plan().closure().reason(), pb::CLOSURE_REASON_CONSENT_WITHDRAWN);
}

// After a withdrawal no unit sees the plan, yet a unit taking part records the person's
// new consent, and those it covers see the plan again; a unit that takes no part records
// nothing.
TEST_F(PlanServiceTest, ANewConsentAfterAWithdrawalOpensThePlanAgain) {
  const pb::Plan created = Create();
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc});
  consentpb::ListConsentsRequest list;
  list.set_parent(created.name());
  consentpb::ListConsentsResponse consents;
  ASSERT_TRUE(consent_stub_->ListConsents(Context().get(), list, &consents).ok());
  consentpb::WithdrawConsentRequest withdraw;
  withdraw.set_name(consents.consents(0).name());
  withdraw.mutable_withdrawn_by()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  withdraw.set_form(cpb::COMMUNICATION_FORM_ORAL);
  consentpb::WithdrawConsentResponse withdrawn;
  ASSERT_TRUE(consent_stub_->WithdrawConsent(Context().get(), withdraw, &withdrawn).ok());
  // Once the plan service has the withdrawal (its consumer polls every second; here at
  // once), no unit sees the plan.
  SIP_ASSERT_OK(follows_consent_->CatchUp());
  pb::GetPlanRequest get;
  get.set_name(created.name());
  pb::GetPlanResponse got;
  EXPECT_EQ(stub_->GetPlan(Context().get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The person decides again a while later (a decision at the very instant of the
  // withdrawal would not be ordered after it).
  clock_.Advance(absl::Minutes(5));
  consentpb::RecordConsentRequest again;
  again.set_parent(created.name());
  again.mutable_consent()->mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  again.mutable_consent()->set_form(cpb::COMMUNICATION_FORM_WRITTEN);
  auto* vc = again.mutable_consent()->add_covered_units();
  vc->set_hsa_id(testdata::kVc);
  vc->set_principal(cpb::PRINCIPAL_KIND_REGION);
  vc->set_principal_code("14");
  consentpb::RecordConsentResponse recorded;
  const grpc::Status outsider = consent_stub_->RecordConsent(
      ContextOf("SE2321000131-X000000000009").get(), again, &recorded);
  EXPECT_EQ(outsider.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status status = consent_stub_->RecordConsent(Context().get(), again, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(stub_->GetPlan(Context().get(), get, &got).ok());
  EXPECT_EQ(got.plan().name(), created.name());
  EXPECT_EQ(stub_->GetPlan(ContextOf(testdata::kSoc).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "the new consent covers the health centre only";
}

// Forfeiture is the lifecycle service's alone; other services acting on their own close
// nothing. Asked before the plan is read: a plan that does not exist gets the same answer.
TEST_F(PlanServiceTest, OnlyTheLifecycleServiceClosesAsExpired) {
  const pb::Plan created = Create();
  pb::ClosePlanRequest close;
  close.set_name(created.name());
  close.mutable_closure()->set_reason(pb::CLOSURE_REASON_EXPIRED);
  pb::ClosePlanResponse closed;
  grpc::Status status = stub_->ClosePlan(Context().get(), close, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(status).reason, "CLOSURE_NOT_ALLOWED");
  EXPECT_THAT(status.error_message(), HasSubstr("lifecycle service"));
  const grpc::Status user_denied = status;
  // Another service on its own writes nothing at all (common/caller.h, ServiceMayCall).
  status = stub_->ClosePlan(AsService("meeting").get(), close, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(status).reason, "SERVICE_NOT_ALLOWED");
  pb::ClosePlanRequest missing = close;
  missing.set_name("plans/00000000-0000-4000-8000-000000000000");
  pb::ClosePlanResponse nothing;
  const grpc::Status unknown = stub_->ClosePlan(Context().get(), missing, &nothing);
  EXPECT_EQ(unknown.error_code(), user_denied.error_code());
  EXPECT_EQ(unknown.error_message(), user_denied.error_message());
  // Nor does the lifecycle service close for a person's reason.
  pb::ClosePlanRequest goals = close;
  goals.mutable_closure()->set_reason(pb::CLOSURE_REASON_GOALS_MET);
  status = stub_->ClosePlan(AsService("lifecycle").get(), goals, &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  pb::GetPlanRequest get;
  get.set_name(created.name());
  pb::GetPlanResponse got;
  ASSERT_TRUE(stub_->GetPlan(Context().get(), get, &got).ok());
  EXPECT_NE(got.plan().state(), cpb::PLAN_STATE_CLOSED) << "no refused closure closed it";

  status = stub_->ClosePlan(AsService("lifecycle").get(), close, &closed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(closed.plan().closure().reason(), pb::CLOSURE_REASON_EXPIRED);
  EXPECT_EQ(closed.plan().closure().closed_by().user_id(), "lifecycle-service");
}

// The establishing meeting is kept on the plan and in revision 1, and the copy shows its
// day; the time the need was noticed can be earlier than the plan.
TEST_F(PlanServiceTest, TheEstablishingMeetingAndWhenTheNeedWasNoticedAreKept) {
  pb::Plan input = testdata::CompletePlan();
  sip::ToProto(clock_.Now() - absl::Hours(24 * 4), input.mutable_need_noticed_time());
  const pb::Plan created = Create(input);
  EXPECT_EQ(created.need_noticed_time().seconds(),
            absl::ToUnixSeconds(clock_.Now() - absl::Hours(24 * 4)));
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  clock_.Advance(absl::Hours(24 * 2));
  pb::EstablishPlanRequest establish;
  establish.set_name(created.name());
  establish.set_meeting(created.name() + "/meetings/m-1");
  sip::ToProto(clock_.Now() + absl::Hours(1), establish.mutable_meeting_time());
  pb::EstablishPlanResponse established;
  grpc::Status status = stub_->EstablishPlan(Context().get(), establish, &established);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("meeting_time")) << "not in the future";
  const absl::Time held = clock_.Now() - absl::Hours(30);
  sip::ToProto(held, establish.mutable_meeting_time());
  status = stub_->EstablishPlan(Context().get(), establish, &established);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(established.plan().establishing_meeting().meeting(), created.name() + "/meetings/m-1");
  EXPECT_EQ(established.plan().establishing_meeting().held_time().seconds(),
            absl::ToUnixSeconds(held));
  pb::GetPlanRevisionRequest get;
  get.set_name(created.name() + "/revisions/1");
  pb::GetPlanRevisionResponse first;
  ASSERT_TRUE(stub_->GetPlanRevision(Context().get(), get, &first).ok());
  EXPECT_EQ(first.revision().snapshot().establishing_meeting().held_time().seconds(),
            absl::ToUnixSeconds(held));
  pb::RenderPlanCopyResponse copy;
  ASSERT_TRUE(Copy(created.name(), pb::COPY_FORMAT_TEXT, &copy).ok());
  EXPECT_THAT(copy.content(),
              HasSubstr(absl::StrCat("SIP-mötet ", document::SwedishDate(DayInSweden(held)))))
      << "a meeting the meeting service does not know: the day alone";
  EXPECT_THAT(copy.content(), HasSubstr("- Jag gav samtycke skriftligt"))
      << "the consent, from the consent service";

  // The meeting service knows it: the copy shows day, time and place.
  sip::meeting::v1::Meeting& m = meetings_.meetings[created.name() + "/meetings/m-1"];
  ToProto(held, m.mutable_details()->mutable_start_time());
  ToProto(held + absl::Hours(1), m.mutable_details()->mutable_end_time());
  m.mutable_details()->set_mode(sip::meeting::v1::MEETING_MODE_IN_PERSON);
  m.mutable_details()->set_location("Socialkontoret, Kungälv");
  ASSERT_TRUE(Copy(created.name(), pb::COPY_FORMAT_TEXT, &copy).ok());
  EXPECT_THAT(copy.content(),
              HasSubstr(absl::StrCat("Tid: ", document::SwedishClock(held), "–",
                                     document::SwedishClock(held + absl::Hours(1)),
                                     "\nPlats: Socialkontoret, Kungälv")));
}

// Changed circumstances can be read back, newest first, and take an etag.
TEST_F(PlanServiceTest, ChangedCircumstancesAreListedAndTakeAnEtag) {
  const pb::Plan created = Create();
  pb::RecordChangedCircumstancesRequest moved;
  moved.set_name(created.name());
  moved.set_kind(pb::CIRCUMSTANCE_KIND_MOVED_MUNICIPALITY);
  DayToProto(TodayInSweden(clock_.Now()), moved.mutable_effective_date());
  moved.set_etag("\"7\"");
  pb::RecordChangedCircumstancesResponse changed;
  EXPECT_EQ(stub_->RecordChangedCircumstances(Context().get(), moved, &changed).error_code(),
            grpc::StatusCode::ABORTED);
  moved.set_etag(created.etag());
  ASSERT_TRUE(stub_->RecordChangedCircumstances(Context().get(), moved, &changed).ok());
  clock_.Advance(absl::Hours(1));
  pb::RecordChangedCircumstancesRequest centre = moved;
  centre.set_kind(pb::CIRCUMSTANCE_KIND_CHANGED_HEALTH_CENTRE);
  centre.set_etag(changed.plan().etag());
  testdata::SetUnit(centre.mutable_new_unit(), testdata::kPsy, cpb::PRINCIPAL_KIND_REGION, "Ny VC");
  ASSERT_TRUE(stub_->RecordChangedCircumstances(Context().get(), centre, &changed).ok());

  pb::ListChangedCircumstancesRequest list;
  list.set_parent(created.name());
  list.set_page_size(1);
  pb::ListChangedCircumstancesResponse page;
  ASSERT_TRUE(stub_->ListChangedCircumstances(Context().get(), list, &page).ok());
  ASSERT_EQ(page.circumstances_size(), 1);
  EXPECT_EQ(page.circumstances(0).kind(), pb::CIRCUMSTANCE_KIND_CHANGED_HEALTH_CENTRE);
  EXPECT_EQ(page.circumstances(0).new_unit().hsa_id(), testdata::kPsy);
  EXPECT_EQ(page.circumstances(0).recorded_by().unit().hsa_id(), testdata::kVc);
  EXPECT_THAT(page.circumstances(0).name(), HasSubstr(created.name() + "/circumstances/"));
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListChangedCircumstances(Context().get(), list, &page).ok());
  ASSERT_EQ(page.circumstances_size(), 1);
  EXPECT_EQ(page.circumstances(0).kind(), pb::CIRCUMSTANCE_KIND_MOVED_MUNICIPALITY);
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(PlanServiceTest, IncompletePlanIsRefusedListingWhatIsMissing) {
  pb::Plan input = testdata::CompletePlan();
  input.clear_needs();
  const pb::Plan created = Create(input);
  pb::Plan established;
  const grpc::Status status = Establish(created.name(), &established);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PLAN_INCOMPLETE");
  // One refusal lists everything: the missing content and each unit consent lacks.
  EXPECT_THAT(DetailsOf(status).preconditions,
              ElementsAre("needs", testdata::kSoc, testdata::kVc, testdata::kPsy));
}

TEST_F(PlanServiceTest, EstablishmentIsUnavailableWhileConsentCannotBeAsked) {
  const pb::Plan created = Create();
  consent_server_->Shutdown(absl::ZeroDuration());
  pb::Plan established;
  const grpc::Status status = Establish(created.name(), &established);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_SERVICE_UNAVAILABLE");
}

TEST_F(PlanServiceTest, RetriedCreateIsAppliedOnceAndRetriedEstablishAnsweredAgain) {
  pb::CreatePlanRequest request;
  *request.mutable_plan() = testdata::CompletePlan();
  request.set_request_id("5b0f1c5e-8a4a-4b7a-9a40-3f0d2b1c7e11");
  pb::CreatePlanResponse first, second;
  ASSERT_TRUE(stub_->CreatePlan(Context().get(), request, &first).ok());
  ASSERT_TRUE(stub_->CreatePlan(Context().get(), request, &second).ok());
  EXPECT_EQ(first.plan().name(), second.plan().name());
  {
    // Applied once: one plan, one event, whatever the answers say.
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM plan.plans")[0].as<int>(), 1);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM plan.outbox")[0].as<int>(), 1);
  }

  RecordConsent(first.plan().name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::EstablishPlanRequest establish;
  establish.set_name(first.plan().name());
  establish.set_request_id("0e8b7a52-6f57-4e0c-8d0c-2f7b3a9a1d22");
  pb::EstablishPlanResponse a, b;
  ASSERT_TRUE(stub_->EstablishPlan(Context().get(), establish, &a).ok());
  const grpc::Status again = stub_->EstablishPlan(Context().get(), establish, &b);
  ASSERT_TRUE(again.ok()) << again.error_message();
  EXPECT_EQ(a.plan().etag(), b.plan().etag());
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM plan.plan_revisions")[0].as<int>(), 1);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM plan.outbox")[0].as<int>(), 2);
}

TEST_F(PlanServiceTest, GetAndListPlans) {
  const pb::Plan created = Create();
  pb::GetPlanRequest get;
  get.set_name(created.name());
  pb::GetPlanResponse got;
  ASSERT_TRUE(stub_->GetPlan(Context().get(), get, &got).ok());
  EXPECT_EQ(got.plan().SerializeAsString(), created.SerializeAsString());
  // Permission before existence: a plan that does not exist is one the unit does not see.
  get.set_name("plans/unknown");
  EXPECT_EQ(stub_->GetPlan(Context().get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  get.set_name("plan/bad");
  const grpc::Status bad = stub_->GetPlan(Context().get(), get, &got);
  EXPECT_THAT(DetailsOf(bad).fields, ElementsAre("name"));

  pb::ListPlansRequest list;
  list.set_personal_identity_number("121212+1212");  // 10 digits, "+": aged 100 or more
  pb::ListPlansResponse listed;
  ASSERT_TRUE(stub_->ListPlans(Context().get(), list, &listed).ok());
  ASSERT_THAT(listed.plans(), SizeIs(1));
  list.clear_personal_identity_number();
  list.set_responsible_unit_hsa_id(testdata::kSoc);
  list.set_state(cpb::PLAN_STATE_INITIATED);
  ASSERT_TRUE(stub_->ListPlans(Context().get(), list, &listed).ok());
  EXPECT_THAT(listed.plans(), SizeIs(1));

  pb::ListPlansRequest unfiltered;
  grpc::Status status = stub_->ListPlans(Context().get(), unfiltered, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  unfiltered.set_personal_identity_number("19121212-1213");
  unfiltered.set_participant_unit_hsa_id("nope");
  status = stub_->ListPlans(Context().get(), unfiltered, &listed);
  EXPECT_THAT(DetailsOf(status).fields,
              ElementsAre("personal_identity_number", "participant_unit_hsa_id"));
}

TEST_F(PlanServiceTest, BadInputNamesTheField) {
  pb::CreatePlanRequest request;
  *request.mutable_plan() = testdata::CompletePlan();
  request.mutable_plan()->mutable_individual()->set_personal_identity_number("19121299-1212");
  request.mutable_plan()->mutable_goals(0)->set_text("");
  pb::CreatePlanResponse response;
  grpc::Status status = stub_->CreatePlan(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields,
              ElementsAre("plan.individual.personal_identity_number", "plan.goals[0].text"));

  const pb::Plan created = Create();
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::Plan established;
  ASSERT_TRUE(Establish(created.name(), &established).ok());
  pb::RecordFollowUpRequest future;
  future.set_parent(created.name());
  DayToProto(TodayInSweden(clock_.Now()) + 7, future.mutable_follow_up()->mutable_follow_up_date());
  DayToProto(TodayInSweden(clock_.Now()) + 100,
             future.mutable_follow_up()->mutable_next_follow_up_date());
  future.mutable_follow_up()->set_decision(pb::FOLLOW_UP_DECISION_CONTINUE);
  pb::RecordFollowUpResponse recorded;
  status = stub_->RecordFollowUp(Context().get(), future, &recorded);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("follow_up.follow_up_date"));

  pb::RecordChangedCircumstancesRequest circumstances;
  circumstances.set_name(created.name());
  pb::RecordChangedCircumstancesResponse changed;
  status = stub_->RecordChangedCircumstances(Context().get(), circumstances, &changed);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("effective_date"));

  pb::Plan patch;
  patch.set_name(created.name());
  pb::Plan edited;
  status = Update(patch, "state", &edited);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("update_mask.paths[0]"));

  grpc::ClientContext anonymous;
  pb::GetPlanRequest get;
  get.set_name(created.name());
  pb::GetPlanResponse got;
  EXPECT_EQ(stub_->GetPlan(&anonymous, get, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// The malformed-input sweep of the hardening issue: each of these reached INTERNAL, hung a
// client or was stored misread. Each gets INVALID_ARGUMENT naming the field (or the code
// its transport limit has), nothing is stored, and the answer stays small.
TEST_F(PlanServiceTest, MalformedInputGetsAClearErrorAndStoresNothing) {
  auto create = [&](const pb::Plan& plan, pb::CreatePlanResponse* out) {
    pb::CreatePlanRequest request;
    *request.mutable_plan() = plan;
    return stub_->CreatePlan(Context().get(), request, out);
  };
  pb::CreatePlanResponse response;

  // NUL in free text (jsonb refused it: INTERNAL).
  pb::Plan nul = testdata::CompletePlan();
  nul.mutable_individual()->set_name(std::string("Tolvan\0Tolvansson", 18));
  nul.set_reason(std::string("\0", 1));
  grpc::Status status = create(nul, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("plan.individual.name", "plan.reason"));

  // Years 10–99 (INTERNAL) and 1–9 (stored as 2001).
  for (int64_t seconds : {int64_t{-61851600000} /* year 10 */,
                          int64_t{-62104060800} /* year 2 */}) {
    pb::Plan old = testdata::CompletePlan();
    old.mutable_discharge()->mutable_discharge_time()->set_seconds(seconds);
    status = create(old, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << seconds;
    EXPECT_THAT(DetailsOf(status).fields, ElementsAre("plan.discharge.discharge_time"));
  }

  // 20,000 participants (accepted, and every later update took 1.2 s).
  pb::Plan crowded = testdata::CompletePlan();
  for (int i = 0; i < 1000; ++i) *crowded.add_participants() = crowded.participants(0);
  status = create(crowded, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("plan.participants"));

  // A request above the size limit never reaches the handler.
  pb::Plan huge = testdata::CompletePlan();
  for (int i = 0; i < 150; ++i) huge.add_needs(std::string(3900, 'n'));
  for (int i = 0; i < 150; ++i) huge.add_goals()->set_text(std::string(3900, 'g'));
  status = create(huge, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // None of these stored anything.
  pb::ListPlansRequest list;
  list.set_state(cpb::PLAN_STATE_INITIATED);
  pb::ListPlansResponse listed;
  ASSERT_TRUE(stub_->ListPlans(Context().get(), list, &listed).ok());
  EXPECT_THAT(listed.plans(), SizeIs(0));

  // A 64 KiB etag: answered at once with a short message (it hung grpc-js), not echoed.
  const pb::Plan created = Create();
  pb::Plan patch;
  patch.set_name(created.name());
  patch.set_etag(std::string(64 * 1024, '"'));
  patch.set_long_term_goal("Jag vill klara mig hemma");
  pb::UpdatePlanRequest update;
  *update.mutable_plan() = patch;
  update.mutable_update_mask()->add_paths("long_term_goal");
  pb::UpdatePlanResponse updated;
  auto context = Context();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  status = stub_->UpdatePlan(context.get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("plan.etag"));
  EXPECT_LT(status.error_message().size(), 300u);
  EXPECT_LT(status.error_details().size(), 1000u);

  // Page tokens: a crafted one of the old unsigned form reached SQL with year 0
  // (INTERNAL); an altered one, or one from another query, is refused too.
  Create();
  list.set_page_size(1);
  ASSERT_TRUE(stub_->ListPlans(Context().get(), list, &listed).ok());
  ASSERT_THAT(listed.plans(), SizeIs(1));
  ASSERT_FALSE(listed.next_page_token().empty());
  std::string altered = listed.next_page_token();
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  std::string crafted;
  absl::WebSafeBase64Escape("1|cbf29ce484222325|-62167219200000000|zzz", &crafted);
  for (const auto& [token, state] :
       std::vector<std::pair<std::string, cpb::PlanState>>{
           {altered, cpb::PLAN_STATE_INITIATED},
           {crafted, cpb::PLAN_STATE_INITIATED},
           {listed.next_page_token(), cpb::PLAN_STATE_ACTIVE}}) {
    pb::ListPlansRequest next;
    next.set_state(state);
    next.set_page_token(token);
    pb::ListPlansResponse page;
    status = stub_->ListPlans(Context().get(), next, &page);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_THAT(DetailsOf(status).fields, ElementsAre("page_token"));
  }
  pb::ListPlansRequest next = list;
  next.set_page_token(listed.next_page_token());
  pb::ListPlansResponse page;
  ASSERT_TRUE(stub_->ListPlans(Context().get(), next, &page).ok());
  EXPECT_THAT(page.plans(), SizeIs(1));

  // A personnummer as user id is not stored as one.
  grpc::ClientContext pin_user;
  pin_user.AddMetadata("x-sip-unit-hsa-id", testdata::kVc);
  pin_user.AddMetadata("x-sip-unit-principal", "REGION");
  pin_user.AddMetadata("x-sip-user-id", "19121212-1212");
  pb::CreatePlanRequest by_pin;
  *by_pin.mutable_plan() = testdata::CompletePlan();
  EXPECT_EQ(stub_->CreatePlan(&pin_user, by_pin, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// A plan switched to protected identity keeps the person's details nowhere: not in the
// plan, not in any earlier revision, not in any answer kept for retries — searched in
// every table of the database, decoded where stored encoded.
TEST_F(PlanServiceTest, SwitchToProtectedIdentityLeavesTheDetailsNowhere) {
  const std::vector<std::string> details = {"191212121212", "Tolvan", "Storgatan",
                                            "0303-12 34 56", "Greta Godman"};
  pb::CreatePlanRequest create;
  create.set_request_id("create-1");
  *create.mutable_plan() = testdata::CompletePlan();
  pb::CreatePlanResponse created;
  ASSERT_TRUE(stub_->CreatePlan(Context().get(), create, &created).ok());
  const std::string name = created.plan().name();
  RecordConsent(name, {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::EstablishPlanRequest establish;
  establish.set_name(name);
  establish.set_request_id("establish-1");
  pb::EstablishPlanResponse established;
  ASSERT_TRUE(stub_->EstablishPlan(Context().get(), establish, &established).ok());
  pb::RevisePlanRequest revise;
  revise.set_name(name);
  revise.set_reason(pb::REVISION_REASON_FOLLOW_UP);
  revise.set_request_id("revise-1");
  pb::RevisePlanResponse revised;
  ASSERT_TRUE(stub_->RevisePlan(Context().get(), revise, &revised).ok());
  ASSERT_EQ(revised.revision().snapshot().individual().name(), "Tolvan Tolvansson");
  ASSERT_THAT(FindAnywhere(db_.conninfo(), details), ::testing::Not(::testing::IsEmpty()))
      << "the search must find the details before the switch";

  // The switch: identifying details out, the unit's local reference in.
  pb::Plan patch;
  patch.set_name(name);
  *patch.mutable_individual() = testdata::ProtectedPlan().individual();
  pb::Plan switched;
  grpc::Status status = Update(patch, "individual", &switched);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(switched.individual().protected_identity());

  EXPECT_THAT(FindAnywhere(db_.conninfo(), details), ::testing::IsEmpty());

  // Every revision still reads, without the details, and says it was changed so.
  for (const char* revision : {"/revisions/1", "/revisions/2"}) {
    pb::GetPlanRevisionRequest get;
    get.set_name(name + revision);
    pb::GetPlanRevisionResponse got;
    ASSERT_TRUE(stub_->GetPlanRevision(Context().get(), get, &got).ok());
    EXPECT_TRUE(got.revision().snapshot().individual().protected_identity());
    EXPECT_EQ(got.revision().snapshot().individual().local_reference(), "VC-2026-117");
    EXPECT_EQ(got.revision().snapshot().individual().representatives_size(), 1);
  }
  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM plan.plan_revisions WHERE identity_removed_time "
                      "IS NOT NULL")[0].as<int>(), 2);
  txn.commit();

  // A retry of the first call is still answered, without the details.
  ASSERT_TRUE(stub_->CreatePlan(Context().get(), create, &created).ok());
  EXPECT_EQ(created.plan().name(), name);
  EXPECT_TRUE(created.plan().individual().name().empty());
  EXPECT_TRUE(created.plan().individual().protected_identity());

  // A protected plan takes no representative's name and no personnummer as reference.
  patch.mutable_individual()->mutable_representatives(0)->set_name("Greta Godman");
  patch.mutable_individual()->set_local_reference("19121212-1212");
  status = Update(patch, "individual", &switched);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields,
              ElementsAre("plan.individual.local_reference",
                          "plan.individual.representatives[0].name"));
}

TEST_F(PlanServiceTest, ReadsOfHistoryExplainTheirErrors) {
  const pb::Plan created = Create();
  pb::GetPlanRevisionRequest get_revision;
  pb::GetPlanRevisionResponse revision;
  get_revision.set_name(created.name() + "/revisions/1");
  grpc::Status status = stub_->GetPlanRevision(Context().get(), get_revision, &revision);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << "not established yet";
  EXPECT_EQ(DetailsOf(status).reason, "REVISION_NOT_FOUND");
  get_revision.set_name(created.name());
  status = stub_->GetPlanRevision(Context().get(), get_revision, &revision);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("name"));

  pb::ListPlanRevisionsRequest list_revisions;
  list_revisions.set_parent("plans/unknown");
  pb::ListPlanRevisionsResponse revisions;
  status = stub_->ListPlanRevisions(Context().get(), list_revisions, &revisions);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(status).reason, "NOT_VISIBLE");
  list_revisions.set_parent(created.name());
  list_revisions.set_page_size(-1);
  status = stub_->ListPlanRevisions(Context().get(), list_revisions, &revisions);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("page_size"));

  pb::ListFollowUpsRequest list_follow_ups;
  list_follow_ups.set_parent(created.name());
  list_follow_ups.set_page_token("forged");
  pb::ListFollowUpsResponse follow_ups;
  status = stub_->ListFollowUps(Context().get(), list_follow_ups, &follow_ups);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("page_token"));

  pb::RecordFollowUpRequest follow_up;
  follow_up.set_parent(created.name());
  DayToProto(TodayInSweden(clock_.Now()), follow_up.mutable_follow_up()->mutable_follow_up_date());
  follow_up.mutable_follow_up()->set_decision(pb::FOLLOW_UP_DECISION_CONTINUE);
  pb::RecordFollowUpResponse recorded;
  status = stub_->RecordFollowUp(Context().get(), follow_up, &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PLAN_NOT_ESTABLISHED");

  pb::ListEventsRequest events_request;
  events_request.set_after_sequence(-5);
  pb::ListEventsResponse events;
  status = stub_->ListEvents(testing::ServiceContext("lifecycle").get(), events_request, &events);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("after_sequence"));
  events_request.set_after_sequence(1);
  ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), events_request, &events).ok());
  EXPECT_THAT(events.events(), SizeIs(0));
  EXPECT_EQ(events.last_sequence(), 1);
}

TEST_F(PlanServiceTest, TheIndividualsCopy) {
  const pb::Plan created = Create();
  pb::RenderPlanCopyResponse copy;
  grpc::Status status = Copy(created.name(), pb::COPY_FORMAT_TEXT, &copy);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "no copy before establishment";
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::Plan established;
  ASSERT_TRUE(Establish(created.name(), &established).ok());
  ASSERT_TRUE(Copy(created.name(), pb::COPY_FORMAT_UNSPECIFIED, &copy).ok());
  EXPECT_EQ(copy.media_type(), "text/plain; charset=utf-8");
  EXPECT_EQ(copy.revision(), created.name() + "/revisions/1");
  EXPECT_THAT(copy.content(), HasSubstr("Tolvan Tolvansson"));
  ASSERT_TRUE(Copy(created.name() + "/revisions/1", pb::COPY_FORMAT_HTML, &copy).ok());
  EXPECT_EQ(copy.media_type(), "text/html; charset=utf-8");
  EXPECT_THAT(copy.content(), HasSubstr("<h2>Vart vänder jag mig?</h2>"));
  status = Copy(created.name() + "/revisions/0", pb::COPY_FORMAT_TEXT, &copy);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("name"));
}

TEST_F(PlanServiceTest, ProtectedIdentityGetsNoDigitalCopy) {
  const pb::Plan created = Create(testdata::ProtectedPlan());
  EXPECT_TRUE(created.individual().personal_identity_number().empty());
  RecordConsent(created.name(), {testdata::kVc, testdata::kSoc, testdata::kPsy});
  pb::Plan established;
  ASSERT_TRUE(Establish(created.name(), &established).ok());
  pb::RenderPlanCopyResponse copy;
  const grpc::Status status = Copy(created.name(), pb::COPY_FORMAT_HTML, &copy);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PROTECTED_IDENTITY");
  EXPECT_THAT(status.error_message(), HasSubstr("telephone"));
}

}  // namespace
}  // namespace sip::plan
