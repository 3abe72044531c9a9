// GetPlan's throughput through gRPC on loopback with and without the access log: the same
// plan service, the same database, one server whose gate logs every read (access_log.h:
// entries of concurrent reads grouped into one commit, each answer only once its entry is
// durable) and one whose gate does not. Rounds alternate between the two in the same run,
// so the ratio holds on a noisy machine.
//   get_plan_log_bench CONNINFO [clients=8] [seconds per round=3] [rounds=3]
// Drops and re-creates the `plan` schema of that database.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/access_log.h"
#include "common/caller.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/migrations.h"
#include "common/plan_access.h"
#include "common/server.h"
#include "grpcpp/grpcpp.h"
#include "pqxx/pqxx"
#include "prometheus/registry.h"
#include "services/plan/plan_book.h"
#include "services/plan/plan_service.h"
#include "services/plan/plan_store.h"
#include "services/plan/plan_test_data.h"

namespace {

namespace pb = ::sip::plan::v1;

struct Served {
  std::unique_ptr<sip::authz::PlanGate> gate;
  std::unique_ptr<sip::plan::PlanBook> book;
  std::unique_ptr<sip::plan::PlanGrpcService> service;
  std::unique_ptr<sip::Server> server;
};

Served Serve(sip::plan::PlanStore* store, sip::db::Pool* pool, const sip::Clock* clock,
             sip::accesslog::Log* log) {
  Served s;
  s.gate = std::make_unique<sip::authz::PlanGate>(
      pool, clock, std::vector<sip::authz::PlanGate::CatchUp>{}, log);
  s.book = std::make_unique<sip::plan::PlanBook>(
      store, sip::plan::PlanBook::Peers{nullptr, nullptr, nullptr, {}}, clock, s.gate.get());
  s.service = std::make_unique<sip::plan::PlanGrpcService>(s.book.get());
  sip::Server::Options options;
  options.health_names = {"sip.plan.v1.PlanService"};
  options.listen_address = "127.0.0.1:0";
  options.credentials = grpc::InsecureServerCredentials();
  options.registry = std::make_shared<prometheus::Registry>();
  auto server = sip::Server::Start(std::move(options), {s.service.get()});
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", std::string(server.status().message()).c_str());
    std::exit(1);
  }
  s.server = *std::move(server);
  return s;
}

// Calls per second of `clients` threads calling GetPlan on `port` for `seconds`.
double Round(int port, const std::string& plan, int clients, double seconds) {
  std::atomic<int64_t> calls{0}, failures{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("sip.bench.client", c);  // a connection of its own
      auto stub = pb::PlanService::NewStub(grpc::CreateCustomChannel(
          absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args));
      pb::GetPlanRequest request;
      request.set_name(plan);
      while (!stop.load()) {
        grpc::ClientContext context;
        context.AddMetadata(sip::kUnitHsaIdHeader, sip::plan::testdata::kVc);
        context.AddMetadata(sip::kUnitPrincipalHeader, "REGION");
        context.AddMetadata(sip::kUserIdHeader, "nurse-1");
        pb::GetPlanResponse response;
        if (stub->GetPlan(&context, request, &response).ok()) {
          ++calls;
        } else {
          ++failures;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  if (failures > 0) {
    std::fprintf(stderr, "%lld calls failed\n", static_cast<long long>(failures.load()));
    std::exit(1);
  }
  return static_cast<double>(calls.load()) / seconds;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: get_plan_log_bench CONNINFO [clients] [seconds] [rounds]\n");
    return 2;
  }
  const std::string conninfo = argv[1];
  int clients = 8, rounds = 3;
  double seconds = 3;
  if (argc > 2 && !absl::SimpleAtoi(argv[2], &clients)) return 2;
  if (argc > 3 && !absl::SimpleAtod(argv[3], &seconds)) return 2;
  if (argc > 4 && !absl::SimpleAtoi(argv[4], &rounds)) return 2;
  {
    pqxx::connection conn(conninfo);
    pqxx::nontransaction txn(conn);
    txn.exec("DROP SCHEMA IF EXISTS plan CASCADE");
    std::printf("PostgreSQL fsync=%s synchronous_commit=%s\n", txn.exec1("SHOW fsync")[0].c_str(),
                txn.exec1("SHOW synchronous_commit")[0].c_str());
  }
  if (auto s = sip::db::ApplyMigrations(conninfo, "plan", sip::plan::Migrations()); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  }
  auto pool = sip::db::Pool::Create(
      {conninfo, "plan", 8, absl::Seconds(5), sip::plan::PlanStore::Statements()});
  if (!pool.ok()) return 1;
  sip::InstallAuthenticator(sip::MakeDevelopmentAuthenticator());
  sip::RealClock clock;
  sip::plan::PlanStore store(pool->get());
  sip::accesslog::Log log(pool->get(), &clock);
  Served plain = Serve(&store, pool->get(), &clock, nullptr);
  Served logged = Serve(&store, pool->get(), &clock, &log);
  // One plan, read by the unit that initiated it.
  auto created = plain.book->Create(sip::plan::testdata::CompletePlan(),
                                    sip::plan::testdata::kCaller, std::nullopt);
  if (!created.ok()) {
    std::fprintf(stderr, "create: %s\n", std::string(created.status().message()).c_str());
    return 1;
  }
  Round(plain.server->port(), created->name(), clients, 1);  // warm up both
  Round(logged.server->port(), created->name(), clients, 1);
  const int64_t writes_before = log.writes(), entries_before = log.entries_written();
  std::vector<double> without, with;
  for (int r = 0; r < rounds; ++r) {
    without.push_back(Round(plain.server->port(), created->name(), clients, seconds));
    with.push_back(Round(logged.server->port(), created->name(), clients, seconds));
    std::printf("round %d: without the log %.0f calls/s, with it %.0f calls/s\n", r + 1,
                without.back(), with.back());
  }
  const double entries = static_cast<double>(log.entries_written() - entries_before);
  const double writes = static_cast<double>(log.writes() - writes_before);
  std::printf(
      "GetPlan, %d clients, median of %d rounds of %.0f s: without the log %.0f "
      "calls/s, with it %.0f calls/s: ratio %.2f; %.1f reads' entries per commit\n",
      clients, rounds, seconds, Median(without), Median(with), Median(with) / Median(without),
      writes > 0 ? entries / writes : 0.0);
  plain.server->Shutdown(absl::Seconds(1));
  logged.server->Shutdown(absl::Seconds(1));
  return 0;
}
