// The plan service: wiring only. config → database → store → consent and meeting clients →
// the consent-event consumer and the access gate → domain → gRPC adapter → server.
#include <iostream>

#include "common/access_extract.h"
#include "common/access_log.h"
#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/plan_access.h"
#include "common/peer_clients.h"
#include "common/server.h"
#include "common/service_main.h"
#include "services/plan/plan_book.h"
#include "services/plan/plan_config.h"
#include "services/plan/plan_service.h"
#include "services/plan/plan_store.h"

int main(int argc, char** argv) {
  sip::BlockShutdownSignals();
  auto config = sip::plan::LoadPlanConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "plan: " << config.status().message() << "\n";
    return 2;
  }
  auto database = sip::OpenServiceDatabase(config->server, sip::plan::Migrations(),
                                           sip::plan::PlanStore::Statements(),
                                           sip::plan::PlanStore::Privileges());
  if (const int* exit_code = std::get_if<int>(&database)) return *exit_code;
  sip::db::Pool* pool = std::get<0>(database).get();
  auto channels = sip::MakePeerChannels({&config->consent, &config->meeting});
  if (!channels) return 1;

  sip::RealClock clock;
  sip::plan::PlanStore store(pool);
  sip::GrpcConsentChecker consent((*channels)[0], config->consent.timeout);
  sip::GrpcMeetingReader meetings((*channels)[1], config->meeting.timeout);
  // What the person's consent covers, for the gate, from the consent service's events.
  sip::EventConsumer consent_events(
      pool, &clock, {"consent", 100, absl::Seconds(1)},
      sip::ListEventsOf("consent", (*channels)[0], sip::ServiceActor("plan"),
                        config->consent.timeout),
      sip::authz::ConsentEventsToAccess());
  // Who is invited to the plan's meetings, from the meeting service's events.
  sip::EventConsumer meeting_events(
      pool, &clock, {"meeting", 100, absl::Seconds(1)},
      sip::ListEventsOf("meeting", (*channels)[1], sip::ServiceActor("plan"),
                        config->meeting.timeout),
      sip::authz::MeetingEventsToAccess());
  // Every access to a plan, logged (access_log.h); the chainer seals the entries.
  sip::accesslog::Log access_log(pool, &clock);
  sip::authz::PlanGate gate(pool, &clock,
                            {[&] { return consent_events.CatchUp(); },
                             [&] { return meeting_events.CatchUp(); }},
                            &access_log);
  // The person's extract reads the four services' access logs.
  auto own_log = sip::accesslog::LocalAccessSource(pool, "plan");
  auto consent_log = sip::accesslog::GrpcAccessSource((*channels)[0], "consent", "plan",
                                                      config->consent.timeout);
  auto meeting_log = sip::accesslog::GrpcAccessSource((*channels)[1], "meeting", "plan",
                                                      config->meeting.timeout);
  std::unique_ptr<sip::accesslog::AccessSource> lifecycle_log =
      sip::accesslog::MissingAccessSource("lifecycle", "--lifecycle_address");
  if (!config->lifecycle.address.empty()) {
    auto lifecycle_channel = sip::MakePeerChannels({&config->lifecycle});
    if (!lifecycle_channel) return 1;
    lifecycle_log = sip::accesslog::GrpcAccessSource((*lifecycle_channel)[0], "lifecycle", "plan",
                                                     config->lifecycle.timeout);
  }
  sip::plan::PlanBook book(
      &store,
      {&consent, &consent, &meetings,
       {own_log.get(), consent_log.get(), meeting_log.get(), lifecycle_log.get()}},
      &clock, &gate);
  sip::plan::PlanGrpcService service(&book);
  sip::accesslog::AccessLogGrpcService access_log_service(pool, "plan");
  consent_events.Start();
  meeting_events.Start();
  access_log.Start();
  // Old outbox events and request-log rows removed on a schedule (retention.h).
  auto housekeeping = sip::StartHousekeeping(config->server, pool, &clock);
  const int code = sip::ServeUntilSignal(
      config->server, {"sip.plan.v1.PlanService", "sip.accesslog.v1.AccessLogService"},
      {&service, &access_log_service}, [pool] { return pool->Ping(); });
  consent_events.Stop();
  meeting_events.Stop();
  access_log.Stop();
  return code;
}
