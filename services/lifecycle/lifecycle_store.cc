#include "services/lifecycle/lifecycle_store.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/plan_access.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace sip::lifecycle {
namespace {

using nlohmann::json;
namespace cpb = ::sip::common::v1;

// Times in stored JSON: microseconds since the epoch; absent when unset.
void PutTime(json& j, const char* key, const std::optional<absl::Time>& t) {
  if (t) j[key] = absl::ToUnixMicros(*t);
}
std::optional<absl::Time> GetTime(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return absl::FromUnixMicros(j[key].get<int64_t>());
}

const char* StateName(DeadlineState s) {
  switch (s) {
    case DeadlineState::kMet: return "MET";
    case DeadlineState::kBreached: return "BREACHED";
    case DeadlineState::kCancelled: return "CANCELLED";
    default: return "PENDING";
  }
}
DeadlineState StateOf(const std::string& s) {
  if (s == "MET") return DeadlineState::kMet;
  if (s == "BREACHED") return DeadlineState::kBreached;
  if (s == "CANCELLED") return DeadlineState::kCancelled;
  return DeadlineState::kPending;
}

// The outbox type of a lifecycle event.
std::string EventType(const pb::LifecycleEvent& e) {
  switch (e.payload_case()) {
    case pb::LifecycleEvent::kDeadlineBreached: return "lifecycle.deadline_breached";
    case pb::LifecycleEvent::kDeadlineMet: return "lifecycle.deadline_met";
    case pb::LifecycleEvent::kPlanForfeited: return "lifecycle.plan_forfeited";
    case pb::LifecycleEvent::kPlanClosureRequested: return "lifecycle.plan_closure_requested";
    case pb::LifecycleEvent::kPlanClosurePerformed: return "lifecycle.plan_closure_performed";
    default: return "lifecycle.changed";
  }
}

std::string SqlTimeOrEmpty(const std::optional<absl::Time>& t) {
  return t ? db::ToSqlTime(*t) : "";
}


Deadline DeadlineFromJson(const json& d) {
  Deadline out;
  pb::DeadlineRule rule = pb::DEADLINE_RULE_UNSPECIFIED;
  pb::DeadlineRule_Parse(d["rule"].get<std::string>(), &rule);
  out.rule = rule;
  out.state = StateOf(d["state"].get<std::string>());
  out.open_time = *GetTime(d, "open");
  out.due_time = *GetTime(d, "due");
  out.met_time = GetTime(d, "met");
  out.breach_time = GetTime(d, "breach");
  out.cancel_time = GetTime(d, "cancel");
  out.responsible_unit_hsa_id = d["unit"].get<std::string>();
  out.region_code = d["region"].get<std::string>();
  out.policy_version = d["version"].get<std::string>();
  out.opened_by = d["by"].get<std::string>();
  out.by_agreement = d.value("agreed", false);
  out.agreement_reason = d.value("agreement", "");
  return out;
}

// One deadline row as the JSON object DeadlinesJson() builds.
constexpr char kDeadlineObject[] =
    "jsonb_build_object('rule', d.rule, 'state', d.state, "
    "'open', (extract(epoch from d.open_time) * 1000000)::bigint, "
    "'due', (extract(epoch from d.due_time) * 1000000)::bigint, "
    "'met', (extract(epoch from d.met_time) * 1000000)::bigint, "
    "'breach', (extract(epoch from d.breach_time) * 1000000)::bigint, "
    "'cancel', (extract(epoch from d.cancel_time) * 1000000)::bigint, "
    "'unit', d.responsible_unit_hsa_id, 'region', d.region_code, "
    "'version', d.policy_version, 'by', d.opened_by, 'agreed', d.by_agreement, "
    "'agreement', d.agreement_reason)";

// The deadlines of a plan as one JSON array column, in their order.
std::string DeadlinesJson() {
  return absl::StrCat("coalesce((SELECT jsonb_agg(", kDeadlineObject,
                      " ORDER BY d.deadline_no) FROM deadlines d WHERE d.plan_id = t.plan_id), "
                      "'[]'::jsonb)::text");
}

absl::StatusOr<Timeline> FromRow(const pqxx::row& row) {
  SIP_ASSIGN_OR_RETURN(Timeline t, TimelineFromJson(row[0].as<std::string>()));
  const json deadlines = json::parse(row[1].as<std::string>(), nullptr, false);
  if (deadlines.is_discarded()) return absl::InternalError("stored deadlines are unreadable");
  for (const json& d : deadlines) t.deadlines.push_back(DeadlineFromJson(d));
  return t;
}

// Writes the timeline, every deadline (new ones inserted, changed ones updated) and a
// closure request, in one statement; then the events.
void Write(pqxx::work& txn, const Timeline& t, int64_t version, absl::Time now,
           const Effects& effects, const Fact* fact = nullptr) {
  std::vector<std::string> nos, rules, states, opens, dues, mets, breaches, cancels, units,
      regions, versions, bys, agreed, agreements;
  for (size_t i = 0; i < t.deadlines.size(); ++i) {
    const Deadline& d = t.deadlines[i];
    nos.push_back(std::to_string(i));
    rules.push_back(pb::DeadlineRule_Name(d.rule));
    states.push_back(StateName(d.state));
    opens.push_back(db::ToSqlTime(d.open_time));
    dues.push_back(db::ToSqlTime(d.due_time));
    mets.push_back(SqlTimeOrEmpty(d.met_time));
    breaches.push_back(SqlTimeOrEmpty(d.breach_time));
    cancels.push_back(SqlTimeOrEmpty(d.cancel_time));
    units.push_back(d.responsible_unit_hsa_id);
    regions.push_back(d.region_code);
    versions.push_back(d.policy_version);
    bys.push_back(d.opened_by);
    agreed.push_back(d.by_agreement ? "true" : "false");
    agreements.push_back(d.agreement_reason);
  }
  const std::string cause =
      effects.close ? pb::ClosureCause_Name(*effects.close) : std::string();
  db::Exec0(txn, "timeline_write", t.plan_id, t.region_code,
                     cpb::PlanState_Name(t.plan_state), version, db::ToSqlTime(now),
                     TimelineToJson(t), db::ToSqlArray(nos), db::ToSqlArray(rules),
                     db::ToSqlArray(states), db::ToSqlArray(opens), db::ToSqlArray(dues),
                     db::ToSqlArray(mets), db::ToSqlArray(breaches), db::ToSqlArray(cancels),
                     db::ToSqlArray(units), db::ToSqlArray(regions), db::ToSqlArray(versions),
                     db::ToSqlArray(bys), cause, db::ToSqlArray(agreed),
                     db::ToSqlArray(agreements), fact ? fact->source : std::string(),
                     db::ToSqlTime(fact ? fact->time : now),
                     fact ? FactToJson(*fact) : std::string("{}"));
  for (const pb::LifecycleEvent& e : effects.events) {
    db::AppendEvent(txn, now, t.plan_id, EventType(e), e.SerializeAsString());
  }
}

}  // namespace

namespace {

// The stored names of the fact kinds: never renamed, so stored facts stay readable.
constexpr std::pair<Fact::Kind, const char*> kKindNames[] = {
    {Fact::Kind::kInitiated, "initiated"},
    {Fact::Kind::kContentUpdated, "content_updated"},
    {Fact::Kind::kEstablished, "established"},
    {Fact::Kind::kRevised, "revised"},
    {Fact::Kind::kFollowUpRecorded, "follow_up_recorded"},
    {Fact::Kind::kCircumstancesChanged, "circumstances_changed"},
    {Fact::Kind::kClosed, "closed"},
    {Fact::Kind::kConsentRecorded, "consent_recorded"},
    {Fact::Kind::kConsentRefused, "consent_refused"},
    {Fact::Kind::kConsentWithdrawn, "consent_withdrawn"},
    {Fact::Kind::kMeetingScheduled, "meeting_scheduled"},
    {Fact::Kind::kMeetingHeld, "meeting_held"},
    {Fact::Kind::kMeetingCancelled, "meeting_cancelled"},
    {Fact::Kind::kLaterMeetingAgreed, "later_meeting_agreed"},
};

void PutDay(json& j, const char* key, const std::optional<absl::CivilDay>& day) {
  if (day) j[key] = absl::FormatCivilTime(*day);
}
std::optional<absl::CivilDay> GetDay(const json& j, const char* key) {
  absl::CivilDay day;
  if (!j.contains(key) || !j[key].is_string() ||
      !absl::ParseCivilTime(j[key].get<std::string>(), &day)) {
    return std::nullopt;
  }
  return day;
}

}  // namespace

std::string FactToJson(const Fact& f) {
  json j;
  for (const auto& [kind, name] : kKindNames) {
    if (kind == f.kind) j["kind"] = name;
  }
  j["plan_id"] = f.plan_id;
  j["time"] = absl::ToUnixMicros(f.time);
  j["source"] = f.source;
  j["actor_unit"] = f.actor_unit_hsa_id;
  PutTime(j, "need_noticed", f.need_noticed_time);
  PutTime(j, "discharged", f.discharge_time);
  j["region_code"] = f.region_code;
  j["municipality_code"] = f.municipality_code;
  j["unit"] = f.unit_hsa_id;
  j["meeting_kind"] = sip::meeting::v1::MeetingKind_Name(f.meeting_kind);
  PutDay(j, "next_follow_up", f.next_follow_up_date);
  j["circumstance"] = sip::plan::v1::CircumstanceKind_Name(f.circumstance);
  PutDay(j, "agreed_day", f.agreed_day);
  j["reason"] = f.reason;
  return j.dump();
}

absl::StatusOr<Fact> FactFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("kind") || !j.contains("time")) {
    return absl::InternalError("a stored fact is unreadable");
  }
  Fact f;
  bool known = false;
  for (const auto& [kind, name] : kKindNames) {
    if (j["kind"] == name) {
      f.kind = kind;
      known = true;
    }
  }
  if (!known) return absl::InternalError("a stored fact is of an unknown kind");
  f.plan_id = j.value("plan_id", "");
  f.time = absl::FromUnixMicros(j["time"].get<int64_t>());
  f.source = j.value("source", "");
  f.actor_unit_hsa_id = j.value("actor_unit", "");
  f.need_noticed_time = GetTime(j, "need_noticed");
  f.discharge_time = GetTime(j, "discharged");
  f.region_code = j.value("region_code", "");
  f.municipality_code = j.value("municipality_code", "");
  f.unit_hsa_id = j.value("unit", "");
  sip::meeting::v1::MeetingKind_Parse(j.value("meeting_kind", ""), &f.meeting_kind);
  f.next_follow_up_date = GetDay(j, "next_follow_up");
  sip::plan::v1::CircumstanceKind_Parse(j.value("circumstance", ""), &f.circumstance);
  f.agreed_day = GetDay(j, "agreed_day");
  f.reason = j.value("reason", "");
  return f;
}

std::string TimelineToJson(const Timeline& t) {
  json j;
  j["plan_id"] = t.plan_id;
  j["region_code"] = t.region_code;
  j["municipality_code"] = t.municipality_code;
  j["plan_state"] = static_cast<int>(t.plan_state);
  j["initiating_unit"] = t.initiating_unit_hsa_id;
  j["coordinator_unit"] = t.coordinator_unit_hsa_id;
  j["care_contact_unit"] = t.designated_care_contact_unit_hsa_id;
  PutTime(j, "need_noticed", t.need_noticed_time);
  PutTime(j, "initiated", t.initiate_time);
  PutTime(j, "discharged", t.discharge_time);
  PutTime(j, "first_meeting", t.first_meeting_time);
  PutTime(j, "established", t.establish_time);
  PutTime(j, "last_follow_up", t.last_follow_up_time);
  PutTime(j, "last_activity", t.last_activity_time);
  PutTime(j, "closed", t.close_time);
  j["forfeited"] = t.forfeited;
  j["closure_requested"] = t.closure_requested;
  j["closure_cause"] = pb::ClosureCause_Name(t.closure_cause);
  json entries = json::array();
  for (const Entry& e : t.entries) {
    entries.push_back({{"time", absl::ToUnixMicros(e.time)}, {"what", e.what}, {"source", e.source}});
  }
  j["entries"] = std::move(entries);
  return j.dump();
}

absl::StatusOr<Timeline> TimelineFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::InternalError("a stored timeline is unreadable");
  Timeline t;
  t.plan_id = j.value("plan_id", "");
  t.region_code = j.value("region_code", "");
  t.municipality_code = j.value("municipality_code", "");
  t.plan_state = static_cast<cpb::PlanState>(j.value("plan_state", 0));
  t.initiating_unit_hsa_id = j.value("initiating_unit", "");
  t.coordinator_unit_hsa_id = j.value("coordinator_unit", "");
  t.designated_care_contact_unit_hsa_id = j.value("care_contact_unit", "");
  t.need_noticed_time = GetTime(j, "need_noticed");
  t.initiate_time = GetTime(j, "initiated");
  t.discharge_time = GetTime(j, "discharged");
  t.first_meeting_time = GetTime(j, "first_meeting");
  t.establish_time = GetTime(j, "established");
  t.last_follow_up_time = GetTime(j, "last_follow_up");
  t.last_activity_time = GetTime(j, "last_activity");
  t.close_time = GetTime(j, "closed");
  t.forfeited = j.value("forfeited", false);
  t.closure_requested = j.value("closure_requested", false);
  pb::ClosureCause_Parse(j.value("closure_cause", ""), &t.closure_cause);
  if (j.contains("entries")) {
    for (const json& e : j["entries"]) {
      t.entries.push_back({absl::FromUnixMicros(e["time"].get<int64_t>()),
                           e["what"].get<std::string>(), e["source"].get<std::string>()});
    }
  }
  return t;
}

std::vector<db::PreparedStatement> LifecycleStore::Statements() {
  return {
      {"timeline_get",
       absl::StrCat("SELECT t.body::text, ", DeadlinesJson(), ", t.version FROM timelines t "
                    "WHERE t.plan_id = $1")},
      // Locks come first, reads after: a statement that waited for a lock reads the
      // locked row anew but its sub-selects (the deadlines) as they were when it began,
      // so the timeline is read by a statement of its own once the lock is held.
      {"timeline_lock", "SELECT 1 FROM timelines WHERE plan_id = $1 FOR UPDATE"},
      // The row made when the plan is new, and locked either way, in one statement: two
      // consumers with the first facts of one plan queue here (SELECT … FOR UPDATE locks
      // nothing while the row does not exist). The version: 0 for the row just made.
      {"timeline_claim",
       "INSERT INTO timelines (plan_id, region_code, plan_state, version, update_time, body) "
       "VALUES ($1, '', 'PLAN_STATE_UNSPECIFIED', 1, $2::timestamptz, '{}'::jsonb) "
       "ON CONFLICT (plan_id) DO UPDATE SET version = timelines.version "
       "RETURNING CASE WHEN xmax = 0 THEN 0 ELSE version END"},
      // The locked timeline with its deadlines and all of its facts.
      {"timeline_with_facts",
       absl::StrCat("SELECT t.body::text, ", DeadlinesJson(), ", t.version, "
                    "coalesce((SELECT jsonb_agg(f.body) FROM timeline_facts f "
                    "WHERE f.plan_id = t.plan_id), '[]'::jsonb)::text "
                    "FROM timelines t WHERE t.plan_id = $1")},
      {"facts_of", "SELECT body::text FROM timeline_facts WHERE plan_id = $1"},
      // The sweeper's batch: plans with a pending deadline due, locked unless another
      // sweeper holds them.
      {"timeline_lock_due",
       "SELECT t.plan_id FROM timelines t WHERE t.plan_id IN (SELECT d.plan_id FROM "
       "deadlines d WHERE d.state = 'PENDING' AND d.due_time <= $1::timestamptz ORDER BY "
       "d.due_time LIMIT $2) FOR UPDATE OF t SKIP LOCKED"},
      {"timeline_write",
       "WITH t AS (INSERT INTO timelines (plan_id, region_code, plan_state, version, "
       "update_time, body) VALUES ($1, $2, $3, $4, $5::timestamptz, $6::jsonb) "
       "ON CONFLICT (plan_id) DO UPDATE SET region_code = EXCLUDED.region_code, "
       "plan_state = EXCLUDED.plan_state, version = EXCLUDED.version, "
       "update_time = EXCLUDED.update_time, body = EXCLUDED.body), "
       "d AS (INSERT INTO deadlines (plan_id, deadline_no, rule, state, open_time, due_time, "
       "met_time, breach_time, cancel_time, responsible_unit_hsa_id, region_code, "
       "policy_version, opened_by, by_agreement, agreement_reason) SELECT $1, "
       "x.no::integer, x.rule, x.state, "
       "x.open::timestamptz, x.due::timestamptz, NULLIF(x.met, '')::timestamptz, "
       "NULLIF(x.breach, '')::timestamptz, NULLIF(x.cancel, '')::timestamptz, x.unit, "
       "x.region, x.version, x.by, x.agreed::boolean, x.agreement FROM unnest($7::text[], "
       "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], "
       "$14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $20::text[], "
       "$21::text[]) AS x(no, rule, state, open, due, met, breach, cancel, unit, region, "
       "version, by, agreed, agreement) "
       // A rebuilt timeline may number its deadlines anew (a fact arrived late): every
       // column follows, and numbers past the last are removed.
       "ON CONFLICT (plan_id, deadline_no) DO UPDATE SET rule = EXCLUDED.rule, "
       "state = EXCLUDED.state, open_time = EXCLUDED.open_time, "
       "due_time = EXCLUDED.due_time, met_time = EXCLUDED.met_time, "
       "breach_time = EXCLUDED.breach_time, cancel_time = EXCLUDED.cancel_time, "
       "responsible_unit_hsa_id = EXCLUDED.responsible_unit_hsa_id, "
       "region_code = EXCLUDED.region_code, policy_version = EXCLUDED.policy_version, "
       "opened_by = EXCLUDED.opened_by, "
       "by_agreement = EXCLUDED.by_agreement, agreement_reason = EXCLUDED.agreement_reason), "
       "gone AS (DELETE FROM deadlines WHERE plan_id = $1 AND "
       "deadline_no >= cardinality($7::text[])), "
       "f AS (INSERT INTO timeline_facts (plan_id, source, fact_time, body) SELECT $1, $22, "
       "$23::timestamptz, $24::jsonb WHERE $22 <> '' ON CONFLICT (plan_id, source) DO NOTHING) "
       "INSERT INTO closure_requests (plan_id, cause, request_time) "
       "SELECT $1, $19, $5::timestamptz WHERE $19 <> '' ON CONFLICT (plan_id) DO NOTHING"},
      {"timelines_of",
       absl::StrCat("SELECT t.body::text, ", DeadlinesJson(), ", t.version FROM timelines t "
                    "WHERE ($1 = '' OR t.region_code = $1) AND ($2 = '' OR "
                    "t.body->>'initiating_unit' = $2 OR t.body->>'coordinator_unit' = $2) "
                    "AND ($3 = '' OR t.body->>'municipality_code' = $3) "
                    "ORDER BY t.plan_id")},
      {"counts",
       "SELECT 'deadline', rule, state, region_code, count(*) FROM deadlines "
       "GROUP BY rule, state, region_code "
       "UNION ALL SELECT 'plan', plan_state, '', region_code, count(*) FROM timelines "
       "GROUP BY plan_state, region_code"},
      {"closures_open",
       "SELECT plan_id, cause, attempts FROM closure_requests WHERE done_time IS NULL "
       "ORDER BY request_time, plan_id LIMIT $1"},
      {"closure_mark",
       "UPDATE closure_requests SET attempts = attempts + 1, "
       "done_time = CASE WHEN $2 THEN $3::timestamptz END WHERE plan_id = $1"},
      {"deadlines_list",
       absl::StrCat("SELECT d.plan_id, d.deadline_no, ", kDeadlineObject, "::text, "
                    "(extract(epoch from d.due_time) * 1000000)::bigint FROM deadlines d "
                    "WHERE ($1 = '' OR d.responsible_unit_hsa_id = $1) AND ($2 = '' OR "
                    "d.state = $2) AND ($3 = '' OR d.rule = $3) AND ($4 = '' OR d.due_time < "
                    "NULLIF($4, '')::timestamptz) AND (d.due_time, d.plan_id, d.deadline_no) > "
                    "($5::timestamptz, $6, $7) AND ($9 = '' OR ",
                    authz::VisibleToUnitSql("d.plan_id", "$9", "$10"),
                    ") ORDER BY d.due_time, d.plan_id, d.deadline_no LIMIT $8")},
  };
}

namespace {

// The locked timeline as stored (`before`), its version and its facts.
struct Locked {
  Timeline before;
  int64_t version = 0;
  std::vector<Fact> facts;
};

absl::StatusOr<Locked> ReadLocked(pqxx::work& txn, const std::string& plan_id) {
  const pqxx::row row = db::Exec1(txn, "timeline_with_facts", plan_id);
  Locked out;
  SIP_ASSIGN_OR_RETURN(out.before, FromRow(row));
  out.version = row[2].as<int64_t>();
  const json facts = json::parse(row[3].as<std::string>(), nullptr, false);
  if (facts.is_discarded() || !facts.is_array()) {
    return absl::InternalError("a timeline's stored facts are unreadable");
  }
  for (const json& f : facts) {
    SIP_ASSIGN_OR_RETURN(Fact fact, FactFromJson(f.dump()));
    out.facts.push_back(std::move(fact));
  }
  return out;
}

bool Recorded(const std::vector<Fact>& facts, const std::string& source) {
  return std::any_of(facts.begin(), facts.end(),
                     [&](const Fact& f) { return f.source == source; });
}

}  // namespace

absl::Status LifecycleStore::Record(pqxx::work& txn, const Fact& fact, absl::Time now,
                                    const FoldFn& fold) {
  const int64_t claimed =
      db::Exec1(txn, "timeline_claim", fact.plan_id, db::ToSqlTime(now))[0].as<int64_t>();
  SIP_ASSIGN_OR_RETURN(Locked locked, ReadLocked(txn, fact.plan_id));
  if (Recorded(locked.facts, fact.source)) return absl::OkStatus();
  if (claimed == 0) {  // the row just made: nothing was there before
    locked.before = Timeline();
    locked.before.plan_id = fact.plan_id;
  }
  locked.facts.push_back(fact);
  auto [after, effects] = fold(locked.before, std::move(locked.facts));
  Write(txn, after, std::max<int64_t>(claimed, locked.version) + 1, now, effects, &fact);
  return absl::OkStatus();
}

absl::StatusOr<std::string> LifecycleStore::Mutate(
    const std::optional<db::RequestKey>& key, const std::string& plan_id, absl::Time now,
    const std::function<absl::StatusOr<Fact>(const Timeline& current)>& decide,
    const FoldFn& fold, const std::function<std::string(const Timeline&)>& answer) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    if (db::Exec(txn, "timeline_lock", plan_id).empty()) {
      return NotFound("TIMELINE_NOT_FOUND",
                      absl::StrCat("plans/", plan_id, " has no timeline: the lifecycle service "
                                                      "has not heard of it"));
    }
    SIP_ASSIGN_OR_RETURN(Locked locked, ReadLocked(txn, plan_id));
    // Decided on the timeline as its facts make it now.
    const Timeline current = fold(locked.before, locked.facts).first;
    SIP_ASSIGN_OR_RETURN(Fact fact, decide(current));
    fact.plan_id = plan_id;
    locked.facts.push_back(fact);
    auto [after, effects] = fold(locked.before, std::move(locked.facts));
    Write(txn, after, locked.version + 1, now, effects, &fact);
    return db::Effect{plan_id, "", "", answer(after)};
  });
}

absl::StatusOr<std::vector<Fact>> LifecycleStore::Facts(const std::string& plan_id) {
  return pool_->Read<std::vector<Fact>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<Fact>> {
        std::vector<Fact> out;
        for (const auto& row : db::Exec(txn, "facts_of", plan_id)) {
          SIP_ASSIGN_OR_RETURN(Fact f, FactFromJson(row[0].as<std::string>()));
          out.push_back(std::move(f));
        }
        return out;
      });
}

absl::StatusOr<int> LifecycleStore::SweepDue(absl::Time now, int limit, const ChangeFn& sweep) {
  return pool_->InTransaction<int>([&](pqxx::work& txn) -> absl::StatusOr<int> {
    const pqxx::result locked = db::Exec(txn, "timeline_lock_due", db::ToSqlTime(now), limit);
    int swept = 0;
    for (const auto& plan : locked) {
      const pqxx::result rows = db::Exec(txn, "timeline_get", plan[0].as<std::string>());
      if (rows.empty()) continue;
      SIP_ASSIGN_OR_RETURN(Timeline t, FromRow(rows[0]));
      const Effects effects = sweep(t);
      // Another sweeper may have swept it between the choice and the lock: then nothing
      // is due any more and nothing is written.
      if (effects.events.empty() && !effects.close) continue;
      Write(txn, t, rows[0][2].as<int64_t>() + 1, now, effects);
      ++swept;
    }
    return swept;
  });
}

absl::StatusOr<std::vector<LifecycleStore::ClosureRequest>> LifecycleStore::OpenClosures(
    int limit) {
  return pool_->Read<std::vector<ClosureRequest>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<ClosureRequest>> {
        std::vector<ClosureRequest> out;
        for (const auto& row : db::Exec(txn, "closures_open", limit)) {
          ClosureRequest r;
          r.plan_id = row[0].as<std::string>();
          pb::ClosureCause_Parse(row[1].as<std::string>(), &r.cause);
          r.attempts = row[2].as<int>();
          out.push_back(std::move(r));
        }
        return out;
      });
}

absl::Status LifecycleStore::MarkClosure(const std::string& plan_id, pb::ClosureCause cause,
                                         bool done, absl::Time now) {
  return pool_->InTransaction([&](pqxx::work& txn) -> absl::Status {
    db::Exec0(txn, "closure_mark", plan_id, done, db::ToSqlTime(now));
    if (done) {
      pb::LifecycleEvent e;
      e.set_plan(absl::StrCat("plans/", plan_id));
      e.mutable_plan_closure_performed()->set_cause(cause);
      db::AppendEvent(txn, now, plan_id, EventType(e), e.SerializeAsString());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::pair<std::vector<LifecycleStore::ListedDeadline>, std::optional<PageCursor>>>
LifecycleStore::ListDeadlines(const DeadlineFilter& filter, int page_size,
                              const std::optional<PageCursor>& after) {
  using Result = std::pair<std::vector<ListedDeadline>, std::optional<PageCursor>>;
  std::string after_time = "-infinity";
  std::string after_plan;
  int after_no = -1;
  if (after) {
    after_time = db::ToSqlTime(after->time);
    const size_t slash = after->id.rfind('/');
    after_plan = after->id.substr(0, slash);
    after_no = slash == std::string::npos ? -1 : std::atoi(after->id.c_str() + slash + 1);
  }
  return pool_->Read<Result>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Result> {
    const pqxx::result rows = db::Exec(txn, 
        "deadlines_list", filter.responsible_unit_hsa_id,
        filter.state ? StateName(*filter.state) : "",
        filter.rule == pb::DEADLINE_RULE_UNSPECIFIED ? "" : pb::DeadlineRule_Name(filter.rule),
        filter.due_before ? db::ToSqlTime(*filter.due_before) : "", after_time, after_plan,
        after_no, page_size + 1, filter.visible_to_unit_hsa_id,
        db::ToSqlTime(filter.visible_at));
    Result out;
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
      if (r == page_size) {
        const pqxx::row& last = rows[r - 1];
        out.second = PageCursor{absl::FromUnixMicros(last[3].as<int64_t>()),
                                absl::StrCat(last[0].as<std::string>(), "/", last[1].as<int>())};
        break;
      }
      const json d = json::parse(rows[r][2].as<std::string>(), nullptr, false);
      if (d.is_discarded()) return absl::InternalError("a stored deadline is unreadable");
      out.first.push_back({rows[r][0].as<std::string>(), rows[r][1].as<int>(), DeadlineFromJson(d)});
    }
    return out;
  });
}

absl::StatusOr<std::vector<db::StoredEvent>> LifecycleStore::Events(int64_t after, int limit, const std::string& reader) {
  return pool_->InTransaction<std::vector<db::StoredEvent>>(
      [&](pqxx::work& txn) -> absl::StatusOr<std::vector<db::StoredEvent>> {
        return db::ReadEvents(txn, after, limit, reader);
      });
}

absl::StatusOr<std::vector<Timeline>> LifecycleStore::TimelinesOf(
    const std::string& region_code, const std::string& unit_hsa_id,
    const std::string& municipality_code) {
  return pool_->Read<std::vector<Timeline>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<Timeline>> {
        std::vector<Timeline> out;
        for (const auto& row :
             db::Exec(txn, "timelines_of", region_code, unit_hsa_id, municipality_code)) {
          SIP_ASSIGN_OR_RETURN(Timeline t, FromRow(row));
          out.push_back(std::move(t));
        }
        return out;
      });
}

absl::StatusOr<LifecycleStore::Counts> LifecycleStore::CountAll() {
  return pool_->Read<Counts>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Counts> {
    Counts out;
    for (const auto& row : db::Exec(txn, "counts")) {
      const std::string kind = row[0].as<std::string>();
      std::string a = row[1].as<std::string>();
      const std::string region = row[3].as<std::string>();
      const int64_t n = row[4].as<int64_t>();
      if (kind == "deadline") {
        const std::string prefix = "DEADLINE_RULE_";
        if (a.rfind(prefix, 0) == 0) a = a.substr(prefix.size());
        out.deadlines.push_back({a, row[2].as<std::string>(), region, n});
      } else {
        const std::string prefix = "PLAN_STATE_";
        if (a.rfind(prefix, 0) == 0) a = a.substr(prefix.size());
        out.plans.push_back({a, region, n});
      }
    }
    return out;
  });
}

absl::StatusOr<std::optional<Timeline>> LifecycleStore::Get(const std::string& plan_id) {
  return pool_->Read<std::optional<Timeline>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::optional<Timeline>> {
        const pqxx::result rows = db::Exec(txn, "timeline_get", plan_id);
        if (rows.empty()) return std::optional<Timeline>();
        SIP_ASSIGN_OR_RETURN(Timeline t, FromRow(rows[0]));
        return std::optional<Timeline>(std::move(t));
      });
}

}  // namespace sip::lifecycle
