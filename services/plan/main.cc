// The plan service: wiring only. config → migrations → DB pool → store → consent client →
// domain → gRPC adapter → server.
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/migrations.h"
#include "common/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/plan/consent_client.h"
#include "services/plan/plan_book.h"
#include "services/plan/plan_config.h"
#include "services/plan/plan_service.h"
#include "services/plan/plan_store.h"

namespace {

std::shared_ptr<grpc::ChannelCredentials> ConsentCredentials(const sip::plan::PlanConfig& c) {
  if (c.consent_plaintext) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!c.consent_ca_file.empty()) {
    std::stringstream ca;
    ca << std::ifstream(c.consent_ca_file).rdbuf();
    options.pem_root_certs = ca.str();
  }
  return grpc::SslCredentials(options);
}

}  // namespace

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
  sip::plan::GrpcConsentChecker consent(
      grpc::CreateChannel(config->consent_address, ConsentCredentials(*config)),
      config->consent_timeout, config->consent_attempts);
  sip::plan::PlanBook book(&store, &consent, &clock);
  sip::plan::PlanGrpcService service(&book);
  return sip::ServeUntilSignal(server, {"sip.plan.v1.PlanService"}, {&service},
                               [p = pool->get()] { return p->Ping(); });
}
