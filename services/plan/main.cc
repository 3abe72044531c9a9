// The plan service: wiring only. config → migrations → DB pool → store → consent and
// meeting clients → domain → gRPC adapter → server.
#include <iostream>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/migrations.h"
#include "common/server.h"
#include "common/service_client.h"
#include "common/peer_clients.h"
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
  const sip::ServerConfig& server = config->server;
  sip::InitLogging(server);
  if (server.migrate_on_start || server.migrate_only) {
    absl::Status migrated = sip::db::ApplyMigrations(server.database_url, server.database_schema,
                                                     sip::plan::Migrations());
    if (!migrated.ok()) {
      sip::log::Error("migrations_failed", {{"error", std::string(migrated.message())}});
      return 1;
    }
    if (server.migrate_only) return 0;
  }
  auto pool = sip::db::Pool::Create({server.database_url, server.database_schema,
                                     server.database_pool_size, server.database_acquire_timeout,
                                     sip::plan::PlanStore::Statements()});
  if (!pool.ok()) {
    sip::log::Error("database_unavailable", {{"error", std::string(pool.status().message())}});
    return 1;
  }
  sip::RealClock clock;
  sip::plan::PlanStore store(pool->get());
  auto consent_channel = sip::MakePeerChannel(config->consent);
  auto meeting_channel = sip::MakePeerChannel(config->meeting);
  for (const auto* channel : {&consent_channel, &meeting_channel}) {
    if (!channel->ok()) {
      sip::log::Error("start_failed", {{"error", std::string(channel->status().message())}});
      return 1;
    }
  }
  sip::GrpcConsentChecker consent(*consent_channel, config->consent.timeout);
  sip::GrpcMeetingReader meetings(*meeting_channel, config->meeting.timeout);
  sip::plan::PlanBook book(&store, {&consent, &consent, &meetings}, &clock);
  sip::plan::PlanGrpcService service(&book);
  return sip::ServeUntilSignal(server, {"sip.plan.v1.PlanService"}, {&service},
                               [p = pool->get()] { return p->Ping(); });
}
