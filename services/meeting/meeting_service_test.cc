// The meeting service through gRPC on loopback, with real plan and consent services (also
// on loopback, on PostgreSQL, one fake clock): every RPC and its errors, an initial
// meeting from scheduling through answers (one forwarded within the region) to held, a
// follow-up meeting cancelled when the plan closes — through the public API and the
// plan-event consumer reading the plan service's ListEvents.
#include "services/meeting/meeting_service.h"

#include <memory>
#include <string>

#include "common/event_consumer.h"
#include "common/migrations.h"
#include "common/peer_clients.h"
#include "common/proto_convert.h"
#include "common/testing/fake_clock.h"
#include "common/testing/grpc_details.h"
#include "common/testing/loopback.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plan/plan_test_data.h"
#include "services/testing/suite.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;
namespace consentpb = ::sip::consent::v1;
namespace planpb = ::sip::plan::v1;
using ::sip::testing::CallerContext;
using ::sip::testing::DetailsOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using plan::testdata::kPsy;
using plan::testdata::kSoc;
using plan::testdata::kVc;
using plan::testdata::UnitOf;
constexpr char kSocOther[] = "SE2120001652-S000000000009";  // kommun 1482: another unit

class MeetingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(suite_.Start(db_.conninfo()));
    stub_ = pb::MeetingService::NewStub(suite_.meeting_channel);
    plan_stub_ = planpb::PlanService::NewStub(suite_.plan_channel);
    consent_stub_ = consentpb::ConsentService::NewStub(suite_.consent_channel);
  }

  // The plan service's events as the meeting server follows them.
  std::unique_ptr<EventConsumer> PlanEventConsumer() {
    return std::make_unique<EventConsumer>(
        suite_.meeting_pool(), &clock_, EventConsumer::Options{"plan", 2, absl::Seconds(1)},
        ListEventsFetch(plan_stub_.get(), &planpb::PlanService::Stub::ListEvents,
                        ServiceActor("meeting"), absl::Seconds(5), "plan"),
        authz::PlanEventsToAccess([this](pqxx::work& txn, const SourceEvent& e) {
          return suite_.meeting_book()->ApplyPlanEvent(txn, e);
        }));
  }

  static std::unique_ptr<grpc::ClientContext> As(const char* unit) {
    return CallerContext(unit, UnitOf(unit).principal() == cpb::PRINCIPAL_KIND_REGION
                                   ? "REGION"
                                   : "MUNICIPALITY",
                         "user-1");
  }

  std::string CreatePlan() {
    planpb::CreatePlanRequest request;
    *request.mutable_plan() = plan::testdata::CompletePlan();
    planpb::CreatePlanResponse response;
    const grpc::Status status = plan_stub_->CreatePlan(As(kVc).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.plan().name();
  }

  void Consent(const std::string& plan, std::vector<const char*> units) {
    consentpb::RecordConsentRequest request;
    request.set_parent(plan);
    auto* c = request.mutable_consent();
    c->mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
    c->set_form(cpb::COMMUNICATION_FORM_WRITTEN);
    for (const char* u : units) *c->add_covered_units() = UnitOf(u);
    consentpb::RecordConsentResponse response;
    const grpc::Status status = consent_stub_->RecordConsent(As(kVc).get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  pb::ScheduleMeetingRequest Request(const std::string& plan, pb::MeetingKind kind,
                                     absl::Duration from_now) {
    pb::ScheduleMeetingRequest r;
    r.set_parent(plan);
    r.set_kind(kind);
    auto* d = r.mutable_details();
    ToProto(clock_.Now() + from_now, d->mutable_start_time());
    ToProto(clock_.Now() + from_now + absl::Hours(2), d->mutable_end_time());
    d->set_mode(pb::MEETING_MODE_IN_PERSON);
    d->set_location("Vårdcentralen Kungälv, rum 3");
    d->set_purpose("Jag vill kunna bo kvar i min lägenhet");
    d->add_questions("Vem hjälper mig med medicinerna?");
    *r.add_invitees()->mutable_unit() = UnitOf(kVc);
    *r.add_invitees()->mutable_unit() = UnitOf(kSoc);
    r.add_invitees()->set_individual(true);
    return r;
  }

  grpc::Status Schedule(const pb::ScheduleMeetingRequest& r, pb::ScheduleMeetingResponse* out) {
    return stub_->ScheduleMeeting(As(kVc).get(), r, out);
  }

  const pb::Invitation* InvitationOf(const pb::Meeting& m, const char* unit) {
    for (const pb::Invitation& inv : m.invitations()) {
      if (inv.invitee().unit().hsa_id() == unit && inv.state() != pb::INVITATION_STATE_FORWARDED) {
        return &inv;
      }
    }
    return nullptr;
  }

  pb::Meeting Get(const std::string& name) {
    pb::GetMeetingRequest request;
    request.set_name(name);
    pb::GetMeetingResponse response;
    const grpc::Status status = stub_->GetMeeting(As(kVc).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.meeting();
  }

  std::vector<pb::InboxItem> Inbox(const char* unit, pb::InboxView view = pb::INBOX_VIEW_TO_DO) {
    pb::ListInboxRequest request;
    request.set_unit_hsa_id(unit);
    request.set_view(view);
    pb::ListInboxResponse response;
    const grpc::Status status = stub_->ListInbox(As(unit).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.items().begin(), response.items().end()};
  }

  grpc::Status Accept(const pb::Invitation& inv, const char* unit, const char* who) {
    pb::AnswerInvitationRequest request;
    request.set_name(inv.name());
    auto* a = request.mutable_accept()->add_attendees();
    a->set_name(who);
    a->set_role("Handläggare");
    pb::AnswerInvitationResponse response;
    return stub_->AnswerInvitation(As(unit).get(), request, &response);
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{absl::Now()};
  sip::testing::Suite suite_{&clock_};
  std::unique_ptr<pb::MeetingService::Stub> stub_;
  std::unique_ptr<planpb::PlanService::Stub> plan_stub_;
  std::unique_ptr<consentpb::ConsentService::Stub> consent_stub_;
};

TEST_F(MeetingServiceTest, AnInitialMeetingFromSchedulingThroughAForwardToHeld) {
  const std::string plan = CreatePlan();
  Consent(plan, {kVc, kSoc});

  // Bad input names its fields; an unknown plan is NOT_FOUND; an uncovered unit is named.
  pb::ScheduleMeetingResponse scheduled;
  pb::ScheduleMeetingRequest bad = Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48));
  bad.mutable_details()->clear_purpose();
  *bad.mutable_details()->mutable_end_time() = bad.details().start_time();
  bad.mutable_details()->mutable_end_time()->set_seconds(bad.details().start_time().seconds() +
                                                         30 * 3600);
  bad.mutable_invitees(1)->mutable_unit()->set_principal_code("9999");
  grpc::Status status = Schedule(bad, &scheduled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields,
              ElementsAre("details.end_time", "details.purpose", "invitees[1].unit.principal_code"));
  // A plan the service does not know is one the unit may not see (permission first).
  EXPECT_EQ(Schedule(Request("plans/nope", pb::MEETING_KIND_INITIAL, absl::Hours(48)), &scheduled)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::ScheduleMeetingRequest with_psy = Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48));
  *with_psy.add_invitees()->mutable_unit() = UnitOf(kPsy);
  status = Schedule(with_psy, &scheduled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_ACTIVE");
  EXPECT_THAT(DetailsOf(status).preconditions, ElementsAre(kPsy));

  // A relative needs the person's consent too, asked of the consent service.
  pb::ScheduleMeetingRequest with_relative =
      Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48));
  auto* daughter = with_relative.add_invitees()->mutable_other();
  daughter->set_kind(cpb::OTHER_PARTY_KIND_RELATIVE);
  daughter->set_description("Dotter");
  status = Schedule(with_relative, &scheduled);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_ACTIVE");
  EXPECT_THAT(DetailsOf(status).preconditions, ElementsAre("Närstående: Dotter"));

  pb::ScheduleMeetingRequest request = Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48));
  request.set_request_id("schedule-1");
  ASSERT_TRUE(Schedule(request, &scheduled).ok());
  pb::ScheduleMeetingResponse retried;
  ASSERT_TRUE(Schedule(request, &retried).ok());
  EXPECT_EQ(retried.meeting().name(), scheduled.meeting().name()) << "a retry is applied once";
  const pb::Meeting& m = scheduled.meeting();
  EXPECT_EQ(m.state(), pb::MEETING_STATE_SCHEDULED);
  EXPECT_TRUE(scheduled.warnings().empty());

  // Each unit's inbox; only the unit itself reads it.
  ASSERT_EQ(Inbox(kSoc).size(), 1u);
  EXPECT_EQ(Inbox(kSoc)[0].invitation().name(), InvitationOf(m, kSoc)->name());
  pb::ListInboxRequest foreign;
  foreign.set_unit_hsa_id(kSoc);
  pb::ListInboxResponse ignored;
  status = stub_->ListInbox(As(kVc).get(), foreign, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // The health centre forwards within its region; not to the kommun, and not declined.
  const pb::Invitation vc = *InvitationOf(m, kVc);
  pb::AnswerInvitationRequest answer;
  answer.set_name(vc.name());
  answer.mutable_decline()->set_reason("Vi har inte tid");
  pb::AnswerInvitationResponse answered;
  status = stub_->AnswerInvitation(As(kVc).get(), answer, &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "DECLINE_NOT_ALLOWED");
  *answer.mutable_forward()->mutable_unit() = UnitOf(kSocOther);
  status = stub_->AnswerInvitation(As(kVc).get(), answer, &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("forward.unit.principal_code"));
  *answer.mutable_forward()->mutable_unit() = UnitOf(kPsy);
  status = stub_->AnswerInvitation(As(kVc).get(), answer, &answered);
  EXPECT_EQ(DetailsOf(status).reason, "CONSENT_NOT_ACTIVE") << "psychiatry is not covered yet";
  status = stub_->AnswerInvitation(As(kSoc).get(), answer, &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << "not social services'";
  Consent(plan, {kVc, kSoc, kPsy});
  ASSERT_TRUE(stub_->AnswerInvitation(As(kVc).get(), answer, &answered).ok());
  EXPECT_EQ(answered.invitation().state(), pb::INVITATION_STATE_FORWARDED);
  EXPECT_EQ(answered.forwarded_invitation().invitee().unit().hsa_id(), kPsy);
  ASSERT_EQ(Inbox(kPsy).size(), 2u);
  EXPECT_EQ(Inbox(kPsy)[1].notice().kind(), pb::NOTICE_KIND_FORWARDED_TO_YOU);

  // Both units accept, naming who comes; the convener sees who will come.
  ASSERT_TRUE(Accept(answered.forwarded_invitation(), kPsy, "Per Psykolog").ok());
  ASSERT_TRUE(Accept(*InvitationOf(m, kSoc), kSoc, "Stina Socialsekreterare").ok());
  pb::Meeting now = Get(m.name());
  EXPECT_EQ(InvitationOf(now, kPsy)->state(), pb::INVITATION_STATE_ACCEPTED);
  EXPECT_EQ(InvitationOf(now, kPsy)->attendees(0).name(), "Per Psykolog");
  EXPECT_EQ(InvitationOf(now, kSoc)->answered_by().unit().hsa_id(), kSoc);

  // The letter and the calendar entry.
  pb::RenderInvitationRequest render;
  render.set_name(InvitationOf(now, kSoc)->name());
  render.set_format(pb::INVITATION_FORMAT_ICALENDAR);
  pb::RenderInvitationResponse rendered;
  ASSERT_TRUE(stub_->RenderInvitation(As(kSoc).get(), render, &rendered).ok());
  EXPECT_EQ(rendered.media_type(), "text/calendar; charset=utf-8; method=REQUEST");
  EXPECT_THAT(rendered.content(), HasSubstr("BEGIN:VEVENT"));
  render.set_format(pb::INVITATION_FORMAT_TEXT);
  ASSERT_TRUE(stub_->RenderInvitation(As(kSoc).get(), render, &rendered).ok());
  EXPECT_THAT(rendered.content(), HasSubstr("Jag vill kunna bo kvar i min lägenhet"));
  render.set_format(pb::INVITATION_FORMAT_UNSPECIFIED);
  EXPECT_EQ(stub_->RenderInvitation(As(kSoc).get(), render, &rendered).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Not held before it has happened; held afterwards.
  pb::RecordMeetingHeldRequest hold;
  hold.set_name(m.name());
  ToProto(clock_.Now() + absl::Hours(48), hold.mutable_held()->mutable_start_time());
  ToProto(clock_.Now() + absl::Hours(50), hold.mutable_held()->mutable_end_time());
  hold.mutable_held()->add_attended_invitations(InvitationOf(now, kSoc)->name());
  hold.mutable_held()->add_attended_invitations(InvitationOf(now, kPsy)->name());
  hold.mutable_held()->set_individual_attended(true);
  hold.mutable_documenter()->set_name("Stina Socialsekreterare");
  pb::RecordMeetingHeldResponse held;
  status = stub_->RecordMeetingHeld(As(kVc).get(), hold, &held);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("held.start_time"));
  clock_.Advance(absl::Hours(51));
  ASSERT_TRUE(stub_->RecordMeetingHeld(As(kVc).get(), hold, &held).ok());
  EXPECT_EQ(held.meeting().state(), pb::MEETING_STATE_HELD);
  EXPECT_EQ(held.meeting().documenter().name(), "Stina Socialsekreterare");

  // The plan is established at the meeting; the person's copy says when and where.
  planpb::EstablishPlanRequest establish;
  establish.set_name(plan);
  establish.set_meeting(m.name());
  planpb::EstablishPlanResponse established;
  status = plan_stub_->EstablishPlan(As(kVc).get(), establish, &established);
  ASSERT_TRUE(status.ok()) << status.error_message();
  planpb::RenderPlanCopyRequest copy_request;
  copy_request.set_name(plan);
  copy_request.set_format(planpb::COPY_FORMAT_TEXT);
  planpb::RenderPlanCopyResponse copy;
  status = plan_stub_->RenderPlanCopy(As(kVc).get(), copy_request, &copy);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(copy.content(), HasSubstr("Plats: Vårdcentralen Kungälv, rum 3"));
  EXPECT_THAT(copy.content(), HasSubstr("- Jag gav samtycke skriftligt"));

  // The events tell the timeline, without personal details.
  pb::ListEventsRequest events_request;
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(testing::ServiceContext("lifecycle").get(), events_request, &events).ok());
  std::vector<pb::MeetingEvent::PayloadCase> kinds;
  for (const auto& e : events.events()) kinds.push_back(e.payload_case());
  EXPECT_THAT(kinds, ElementsAre(pb::MeetingEvent::kScheduled, pb::MeetingEvent::kForwarded,
                                 pb::MeetingEvent::kAccepted, pb::MeetingEvent::kAccepted,
                                 pb::MeetingEvent::kHeld));
  EXPECT_THAT(events.events(4).held().attended_unit_hsa_ids(), ElementsAre(kSoc, kPsy));
  EXPECT_EQ(events.DebugString().find("Stina"), std::string::npos);
  EXPECT_EQ(events.DebugString().find("lägenhet"), std::string::npos);
}

TEST_F(MeetingServiceTest, RescheduleNeedsTheEtagAndAsksEveryUnitAgain) {
  const std::string plan = CreatePlan();
  Consent(plan, {kVc, kSoc});
  pb::ScheduleMeetingResponse scheduled;
  ASSERT_TRUE(Schedule(Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48)), &scheduled).ok());
  const pb::Meeting& m = scheduled.meeting();
  ASSERT_TRUE(Accept(*InvitationOf(m, kSoc), kSoc, "Stina").ok());

  pb::RescheduleMeetingRequest move;
  move.set_name(m.name());
  *move.mutable_details() = m.details();
  ToProto(clock_.Now() + absl::Hours(72), move.mutable_details()->mutable_start_time());
  ToProto(clock_.Now() + absl::Hours(73), move.mutable_details()->mutable_end_time());
  move.set_reason("Lokalen är upptagen");
  pb::RescheduleMeetingResponse moved;
  grpc::Status status = stub_->RescheduleMeeting(As(kVc).get(), move, &moved);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("etag"));
  move.set_etag(m.etag());
  status = stub_->RescheduleMeeting(As(kVc).get(), move, &moved);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << "accepting changed the meeting";
  move.set_etag(Get(m.name()).etag());
  ASSERT_TRUE(stub_->RescheduleMeeting(As(kVc).get(), move, &moved).ok());
  EXPECT_EQ(InvitationOf(moved.meeting(), kSoc)->state(), pb::INVITATION_STATE_PENDING);
  EXPECT_EQ(InvitationOf(moved.meeting(), kSoc)->sequence(), 1);
  const auto inbox = Inbox(kSoc);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[1].notice().kind(), pb::NOTICE_KIND_RESCHEDULED);

  // Acknowledged: out of "to do", kept in "all"; another unit's notice is not yours.
  pb::AcknowledgeNoticeRequest ack;
  ack.set_name(inbox[1].notice().name());
  pb::AcknowledgeNoticeResponse acked;
  EXPECT_EQ(stub_->AcknowledgeNotice(As(kVc).get(), ack, &acked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->AcknowledgeNotice(As(kSoc).get(), ack, &acked).ok());
  EXPECT_EQ(acked.notice().acknowledged_by().unit().hsa_id(), kSoc);
  EXPECT_EQ(Inbox(kSoc).size(), 1u);
  EXPECT_EQ(Inbox(kSoc, pb::INBOX_VIEW_ALL).size(), 2u);

  // The person's own letter says the meeting moved.
  pb::RenderInvitationRequest render;
  for (const auto& inv : moved.meeting().invitations()) {
    if (inv.invitee().individual()) render.set_name(inv.name());
  }
  render.set_format(pb::INVITATION_FORMAT_HTML);
  pb::RenderInvitationResponse rendered;
  ASSERT_TRUE(stub_->RenderInvitation(As(kVc).get(), render, &rendered).ok());
  EXPECT_THAT(rendered.content(), HasSubstr("Lokalen är upptagen"));
  EXPECT_EQ(rendered.media_type(), "text/html; charset=utf-8");
}

TEST_F(MeetingServiceTest, AFollowUpMeetingIsCancelledOnceWhenThePlanCloses) {
  const std::string plan = CreatePlan();
  Consent(plan, {kVc, kSoc});
  pb::ScheduleMeetingResponse follow_up;
  ASSERT_TRUE(
      Schedule(Request(plan, pb::MEETING_KIND_FOLLOW_UP, absl::Hours(24 * 30)), &follow_up).ok());
  pb::ListMeetingsRequest list;
  list.set_parent(plan);
  list.set_state(pb::MEETING_STATE_SCHEDULED);
  pb::ListMeetingsResponse listed;
  ASSERT_TRUE(stub_->ListMeetings(As(kVc).get(), list, &listed).ok());
  ASSERT_EQ(listed.meetings_size(), 1);

  // Another plan's event goes by; then the plan closes.
  CreatePlan();
  planpb::ClosePlanRequest close;
  close.set_name(plan);
  close.mutable_closure()->set_reason(planpb::CLOSURE_REASON_NO_LONGER_NEEDED);
  planpb::ClosePlanResponse closed;
  // The coordinator's unit closes it.
  ASSERT_TRUE(plan_stub_->ClosePlan(As(kSoc).get(), close, &closed).ok());

  // The consumer reads pages of two; it stops after its first page, and a new one (a
  // restarted server) goes on from the stored cursor. (The gate may have caught up on
  // the first event already, when the meeting was scheduled.)
  int64_t before = 0;
  int first_page = 0;
  {
    auto first = PlanEventConsumer();
    SIP_ASSERT_OK_AND_ASSIGN(before, first->Cursor());
    SIP_ASSERT_OK_AND_ASSIGN(first_page, first->PollOnce());
    EXPECT_EQ(first_page, std::min<int64_t>(2, 3 - before));
  }
  auto restarted = PlanEventConsumer();
  int total = first_page;
  for (int i = 0; i < 5; ++i) {
    SIP_ASSERT_OK_AND_ASSIGN(int applied, restarted->PollOnce());
    total += applied;
  }
  EXPECT_EQ(total, 3 - before) << "each of the two creations and the closing once";
  SIP_ASSERT_OK_AND_ASSIGN(int64_t cursor, restarted->Cursor());
  EXPECT_EQ(cursor, 3);

  const pb::Meeting cancelled = Get(follow_up.meeting().name());
  EXPECT_EQ(cancelled.state(), pb::MEETING_STATE_CANCELLED);
  EXPECT_EQ(cancelled.cancel_reason(), kPlanClosedReason);
  for (const char* unit : {kVc, kSoc}) {
    const auto inbox = Inbox(unit);
    ASSERT_EQ(inbox.size(), 1u) << unit << ": the notice, once; no pending invitation";
    EXPECT_EQ(inbox[0].notice().kind(), pb::NOTICE_KIND_PLAN_CLOSED);
  }
  // The calendar entry cancels.
  pb::RenderInvitationRequest render;
  render.set_name(InvitationOf(cancelled, kSoc)->name());
  render.set_format(pb::INVITATION_FORMAT_ICALENDAR);
  pb::RenderInvitationResponse rendered;
  ASSERT_TRUE(stub_->RenderInvitation(As(kSoc).get(), render, &rendered).ok());
  EXPECT_THAT(rendered.content(), HasSubstr("METHOD:CANCEL"));

  // A closed plan takes no meetings.
  pb::ScheduleMeetingResponse refused;
  const grpc::Status status =
      Schedule(Request(plan, pb::MEETING_KIND_FOLLOW_UP, absl::Hours(24)), &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PLAN_CLOSED");
}

// Issue 22: an invited unit reads the meeting and answers its invitation only while the
// person's consent does not leave it out. Before the fix, psychiatry (invited, takes no
// part in the plan) still read the meeting, the letter with the person's goal, and
// answered, after the consent was withdrawn.
TEST_F(MeetingServiceTest, AfterTheConsentIsWithdrawnAnInvitedUnitReadsNothing) {
  const std::string plan = CreatePlan();
  consentpb::RecordConsentRequest record;
  record.set_parent(plan);
  auto* c = record.mutable_consent();
  c->mutable_giver()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  c->set_form(cpb::COMMUNICATION_FORM_WRITTEN);
  for (const char* u : {kVc, kSoc, kPsy}) *c->add_covered_units() = UnitOf(u);
  consentpb::RecordConsentResponse recorded;
  ASSERT_TRUE(consent_stub_->RecordConsent(As(kVc).get(), record, &recorded).ok());
  pb::ScheduleMeetingRequest request = Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48));
  *request.add_invitees()->mutable_unit() = UnitOf(kPsy);
  pb::ScheduleMeetingResponse scheduled;
  ASSERT_TRUE(Schedule(request, &scheduled).ok());
  const std::string invitation = InvitationOf(scheduled.meeting(), kPsy)->name();

  pb::GetMeetingRequest get;
  get.set_name(scheduled.meeting().name());
  pb::GetMeetingResponse got;
  ASSERT_TRUE(stub_->GetMeeting(As(kPsy).get(), get, &got).ok()) << "invited and covered";

  consentpb::WithdrawConsentRequest withdraw;
  withdraw.set_name(recorded.consent().name());
  withdraw.mutable_withdrawn_by()->set_role(consentpb::GIVER_ROLE_INDIVIDUAL);
  withdraw.set_form(cpb::COMMUNICATION_FORM_ORAL);
  consentpb::WithdrawConsentResponse withdrawn;
  ASSERT_TRUE(consent_stub_->WithdrawConsent(As(kVc).get(), withdraw, &withdrawn).ok());
  // The meeting service learns it at its consent consumer's next poll, as a server does.
  SIP_ASSERT_OK(suite_.meeting_follows_consent()->CatchUp());

  for (const char* unit : {kPsy, kSoc}) {
    grpc::Status status = stub_->GetMeeting(As(unit).get(), get, &got);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << unit;
    EXPECT_EQ(DetailsOf(status).reason, "NOT_VISIBLE") << unit;
  }
  pb::RenderInvitationRequest render;
  render.set_name(invitation);
  render.set_format(pb::INVITATION_FORMAT_TEXT);
  pb::RenderInvitationResponse rendered;
  grpc::Status status = stub_->RenderInvitation(As(kPsy).get(), render, &rendered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), Not(HasSubstr("lägenhet")));
  pb::AnswerInvitationRequest answer;
  answer.set_name(invitation);
  answer.mutable_accept()->add_attendees()->set_name("Per Psykolog");
  pb::AnswerInvitationResponse answered;
  status = stub_->AnswerInvitation(As(kPsy).get(), answer, &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Nothing was answered (read as a suite service: no unit sees the plan any more).
  ASSERT_TRUE(stub_->GetMeeting(sip::testing::ServiceContext("lifecycle").get(), get, &got).ok());
  EXPECT_EQ(InvitationOf(got.meeting(), kPsy)->state(), pb::INVITATION_STATE_PENDING);
}

// Issue 22: a unit invited to the plan's meeting and covered by the person's consent finds
// the plan. Before, psychiatry had the invitation in its inbox, but the plan service
// refused GetPlan and its ListPlans was empty: it knew only the plan's own parties.
TEST_F(MeetingServiceTest, AnInvitedUnitTheConsentCoversFindsThePlan) {
  // A second health-centre unit of the region: not among the plan's parties.
  constexpr char kNurse2[] = "SE2321000131-E000000000042";
  const std::string plan = CreatePlan();
  Consent(plan, {kVc, kSoc, kPsy, kNurse2});
  planpb::GetPlanRequest get;
  get.set_name(plan);
  planpb::GetPlanResponse got;
  EXPECT_EQ(plan_stub_->GetPlan(As(kNurse2).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "covered, but neither taking part nor invited";
  pb::ScheduleMeetingRequest request = Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48));
  *request.add_invitees()->mutable_unit() = UnitOf(kNurse2);
  pb::ScheduleMeetingResponse scheduled;
  ASSERT_TRUE(Schedule(request, &scheduled).ok());
  ASSERT_EQ(Inbox(kNurse2).size(), 1u);

  // The plan service learns the invitation from the meeting service's events (here at
  // its gate's catch-up, before it would refuse).
  const grpc::Status status = plan_stub_->GetPlan(As(kNurse2).get(), get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.plan().name(), plan);
  planpb::ListPlansRequest list;
  list.set_personal_identity_number(
      plan::testdata::CompletePlan().individual().personal_identity_number());
  planpb::ListPlansResponse listed;
  ASSERT_TRUE(plan_stub_->ListPlans(As(kNurse2).get(), list, &listed).ok());
  ASSERT_EQ(listed.plans_size(), 1);
  EXPECT_EQ(listed.plans(0).name(), plan);
}

TEST_F(MeetingServiceTest, AddingCancellingListingAndTheirErrors) {
  const std::string plan = CreatePlan();
  Consent(plan, {kVc, kSoc});
  pb::ScheduleMeetingResponse a, b;
  ASSERT_TRUE(Schedule(Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48)), &a).ok());
  ASSERT_TRUE(Schedule(Request(plan, pb::MEETING_KIND_FOLLOW_UP, absl::Hours(96)), &b).ok());

  // Names are checked before anything else.
  pb::GetMeetingRequest get;
  get.set_name("plans/" + std::string(70, 'x') + "/meetings/m");
  pb::GetMeetingResponse got;
  grpc::Status status = stub_->GetMeeting(As(kVc).get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("name"));
  get.set_name(plan + "/meetings/nope");
  EXPECT_EQ(stub_->GetMeeting(As(kVc).get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // AddInvitation: an invitee is required; consent must cover it; then it is invited.
  pb::AddInvitationRequest add;
  add.set_parent(a.meeting().name());
  pb::AddInvitationResponse added;
  status = stub_->AddInvitation(As(kVc).get(), add, &added);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("invitee"));
  *add.mutable_invitee()->mutable_unit() = UnitOf(kPsy);
  EXPECT_EQ(DetailsOf(stub_->AddInvitation(As(kVc).get(), add, &added)).reason,
            "CONSENT_NOT_ACTIVE");
  Consent(plan, {kVc, kSoc, kPsy});
  add.set_request_id("add-1");
  ASSERT_TRUE(stub_->AddInvitation(As(kVc).get(), add, &added).ok());
  EXPECT_EQ(added.invitation().state(), pb::INVITATION_STATE_PENDING);
  pb::AddInvitationResponse again;
  ASSERT_TRUE(stub_->AddInvitation(As(kVc).get(), add, &again).ok());
  EXPECT_EQ(again.invitation().name(), added.invitation().name()) << "a retry is applied once";
  EXPECT_EQ(Inbox(kPsy).size(), 1u);

  // CancelMeeting: a reason is required, a stale etag is refused, then it is cancelled
  // and each invited unit told.
  pb::CancelMeetingRequest cancel;
  cancel.set_name(a.meeting().name());
  pb::CancelMeetingResponse cancelled;
  status = stub_->CancelMeeting(As(kVc).get(), cancel, &cancelled);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("reason"));
  cancel.set_reason("Den enskilde är sjuk");
  cancel.set_etag(a.meeting().etag());
  EXPECT_EQ(stub_->CancelMeeting(As(kVc).get(), cancel, &cancelled).error_code(),
            grpc::StatusCode::ABORTED)
      << "the added invitation changed the meeting";
  cancel.set_etag(Get(a.meeting().name()).etag());
  ASSERT_TRUE(stub_->CancelMeeting(As(kVc).get(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.meeting().state(), pb::MEETING_STATE_CANCELLED);
  EXPECT_EQ(cancelled.meeting().cancel_reason(), "Den enskilde är sjuk");
  const auto psy_inbox = Inbox(kPsy);
  ASSERT_EQ(psy_inbox.size(), 1u);
  EXPECT_EQ(psy_inbox[0].notice().kind(), pb::NOTICE_KIND_CANCELLED);
  cancel.set_etag("");
  status = stub_->CancelMeeting(As(kVc).get(), cancel, &cancelled);
  EXPECT_EQ(DetailsOf(status).reason, "MEETING_CANCELLED");

  // ListMeetings: soonest first, by state, a page at a time with a token for this query.
  pb::ListMeetingsRequest list;
  list.set_parent(plan);
  list.set_page_size(1);
  pb::ListMeetingsResponse page;
  ASSERT_TRUE(stub_->ListMeetings(As(kVc).get(), list, &page).ok());
  ASSERT_EQ(page.meetings_size(), 1);
  EXPECT_EQ(page.meetings(0).name(), a.meeting().name());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  pb::ListMeetingsResponse second;
  ASSERT_TRUE(stub_->ListMeetings(As(kVc).get(), list, &second).ok());
  ASSERT_EQ(second.meetings_size(), 1);
  EXPECT_EQ(second.meetings(0).name(), b.meeting().name());
  list.set_state(pb::MEETING_STATE_SCHEDULED);
  status = stub_->ListMeetings(As(kVc).get(), list, &second);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("page_token")) << "another query's token";
  list.clear_page_token();
  ASSERT_TRUE(stub_->ListMeetings(As(kVc).get(), list, &second).ok());
  ASSERT_EQ(second.meetings_size(), 1);
  EXPECT_EQ(second.meetings(0).name(), b.meeting().name());

  // AcknowledgeNotice names a notice of the caller's unit.
  pb::AcknowledgeNoticeRequest ack;
  ack.set_name("units/not-an-hsa-id/notices/x");
  pb::AcknowledgeNoticeResponse acked;
  status = stub_->AcknowledgeNotice(As(kPsy).get(), ack, &acked);
  EXPECT_THAT(DetailsOf(status).fields, ElementsAre("name"));
  ack.set_name(absl::StrCat("units/", kPsy, "/notices/nope"));
  EXPECT_EQ(stub_->AcknowledgeNotice(As(kPsy).get(), ack, &acked).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Without the caller's headers nothing is answered.
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->GetMeeting(&anonymous, get, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(MeetingServiceTest, ProtectedIdentityPlansByTelephoneAndRecordsAfterwards) {
  planpb::CreatePlanRequest create;
  *create.mutable_plan() = plan::testdata::ProtectedPlan();
  planpb::CreatePlanResponse created;
  const grpc::Status made = plan_stub_->CreatePlan(As(kVc).get(), create, &created);
  ASSERT_TRUE(made.ok()) << made.error_message();
  const std::string plan = created.plan().name();
  pb::ScheduleMeetingResponse scheduled;
  grpc::Status status = Schedule(Request(plan, pb::MEETING_KIND_INITIAL, absl::Hours(48)), &scheduled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "PROTECTED_IDENTITY");

  pb::RecordUnbookedMeetingRequest record;
  record.set_parent(plan);
  record.set_kind(pb::MEETING_KIND_INITIAL);
  record.set_mode(pb::MEETING_MODE_TELEPHONE);
  ToProto(clock_.Now() - absl::Hours(2), record.mutable_held()->mutable_start_time());
  ToProto(clock_.Now() - absl::Hours(1), record.mutable_held()->mutable_end_time());
  pb::RecordUnbookedMeetingResponse recorded;
  status = stub_->RecordUnbookedMeeting(As(kVc).get(), record, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(recorded.meeting().state(), pb::MEETING_STATE_HELD);
  EXPECT_TRUE(recorded.meeting().unbooked());
}

}  // namespace
}  // namespace sip::meeting
