// The suite's invariants, checked against a database after a run (tests/faults/): the
// outboxes of the plan, consent and meeting services are the source of truth, and every
// other thing the suite keeps must agree with them.
//   suite_invariants --conninfo "host=… dbname=…" --policies_dir DIR --writes FILE
// FILE has one JSON object per answered write: {"service", "method", "request_id",
// "plan" (its name), "events": [the outbox event types it must have left]}. Prints each
// broken invariant on a line of its own and exits 1 when there is any, 0 otherwise.
//
//  1. Every answered write is present once: its request id is in its service's request
//     log, and each plan's events of each type are exactly those the answered writes
//     (and the lifecycle's closures they caused) account for: none lost, none twice.
//  2. Every event is applied by every consumer: each consumer's cursor is at its source's
//     last event, every event is numbered; the lifecycle holds exactly one fact for each
//     event that tells it something, and nothing else.
//  3. Each timeline is the fold of its plan's facts in time order (Fold of the facts made
//     from the outboxes, not of the facts the lifecycle stored).
//  4. No deadline is breached or met twice: one lifecycle event per deadline breached or
//     met, matching the deadlines' states; a closure asked for and performed once.
//  5. The compliance report of the stored timelines equals the report recounted from the
//     folds.
//  6. Every access projection (per service schema) equals the latest parties, the latest
//     coverage and the invitations of the outboxes.
//  7. The access-log chain of every schema verifies, with nothing left unchained.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/access_log.h"
#include "common/db.h"
#include "common/plan_access.h"
#include "nlohmann/json.hpp"
#include "pqxx/pqxx"
#include "services/lifecycle/lifecycle_store.h"
#include "services/lifecycle/policy.h"
#include "services/lifecycle/report.h"
#include "services/lifecycle/timeline.h"

ABSL_FLAG(std::string, conninfo, "", "the database (libpq key=value), as a superuser");
ABSL_FLAG(std::string, policies_dir, "", "the lifecycle's region policies");
ABSL_FLAG(std::string, writes, "", "the answered writes, one JSON object a line");

namespace sip::faults {
namespace {

using lifecycle::Fact;
using lifecycle::Timeline;

int broken = 0;

void Broken(const std::string& what) {
  ++broken;
  if (broken <= 200) std::cout << "BROKEN: " << what << "\n";
}

struct Event {
  int64_t position = 0;
  absl::Time time;
  std::string plan_id;
  std::string type;
  std::string payload;
};

// Every event of a schema's outbox in position order; an unnumbered one is broken when
// the outbox has consumers (no consumer has read it). The lifecycle's has none in the
// suite: its events come in the order they were written.
std::vector<Event> Outbox(pqxx::connection& conn, const std::string& schema, bool read) {
  pqxx::nontransaction txn(conn);
  const pqxx::result rows = txn.exec(absl::StrCat(
      "SELECT coalesce(position, 0), ", db::MicrosOf("event_time"),
      ", plan_id, event_type, encode(payload, 'hex') FROM ", schema, ".outbox ORDER BY ",
      read ? "position NULLS FIRST" : "seq"));
  std::vector<Event> out;
  for (const auto& row : rows) {
    Event e;
    e.position = row[0].as<int64_t>();
    e.time = absl::FromUnixMicros(row[1].as<int64_t>());
    e.plan_id = row[2].as<std::string>();
    e.type = row[3].as<std::string>();
    e.payload = absl::HexStringToBytes(row[4].as<std::string>());
    if (read && e.position == 0) Broken(absl::StrCat(schema, ": an event of ", e.plan_id,
                                             " was never numbered (never read)"));
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::vector<std::string>> Rows(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction txn(conn);
  std::vector<std::vector<std::string>> out;
  for (const auto& row : txn.exec(sql)) {
    std::vector<std::string> fields;
    for (const auto& field : row) fields.push_back(field.is_null() ? "" : field.c_str());
    out.push_back(std::move(fields));
  }
  return out;
}

std::string PlanIdOf(const std::string& name) { return authz::PlanIdOf(name); }

// 1. Answered writes.
void CheckWrites(pqxx::connection& conn, const std::string& writes_file,
                 const std::map<std::string, std::vector<Event>>& outboxes) {
  std::ifstream in(writes_file);
  if (!in) {
    Broken("the answered writes file cannot be read: " + writes_file);
    return;
  }
  // (service, plan, type) → how many the answered writes account for.
  std::map<std::tuple<std::string, std::string, std::string>, int> expected;
  std::set<std::string> plans;
  std::string line;
  int writes = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json w = nlohmann::json::parse(line);
    const std::string service = w.at("service");
    const std::string plan = PlanIdOf(w.at("plan"));
    plans.insert(plan);
    for (const auto& type : w.at("events")) ++expected[{service, plan, type}];
    const std::string request_id = w.value("request_id", "");
    if (request_id.empty()) continue;
    ++writes;
    pqxx::nontransaction txn(conn);
    const int found = txn.exec(absl::StrCat("SELECT count(*) FROM ", service,
                                            ".request_log WHERE request_id = ",
                                            txn.quote(request_id)))[0][0].as<int>();
    if (found != 1) {
      Broken(absl::StrCat(service, " ", w.at("method").get<std::string>(), " ", request_id,
                          " (answered) is in the request log ", found, " times"));
    }
  }
  std::map<std::tuple<std::string, std::string, std::string>, int> actual;
  for (const auto& [service, events] : outboxes) {
    if (service == "lifecycle") continue;
    for (const Event& e : events) {
      if (plans.count(e.plan_id)) ++actual[{service, e.plan_id, e.type}];
    }
  }
  std::set<std::tuple<std::string, std::string, std::string>> keys;
  for (const auto& [k, n] : expected) keys.insert(k);
  for (const auto& [k, n] : actual) keys.insert(k);
  for (const auto& k : keys) {
    const int want = expected.count(k) ? expected.at(k) : 0;
    const int got = actual.count(k) ? actual.at(k) : 0;
    if (want != got) {
      Broken(absl::StrCat(std::get<0>(k), " outbox: plan ", std::get<1>(k), " has ", got, " ",
                          std::get<2>(k), " events; the answered writes account for ", want));
    }
  }
  std::cout << "writes: " << writes << " answered writes of " << plans.size() << " plans\n";
}

// 2a. Consumers at the end of their sources.
void CheckCursors(pqxx::connection& conn,
                  const std::map<std::string, std::vector<Event>>& outboxes) {
  const std::map<std::string, std::vector<std::string>> sources = {
      {"consent", {"plan"}},
      {"plan", {"consent", "meeting"}},
      {"meeting", {"plan", "consent"}},
      {"lifecycle", {"plan", "consent", "meeting"}}};
  for (const auto& [consumer, from] : sources) {
    for (const std::string& source : from) {
      const auto& events = outboxes.at(source);
      const int64_t last = events.empty() ? 0 : events.back().position;
      const auto rows = Rows(conn, absl::StrCat("SELECT last_sequence FROM ", consumer,
                                                ".event_cursors WHERE source = '", source, "'"));
      const int64_t cursor = rows.empty() ? 0 : std::stoll(rows[0][0]);
      if (cursor != last) {
        Broken(absl::StrCat(consumer, " read ", source, "'s events to ", cursor, " of ", last));
      }
    }
  }
}

template <typename Message>
std::optional<Fact> FactOfEvent(const Event& e) {
  Message m;
  if (!m.ParseFromString(e.payload)) {
    Broken(absl::StrCat("an event of ", e.plan_id, " (", e.type, ") is unreadable"));
    return std::nullopt;
  }
  // As ListEvents serves it: the outbox's sequence and time.
  m.set_sequence(e.position);
  const int64_t micros = absl::ToUnixMicros(e.time);
  m.mutable_event_time()->set_seconds(micros / 1000000);
  m.mutable_event_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return lifecycle::FactOf(m);
}

std::string Describe(const Timeline& t) {
  std::string out = lifecycle::TimelineToJson(t);
  for (const auto& d : t.deadlines) {
    auto at = [](const std::optional<absl::Time>& x) {
      return x ? absl::FormatTime(*x) : std::string("-");
    };
    absl::StrAppend(&out, "\n  ", lifecycle::RuleName(d.rule), " ", static_cast<int>(d.state),
                    " open ", absl::FormatTime(d.open_time), " due ", absl::FormatTime(d.due_time),
                    " met ", at(d.met_time), " breached ", at(d.breach_time), " cancelled ",
                    at(d.cancel_time), " ", d.responsible_unit_hsa_id, " ", d.region_code, " ",
                    d.policy_version, " ", d.opened_by, " ", d.by_agreement);
  }
  return out;
}

// 2b–5. The lifecycle against the outboxes.
void CheckLifecycle(pqxx::connection& conn, const std::string& conninfo,
                    const lifecycle::Policies& policies,
                    const std::map<std::string, std::vector<Event>>& outboxes) {
  std::map<std::string, std::vector<Fact>> facts;  // by plan, from the outboxes
  for (const Event& e : outboxes.at("plan")) {
    if (auto f = FactOfEvent<sip::plan::v1::PlanEvent>(e)) facts[f->plan_id].push_back(*f);
  }
  for (const Event& e : outboxes.at("consent")) {
    if (auto f = FactOfEvent<sip::consent::v1::ConsentEvent>(e)) facts[f->plan_id].push_back(*f);
  }
  for (const Event& e : outboxes.at("meeting")) {
    if (auto f = FactOfEvent<sip::meeting::v1::MeetingEvent>(e)) facts[f->plan_id].push_back(*f);
  }
  auto pool = db::Pool::Create({conninfo, "lifecycle", 2, absl::Seconds(30),
                                lifecycle::LifecycleStore::Statements()});
  if (!pool.ok()) {
    Broken(absl::StrCat("no pool on the lifecycle schema: ", pool.status().ToString()));
    return;
  }
  lifecycle::LifecycleStore store(pool->get());
  const absl::Time now = absl::Now();
  std::vector<Timeline> folded;
  int deadlines = 0;
  // Stored facts by source, for the plans the outboxes know and any other.
  std::map<std::string, std::set<std::string>> stored_sources;
  for (const auto& row : Rows(conn, "SELECT plan_id, source FROM lifecycle.timeline_facts")) {
    stored_sources[row[0]].insert(row[1]);
  }
  for (auto& [plan, plan_facts] : facts) {
    std::set<std::string> want;
    for (const Fact& f : plan_facts) want.insert(f.source);
    std::set<std::string> have = stored_sources[plan];
    stored_sources.erase(plan);
    if (want != have) {
      std::vector<std::string> missing, extra;
      std::set_difference(want.begin(), want.end(), have.begin(), have.end(),
                          std::back_inserter(missing));
      std::set_difference(have.begin(), have.end(), want.begin(), want.end(),
                          std::back_inserter(extra));
      Broken(absl::StrCat("lifecycle facts of ", plan, ": missing [",
                          absl::StrJoin(missing, " "), "], not from any event [",
                          absl::StrJoin(extra, " "), "]"));
    }
    Timeline expected = lifecycle::Fold(plan, plan_facts, now, policies);
    absl::StatusOr<std::optional<Timeline>> stored = store.Get(plan);
    if (!stored.ok() || !*stored) {
      Broken(absl::StrCat("the timeline of ", plan, " is missing"));
      continue;
    }
    const std::string want_text = Describe(expected), have_text = Describe(**stored);
    if (want_text != have_text) {
      Broken(absl::StrCat("the timeline of ", plan, " is not the fold of its facts:\n want ",
                          want_text, "\n have ", have_text));
    }
    deadlines += static_cast<int>(expected.deadlines.size());
    folded.push_back(std::move(expected));
  }
  for (const auto& [plan, sources] : stored_sources) {
    Broken(absl::StrCat("lifecycle has facts of ", plan, ", which no event names"));
  }

  // 4. One event per deadline breached or met; closures once.
  std::map<std::string, int> breached, met, asked, performed;  // by deadline / plan
  for (const Event& e : outboxes.at("lifecycle")) {
    lifecycle::pb::LifecycleEvent event;
    if (!event.ParseFromString(e.payload)) {
      Broken("a lifecycle event is unreadable");
      continue;
    }
    if (event.has_deadline_breached()) ++breached[event.deadline_breached().deadline()];
    if (event.has_deadline_met()) ++met[event.deadline_met().deadline()];
    if (event.has_plan_closure_requested()) ++asked[e.plan_id];
    if (event.has_plan_closure_performed()) ++performed[e.plan_id];
  }
  for (const auto* counts : {&breached, &met, &asked, &performed}) {
    for (const auto& [what, n] : *counts) {
      if (n != 1) Broken(absl::StrCat(what, ": ", n, " lifecycle events of one kind, not 1"));
    }
  }
  std::map<std::string, int> breached_by_plan, met_by_plan, stored_breached, stored_met;
  for (const auto& [name, n] : breached) breached_by_plan[authz::PlanIdOf(name)] += n;
  for (const auto& [name, n] : met) met_by_plan[authz::PlanIdOf(name)] += n;
  int breaches = 0, mets = 0;
  for (const Timeline& t : folded) {
    for (const auto& d : t.deadlines) {
      if (d.breach_time) ++stored_breached[t.plan_id], ++breaches;
      if (d.met_time) ++stored_met[t.plan_id], ++mets;
    }
    if (breached_by_plan[t.plan_id] != stored_breached[t.plan_id] ||
        met_by_plan[t.plan_id] != stored_met[t.plan_id]) {
      Broken(absl::StrCat(t.plan_id, ": ", breached_by_plan[t.plan_id], " breach and ",
                          met_by_plan[t.plan_id], " met events for ", stored_breached[t.plan_id],
                          " breached and ", stored_met[t.plan_id], " met deadlines"));
    }
    if (t.closure_requested != (asked[t.plan_id] == 1)) {
      Broken(absl::StrCat(t.plan_id, ": closure requested ", t.closure_requested, " with ",
                          asked[t.plan_id], " request events"));
    }
    if (performed[t.plan_id] > asked[t.plan_id]) {
      Broken(absl::StrCat(t.plan_id, ": a closure performed that was not asked for"));
    }
  }

  // 5. The report from the stored timelines, and recounted from the folds.
  absl::StatusOr<std::vector<Timeline>> all = store.TimelinesOf("", "", "");
  if (!all.ok()) {
    Broken("the stored timelines cannot be read: " + all.status().ToString());
    return;
  }
  const absl::TimeZone sweden = [] {
    absl::TimeZone tz;
    absl::LoadTimeZone("Europe/Stockholm", &tz);
    return tz;
  }();
  const absl::CivilDay today = absl::ToCivilDay(now, sweden);
  const auto stored_report = lifecycle::ComplianceReport(*all, today - 400, today + 400, "all");
  const auto recount = lifecycle::ComplianceReport(folded, today - 400, today + 400, "all");
  if (stored_report.SerializeAsString() != recount.SerializeAsString()) {
    Broken(absl::StrCat("the compliance report is not the recount:\n have ",
                        stored_report.ShortDebugString(), "\n want ",
                        recount.ShortDebugString()));
  }
  std::cout << "lifecycle: " << folded.size() << " timelines, " << deadlines << " deadlines ("
            << breaches << " breached, " << mets << " met), "
            << stored_report.plans_started() << " plans started in the report\n";
}

// 6. The access projections.
void CheckAccess(pqxx::connection& conn,
                 const std::map<std::string, std::vector<Event>>& outboxes) {
  std::map<std::string, std::string> parties, coverage;  // plan → description
  std::map<std::string, std::set<std::string>> invited;
  for (const Event& e : outboxes.at("plan")) {
    sip::plan::v1::PlanEvent event;
    if (!event.ParseFromString(e.payload) || !event.has_parties()) continue;
    const auto& p = event.parties();
    std::vector<std::string> units(p.participant_unit_hsa_ids().begin(),
                                   p.participant_unit_hsa_ids().end());
    parties[e.plan_id] = absl::StrCat(p.initiating_unit_hsa_id(), " ", p.coordinator_unit_hsa_id(),
                                      " [", absl::StrJoin(units, ","), "]");
  }
  for (const Event& e : outboxes.at("consent")) {
    sip::consent::v1::ConsentEvent event;
    if (!event.ParseFromString(e.payload) || !event.has_coverage()) continue;
    std::vector<std::string> units;
    for (const auto& u : event.coverage().units()) {
      units.push_back(absl::StrCat(
          u.unit_hsa_id(), "@",
          u.has_covered_until() ? absl::StrCat(u.covered_until().seconds()) : "-"));
    }
    std::sort(units.begin(), units.end());
    coverage[e.plan_id] = absl::StrJoin(units, ",");
  }
  for (const Event& e : outboxes.at("meeting")) {
    sip::meeting::v1::MeetingEvent event;
    if (!event.ParseFromString(e.payload)) continue;
    std::set<std::string>& units = invited[e.plan_id];
    if (event.has_scheduled()) {
      for (const auto& u : event.scheduled().invited_unit_hsa_ids()) units.insert(u);
    } else if (event.has_forwarded()) {
      units.insert(event.forwarded().to_unit_hsa_id());
    } else if (event.has_invitation_added()) {
      units.insert(event.invitation_added().unit_hsa_id());
    }
    units.erase("");
    if (units.empty()) invited.erase(e.plan_id);
  }
  // The consent service keeps parties and coverage; it does not follow the meetings.
  for (const std::string schema : {"consent", "plan", "meeting", "lifecycle"}) {
    std::map<std::string, std::string> have_parties, have_coverage;
    std::map<std::string, std::set<std::string>> have_invited;
    for (const auto& r : Rows(conn, absl::StrCat(
             "SELECT plan_id, initiating_unit || ' ' || coordinator_unit || ' [' || "
             "array_to_string(participant_units, ',') || ']' FROM ", schema, ".access_plans"))) {
      have_parties[r[0]] = r[1];
    }
    for (const auto& r : Rows(conn, absl::StrCat(
             "SELECT d.plan_id, coalesce(string_agg(c.unit_hsa_id || '@' || coalesce("
             "floor(extract(epoch from c.covered_until))::bigint::text, '-'), ',' "
             "ORDER BY c.unit_hsa_id), '') FROM ", schema, ".access_consented d LEFT JOIN ", schema,
             ".access_coverage c ON c.plan_id = d.plan_id GROUP BY d.plan_id"))) {
      have_coverage[r[0]] = r[1];
    }
    for (const auto& r : Rows(conn, absl::StrCat("SELECT plan_id, unit_hsa_id FROM ", schema,
                                                 ".access_invited"))) {
      have_invited[r[0]].insert(r[1]);
    }
    auto compare = [&](const char* what, const auto& want, const auto& have) {
      for (const auto& [plan, value] : want) {
        auto it = have.find(plan);
        if (it == have.end() || it->second != value) {
          Broken(absl::StrCat(schema, ".", what, " of ", plan, " is not the outbox's latest"));
        }
      }
      for (const auto& [plan, value] : have) {
        if (!want.count(plan)) Broken(absl::StrCat(schema, ".", what, " has ", plan,
                                                   ", which no event names"));
      }
    };
    compare("access_plans", parties, have_parties);
    compare("access_coverage", coverage, have_coverage);
    if (schema != "consent") compare("access_invited", invited, have_invited);
  }
  std::cout << "access: " << parties.size() << " plans' parties, " << coverage.size()
            << " coverages, " << invited.size() << " plans with invitations, in 4 schemas\n";
}

// 7. The access-log chains.
void CheckAccessLogs(const std::string& conninfo) {
  for (const std::string schema : {"consent", "plan", "meeting", "lifecycle"}) {
    auto pool = db::Pool::Create({conninfo, schema, 1, absl::Seconds(30),
                                  accesslog::Statements()});
    if (!pool.ok()) {
      Broken(absl::StrCat("no pool on ", schema, ": ", pool.status().ToString()));
      continue;
    }
    absl::StatusOr<accesslog::Verification> v = accesslog::Verify(**pool);
    if (!v.ok()) {
      Broken(absl::StrCat(schema, " access log: ", v.status().ToString()));
      continue;
    }
    if (v->first_broken) {
      Broken(absl::StrCat(schema, " access log: the chain breaks at ", *v->first_broken));
    }
    if (v->unchained != 0) {
      Broken(absl::StrCat(schema, " access log: ", v->unchained, " entries never chained"));
    }
    std::cout << "access log " << schema << ": " << v->verified << " entries verified\n";
  }
}

int Main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string conninfo = absl::GetFlag(FLAGS_conninfo);
  auto policies = lifecycle::Policies::LoadDirectory(absl::GetFlag(FLAGS_policies_dir));
  if (conninfo.empty() || !policies.ok()) {
    std::cerr << "usage: suite_invariants --conninfo … --policies_dir DIR --writes FILE\n";
    return 2;
  }
  pqxx::connection conn(conninfo);
  std::map<std::string, std::vector<Event>> outboxes;
  for (const std::string schema : {"consent", "plan", "meeting", "lifecycle"}) {
    outboxes[schema] = Outbox(conn, schema, schema != "lifecycle");
    std::cout << "outbox " << schema << ": " << outboxes[schema].size() << " events\n";
  }
  CheckWrites(conn, absl::GetFlag(FLAGS_writes), outboxes);
  CheckCursors(conn, outboxes);
  CheckLifecycle(conn, conninfo, *policies, outboxes);
  CheckAccess(conn, outboxes);
  CheckAccessLogs(conninfo);
  if (broken > 0) {
    std::cout << broken << " invariants broken\n";
    return 1;
  }
  std::cout << "every invariant holds\n";
  return 0;
}

}  // namespace
}  // namespace sip::faults

int main(int argc, char** argv) { return sip::faults::Main(argc, argv); }
