// The plan service: wiring only. config → database → store → consent and meeting clients →
// the consent-event consumer and the access gate → domain → gRPC adapter → server.
#include <iostream>

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
                                           sip::plan::PlanStore::Statements());
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
  sip::authz::PlanGate gate(pool, &clock, {[&] { return consent_events.CatchUp(); }});
  sip::plan::PlanBook book(&store, {&consent, &consent, &meetings}, &clock, &gate);
  sip::plan::PlanGrpcService service(&book);
  consent_events.Start();
  const int code = sip::ServeUntilSignal(config->server, {"sip.plan.v1.PlanService"},
                                         {&service}, [pool] { return pool->Ping(); });
  consent_events.Stop();
  return code;
}
