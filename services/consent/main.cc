// The consent service: wiring only. config → migrations → DB pool → store → domain →
// gRPC adapter → server.
#include <iostream>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/migrations.h"
#include "common/server.h"
#include "services/consent/consent_book.h"
#include "services/consent/consent_service.h"
#include "services/consent/consent_store.h"

int main(int argc, char** argv) {
  sip::BlockShutdownSignals();
  auto config = sip::LoadServerConfig("consent", argc, argv);
  if (!config.ok()) {
    std::cerr << "consent: " << config.status().message() << "\n";
    return 2;
  }
  sip::InitLogging(*config);
  if (config->migrate_on_start || config->migrate_only) {
    absl::Status migrated = sip::db::ApplyMigrations(
        config->database_url, config->database_schema, sip::consent::Migrations());
    if (!migrated.ok()) {
      sip::log::Error("migrations_failed", {{"error", std::string(migrated.message())}});
      return 1;
    }
    if (config->migrate_only) return 0;
  }
  auto pool = sip::db::Pool::Create({config->database_url, config->database_schema,
                                     config->database_pool_size,
                                     config->database_acquire_timeout,
                                     sip::consent::ConsentStore::Statements()});
  if (!pool.ok()) {
    sip::log::Error("database_unavailable", {{"error", std::string(pool.status().message())}});
    return 1;
  }
  sip::RealClock clock;
  sip::consent::ConsentStore store(pool->get());
  sip::consent::ConsentBook book(&store, &clock);
  sip::consent::ConsentGrpcService service(&book);
  return sip::ServeUntilSignal(*config, {"sip.consent.v1.ConsentService"}, {&service},
                               [p = pool->get()] { return p->Ping(); });
}
