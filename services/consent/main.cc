// The consent service: wiring only. config → database → store → plan reader → the
// plan-event consumer and the access gate → domain → gRPC adapter → server.
#include <iostream>

#include "common/access_extract.h"
#include "common/access_log.h"
#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/plan_access.h"
#include "common/peer_clients.h"
#include "common/server.h"
#include "common/service_main.h"
#include "services/consent/consent_book.h"
#include "services/consent/consent_config.h"
#include "services/consent/consent_service.h"
#include "services/consent/consent_store.h"

int main(int argc, char** argv) {
  sip::BlockShutdownSignals();
  auto config = sip::consent::LoadConsentConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "consent: " << config.status().message() << "\n";
    return 2;
  }
  auto database = sip::OpenServiceDatabase(config->server, sip::consent::Migrations(),
                                           sip::consent::ConsentStore::Statements(),
                                           sip::consent::ConsentStore::Privileges());
  if (const int* exit_code = std::get_if<int>(&database)) return *exit_code;
  sip::db::Pool* pool = std::get<0>(database).get();
  auto channels = sip::MakePeerChannels({&config->plan});
  if (!channels) return 1;

  sip::RealClock clock;
  sip::consent::ConsentStore store(pool);
  sip::GrpcPlanReader plans((*channels)[0], config->plan.timeout);
  // Who takes part in each plan, for the gate, from the plan service's events.
  sip::EventConsumer plan_events(
      pool, &clock, {"plan", 100, absl::Seconds(1)},
      sip::ListEventsOf("plan", (*channels)[0], sip::ServiceActor("consent"),
                        config->plan.timeout),
      sip::authz::PlanEventsToAccess());
  // Every access to a plan, logged (access_log.h); the chainer seals the entries.
  sip::accesslog::Log access_log(pool, &clock);
  sip::authz::PlanGate gate(pool, &clock, {[&] { return plan_events.CatchUp(); }}, &access_log);
  sip::consent::ConsentBook book(&store, &plans, &clock, &gate);
  sip::consent::ConsentGrpcService service(&book);
  sip::accesslog::AccessLogGrpcService access_log_service(pool, "consent");
  plan_events.Start();
  access_log.Start();
  // Old outbox events and request-log rows removed on a schedule (retention.h).
  auto housekeeping = sip::StartHousekeeping(config->server, pool, &clock);
  const int code = sip::ServeUntilSignal(
      config->server, {"sip.consent.v1.ConsentService", "sip.accesslog.v1.AccessLogService"},
      {&service, &access_log_service}, [pool] { return pool->Ping(); });
  plan_events.Stop();
  access_log.Stop();
  return code;
}
