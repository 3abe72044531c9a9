// The meeting service: wiring only. config → database → store → plan reader and consent
// checker → the plan- and consent-event consumers and the access gate → book → gRPC
// adapter → server.
#include <iostream>

#include "common/access_extract.h"
#include "common/access_log.h"
#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/peer_clients.h"
#include "common/plan_access.h"
#include "common/server.h"
#include "common/service_main.h"
#include "services/meeting/meeting_book.h"
#include "services/meeting/meeting_config.h"
#include "services/meeting/meeting_service.h"
#include "services/meeting/meeting_store.h"

int main(int argc, char** argv) {
  sip::BlockShutdownSignals();
  auto config = sip::meeting::LoadMeetingConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "meeting: " << config.status().message() << "\n";
    return 2;
  }
  auto database = sip::OpenServiceDatabase(config->server, sip::meeting::Migrations(),
                                           sip::meeting::MeetingStore::Statements());
  if (const int* exit_code = std::get_if<int>(&database)) return *exit_code;
  sip::db::Pool* pool = std::get<0>(database).get();
  auto channels = sip::MakePeerChannels({&config->plan, &config->consent});
  if (!channels) return 1;

  sip::RealClock clock;
  sip::meeting::MeetingStore store(pool);
  sip::GrpcPlanReader plans((*channels)[0], config->plan.timeout);
  sip::GrpcConsentChecker consent((*channels)[1], config->consent.timeout);
  const sip::Actor self = sip::ServiceActor("meeting");
  sip::meeting::MeetingBook* book_ptr = nullptr;
  // Who takes part in each plan and what the consent covers, for the gate, from the plan
  // and consent services' events; a closed plan's scheduled meetings are cancelled from
  // the plan service's events too.
  sip::EventConsumer plan_events(
      pool, &clock, {"plan", 100, absl::Seconds(1)},
      sip::ListEventsOf("plan", (*channels)[0], self, config->plan.timeout),
      sip::authz::PlanEventsToAccess([&book_ptr](pqxx::work& txn, const sip::SourceEvent& event) {
        return book_ptr->ApplyPlanEvent(txn, event);
      }));
  sip::EventConsumer consent_events(
      pool, &clock, {"consent", 100, absl::Seconds(1)},
      sip::ListEventsOf("consent", (*channels)[1], self, config->consent.timeout),
      sip::authz::ConsentEventsToAccess());
  // Every access to a plan, logged (access_log.h); the chainer seals the entries.
  sip::accesslog::Log access_log(pool, &clock);
  sip::authz::PlanGate gate(pool, &clock,
                            {[&] { return plan_events.CatchUp(); },
                             [&] { return consent_events.CatchUp(); }}, &access_log);
  sip::meeting::MeetingBook book(&store, &plans, &consent, &clock,
                                 {config->initial_meeting_target_days}, &gate);
  book_ptr = &book;
  sip::meeting::MeetingGrpcService service(&book);
  sip::accesslog::AccessLogGrpcService access_log_service(pool, "meeting");
  plan_events.Start();
  consent_events.Start();
  access_log.Start();
  // Old outbox events and request-log rows removed on a schedule (retention.h).
  auto housekeeping = sip::StartHousekeeping(config->server, pool, &clock);
  const int code = sip::ServeUntilSignal(
      config->server, {"sip.meeting.v1.MeetingService", "sip.accesslog.v1.AccessLogService"},
      {&service, &access_log_service}, [pool] { return pool->Ping(); });
  consent_events.Stop();
  plan_events.Stop();
  access_log.Stop();
  return code;
}
