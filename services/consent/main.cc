// The consent service: wiring only. config → migrations → DB pool → store → plan reader →
// domain → gRPC adapter → server.
#include <iostream>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/migrations.h"
#include "common/server.h"
#include "common/service_client.h"
#include "services/consent/consent_book.h"
#include "services/consent/consent_config.h"
#include "services/consent/consent_service.h"
#include "services/consent/consent_store.h"
#include "common/peer_clients.h"

int main(int argc, char** argv) {
  sip::BlockShutdownSignals();
  auto config = sip::consent::LoadConsentConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "consent: " << config.status().message() << "\n";
    return 2;
  }
  const sip::ServerConfig& server = config->server;
  sip::InitLogging(server);
  if (server.migrate_on_start || server.migrate_only) {
    absl::Status migrated = sip::db::ApplyMigrations(server.database_url, server.database_schema,
                                                     sip::consent::Migrations());
    if (!migrated.ok()) {
      sip::log::Error("migrations_failed", {{"error", std::string(migrated.message())}});
      return 1;
    }
    if (server.migrate_only) return 0;
  }
  auto pool = sip::db::Pool::Create({server.database_url, server.database_schema,
                                     server.database_pool_size, server.database_acquire_timeout,
                                     sip::consent::ConsentStore::Statements()});
  if (!pool.ok()) {
    sip::log::Error("database_unavailable", {{"error", std::string(pool.status().message())}});
    return 1;
  }
  auto channel = sip::MakePeerChannel(config->plan);
  if (!channel.ok()) {
    sip::log::Error("start_failed", {{"error", std::string(channel.status().message())}});
    return 1;
  }
  sip::RealClock clock;
  sip::consent::ConsentStore store(pool->get());
  sip::GrpcPlanReader plans(*channel, config->plan.timeout);
  sip::consent::ConsentBook book(&store, &plans, &clock);
  sip::consent::ConsentGrpcService service(&book);
  return sip::ServeUntilSignal(server, {"sip.consent.v1.ConsentService"}, {&service},
                               [p = pool->get()] { return p->Ping(); });
}
