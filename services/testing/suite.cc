#include "services/testing/suite.h"

#include "common/migrations.h"
#include "common/status_macros.h"
#include "common/testing/loopback.h"

namespace sip::testing {

std::unique_ptr<EventConsumer> Suite::Follow(db::Pool* pool, const std::string& source,
                                             std::shared_ptr<grpc::Channel> channel,
                                             const std::string& follower,
                                             EventConsumer::Apply apply) {
  return std::make_unique<EventConsumer>(
      pool, clock_, EventConsumer::Options{source, 100, absl::Seconds(1)},
      ListEventsOf(source, std::move(channel), ServiceActor(follower), absl::Seconds(5)),
      std::move(apply));
}

absl::Status Suite::Start(const std::string& conninfo) {
  // Consent, asking the plan service (started below) about plans.
  SIP_RETURN_IF_ERROR(db::ApplyMigrations(conninfo, "consent", consent::Migrations()));
  SIP_ASSIGN_OR_RETURN(consent_pool_, db::Pool::Create({conninfo, "consent", 2, absl::Seconds(5),
                                                        consent::ConsentStore::Statements()}));
  consent_store_ = std::make_unique<consent::ConsentStore>(consent_pool_.get());
  // Its projection of who takes part follows the plan service's events (the consumer is
  // made once that service has started, below).
  consent_log_ = std::make_unique<accesslog::Log>(consent_pool_.get(), clock_);
  consent_gate_ = std::make_unique<authz::PlanGate>(
      consent_pool_.get(), clock_,
      std::vector<authz::PlanGate::CatchUp>{[this] { return consent_plan_events_->CatchUp(); }}, consent_log_.get());
  consent_book_ = std::make_unique<consent::ConsentBook>(consent_store_.get(), &plans_for_consent_,
                                                         clock_, consent_gate_.get());
  consent_service_ = std::make_unique<consent::ConsentGrpcService>(consent_book_.get());
  consent_access_service_ = std::make_unique<accesslog::AccessLogGrpcService>(consent_pool_.get(), "consent");
  consent_server_ = ServeOnLoopback({consent_service_.get(), consent_access_service_.get()},
                             "sip.consent.v1.ConsentService");
  if (!consent_server_) return absl::InternalError("the consent service did not start");
  consent_channel = PeerChannelTo(*consent_server_, "consent");

  // Plan, asking consent and (for the copy) meeting.
  SIP_RETURN_IF_ERROR(db::ApplyMigrations(conninfo, "plan", plan::Migrations()));
  SIP_ASSIGN_OR_RETURN(plan_pool_, db::Pool::Create({conninfo, "plan", 2, absl::Seconds(5),
                                                     plan::PlanStore::Statements()}));
  plan_store_ = std::make_unique<plan::PlanStore>(plan_pool_.get());
  plan_consent_ = std::make_unique<GrpcConsentChecker>(consent_channel, absl::Seconds(2));
  consent = sip::consent::v1::ConsentService::NewStub(consent_channel);
  plan_consent_events_ = Follow(plan_pool_.get(), "consent", consent_channel, "plan",
                                authz::ConsentEventsToAccess());
  plan_log_ = std::make_unique<accesslog::Log>(plan_pool_.get(), clock_);
  // The extract reads consent's log and meeting's (started below); the suite runs no
  // lifecycle service, so an extract is refused as one without --lifecycle_address is.
  plan_own_log_ = accesslog::LocalAccessSource(plan_pool_.get(), "plan");
  plan_consent_log_ =
      accesslog::GrpcAccessSource(consent_channel, "consent", "plan", absl::Seconds(5));
  plan_lifecycle_log_ = accesslog::MissingAccessSource("lifecycle", "--lifecycle_address");
  plan_gate_ = std::make_unique<authz::PlanGate>(
      plan_pool_.get(), clock_,
      std::vector<authz::PlanGate::CatchUp>{
          [this] { return plan_consent_events_->CatchUp(); },
          // Made once the meeting service has started, below.
          [this] {
            return plan_meeting_events_ ? plan_meeting_events_->CatchUp() : absl::OkStatus();
          }},
      plan_log_.get());
  plan_book_ = std::make_unique<plan::PlanBook>(
      plan_store_.get(),
      plan::PlanBook::Peers{plan_consent_.get(), plan_consent_.get(), &meetings_for_plan_,
                            {plan_own_log_.get(), plan_consent_log_.get(), &meeting_log_for_plan_,
                             plan_lifecycle_log_.get()}},
      clock_, plan_gate_.get());
  plan_service_ = std::make_unique<plan::PlanGrpcService>(plan_book_.get());
  plan_access_service_ = std::make_unique<accesslog::AccessLogGrpcService>(plan_pool_.get(), "plan");
  plan_server_ = ServeOnLoopback({plan_service_.get(), plan_access_service_.get()},
                             "sip.plan.v1.PlanService");
  if (!plan_server_) return absl::InternalError("the plan service did not start");
  plan_channel = PeerChannelTo(*plan_server_, "plan");
  plan_reader_ = std::make_unique<GrpcPlanReader>(plan_channel, absl::Seconds(2));
  plans_for_consent_.target = plan_reader_.get();
  plan = sip::plan::v1::PlanService::NewStub(plan_channel);
  consent_plan_events_ = Follow(consent_pool_.get(), "plan", plan_channel, "consent",
                                authz::PlanEventsToAccess());

  // Meeting, asking both.
  SIP_RETURN_IF_ERROR(db::ApplyMigrations(conninfo, "meeting", meeting::Migrations()));
  SIP_ASSIGN_OR_RETURN(meeting_pool_, db::Pool::Create({conninfo, "meeting", 4, absl::Seconds(5),
                                                        meeting::MeetingStore::Statements()}));
  meeting_store_ = std::make_unique<meeting::MeetingStore>(meeting_pool_.get());
  meeting_consent_ = std::make_unique<GrpcConsentChecker>(consent_channel, absl::Seconds(2));
  meeting_plan_events_ = Follow(meeting_pool_.get(), "plan", plan_channel, "meeting",
                                authz::PlanEventsToAccess([this](pqxx::work& txn,
                                                                 const SourceEvent& event) {
                                  return meeting_book_->ApplyPlanEvent(txn, event);
                                }));
  meeting_consent_events_ = Follow(meeting_pool_.get(), "consent", consent_channel, "meeting",
                                   authz::ConsentEventsToAccess());
  meeting_log_ = std::make_unique<accesslog::Log>(meeting_pool_.get(), clock_);
  meeting_gate_ = std::make_unique<authz::PlanGate>(
      meeting_pool_.get(), clock_,
      std::vector<authz::PlanGate::CatchUp>{[this] { return meeting_plan_events_->CatchUp(); },
                                            [this] { return meeting_consent_events_->CatchUp(); }}, meeting_log_.get());
  meeting_book_ = std::make_unique<meeting::MeetingBook>(
      meeting_store_.get(), plan_reader_.get(), meeting_consent_.get(), clock_,
      meeting::MeetingBook::Options{}, meeting_gate_.get());
  meeting_service_ = std::make_unique<meeting::MeetingGrpcService>(meeting_book_.get());
  meeting_access_service_ = std::make_unique<accesslog::AccessLogGrpcService>(meeting_pool_.get(), "meeting");
  meeting_server_ = ServeOnLoopback({meeting_service_.get(), meeting_access_service_.get()},
                             "sip.meeting.v1.MeetingService");
  if (!meeting_server_) return absl::InternalError("the meeting service did not start");
  meeting_channel = PeerChannelTo(*meeting_server_, "meeting");
  meeting_reader_ = std::make_unique<GrpcMeetingReader>(meeting_channel, absl::Seconds(2));
  meetings_for_plan_.target = meeting_reader_.get();
  meeting_log_source_ =
      accesslog::GrpcAccessSource(meeting_channel, "meeting", "plan", absl::Seconds(5));
  meeting_log_for_plan_.target = meeting_log_source_.get();

  meeting = sip::meeting::v1::MeetingService::NewStub(meeting_channel);
  plan_meeting_events_ = Follow(plan_pool_.get(), "meeting", meeting_channel, "plan",
                                authz::MeetingEventsToAccess());
  return absl::OkStatus();
}

void Suite::Shutdown() {
  for (auto* s : {&meeting_server_, &plan_server_, &consent_server_}) {
    if (*s) (*s)->Shutdown(absl::Seconds(1));
    s->reset();
  }
}

}  // namespace sip::testing
