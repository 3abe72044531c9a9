// The consent service: wiring only. config → database → store → plan reader → domain →
// gRPC adapter → server.
#include <iostream>

#include "common/clock.h"
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
                                           sip::consent::ConsentStore::Statements());
  if (const int* exit_code = std::get_if<int>(&database)) return *exit_code;
  sip::db::Pool* pool = std::get<0>(database).get();
  auto channels = sip::MakePeerChannels({&config->plan});
  if (!channels) return 1;

  sip::RealClock clock;
  sip::consent::ConsentStore store(pool);
  sip::GrpcPlanReader plans((*channels)[0], config->plan.timeout);
  sip::consent::ConsentBook book(&store, &plans, &clock);
  sip::consent::ConsentGrpcService service(&book);
  return sip::ServeUntilSignal(config->server, {"sip.consent.v1.ConsentService"}, {&service},
                               [pool] { return pool->Ping(); });
}
