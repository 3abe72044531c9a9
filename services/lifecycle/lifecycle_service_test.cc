// The lifecycle service with the real plan, consent and meeting services (loopback,
// PostgreSQL, one fake clock moved by hand): a plan left alone is forfeited at 12 months
// and closed at 15 through the plan service, and the meeting service cancels its
// scheduled meeting; withdrawn consent closes a plan; the timeline, the work list and the
// policy over gRPC, with their errors.
#include "services/lifecycle/lifecycle_service.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/calendar.h"
#include "common/event_consumer.h"
#include "common/migrations.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "common/testing/grpc_details.h"
#include "common/testing/loopback.h"
#include "common/testing/metrics.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plan/plan_test_data.h"
#include "services/testing/suite.h"

namespace sip::lifecycle {
namespace {

namespace cpb = ::sip::common::v1;
namespace planpb = ::sip::plan::v1;
namespace consentpb = ::sip::consent::v1;
namespace meetingpb = ::sip::meeting::v1;
using ::sip::testing::CallerContext;
using ::sip::testing::DetailsOf;
using ::testing::ElementsAre;

using plan::testdata::kPsy;
using plan::testdata::kSoc;
using plan::testdata::kVc;

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), Stockholm());
}

class LifecycleServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(suite_.Start(db_.conninfo()));
    SIP_ASSERT_OK_AND_ASSIGN(policies_, Policies::LoadDirectory(SIP_POLICIES_DIR));
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "lifecycle", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "lifecycle", 4,
                                                      absl::Seconds(5),
                                                      LifecycleStore::Statements()}));
    store_ = std::make_unique<LifecycleStore>(pool_.get());
    closer_ = std::make_unique<GrpcPlanCloser>(suite_.plan_channel, absl::Seconds(5));
    metrics_ = std::make_unique<LifecycleMetrics>(*registry_);
    gate_ = std::make_unique<authz::PlanGate>(
        pool_.get(), &clock_,
        std::vector<authz::PlanGate::CatchUp>{[this] { return consumers_[0]->CatchUp(); },
                                              [this] { return consumers_[1]->CatchUp(); },
                                              [this] { return consumers_[2]->CatchUp(); }});
    book_ = std::make_unique<LifecycleBook>(store_.get(), &*policies_, closer_.get(), &clock_,
                                            gate_.get(), metrics_.get());
    service_ = std::make_unique<LifecycleGrpcService>(book_.get());
    server_ = sip::testing::ServeOnLoopback(service_.get(), "sip.lifecycle.v1.LifecycleService");
    ASSERT_NE(server_, nullptr);
    stub_ = pb::LifecycleService::NewStub(sip::testing::PeerChannelTo(*server_, "lifecycle"));

    const Actor self = ServiceActor("lifecycle");
    auto add = [&](const char* source, EventConsumer::Fetch fetch) {
      consumers_.push_back(std::make_unique<EventConsumer>(
          pool_.get(), &clock_, EventConsumer::Options{source, 50, absl::Seconds(1)},
          std::move(fetch), [this, source](pqxx::work& txn, const SourceEvent& e) {
            // The plan and consent services' events also keep the access projection.
            const std::string from = source;
            if (from == "plan") SIP_RETURN_IF_ERROR(authz::ApplyPlanEvent(txn, e.payload));
            if (from == "consent") SIP_RETURN_IF_ERROR(authz::ApplyConsentEvent(txn, e.payload));
            if (from == "meeting") SIP_RETURN_IF_ERROR(authz::ApplyMeetingEvent(txn, e.payload));
            return book_->ApplyEvent(txn, source, e);
          }));
    };
    add("plan", ListEventsFetch(suite_.plan.get(), &planpb::PlanService::Stub::ListEvents, self,
                                absl::Seconds(5), "plan"));
    add("consent", ListEventsFetch(suite_.consent.get(),
                                   &consentpb::ConsentService::Stub::ListEvents, self,
                                   absl::Seconds(5), "consent"));
    add("meeting", ListEventsFetch(suite_.meeting.get(),
                                   &meetingpb::MeetingService::Stub::ListEvents, self,
                                   absl::Seconds(5), "meeting"));
    meeting_follows_plan_ = std::make_unique<EventConsumer>(
        suite_.meeting_pool(), &clock_, EventConsumer::Options{"plan", 50, absl::Seconds(1)},
        ListEventsFetch(suite_.plan.get(), &planpb::PlanService::Stub::ListEvents,
                        ServiceActor("meeting"), absl::Seconds(5), "plan"),
        authz::PlanEventsToAccess([this](pqxx::work& txn, const SourceEvent& e) {
          return suite_.meeting_book()->ApplyPlanEvent(txn, e);
        }));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  // Every consumer reads all there is, as the servers' loops would.
  void Follow() {
    for (int round = 0; round < 3; ++round) {
      for (auto& c : consumers_) ASSERT_TRUE(c->PollOnce().ok());
      ASSERT_TRUE(meeting_follows_plan_->PollOnce().ok());
    }
  }

  static std::unique_ptr<grpc::ClientContext> As(const char* unit) {
    return CallerContext(unit, unit == std::string(kSoc) ? "MUNICIPALITY" : "REGION", "user-1");
  }

  // A complete plan of `region`, consented to and established now.
  std::string EstablishedPlan(const std::string& region) {
    planpb::CreatePlanRequest create;
    *create.mutable_plan() = plan::testdata::CompletePlan();
    create.mutable_plan()->set_region_code(region);
    planpb::CreatePlanResponse created;
    grpc::Status status = suite_.plan->CreatePlan(As(kVc).get(), create, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    consentpb::RecordConsentRequest consent;
    consent.set_parent(created.plan().name());
    consent.mutable_consent()->mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
    consent.mutable_consent()->set_form(cpb::COMMUNICATION_FORM_WRITTEN);
    for (const char* u : {kVc, kSoc, kPsy}) {
      auto* unit = consent.mutable_consent()->add_covered_units();
      unit->set_hsa_id(u);
      const bool kommun = u == std::string(kSoc);
      unit->set_principal(kommun ? cpb::PRINCIPAL_KIND_MUNICIPALITY : cpb::PRINCIPAL_KIND_REGION);
      unit->set_principal_code(kommun ? "1482" : "14");
    }
    consentpb::RecordConsentResponse recorded;
    status = suite_.consent->RecordConsent(As(kVc).get(), consent, &recorded);
    EXPECT_TRUE(status.ok()) << status.error_message();
    consent_name_ = recorded.consent().name();
    clock_.Advance(absl::Minutes(10));
    planpb::EstablishPlanRequest establish;
    establish.set_name(created.plan().name());
    planpb::EstablishPlanResponse established;
    status = suite_.plan->EstablishPlan(As(kVc).get(), establish, &established);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.plan().name();
  }

  pb::Timeline Timeline(const std::string& plan) {
    pb::GetTimelineRequest request;
    request.set_name(plan + "/timeline");
    pb::GetTimelineResponse response;
    const grpc::Status status = stub_->GetTimeline(As(kSoc).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.timeline();
  }

  double Metric(const std::string& name, const std::map<std::string, std::string>& labels) {
    return sip::testing::MetricValue(*registry_, name, labels);
  }

  // sip_lifecycle_deadline_breaches_total of RULE in REGION.
  double Breaches(const std::string& rule, const std::string& region) {
    return Metric("sip_lifecycle_deadline_breaches_total", {{"rule", rule}, {"region", region}});
  }

  static const pb::Deadline* Find(const pb::Timeline& t, pb::DeadlineRule rule) {
    const pb::Deadline* found = nullptr;
    for (const auto& d : t.deadlines()) {
      if (d.rule() == rule) found = &d;
    }
    return found;
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{At(2026, 1, 12)};
  sip::testing::Suite suite_{&clock_};
  std::optional<Policies> policies_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<LifecycleStore> store_;
  std::unique_ptr<GrpcPlanCloser> closer_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<LifecycleMetrics> metrics_;
  std::unique_ptr<authz::PlanGate> gate_;
  std::unique_ptr<LifecycleBook> book_;
  std::unique_ptr<LifecycleGrpcService> service_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<pb::LifecycleService::Stub> stub_;
  std::vector<std::unique_ptr<EventConsumer>> consumers_;
  std::unique_ptr<EventConsumer> meeting_follows_plan_;
  std::string consent_name_;
};

TEST_F(LifecycleServiceTest, APlanLeftAloneIsForfeitedAtTwelveMonthsAndClosedAtFifteen) {
  const std::string plan = EstablishedPlan("12");  // Region Skåne
  // A follow-up meeting booked far ahead: still scheduled when the plan expires.
  meetingpb::ScheduleMeetingRequest schedule;
  schedule.set_parent(plan);
  schedule.set_kind(meetingpb::MEETING_KIND_FOLLOW_UP);
  sip::ToProto(At(2027, 6, 1), schedule.mutable_details()->mutable_start_time());
  sip::ToProto(At(2027, 6, 1) + absl::Hours(1), schedule.mutable_details()->mutable_end_time());
  schedule.mutable_details()->set_mode(meetingpb::MEETING_MODE_TELEPHONE);
  schedule.mutable_details()->set_purpose("Bo kvar hemma");
  schedule.mutable_details()->add_questions("Hur går det?");
  for (const char* u : {kVc, kSoc}) {
    auto* unit = schedule.add_invitees()->mutable_unit();
    unit->set_hsa_id(u);
    const bool kommun = u == std::string(kSoc);
    unit->set_principal(kommun ? cpb::PRINCIPAL_KIND_MUNICIPALITY : cpb::PRINCIPAL_KIND_REGION);
    unit->set_principal_code(kommun ? "1482" : "14");
  }
  meetingpb::ScheduleMeetingResponse scheduled;
  grpc::Status status = suite_.meeting->ScheduleMeeting(As(kVc).get(), schedule, &scheduled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Follow();

  pb::Timeline t = Timeline(plan);
  EXPECT_EQ(t.plan_state(), cpb::PLAN_STATE_ACTIVE);
  EXPECT_EQ(t.region_code(), "12");
  EXPECT_EQ(t.responsible_unit_hsa_id(), kSoc) << "the coordinator's unit";
  ASSERT_NE(Find(t, pb::DEADLINE_RULE_FORFEITURE), nullptr);
  EXPECT_EQ(Find(t, pb::DEADLINE_RULE_FORFEITURE)->policy_version(), "2023-05-04");
  EXPECT_EQ(Find(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY)->state(), pb::DEADLINE_STATE_MET);

  SIP_ASSERT_OK(book_->RefreshMetrics());
  EXPECT_EQ(Metric("sip_lifecycle_deadlines",
                   {{"rule", "FORFEITURE"}, {"state", "PENDING"}, {"region", "12"}}),
            1);
  // The breach counters exist from 0 for every rule and region, before any breach.
  EXPECT_EQ(Breaches("FORFEITURE", "12"), 0);
  EXPECT_EQ(Breaches("MEETING_WITHIN_THREE_WEEKS", "25"), 0);
  EXPECT_EQ(Breaches("AUTOMATIC_CLOSURE", "unknown"), 0);

  // Twelve months and a day: forfeited, on the coordinator's work list; not closed.
  clock_.Advance(absl::Hours(24 * 366));
  SIP_ASSERT_OK_AND_ASSIGN(int swept, book_->SweepOnce(100));
  EXPECT_EQ(swept, 1);
  SIP_ASSERT_OK_AND_ASSIGN(int closed, book_->PerformClosures(10));
  EXPECT_EQ(closed, 0);
  t = Timeline(plan);
  EXPECT_TRUE(t.forfeited());
  SIP_ASSERT_OK(book_->RefreshMetrics());
  EXPECT_EQ(Metric("sip_lifecycle_deadlines",
                   {{"rule", "FORFEITURE"}, {"state", "BREACHED"}, {"region", "12"}}),
            1);
  // The pending count it left is 0 now, not its old value.
  EXPECT_EQ(Metric("sip_lifecycle_deadlines",
                   {{"rule", "FORFEITURE"}, {"state", "PENDING"}, {"region", "12"}}),
            0);
  EXPECT_EQ(Metric("sip_lifecycle_plans", {{"phase", "ACTIVE"}, {"region", "12"}}), 1);
  EXPECT_GT(Metric("sip_lifecycle_last_sweep_timestamp_seconds", {}), 0);
  EXPECT_GE(Metric("sip_lifecycle_events_applied_total", {{"source", "plan"}}), 2);
  EXPECT_EQ(Metric("sip_lifecycle_sweep_seconds_count", {}), 1);
  // The sweep's breaches, counted by rule in the plan's region.
  EXPECT_EQ(Breaches("FORFEITURE", "12"), 1);
  EXPECT_EQ(Breaches("YEARLY_FOLLOW_UP", "12"), 1);
  EXPECT_EQ(Breaches("AUTOMATIC_CLOSURE", "12"), 0);
  pb::ListDeadlinesRequest overdue;
  overdue.set_responsible_unit_hsa_id(kSoc);
  overdue.set_state(pb::DEADLINE_STATE_BREACHED);
  pb::ListDeadlinesResponse list;
  ASSERT_TRUE(stub_->ListDeadlines(As(kSoc).get(), overdue, &list).ok());
  std::vector<pb::DeadlineRule> rules;
  for (const auto& d : list.deadlines()) rules.push_back(d.rule());
  EXPECT_THAT(rules, ElementsAre(pb::DEADLINE_RULE_YEARLY_FOLLOW_UP, pb::DEADLINE_RULE_FORFEITURE))
      << "soonest due first";

  // Fifteen months: closed through the plan service, once; the meeting is cancelled.
  clock_.Advance(absl::Hours(24 * 92));
  SIP_ASSERT_OK(book_->SweepOnce(100).status());
  SIP_ASSERT_OK_AND_ASSIGN(closed, book_->PerformClosures(10));
  EXPECT_EQ(closed, 1);
  SIP_ASSERT_OK_AND_ASSIGN(closed, book_->PerformClosures(10));
  EXPECT_EQ(closed, 0) << "done once";
  EXPECT_EQ(Breaches("AUTOMATIC_CLOSURE", "12"), 1);
  EXPECT_EQ(Breaches("FORFEITURE", "12"), 1)
      << "a breach is counted once";
  planpb::GetPlanRequest get;
  get.set_name(plan);
  planpb::GetPlanResponse got;
  ASSERT_TRUE(suite_.plan->GetPlan(As(kVc).get(), get, &got).ok());
  EXPECT_EQ(got.plan().state(), cpb::PLAN_STATE_CLOSED);
  EXPECT_EQ(got.plan().closure().reason(), planpb::CLOSURE_REASON_EXPIRED);
  Follow();
  meetingpb::GetMeetingRequest meeting;
  meeting.set_name(scheduled.meeting().name());
  meetingpb::GetMeetingResponse cancelled;
  ASSERT_TRUE(suite_.meeting->GetMeeting(As(kVc).get(), meeting, &cancelled).ok());
  EXPECT_EQ(cancelled.meeting().state(), meetingpb::MEETING_STATE_CANCELLED);
  t = Timeline(plan);
  EXPECT_EQ(t.plan_state(), cpb::PLAN_STATE_CLOSED);
  std::vector<std::string> what;
  for (const auto& e : t.entries()) what.push_back(e.what());
  EXPECT_THAT(what, ElementsAre("initiated", "consent_recorded", "established",
                                "meeting_scheduled", "forfeited", "closure_requested",
                                "closed", "meeting_cancelled"));

  // The lifecycle's own events.
  pb::ListEventsRequest events_request;
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), events_request, &events).ok());
  int forfeited = 0, closures = 0, performed = 0;
  for (const auto& e : events.events()) {
    forfeited += e.has_plan_forfeited();
    performed += e.has_plan_closure_performed();
    if (e.has_deadline_breached()) {
      EXPECT_THAT(e.deadline_breached().deadline(), ::testing::StartsWith(plan + "/deadlines/"));
    }
    if (e.has_plan_closure_requested()) {
      ++closures;
      EXPECT_EQ(e.plan_closure_requested().cause(), pb::CLOSURE_CAUSE_EXPIRED);
    }
  }
  EXPECT_EQ(forfeited, 1);
  EXPECT_EQ(closures, 1);
  EXPECT_EQ(performed, 1);

  // The region's report adds it up.
  pb::GetComplianceReportRequest report;
  DayToProto(absl::CivilDay(2026, 1, 1), report.mutable_start_date());
  DayToProto(absl::CivilDay(2027, 12, 31), report.mutable_end_date());
  pb::GetComplianceReportResponse reported;
  status = stub_->GetComplianceReport(As(kSoc).get(), report, &reported);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("region_code")) << "a scope is required";
  report.set_region_code("12");
  ASSERT_TRUE(stub_->GetComplianceReport(As(kSoc).get(), report, &reported).ok());
  EXPECT_EQ(reported.report().plans_started(), 1);
  EXPECT_EQ(reported.report().started_without_delay(), 1);
  EXPECT_EQ(reported.report().forfeited(), 1);
  EXPECT_EQ(reported.report().auto_closed(), 1);
  EXPECT_THAT(reported.csv(), ::testing::HasSubstr("\"region 12\",1,1,"));
  report.set_region_code("14");
  ASSERT_TRUE(stub_->GetComplianceReport(As(kSoc).get(), report, &reported).ok());
  EXPECT_EQ(reported.report().plans_started(), 0) << "another region's plans are not counted";
  report.set_municipality_code("1482");  // Kungälv: its social services coordinate
  ASSERT_TRUE(stub_->GetComplianceReport(As(kSoc).get(), report, &reported).ok());
  EXPECT_EQ(reported.report().plans_started(), 1);
  EXPECT_EQ(reported.report().scope(), "kommun 1482");
  report.set_municipality_code("0180");
  ASSERT_TRUE(stub_->GetComplianceReport(As(kSoc).get(), report, &reported).ok());
  EXPECT_EQ(reported.report().plans_started(), 0);
}

// A consumer that stops mid-page (its apply fails on the page's second event) leaves the
// page to be read again; a new consumer (a restarted server) applies each event once.
TEST_F(LifecycleServiceTest, AConsumerRestartedMidPageAppliesEachEventOnce) {
  const std::string plan = EstablishedPlan("12");
  auto fetch = ListEventsFetch(suite_.plan.get(), &planpb::PlanService::Stub::ListEvents,
                               ServiceActor("lifecycle"), absl::Seconds(5), "plan");
  int calls = 0;
  {
    EventConsumer stopping(pool_.get(), &clock_, {"plan", 2, absl::Seconds(1)}, fetch,
                           authz::PlanEventsToAccess(
                               [&](pqxx::work& txn, const SourceEvent& e) -> absl::Status {
                                 SIP_RETURN_IF_ERROR(book_->ApplyEvent(txn, "plan", e));
                                 if (++calls == 2) return absl::UnavailableError("stopped");
                                 return absl::OkStatus();
                               }));
    EXPECT_FALSE(stopping.PollOnce().ok());
  }
  EventConsumer restarted(pool_.get(), &clock_, {"plan", 2, absl::Seconds(1)}, fetch,
                          authz::PlanEventsToAccess([&](pqxx::work& txn, const SourceEvent& e) {
                            return book_->ApplyEvent(txn, "plan", e);
                          }));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(restarted.PollOnce().ok());
  const pb::Timeline t = Timeline(plan);
  std::vector<std::string> what;
  for (const auto& e : t.entries()) what.push_back(e.what());
  // (Reading the timeline had the gate catch up on the consent events too.)
  EXPECT_THAT(what, ElementsAre("initiated", "consent_recorded", "established")) << "each once";
  EXPECT_EQ(Find(t, pb::DEADLINE_RULE_FORFEITURE)->state(), pb::DEADLINE_STATE_PENDING);
  int forfeitures = 0;
  for (const auto& d : t.deadlines()) forfeitures += d.rule() == pb::DEADLINE_RULE_FORFEITURE;
  EXPECT_EQ(forfeitures, 1);
}

TEST_F(LifecycleServiceTest, WithdrawnConsentClosesThePlan) {
  const std::string plan = EstablishedPlan("14");
  consentpb::WithdrawConsentRequest withdraw;
  withdraw.set_name(consent_name_);
  withdraw.mutable_withdrawn_by()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  withdraw.set_form(cpb::COMMUNICATION_FORM_ORAL);
  consentpb::WithdrawConsentResponse withdrawn;
  grpc::Status status = suite_.consent->WithdrawConsent(As(kVc).get(), withdraw, &withdrawn);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Follow();
  SIP_ASSERT_OK_AND_ASSIGN(int closed, book_->PerformClosures(10));
  EXPECT_EQ(closed, 1);
  planpb::GetPlanRequest get;
  get.set_name(plan);
  planpb::GetPlanResponse got;
  ASSERT_TRUE(suite_.plan->GetPlan(As(kVc).get(), get, &got).ok());
  EXPECT_EQ(got.plan().state(), cpb::PLAN_STATE_CLOSED);
  EXPECT_EQ(got.plan().closure().reason(), planpb::CLOSURE_REASON_CONSENT_WITHDRAWN);
}

TEST_F(LifecycleServiceTest, ARefusalBeforeEstablishmentClosesThePlan) {
  planpb::CreatePlanRequest create;
  *create.mutable_plan() = plan::testdata::CompletePlan();
  planpb::CreatePlanResponse created;
  ASSERT_TRUE(suite_.plan->CreatePlan(As(kVc).get(), create, &created).ok());
  consentpb::RecordRefusalRequest refuse;
  refuse.set_parent(created.plan().name());
  refuse.mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  refuse.set_form(cpb::COMMUNICATION_FORM_ORAL);
  consentpb::RecordRefusalResponse refused;
  grpc::Status status = suite_.consent->RecordRefusal(As(kVc).get(), refuse, &refused);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Follow();
  SIP_ASSERT_OK_AND_ASSIGN(int closed, book_->PerformClosures(10));
  EXPECT_EQ(closed, 1);
  planpb::GetPlanRequest get;
  get.set_name(created.plan().name());
  planpb::GetPlanResponse got;
  ASSERT_TRUE(suite_.plan->GetPlan(As(kVc).get(), get, &got).ok());
  EXPECT_EQ(got.plan().state(), cpb::PLAN_STATE_CLOSED);
  EXPECT_EQ(got.plan().closure().reason(), planpb::CLOSURE_REASON_CONSENT_REFUSED);
}

TEST_F(LifecycleServiceTest, TheTimelineWorkListAndPolicyOverGrpcWithTheirErrors) {
  const std::string plan = EstablishedPlan("12");
  Follow();
  pb::GetTimelineRequest get;
  pb::GetTimelineResponse got;
  get.set_name(plan);
  grpc::Status status = stub_->GetTimeline(As(kSoc).get(), get, &got);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("name"));
  // Permission before existence: an unknown plan and one the unit takes no part in get
  // the same answer.
  get.set_name("plans/unknown/timeline");
  const grpc::Status unknown = stub_->GetTimeline(As(kSoc).get(), get, &got);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DetailsOf(unknown).reason, "NOT_VISIBLE");
  constexpr char kOutsider[] = "SE2321000131-X000000000009";
  get.set_name(plan + "/timeline");
  const grpc::Status outsider = stub_->GetTimeline(As(kOutsider).get(), get, &got);
  EXPECT_EQ(outsider.error_code(), unknown.error_code());
  EXPECT_EQ(outsider.error_message(), unknown.error_message());
  EXPECT_TRUE(got.timeline().entries().empty());

  pb::ListDeadlinesRequest list;
  pb::ListDeadlinesResponse listed;
  status = stub_->ListDeadlines(As(kSoc).get(), list, &listed);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("responsible_unit_hsa_id"));
  list.set_responsible_unit_hsa_id(kSoc);
  list.set_state(pb::DEADLINE_STATE_PENDING);
  list.set_page_size(1);
  ASSERT_TRUE(stub_->ListDeadlines(As(kSoc).get(), list, &listed).ok());
  ASSERT_EQ(listed.deadlines_size(), 1);
  EXPECT_EQ(listed.deadlines(0).rule(), pb::DEADLINE_RULE_YEARLY_FOLLOW_UP);
  list.set_page_token(listed.next_page_token());
  pb::ListDeadlinesResponse next;
  ASSERT_TRUE(stub_->ListDeadlines(As(kSoc).get(), list, &next).ok());
  ASSERT_EQ(next.deadlines_size(), 1);
  EXPECT_EQ(next.deadlines(0).rule(), pb::DEADLINE_RULE_FORFEITURE);
  // A work list is the unit's own; and a unit's list of every pending deadline holds
  // only the plans it sees.
  pb::ListDeadlinesRequest others = list;
  others.clear_page_token();
  EXPECT_EQ(DetailsOf(stub_->ListDeadlines(As(kOutsider).get(), others, &next)).reason,
            "NOT_YOUR_UNIT");
  others.clear_responsible_unit_hsa_id();
  others.set_page_size(100);
  ASSERT_TRUE(stub_->ListDeadlines(As(kOutsider).get(), others, &next).ok());
  EXPECT_EQ(next.deadlines_size(), 0);
  ASSERT_TRUE(stub_->ListDeadlines(As(kSoc).get(), others, &next).ok());
  EXPECT_GE(next.deadlines_size(), 2);

  // A later initial meeting agreed for the person's sake, with its reason: not for an
  // established plan (the meeting was held), yes for one still being planned.
  pb::AgreeLaterMeetingRequest agree;
  agree.set_name(plan + "/timeline");
  pb::AgreeLaterMeetingResponse agreed;
  status = stub_->AgreeLaterMeeting(As(kSoc).get(), agree, &agreed);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("agreed_date"));
  DayToProto(DayInSweden(clock_.Now()) + 40, agree.mutable_agreed_date());
  agree.set_reason("Personen vill vänta tills efter flytten");
  status = stub_->AgreeLaterMeeting(As(kSoc).get(), agree, &agreed);
  EXPECT_EQ(DetailsOf(status).reason, "DEADLINE_NOT_OPEN");
  planpb::CreatePlanRequest create;
  *create.mutable_plan() = plan::testdata::CompletePlan();
  planpb::CreatePlanResponse created;
  ASSERT_TRUE(suite_.plan->CreatePlan(As(kVc).get(), create, &created).ok());
  Follow();
  agree.set_name(created.plan().name() + "/timeline");
  agree.set_request_id("agree-1");
  status = stub_->AgreeLaterMeeting(As(kVc).get(), agree, &agreed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const pb::Deadline* meeting = Find(agreed.timeline(), pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS);
  ASSERT_NE(meeting, nullptr);
  EXPECT_TRUE(meeting->by_agreement());
  EXPECT_EQ(meeting->agreement_reason(), "Personen vill vänta tills efter flytten");
  EXPECT_EQ(DayInSweden(TimeOf(meeting->due_time()) - absl::Seconds(1)),
            DayInSweden(clock_.Now()) + 40);
  pb::AgreeLaterMeetingResponse again;
  ASSERT_TRUE(stub_->AgreeLaterMeeting(As(kVc).get(), agree, &again).ok()) << "a retry";
  EXPECT_EQ(again.timeline().entries_size(), agreed.timeline().entries_size());

  pb::GetPolicyRequest policy;
  pb::GetPolicyResponse answered;
  policy.set_region_code("12");
  ASSERT_TRUE(stub_->GetPolicy(As(kSoc).get(), policy, &answered).ok());
  EXPECT_EQ(answered.policy().region_name(), "Region Skåne");
  policy.set_region_code("01");
  ASSERT_TRUE(stub_->GetPolicy(As(kSoc).get(), policy, &answered).ok());
  EXPECT_TRUE(answered.policy().region_codes().empty()) << "the default serves Stockholm";
  policy.set_region_code("99");
  EXPECT_THAT(DetailsOf(stub_->GetPolicy(As(kSoc).get(), policy, &answered)).fields,
              ElementsAre("region_code"));
}

}  // namespace
}  // namespace sip::lifecycle
