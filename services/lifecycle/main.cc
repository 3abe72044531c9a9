// The lifecycle service: wiring only. config → region policies → database → store → plan
// closer → book → gRPC adapter; the consumers of the plan, consent and meeting services'
// events, and the sweeper that breaches due deadlines and performs closures → server.
#include <iostream>
#include <memory>
#include <vector>

#include "common/access_extract.h"
#include "common/access_log.h"
#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/peer_clients.h"
#include "common/periodic.h"
#include "common/plan_access.h"
#include "common/server.h"
#include "common/service_main.h"
#include "services/lifecycle/lifecycle_book.h"
#include "services/lifecycle/lifecycle_config.h"
#include "services/lifecycle/lifecycle_metrics.h"
#include "services/lifecycle/lifecycle_service.h"
#include "services/lifecycle/lifecycle_store.h"
#include "services/lifecycle/policy.h"
#include "sip/consent/v1/consent.grpc.pb.h"
#include "sip/meeting/v1/meeting.grpc.pb.h"
#include "sip/plan/v1/plan.grpc.pb.h"

int main(int argc, char** argv) {
  sip::BlockShutdownSignals();
  auto config = sip::lifecycle::LoadLifecycleConfig(argc, argv);
  if (!config.ok()) {
    std::cerr << "lifecycle: " << config.status().message() << "\n";
    return 2;
  }
  // A bad policy stops the service at start, naming the file and the field.
  auto policies = sip::lifecycle::Policies::LoadDirectory(config->policies_dir);
  if (!policies.ok()) {
    std::cerr << "lifecycle: " << policies.status().message() << "\n";
    return 2;
  }
  auto database = sip::OpenServiceDatabase(config->server, sip::lifecycle::Migrations(),
                                           sip::lifecycle::LifecycleStore::Statements(),
                                           sip::lifecycle::LifecycleStore::Privileges());
  if (const int* exit_code = std::get_if<int>(&database)) return *exit_code;
  sip::db::Pool* pool = std::get<0>(database).get();
  auto channels = sip::MakePeerChannels({&config->plan, &config->consent, &config->meeting});
  if (!channels) return 1;

  sip::RealClock clock;
  auto registry = sip::metrics::Registry();
  sip::lifecycle::LifecycleMetrics metrics(*registry);
  sip::lifecycle::LifecycleStore store(pool);
  sip::GrpcPlanCloser closer((*channels)[0], config->plan.timeout);
  std::vector<std::unique_ptr<sip::EventConsumer>> consumers;
  // Every access to a plan, logged (access_log.h); the chainer seals the entries.
  sip::accesslog::Log access_log(pool, &clock);
  sip::authz::PlanGate gate(pool, &clock,
                            {[&consumers] { return consumers[0]->CatchUp(); },
                             [&consumers] { return consumers[1]->CatchUp(); },
                             [&consumers] { return consumers[2]->CatchUp(); }}, &access_log);
  sip::lifecycle::LifecycleBook book(&store, &*policies, &closer, &clock, &gate, &metrics);
  sip::lifecycle::LifecycleGrpcService service(&book);
  sip::accesslog::AccessLogGrpcService access_log_service(pool, "lifecycle");

  // Each source's events, applied once each (cursors in this service's schema); they also
  // keep the access projection the gate reads (parties, coverage, invitations).
  const sip::Actor self = sip::ServiceActor("lifecycle");
  auto plan_stub = sip::plan::v1::PlanService::NewStub((*channels)[0]);
  auto consent_stub = sip::consent::v1::ConsentService::NewStub((*channels)[1]);
  auto meeting_stub = sip::meeting::v1::MeetingService::NewStub((*channels)[2]);
  auto apply = [&book](const char* source) {
    return [&book, source](pqxx::work& txn, const sip::SourceEvent& event) {
      return book.ApplyEvent(txn, source, event);
    };
  };
  consumers.push_back(std::make_unique<sip::EventConsumer>(
      pool, &clock, sip::EventConsumer::Options{"plan", 100, absl::Seconds(1)},
      sip::ListEventsFetch(plan_stub.get(), &sip::plan::v1::PlanService::Stub::ListEvents, self,
                           config->plan.timeout, "plan"),
      sip::authz::PlanEventsToAccess(apply("plan"))));
  consumers.push_back(std::make_unique<sip::EventConsumer>(
      pool, &clock, sip::EventConsumer::Options{"consent", 100, absl::Seconds(1)},
      sip::ListEventsFetch(consent_stub.get(),
                           &sip::consent::v1::ConsentService::Stub::ListEvents, self,
                           config->consent.timeout, "consent"),
      sip::authz::ConsentEventsToAccess(apply("consent"))));
  consumers.push_back(std::make_unique<sip::EventConsumer>(
      pool, &clock, sip::EventConsumer::Options{"meeting", 100, absl::Seconds(1)},
      sip::ListEventsFetch(meeting_stub.get(),
                           &sip::meeting::v1::MeetingService::Stub::ListEvents, self,
                           config->meeting.timeout, "meeting"),
      sip::authz::MeetingEventsToAccess(apply("meeting"))));
  for (auto& consumer : consumers) consumer->Start();

  // The sweeper: breaches what fell due, then performs the closures asked for.
  const int batch = config->sweep_batch;
  sip::PeriodicTask sweeper(
      [&book, batch] {
        absl::StatusOr<int> swept = book.SweepOnce(batch);
        if (!swept.ok()) {
          sip::log::Warn("sweep_failed",
                         {{"code", absl::StatusCodeToString(swept.status().code())}});
        }
        absl::StatusOr<int> closed = book.PerformClosures(batch);
        if (!closed.ok()) {
          sip::log::Warn("closures_failed",
                         {{"code", absl::StatusCodeToString(closed.status().code())}});
        }
        return swept.ok() && *swept == batch;  // a full batch: more may be due
      },
      config->sweep_interval);
  sweeper.Start();
  // The counts by rule, state, phase and region read the whole tables: once a minute
  // (--counts_interval), apart from the sweep, whose cost follows the due rows only.
  sip::PeriodicTask counter(
      [&book] {
        if (absl::Status refreshed = book.RefreshMetrics(); !refreshed.ok()) {
          sip::log::Warn("metrics_refresh_failed",
                         {{"code", absl::StatusCodeToString(refreshed.code())}});
        }
        return false;
      },
      config->counts_interval);
  counter.Start();

  access_log.Start();
  // Old outbox events and request-log rows removed on a schedule (retention.h).
  auto housekeeping = sip::StartHousekeeping(config->server, pool, &clock);
  const int code = sip::ServeUntilSignal(
      config->server, {"sip.lifecycle.v1.LifecycleService", "sip.accesslog.v1.AccessLogService"},
      {&service, &access_log_service}, [pool] { return pool->Ping(); }, registry);
  counter.Stop();
  sweeper.Stop();
  for (auto& consumer : consumers) consumer->Stop();
  access_log.Stop();
  return code;
}
