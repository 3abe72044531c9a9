// The meeting service: wiring only. config → database → store → plan reader and consent
// checker → book → gRPC adapter, and the plan-event consumer → server.
#include <iostream>

#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/peer_clients.h"
#include "common/server.h"
#include "common/service_main.h"
#include "services/meeting/meeting_book.h"
#include "services/meeting/meeting_config.h"
#include "services/meeting/meeting_service.h"
#include "services/meeting/meeting_store.h"
#include "sip/plan/v1/plan.grpc.pb.h"

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
  sip::meeting::MeetingBook book(&store, &plans, &consent, &clock,
                                 {config->initial_meeting_target_days});
  sip::meeting::MeetingGrpcService service(&book);

  // A closed plan's scheduled meetings are cancelled from the plan service's events.
  auto plan_stub = sip::plan::v1::PlanService::NewStub((*channels)[0]);
  sip::EventConsumer plan_events(
      pool, &clock, {"plan", 100, absl::Seconds(1)},
      sip::ListEventsFetch(plan_stub.get(), &sip::plan::v1::PlanService::Stub::ListEvents,
                           sip::ServiceActor("meeting"), config->plan.timeout, "plan"),
      [&book](pqxx::work& txn, const sip::SourceEvent& event) {
        return book.ApplyPlanEvent(txn, event);
      });
  plan_events.Start();
  const int code = sip::ServeUntilSignal(config->server, {"sip.meeting.v1.MeetingService"},
                                         {&service}, [pool] { return pool->Ping(); });
  plan_events.Stop();
  return code;
}
