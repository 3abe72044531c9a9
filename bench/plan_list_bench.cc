// Times PlanStore::List — the exact SQL the service runs — on a database seeded with
// many plans, for each kind of filter, first and later pages.
//   plan_list_bench "host=127.0.0.1 port=5432 user=postgres dbname=bench" [plans]
// Seeds the `plan` schema of that database (dropping an earlier one) with synthetic
// plans: each with 3 of 2,000 units (2 of them responsible), an individual with about
// 1.2 plans, spread over the three states.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/db.h"
#include "common/migrations.h"
#include "pqxx/pqxx"
#include "services/plan/plan_store.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: plan_list_bench CONNINFO [plans]\n");
    return 2;
  }
  const std::string conninfo = argv[1];
  int plans = 1000000;
  if (argc > 2 && !absl::SimpleAtoi(argv[2], &plans)) return 2;
  {
    pqxx::connection conn(conninfo);
    pqxx::nontransaction txn(conn);
    txn.exec("DROP SCHEMA IF EXISTS plan CASCADE");
  }
  if (auto s = sip::db::ApplyMigrations(conninfo, "plan", sip::plan::Migrations()); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  }
  const auto seed_start = std::chrono::steady_clock::now();
  {
    pqxx::connection conn(conninfo);
    pqxx::work txn(conn);
    txn.exec("SET search_path TO plan");
    txn.exec(absl::StrCat(
        "INSERT INTO plans (plan_id, state, personal_identity_number, create_time, "
        "update_time, version, body) SELECT 'p' || g, (ARRAY['INITIATED','ACTIVE','CLOSED'])"
        "[1 + g % 3], lpad(((g * 5) / 6)::text, 12, '1'), timestamptz '2026-01-01' + g * "
        "interval '1 second', timestamptz '2026-01-01' + g * interval '1 second', 1, "
        "jsonb_build_object('name', 'plans/p' || g) FROM generate_series(1, ",
        plans, ") g"));
    for (int k : {1, 7, 13}) {
      txn.exec(absl::StrCat(
          "INSERT INTO plan_units (plan_id, hsa_id, responsible, update_time) SELECT 'p' || g, "
          "'SE2321000131-U' || ((g * ", k, ") % 2000), ", k == 13 ? "false" : "true",
          ", timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, ",
          plans, ") g ON CONFLICT DO NOTHING"));
    }
    txn.exec("ANALYZE plans");
    txn.exec("ANALYZE plan_units");
    txn.commit();
  }
  std::printf("seeded %d plans in %.1f s\n", plans,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_start).count());

  auto pool = sip::db::Pool::Create({conninfo, "plan", 2, absl::Seconds(5),
                                     sip::plan::PlanStore::Statements()});
  if (!pool.ok()) return 1;
  sip::plan::PlanStore store(pool->get());

  struct Case {
    const char* name;
    sip::plan::PlanFilter filter;
  };
  std::vector<Case> cases(6);
  cases[0] = {"participant unit", {}};
  cases[0].filter.participant_unit_hsa_id = "SE2321000131-U17";
  cases[1] = {"responsible unit", {}};
  cases[1].filter.responsible_unit_hsa_id = "SE2321000131-U17";
  cases[2] = {"individual", {}};
  cases[2].filter.personal_identity_number = absl::StrCat(std::string(6, '1'), "416666");
  cases[3] = {"state ACTIVE", {}};
  cases[3].filter.state = "ACTIVE";
  cases[4] = {"participant unit + state", {}};
  cases[4].filter.participant_unit_hsa_id = "SE2321000131-U17";
  cases[4].filter.state = "CLOSED";
  cases[5] = {"participant + responsible", {}};
  cases[5].filter.participant_unit_hsa_id = "SE2321000131-U17";
  cases[5].filter.responsible_unit_hsa_id = "SE2321000131-U17";

  std::printf("%-28s %8s %12s %12s\n", "ListPlans filter", "rows", "page 1 ms", "page 5 ms");
  for (const Case& c : cases) {
    std::vector<double> first, fifth;
    size_t rows = 0;
    for (int run = 0; run < 21; ++run) {
      std::optional<sip::PageCursor> cursor;
      for (int page = 1; page <= 5; ++page) {
        const auto start = std::chrono::steady_clock::now();
        auto result = store.List(c.filter, 50, cursor);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (!result.ok()) {
          std::fprintf(stderr, "%s: %s\n", c.name, std::string(result.status().message()).c_str());
          return 1;
        }
        if (page == 1) {
          first.push_back(ms);
          rows = result->plans.size();
        }
        if (page == 5) fifth.push_back(ms);
        cursor = result->next;
        if (!cursor) break;
      }
    }
    std::printf("%-28s %8zu %12.2f %12s\n", c.name, rows, Median(first),
                fifth.empty() ? "-" : absl::StrCat(Median(fifth)).substr(0, 5).c_str());
  }
  return 0;
}
