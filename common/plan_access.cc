#include "common/plan_access.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::authz {
namespace {

std::set<std::string> SplitUnits(const std::string& joined) {
  std::set<std::string> out;
  for (absl::string_view unit : absl::StrSplit(joined, ',', absl::SkipEmpty())) {
    out.emplace(unit);
  }
  return out;
}

}  // namespace

const std::vector<db::PreparedStatement>& AccessStatements() {
  static const auto* const kStatements = new std::vector<db::PreparedStatement>{
      {"sip_access_parties_write",
       "INSERT INTO access_plans (plan_id, initiating_unit, coordinator_unit, "
       "participant_units) VALUES ($1, $2, $3, $4::text[]) ON CONFLICT (plan_id) DO UPDATE "
       "SET initiating_unit = EXCLUDED.initiating_unit, coordinator_unit = "
       "EXCLUDED.coordinator_unit, participant_units = EXCLUDED.participant_units"},
      // The plan's coverage replaced in one statement: the decision recorded, the units no
      // longer covered removed, the others written with their end.
      {"sip_access_coverage_write",
       "WITH decided AS (INSERT INTO access_consented (plan_id) VALUES ($1) "
       "ON CONFLICT DO NOTHING), "
       "gone AS (DELETE FROM access_coverage WHERE plan_id = $1 "
       "AND unit_hsa_id <> ALL($2::text[])) "
       "INSERT INTO access_coverage (plan_id, unit_hsa_id, covered_until) "
       "SELECT $1, c.unit, NULLIF(c.until, '')::timestamptz "
       "FROM unnest($2::text[], $3::text[]) AS c(unit, until) "
       "ON CONFLICT (plan_id, unit_hsa_id) DO UPDATE SET covered_until = "
       "EXCLUDED.covered_until"},
      {"sip_access_invited_write",
       "INSERT INTO access_invited (plan_id, unit_hsa_id) SELECT $1, u FROM "
       "unnest($2::text[]) AS u WHERE u <> '' ON CONFLICT DO NOTHING"},
      {"sip_access_read",
       "SELECT p.plan_id IS NOT NULL, coalesce(p.initiating_unit, ''), "
       "coalesce(p.coordinator_unit, ''), concat_ws(',', "
       "array_to_string(p.participant_units, ','), (SELECT string_agg(i.unit_hsa_id, ',') "
       "FROM access_invited i WHERE i.plan_id = k.id)), "
       "EXISTS (SELECT 1 FROM access_consented d WHERE d.plan_id = k.id), "
       "(SELECT coalesce(string_agg(c.unit_hsa_id, ','), '') FROM access_coverage c "
       "WHERE c.plan_id = k.id AND (c.covered_until IS NULL OR c.covered_until > $2::timestamptz)) "
       "FROM (SELECT $1::text AS id) k LEFT JOIN access_plans p ON p.plan_id = k.id"},
  };
  return *kStatements;
}

std::string PlanIdOf(const std::string& name) {
  absl::string_view rest = name;
  if (!absl::ConsumePrefix(&rest, "plans/")) return name;
  return std::string(rest.substr(0, rest.find('/')));
}

void WriteParties(pqxx::work& txn, const std::string& plan_id,
                  const sip::plan::v1::PlanParties& parties) {
  std::vector<std::string> units(parties.participant_unit_hsa_ids().begin(),
                                 parties.participant_unit_hsa_ids().end());
  db::Exec0(txn, "sip_access_parties_write", plan_id, parties.initiating_unit_hsa_id(),
                     parties.coordinator_unit_hsa_id(), db::ToSqlArray(units));
}

void WriteCoverage(pqxx::work& txn, const std::string& plan_id,
                   const sip::consent::v1::PlanCoverage& coverage) {
  std::vector<std::string> units, until;
  for (const auto& unit : coverage.units()) {
    units.push_back(unit.unit_hsa_id());
    until.push_back(unit.has_covered_until() ? db::ToSqlTime(TimeOf(unit.covered_until()))
                                             : std::string());
  }
  db::Exec0(txn, "sip_access_coverage_write", plan_id, db::ToSqlArray(units),
                     db::ToSqlArray(until));
}

absl::Status ApplyPlanEvent(pqxx::work& txn, const std::string& payload) {
  sip::plan::v1::PlanEvent event;
  if (!event.ParseFromString(payload)) return absl::InternalError("unreadable plan event");
  if (event.has_parties()) WriteParties(txn, PlanIdOf(event.plan()), event.parties());
  return absl::OkStatus();
}

absl::Status ApplyMeetingEvent(pqxx::work& txn, const std::string& payload) {
  sip::meeting::v1::MeetingEvent event;
  if (!event.ParseFromString(payload)) return absl::InternalError("unreadable meeting event");
  std::vector<std::string> invited;
  switch (event.payload_case()) {
    case sip::meeting::v1::MeetingEvent::kScheduled:
      invited.assign(event.scheduled().invited_unit_hsa_ids().begin(),
                     event.scheduled().invited_unit_hsa_ids().end());
      break;
    case sip::meeting::v1::MeetingEvent::kForwarded:
      invited.push_back(event.forwarded().to_unit_hsa_id());
      break;
    case sip::meeting::v1::MeetingEvent::kInvitationAdded:
      invited.push_back(event.invitation_added().unit_hsa_id());
      break;
    default:
      return absl::OkStatus();
  }
  db::Exec0(txn, "sip_access_invited_write", PlanIdOf(event.plan()), db::ToSqlArray(invited));
  return absl::OkStatus();
}

absl::Status ApplyConsentEvent(pqxx::work& txn, const std::string& payload) {
  sip::consent::v1::ConsentEvent event;
  if (!event.ParseFromString(payload)) return absl::InternalError("unreadable consent event");
  if (event.has_coverage()) WriteCoverage(txn, PlanIdOf(event.plan()), event.coverage());
  return absl::OkStatus();
}

namespace {

EventConsumer::Apply ToAccess(absl::Status (*apply)(pqxx::work&, const std::string&),
                              EventConsumer::Apply then) {
  return [apply, then = std::move(then)](pqxx::work& txn, const SourceEvent& event) {
    SIP_RETURN_IF_ERROR(apply(txn, event.payload));
    return then ? then(txn, event) : absl::OkStatus();
  };
}

}  // namespace

EventConsumer::Apply PlanEventsToAccess(EventConsumer::Apply then) {
  return ToAccess(&ApplyPlanEvent, std::move(then));
}

EventConsumer::Apply ConsentEventsToAccess(EventConsumer::Apply then) {
  return ToAccess(&ApplyConsentEvent, std::move(then));
}

EventConsumer::Apply MeetingEventsToAccess(EventConsumer::Apply then) {
  return ToAccess(&ApplyMeetingEvent, std::move(then));
}

std::optional<PlanAccess> ReadAccess(pqxx::transaction_base& txn, const std::string& plan_id,
                                     absl::Time now) {
  const pqxx::row row = db::Exec1(txn, "sip_access_read", plan_id, db::ToSqlTime(now));
  const bool parties_known = row[0].as<bool>();
  const bool consent_recorded = row[4].as<bool>();
  if (!parties_known && !consent_recorded) return std::nullopt;
  PlanAccess access;
  access.initiating_unit_hsa_id = row[1].as<std::string>();
  access.coordinator_unit_hsa_id = row[2].as<std::string>();
  access.participant_unit_hsa_ids = SplitUnits(row[3].as<std::string>());
  access.consent_recorded = consent_recorded;
  access.covered_unit_hsa_ids = SplitUnits(row[5].as<std::string>());
  return access;
}

std::string VisibleToUnitSql(const std::string& plan_column, const std::string& unit_param,
                             const std::string& time_param) {
  return absl::StrCat(
      "EXISTS (SELECT 1 FROM access_plans ap WHERE ap.plan_id = ", plan_column, " AND ((",
      "ap.initiating_unit = ", unit_param,
      " AND NOT EXISTS (SELECT 1 FROM access_consented ad WHERE ad.plan_id = ap.plan_id)) OR (",
      "(ap.participant_units @> ARRAY[", unit_param, "::text] OR EXISTS (SELECT 1 FROM ",
      "access_invited ai WHERE ai.plan_id = ap.plan_id AND ai.unit_hsa_id = ", unit_param,
      ")) AND EXISTS (SELECT 1 FROM ",
      "access_coverage ac WHERE ac.plan_id = ap.plan_id AND ac.unit_hsa_id = ", unit_param,
      " AND (ac.covered_until IS NULL OR ac.covered_until > ", time_param,
      "::timestamptz)))))");
}

Subject SubjectOf(const Actor& caller) {
  Subject subject;
  subject.service = ServiceNameOf(caller);
  if (subject.service.empty()) {
    subject.unit_hsa_id = caller.unit.hsa_id;
    subject.user_id = caller.user_id;
  }
  return subject;
}

absl::StatusOr<std::optional<PlanAccess>> PlanGate::Read(const std::string& plan_id) {
  const absl::Time now = clock_->Now();
  return pool_->Read<std::optional<PlanAccess>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::optional<PlanAccess>> {
        return ReadAccess(txn, plan_id, now);
      });
}

absl::StatusOr<bool> PlanGate::ConsentAllows(const std::string& unit_hsa_id,
                                             const std::string& plan_id) {
  SIP_ASSIGN_OR_RETURN(std::optional<PlanAccess> access, Read(plan_id));
  if (!access || !access->consent_recorded) return true;
  return access->covered_unit_hsa_ids.count(unit_hsa_id) > 0;
}

absl::Status PlanGate::Check(const Actor& caller, Action action, const std::string& plan_id) {
  accesslog::Note(log_, plan_id);
  const Subject subject = SubjectOf(caller);
  // A suite service's reads do not depend on what this service knows of the plan.
  if (!subject.service.empty() && (action == Action::kRead || action == Action::kConsent)) {
    return Authorize(subject, action, std::nullopt);
  }
  SIP_ASSIGN_OR_RETURN(std::optional<PlanAccess> access, Read(plan_id));
  absl::Status decided = Authorize(subject, action, access);
  if (decided.ok() || ReasonOf(decided) != "NOT_VISIBLE" || catch_up_.empty()) return decided;
  // Refused on what this service knows: learn what the sources changed meanwhile, then
  // decide again. A source that cannot be reached leaves the refusal.
  accesslog::Suspended not_this_call;  // the consumers' work is not the call's access
  for (const CatchUp& catch_up : catch_up_) {
    if (absl::Status caught = catch_up(); !caught.ok()) {
      log::Warn("access_catch_up_failed", {{"code", absl::StatusCodeToString(caught.code())}});
    }
  }
  SIP_ASSIGN_OR_RETURN(access, Read(plan_id));
  return Authorize(subject, action, access);
}

}  // namespace sip::authz
