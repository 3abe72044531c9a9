// The meeting service: wiring only. config → migrations → DB pool → store → plan reader
// and consent checker → book → gRPC adapter, and the plan-event consumer → server.
#include <iostream>

#include "common/clock.h"
#include "common/db.h"
#include "common/event_consumer.h"
#include "common/log.h"
#include "common/migrations.h"
#include "common/peer_clients.h"
#include "common/server.h"
#include "common/service_client.h"
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
  const sip::ServerConfig& server = config->server;
  sip::InitLogging(server);
  if (server.migrate_on_start || server.migrate_only) {
    absl::Status migrated = sip::db::ApplyMigrations(server.database_url, server.database_schema,
                                                     sip::meeting::Migrations());
    if (!migrated.ok()) {
      sip::log::Error("migrations_failed", {{"error", std::string(migrated.message())}});
      return 1;
    }
    if (server.migrate_only) return 0;
  }
  auto pool = sip::db::Pool::Create({server.database_url, server.database_schema,
                                     server.database_pool_size, server.database_acquire_timeout,
                                     sip::meeting::MeetingStore::Statements()});
  if (!pool.ok()) {
    sip::log::Error("database_unavailable", {{"error", std::string(pool.status().message())}});
    return 1;
  }
  auto plan_channel = sip::MakePeerChannel(config->plan);
  auto consent_channel = sip::MakePeerChannel(config->consent);
  for (const auto* channel : {&plan_channel, &consent_channel}) {
    if (!channel->ok()) {
      sip::log::Error("start_failed", {{"error", std::string(channel->status().message())}});
      return 1;
    }
  }
  sip::RealClock clock;
  sip::meeting::MeetingStore store(pool->get());
  sip::GrpcPlanReader plans(*plan_channel, config->plan.timeout);
  sip::GrpcConsentChecker consent(*consent_channel, config->consent.timeout);
  sip::meeting::MeetingBook book(&store, &plans, &consent, &clock,
                                 {config->initial_meeting_target_days});
  sip::meeting::MeetingGrpcService service(&book);

  // A closed plan's scheduled meetings are cancelled from the plan service's events.
  auto plan_stub = sip::plan::v1::PlanService::NewStub(*plan_channel);
  sip::EventConsumer plan_events(
      pool->get(), &clock, {"plan", 100, absl::Seconds(1)},
      sip::ListEventsFetch(plan_stub.get(), &sip::plan::v1::PlanService::Stub::ListEvents,
                           sip::ServiceActor("meeting"), config->plan.timeout, "plan"),
      [&book](pqxx::work& txn, const sip::SourceEvent& event) {
        return book.ApplyPlanEvent(txn, event);
      });
  plan_events.Start();
  const int code = sip::ServeUntilSignal(server, {"sip.meeting.v1.MeetingService"}, {&service},
                                         [p = pool->get()] { return p->Ping(); });
  plan_events.Stop();
  return code;
}
