#include "services/consent/consent_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/plan_access.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "common/model_json.h"
#include "nlohmann/json.hpp"

namespace sip::consent {
namespace {

using nlohmann::json;

constexpr const char* kRoles[] = {"INDIVIDUAL", "GUARDIAN", "TRUSTEE", "ADMINISTRATOR"};

const char* RoleName(GiverRole r) { return kRoles[static_cast<int>(r)]; }
GiverRole RoleFromName(const std::string& name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kRoles[i]) return static_cast<GiverRole>(i);
  }
  throw std::invalid_argument("unknown giver role " + name);
}

json GiverJson(const Giver& g) { return {{"role", RoleName(g.role)}, {"name", g.name}}; }
Giver GiverFromJson(const json& j) {
  return {RoleFromName(j.at("role").get<std::string>()), j.value("name", "")};
}

json ScopeChangeJson(const ScopeChange& s) {
  return {{"version", s.version},
          {"added_units", s.added_units},
          {"removed_unit_hsa_ids", s.removed_unit_hsa_ids},
          {"added_others", s.added_others},
          {"removed_others", s.removed_others},
          {"changed_by", s.changed_by},
          {"change_time", TimeToJson(s.change_time)},
          {"reason", s.reason}};
}

ScopeChange ScopeChangeFromJson(const json& j) {
  ScopeChange s;
  s.version = j.at("version").get<int>();
  s.added_units = j.at("added_units").get<std::vector<Unit>>();
  s.removed_unit_hsa_ids = j.at("removed_unit_hsa_ids").get<std::vector<std::string>>();
  s.added_others = j.at("added_others").get<std::vector<OtherParty>>();
  s.removed_others = j.at("removed_others").get<std::vector<OtherParty>>();
  s.changed_by = j.at("changed_by").get<Actor>();
  s.change_time = TimeFromJson(j.at("change_time"));
  s.reason = j.value("reason", "");
  return s;
}

// The whole consent as a document; the body column holds it without the scope history.
json ConsentJson(const Consent& c, bool with_history) {
  json j = {{"plan_id", c.plan_id},
            {"consent_id", c.consent_id},
            {"decision", c.decision == Decision::kGiven ? "GIVEN" : "REFUSED"},
            {"giver", GiverJson(c.giver)},
            {"form", CommunicationFormName(c.form)},
            {"recorded_by", c.recorded_by},
            {"decision_time", TimeToJson(c.decision_time)},
            {"valid_until", OptionalTimeToJson(c.valid_until)},
            {"individual_is_minor", c.individual_is_minor},
            {"maturity_note", c.maturity_note},
            {"reduced_capacity", c.reduced_capacity},
            {"note", c.note},
            {"create_time", TimeToJson(c.create_time)},
            {"update_time", TimeToJson(c.update_time)},
            {"version", c.version}};
  if (c.harm_assessment) {
    j["harm_assessment"] = {{"assessed_by", c.harm_assessment->assessed_by},
                            {"outcome", c.harm_assessment->outcome == HarmOutcome::kNoHarm
                                            ? "NO_HARM"
                                            : "RESTRICTED"},
                            {"note", c.harm_assessment->note},
                            {"restricted_unit_hsa_ids",
                             c.harm_assessment->restricted_unit_hsa_ids}};
  }
  if (c.second_guardian) j["second_guardian"] = GiverJson(*c.second_guardian);
  if (c.withdrawal) {
    j["withdrawal"] = {{"withdrawn_by", GiverJson(c.withdrawal->withdrawn_by)},
                       {"form", CommunicationFormName(c.withdrawal->form)},
                       {"withdraw_time", TimeToJson(c.withdrawal->withdraw_time)},
                       {"recorded_by", c.withdrawal->recorded_by},
                       {"note", c.withdrawal->note}};
  }
  if (with_history) {
    json history = json::array();
    for (const ScopeChange& s : c.scope_history) history.push_back(ScopeChangeJson(s));
    j["scope_history"] = std::move(history);
  }
  return j;
}

Consent ConsentFromJson(const json& j) {
  Consent c;
  c.plan_id = j.at("plan_id").get<std::string>();
  c.consent_id = j.at("consent_id").get<std::string>();
  c.decision = j.at("decision").get<std::string>() == "GIVEN" ? Decision::kGiven
                                                              : Decision::kRefused;
  c.giver = GiverFromJson(j.at("giver"));
  c.form = CommunicationFormFromName(j.at("form").get<std::string>());
  c.recorded_by = j.at("recorded_by").get<Actor>();
  c.decision_time = TimeFromJson(j.at("decision_time"));
  c.valid_until = OptionalTimeFromJson(j.at("valid_until"));
  c.individual_is_minor = j.at("individual_is_minor").get<bool>();
  c.maturity_note = j.value("maturity_note", "");
  c.reduced_capacity = j.at("reduced_capacity").get<bool>();
  c.note = j.value("note", "");
  c.create_time = TimeFromJson(j.at("create_time"));
  c.update_time = TimeFromJson(j.at("update_time"));
  c.version = j.at("version").get<int64_t>();
  if (j.contains("harm_assessment")) {
    const json& h = j.at("harm_assessment");
    c.harm_assessment = HarmAssessment{
        h.at("assessed_by").get<Actor>(),
        h.at("outcome").get<std::string>() == "NO_HARM" ? HarmOutcome::kNoHarm
                                                        : HarmOutcome::kRestricted,
        h.value("note", ""),
        h.value("restricted_unit_hsa_ids", std::vector<std::string>())};
  }
  if (j.contains("second_guardian")) c.second_guardian = GiverFromJson(j.at("second_guardian"));
  if (j.contains("withdrawal")) {
    const json& w = j.at("withdrawal");
    c.withdrawal = Withdrawal{GiverFromJson(w.at("withdrawn_by")),
                              CommunicationFormFromName(w.at("form").get<std::string>()),
                              TimeFromJson(w.at("withdraw_time")),
                              w.at("recorded_by").get<Actor>(), w.value("note", "")};
  }
  if (j.contains("scope_history")) {
    for (const json& s : j.at("scope_history")) {
      c.scope_history.push_back(ScopeChangeFromJson(s));
    }
  }
  return c;
}

std::string OptionalTime(const std::optional<absl::Time>& t) {
  return t ? db::ToSqlTime(*t) : std::string();
}

// Every consent query reads, in this order: id, body, create time, and the scope history
// as a JSON array (a subquery, so a consent and its history are one statement).
constexpr char kColumns[] =
    "consent_id, body::text, (extract(epoch from create_time) * 1000000)::bigint, "
    "(SELECT coalesce(json_agg(s.change ORDER BY s.scope_version), '[]'::json) "
    "FROM consent_scope_changes s WHERE s.plan_id = consents.plan_id "
    "AND s.consent_id = consents.consent_id)::text";

std::vector<Consent> RowsToConsents(const pqxx::result& rows) {
  std::vector<Consent> out;
  for (const auto& row : rows) {
    Consent c = ConsentFromJson(json::parse(row[1].as<std::string>()));
    for (const json& change : json::parse(row[3].as<std::string>())) {
      c.scope_history.push_back(ScopeChangeFromJson(change));
    }
    out.push_back(std::move(c));
  }
  return out;
}

void InsertScopeChanges(pqxx::work& txn, const Consent& c, size_t from) {
  for (size_t i = from; i < c.scope_history.size(); ++i) {
    const ScopeChange& s = c.scope_history[i];
    db::Exec0(txn, "consent_insert_scope_change", c.plan_id, c.consent_id, s.version,
                       db::ToSqlTime(s.change_time), ScopeChangeJson(s).dump());
  }
}

// One change of a plan's consents at a time: the coverage an event carries is computed
// from every consent of the plan as committed before it.
void LockPlan(pqxx::work& txn, const std::string& plan_id) {
  db::Exec(txn, "consent_lock_plan", plan_id);
}

// What a change of `c` leaves: its event, carrying what the plan's consents cover after
// it (also written to this service's access projection), and, for retries, the consent
// with its history.
db::Effect EffectOf(pqxx::work& txn, const Consent& c, absl::Time now, const EventFn& event) {
  const std::vector<Consent> all =
      RowsToConsents(db::Exec(txn, "consent_list_first", c.plan_id, 10000));
  const std::vector<CoveredUntil> coverage = CoverageOfPlan(all, now);
  sip::consent::v1::PlanCoverage projected;
  for (const CoveredUntil& covered : coverage) {
    auto* unit = projected.add_units();
    unit->set_unit_hsa_id(covered.unit_hsa_id);
    if (covered.until) ToProto(*covered.until, unit->mutable_covered_until());
  }
  authz::WriteCoverage(txn, c.plan_id, projected);
  const Event e = event(c, coverage);
  return db::Effect{c.plan_id, e.type, e.payload, ConsentJson(c, true).dump()};
}

absl::Status NotFoundError(const std::string& plan_id, const std::string& consent_id) {
  return NotFound("CONSENT_NOT_FOUND",
                  absl::StrCat("plans/", plan_id, "/consents/", consent_id,
                               " does not exist; list the plan's consents to find it"));
}

}  // namespace

std::vector<db::PreparedStatement> ConsentStore::Statements() {
  return {
      {"consent_lock_plan",
       "SELECT pg_advisory_xact_lock(hashtext('sip-consent-plan:' || $1))"},
      {"consent_insert",
       "INSERT INTO consents (plan_id, consent_id, decision, decision_time, valid_until, "
       "withdraw_time, create_time, update_time, version, body) VALUES ($1, $2, $3, "
       "$4::timestamptz, NULLIF($5, '')::timestamptz, NULLIF($6, '')::timestamptz, "
       "$7::timestamptz, $8::timestamptz, $9, $10::jsonb)"},
      {"consent_update",
       "UPDATE consents SET valid_until = NULLIF($3, '')::timestamptz, "
       "withdraw_time = NULLIF($4, '')::timestamptz, update_time = $5::timestamptz, "
       "version = $6, body = $7::jsonb WHERE plan_id = $1 AND consent_id = $2"},
      {"consent_insert_scope_change",
       "INSERT INTO consent_scope_changes (plan_id, consent_id, scope_version, change_time, "
       "change) VALUES ($1, $2, $3, $4::timestamptz, $5::jsonb)"},
      {"consent_get", absl::StrCat("SELECT ", kColumns,
                                   " FROM consents WHERE plan_id = $1 AND consent_id = $2")},
      {"consent_get_for_update",
       absl::StrCat("SELECT ", kColumns,
                    " FROM consents WHERE plan_id = $1 AND consent_id = $2 FOR UPDATE")},
      {"consent_list_first",
       absl::StrCat("SELECT ", kColumns,
                    " FROM consents WHERE plan_id = $1 "
                    "ORDER BY create_time DESC, consent_id DESC LIMIT $2")},
      {"consent_list_after",
       absl::StrCat("SELECT ", kColumns,
                    " FROM consents WHERE plan_id = $1 AND (create_time, consent_id) < "
                    "($3::timestamptz, $4) ORDER BY create_time DESC, consent_id DESC "
                    "LIMIT $2")},
  };
}

absl::StatusOr<Consent> ConsentStore::Create(const std::optional<db::RequestKey>& key,
                                             const Consent& consent, absl::Time now,
                                             const EventFn& event) {
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
        const Consent& c = consent;
        LockPlan(txn, c.plan_id);
        db::Exec0(txn, "consent_insert", c.plan_id, c.consent_id,
                           c.decision == Decision::kGiven ? "GIVEN" : "REFUSED",
                           db::ToSqlTime(c.decision_time), OptionalTime(c.valid_until),
                           OptionalTime(c.withdrawal ? std::optional<absl::Time>(
                                                           c.withdrawal->withdraw_time)
                                                     : std::nullopt),
                           db::ToSqlTime(c.create_time), db::ToSqlTime(c.update_time),
                           c.version, ConsentJson(c, false).dump());
        InsertScopeChanges(txn, c, 0);
        return EffectOf(txn, c, now, event);
      }));
  return ConsentFromJson(json::parse(answer));
}

absl::StatusOr<std::optional<Consent>> ConsentStore::PriorResult(const db::RequestKey& key) {
  SIP_ASSIGN_OR_RETURN(std::optional<std::string> answer, db::PriorAnswer(*pool_, key));
  if (!answer) return std::optional<Consent>();
  return std::optional<Consent>(ConsentFromJson(json::parse(*answer)));
}

absl::StatusOr<Consent> ConsentStore::Update(
    const std::optional<db::RequestKey>& key, const std::string& plan_id,
    const std::string& consent_id, absl::Time now,
    const std::function<absl::Status(Consent&)>& mutate, const EventFn& event) {
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
        LockPlan(txn, plan_id);
        const pqxx::result rows =
            db::Exec(txn, "consent_get_for_update", plan_id, consent_id);
        if (rows.empty()) return NotFoundError(plan_id, consent_id);
        std::vector<Consent> loaded = RowsToConsents(rows);
        Consent c = std::move(loaded.front());
        const size_t stored_changes = c.scope_history.size();
        const int64_t stored_version = c.version;
        SIP_RETURN_IF_ERROR(mutate(c));
        if (c.version == stored_version) {  // nothing changed: no event
          return db::Effect{c.plan_id, "", "", ConsentJson(c, true).dump()};
        }
        db::Exec0(txn, "consent_update", c.plan_id, c.consent_id,
                           OptionalTime(c.valid_until),
                           OptionalTime(c.withdrawal ? std::optional<absl::Time>(
                                                           c.withdrawal->withdraw_time)
                                                     : std::nullopt),
                           db::ToSqlTime(c.update_time), c.version, ConsentJson(c, false).dump());
        InsertScopeChanges(txn, c, stored_changes);
        return EffectOf(txn, c, now, event);
      }));
  return ConsentFromJson(json::parse(answer));
}

absl::StatusOr<Consent> ConsentStore::Get(const std::string& plan_id,
                                          const std::string& consent_id) {
  return pool_->Read<Consent>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Consent> {
    const pqxx::result rows = db::Exec(txn, "consent_get", plan_id, consent_id);
    if (rows.empty()) return NotFoundError(plan_id, consent_id);
    return std::move(RowsToConsents(rows).front());
  });
}

absl::StatusOr<ConsentStore::Page> ConsentStore::List(const std::string& plan_id,
                                                      int page_size,
                                                      const std::optional<PageCursor>& after) {
  return pool_->Read<Page>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Page> {
    // One row more than asked tells whether another page follows.
    const pqxx::result rows =
        after ? db::Exec(txn, "consent_list_after", plan_id, page_size + 1,
                                  db::ToSqlTime(after->time), after->id)
              : db::Exec(txn, "consent_list_first", plan_id, page_size + 1);
    Page page;
    page.consents = RowsToConsents(rows);
    if (static_cast<int>(page.consents.size()) > page_size) {
      page.consents.pop_back();
      const Consent& last = page.consents.back();
      page.next = PageCursor{last.create_time, last.consent_id};
    }
    return page;
  });
}

absl::StatusOr<std::vector<Consent>> ConsentStore::ListAll(const std::string& plan_id) {
  return pool_->Read<std::vector<Consent>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<Consent>> {
        return RowsToConsents(db::Exec(txn, "consent_list_first", plan_id, 10000));
      });
}

absl::StatusOr<std::vector<db::StoredEvent>> ConsentStore::Events(int64_t after, int limit, const std::string& reader) {
  return pool_->InTransaction<std::vector<db::StoredEvent>>(
      [&](pqxx::work& txn) -> absl::StatusOr<std::vector<db::StoredEvent>> {
        return db::ReadEvents(txn, after, limit, reader);
      });
}

}  // namespace sip::consent
