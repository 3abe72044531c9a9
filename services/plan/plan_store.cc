#include "services/plan/plan_store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/plan_access.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::common::v1;

const char* StateName(cpb::PlanState s) {
  switch (s) {
    case cpb::PLAN_STATE_ACTIVE: return "ACTIVE";
    case cpb::PLAN_STATE_CLOSED: return "CLOSED";
    default: return "INITIATED";
  }
}

absl::Status PlanNotFound(const std::string& plan_id) {
  return NotFound("PLAN_NOT_FOUND",
                  absl::StrCat("plans/", plan_id,
                               " does not exist; list plans by individual or unit to find it"));
}

// Columns every plan query reads, in this order.
constexpr char kPlanColumns[] =
    "p.plan_id, p.body::text, p.version, (extract(epoch from p.update_time) * 1000000)::bigint";

StoredPlan PlanFromRow(const pqxx::row& row) {
  StoredPlan out;
  out.plan_id = row[0].as<std::string>();
  const absl::Status parsed = FromJson(row[1].as<std::string>(), &out.plan);
  if (!parsed.ok()) throw std::runtime_error(absl::StrCat("plan ", out.plan_id, ": ", parsed.message()));
  out.version = row[2].as<int64_t>();
  out.plan.set_etag(EtagOf(out.version));
  return out;
}

// Writes the plan row and its units (deleted and rewritten: a handful of rows).
void WritePlan(pqxx::work& txn, const StoredPlan& stored, bool insert) {
  const pb::Plan& p = stored.plan;
  pb::Plan body = p;
  body.clear_etag();
  const std::string pin = p.individual().protected_identity()
                              ? std::string()
                              : p.individual().personal_identity_number();
  const std::string update_time = db::ToSqlTime(absl::FromUnixSeconds(p.update_time().seconds()) +
                                                absl::Nanoseconds(p.update_time().nanos()));
  // The plan's units as two parallel arrays, written in the same statement as the plan.
  const std::vector<std::string> responsible = ResponsibleUnitIds(p);
  std::vector<std::string> units = ParticipantUnitIds(p);
  std::vector<std::string> flags;
  for (const std::string& unit : units) {
    flags.push_back(std::binary_search(responsible.begin(), responsible.end(), unit) ? "t"
                                                                                     : "f");
  }
  if (insert) {
    db::Exec0(txn, "plan_insert", stored.plan_id, StateName(p.state()), pin,
                       db::ToSqlTime(absl::FromUnixSeconds(p.create_time().seconds()) +
                                     absl::Nanoseconds(p.create_time().nanos())),
                       update_time, stored.version, ToJson(body), db::ToSqlArray(units),
                       db::ToSqlArray(flags));
  } else {
    db::Exec0(txn, "plan_update", stored.plan_id, StateName(p.state()), pin, update_time,
                       stored.version, ToJson(body), db::ToSqlArray(units),
                       db::ToSqlArray(flags));
  }
}

void WriteOutcome(pqxx::work& txn, const std::string& plan_id, absl::Time now,
                  const Outcome& outcome) {
  if (outcome.revision) {
    db::Exec0(txn, "revision_insert", plan_id, outcome.revision->snapshot().revision(),
                       db::ToSqlTime(TimeOf(outcome.revision->create_time())),
                       ToJson(*outcome.revision));
  }
  if (outcome.follow_up) {
    const std::string& name = outcome.follow_up->name();
    db::Exec0(txn, "follow_up_insert", plan_id, name.substr(name.rfind('/') + 1),
                       db::ToSqlTime(TimeOf(outcome.follow_up->create_time())),
                       ToJson(*outcome.follow_up));
  }
  if (outcome.circumstance) {
    const std::string& name = outcome.circumstance->name();
    db::Exec0(txn, "circumstance_insert", plan_id, name.substr(name.rfind('/') + 1),
                       db::ToSqlTime(now), ToJson(*outcome.circumstance));
  }
}

// The common part of what a change leaves: its event and its answer.
// The plan's parties go to this service's access projection with the change itself, so
// the gate is never behind the plan.
absl::StatusOr<db::Effect> EffectOf(pqxx::work& txn, const std::string& plan_id,
                                    const Outcome& outcome) {
  if (!outcome.event_type.empty()) {
    SIP_RETURN_IF_ERROR(authz::ApplyPlanEvent(txn, outcome.event_payload));
  }
  return db::Effect{plan_id, outcome.event_type, outcome.event_payload, outcome.result};
}


template <typename T>
std::vector<T> ParseAll(const pqxx::result& rows, int column) {
  std::vector<T> out;
  for (const auto& row : rows) {
    T item;
    const absl::Status parsed = FromJson(row[column].as<std::string>(), &item);
    if (!parsed.ok()) throw std::runtime_error(std::string(parsed.message()));
    out.push_back(std::move(item));
  }
  return out;
}

// Rewrites `bytes`, a serialized answer of `method`, without the individual's details.
absl::StatusOr<std::string> WithoutIdentity(const std::string& method, const std::string& bytes,
                                            const std::string& local_reference) {
  const auto unreadable = [&] {
    return absl::InternalError(absl::StrCat("a stored ", method, " answer is unreadable"));
  };
  if (method == "RecordFollowUp") return bytes;  // a follow-up carries no individual
  if (method == "RevisePlan") {
    pb::PlanRevision revision;
    if (!revision.ParseFromString(bytes)) return unreadable();
    RemoveIdentifyingDetails(revision.mutable_snapshot()->mutable_individual(), local_reference);
    return revision.SerializeAsString();
  }
  // Every other plan mutation answers with the plan.
  pb::Plan plan;
  if (!plan.ParseFromString(bytes)) return unreadable();
  RemoveIdentifyingDetails(plan.mutable_individual(), local_reference);
  return plan.SerializeAsString();
}

bool PlanExists(pqxx::transaction_base& txn, const std::string& plan_id) {
  return !db::Exec(txn, "plan_exists", plan_id).empty();
}

// A plan switched to protected identity: the identifying details leave every earlier
// revision (recorded in identity_removed_time) and every answer kept for retries, in the
// switching transaction.
absl::Status RemoveIdentityFromHistory(pqxx::work& txn, const std::string& plan_id,
                                       const std::string& local_reference, absl::Time now) {
  for (const auto& row : db::Exec(txn, "revision_identified", plan_id)) {
    pb::PlanRevision revision;
    SIP_RETURN_IF_ERROR(FromJson(row[1].as<std::string>(), &revision));
    RemoveIdentifyingDetails(revision.mutable_snapshot()->mutable_individual(), local_reference);
    db::Exec0(txn, "revision_remove_identity", plan_id, row[0].as<int>(), ToJson(revision),
                       db::ToSqlTime(now));
  }
  for (const db::StoredAnswer& answer : db::AnswersOfPlan(txn, plan_id)) {
    SIP_ASSIGN_OR_RETURN(std::string scrubbed,
                         WithoutIdentity(answer.key.method, answer.answer, local_reference));
    db::RewriteAnswer(txn, answer.key, scrubbed);
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<db::PreparedStatement> PlanStore::Statements() {
  return {
      // A plan and its units in one statement each way: units as arrays ($8 HSA-ids,
      // $9 responsible flags).
      {"plan_insert",
       "WITH p AS (INSERT INTO plans (plan_id, state, personal_identity_number, create_time, "
       "update_time, version, body) VALUES ($1, $2, NULLIF($3, ''), $4::timestamptz, "
       "$5::timestamptz, $6, $7::jsonb) RETURNING plan_id) "
       "INSERT INTO plan_units (plan_id, hsa_id, responsible, update_time) "
       "SELECT (SELECT plan_id FROM p), u.hsa_id, u.responsible, $5::timestamptz "
       "FROM unnest($8::text[], $9::boolean[]) AS u(hsa_id, responsible)"},
      {"plan_update",
       "WITH p AS (UPDATE plans SET state = $2, personal_identity_number = NULLIF($3, ''), "
       "update_time = $4::timestamptz, version = $5, body = $6::jsonb WHERE plan_id = $1 "
       "RETURNING plan_id), "
       "gone AS (DELETE FROM plan_units WHERE plan_id = $1 AND hsa_id <> ALL($7::text[])) "
       "INSERT INTO plan_units (plan_id, hsa_id, responsible, update_time) "
       "SELECT (SELECT plan_id FROM p), u.hsa_id, u.responsible, $4::timestamptz "
       "FROM unnest($7::text[], $8::boolean[]) AS u(hsa_id, responsible) "
       "ON CONFLICT (plan_id, hsa_id) DO UPDATE SET responsible = EXCLUDED.responsible, "
       "update_time = EXCLUDED.update_time"},
      {"plan_get", absl::StrCat("SELECT ", kPlanColumns, " FROM plans p WHERE plan_id = $1")},
      {"plan_get_for_update",
       absl::StrCat("SELECT ", kPlanColumns, " FROM plans p WHERE plan_id = $1 FOR UPDATE")},
      {"plan_exists", "SELECT 1 FROM plans WHERE plan_id = $1"},
      {"revision_insert",
       "INSERT INTO plan_revisions (plan_id, revision, create_time, body) "
       "VALUES ($1, $2, $3::timestamptz, $4::jsonb)"},
      {"revision_identified",
       "SELECT revision, body::text FROM plan_revisions WHERE plan_id = $1 "
       "AND identity_removed_time IS NULL"},
      {"revision_remove_identity",
       "UPDATE plan_revisions SET body = $3::jsonb, identity_removed_time = $4::timestamptz "
       "WHERE plan_id = $1 AND revision = $2"},
      {"revision_get",
       "SELECT body::text FROM plan_revisions WHERE plan_id = $1 AND revision = $2"},
      {"revision_latest",
       "SELECT body::text FROM plan_revisions WHERE plan_id = $1 ORDER BY revision DESC "
       "LIMIT 1"},
      {"revision_list",
       "SELECT body::text, revision FROM plan_revisions WHERE plan_id = $1 AND revision < $2 "
       "ORDER BY revision DESC LIMIT $3"},
      {"follow_up_insert",
       "INSERT INTO plan_follow_ups (plan_id, follow_up_id, create_time, body) "
       "VALUES ($1, $2, $3::timestamptz, $4::jsonb)"},
      {"follow_up_list_first",
       "SELECT body::text, follow_up_id, (extract(epoch from create_time) * 1000000)::bigint "
       "FROM plan_follow_ups WHERE plan_id = $1 "
       "ORDER BY create_time DESC, follow_up_id DESC LIMIT $2"},
      {"follow_up_list_after",
       "SELECT body::text, follow_up_id, (extract(epoch from create_time) * 1000000)::bigint "
       "FROM plan_follow_ups WHERE plan_id = $1 AND (create_time, follow_up_id) < "
       "($3::timestamptz, $4) ORDER BY create_time DESC, follow_up_id DESC LIMIT $2"},
      {"circumstance_list_first",
       "SELECT body::text, change_id, (extract(epoch from record_time) * 1000000)::bigint "
       "FROM plan_circumstances WHERE plan_id = $1 "
       "ORDER BY record_time DESC, change_id DESC LIMIT $2"},
      {"circumstance_list_after",
       "SELECT body::text, change_id, (extract(epoch from record_time) * 1000000)::bigint "
       "FROM plan_circumstances WHERE plan_id = $1 AND (record_time, change_id) < "
       "($3::timestamptz, $4) ORDER BY record_time DESC, change_id DESC LIMIT $2"},
      {"circumstance_insert",
       "INSERT INTO plan_circumstances (plan_id, change_id, record_time, body) "
       "VALUES ($1, $2, $3::timestamptz, $4::jsonb)"},
  };
}

absl::StatusOr<std::string> PlanStore::Create(
    const std::optional<db::RequestKey>& key,
    const std::function<absl::StatusOr<StoredPlan>()>& make, absl::Time now,
    const std::function<Outcome(const StoredPlan&)>& outcome) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    SIP_ASSIGN_OR_RETURN(StoredPlan stored, make());
    stored.version = 1;
    stored.plan.set_etag(EtagOf(1));
    WritePlan(txn, stored, true);
    const Outcome out = outcome(stored);
    WriteOutcome(txn, stored.plan_id, now, out);
    return EffectOf(txn, stored.plan_id, out);
  });
}

absl::StatusOr<std::string> PlanStore::Mutate(
    const std::optional<db::RequestKey>& key, const std::string& plan_id, absl::Time now,
    const std::function<absl::StatusOr<Outcome>(StoredPlan&)>& change) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    const pqxx::result rows = db::Exec(txn, "plan_get_for_update", plan_id);
    if (rows.empty()) return PlanNotFound(plan_id);
    StoredPlan stored = PlanFromRow(rows[0]);
    ++stored.version;
    stored.plan.set_etag(EtagOf(stored.version));
    SIP_ASSIGN_OR_RETURN(Outcome out, change(stored));
    WritePlan(txn, stored, false);
    if (out.remove_identity) {
      SIP_RETURN_IF_ERROR(RemoveIdentityFromHistory(
          txn, plan_id, stored.plan.individual().local_reference(), now));
    }
    WriteOutcome(txn, plan_id, now, out);
    return EffectOf(txn, plan_id, out);
  });
}

absl::StatusOr<std::optional<std::string>> PlanStore::PriorResult(const db::RequestKey& key) {
  return db::PriorAnswer(*pool_, key);
}

absl::StatusOr<StoredPlan> PlanStore::Get(const std::string& plan_id) {
  return pool_->Read<StoredPlan>([&](pqxx::transaction_base& txn) -> absl::StatusOr<StoredPlan> {
    const pqxx::result rows = db::Exec(txn, "plan_get", plan_id);
    if (rows.empty()) return PlanNotFound(plan_id);
    return PlanFromRow(rows[0]);
  });
}

absl::StatusOr<PlanStore::PlanPage> PlanStore::List(const PlanFilter& filter, int page_size,
                                                    const std::optional<PageCursor>& after) {
  // The query is built from fixed fragments; every value is a parameter. It is driven by
  // the most selective index: a unit's plan_units range, else the individual's plans,
  // else the state's — each already in list order, so only a page is read.
  std::vector<std::string> params;
  auto param = [&](std::string value) {
    params.push_back(std::move(value));
    return absl::StrCat("$", params.size());
  };
  std::string from = "plans p";
  std::string where = "true";
  std::string order_time = "p.update_time";
  std::string order_id = "p.plan_id";
  if (!filter.participant_unit_hsa_id.empty()) {
    from = absl::StrCat("plan_units u JOIN plans p ON p.plan_id = u.plan_id");
    absl::StrAppend(&where, " AND u.hsa_id = ", param(filter.participant_unit_hsa_id));
    order_time = "u.update_time";
    order_id = "u.plan_id";
  }
  if (!filter.responsible_unit_hsa_id.empty()) {
    if (filter.participant_unit_hsa_id.empty()) {
      from = "plan_units u JOIN plans p ON p.plan_id = u.plan_id";
      absl::StrAppend(&where, " AND u.hsa_id = ", param(filter.responsible_unit_hsa_id),
                      " AND u.responsible");
      order_time = "u.update_time";
      order_id = "u.plan_id";
    } else {
      absl::StrAppend(&where,
                      " AND EXISTS (SELECT 1 FROM plan_units r WHERE r.plan_id = p.plan_id "
                      "AND r.hsa_id = ",
                      param(filter.responsible_unit_hsa_id), " AND r.responsible)");
    }
  }
  if (!filter.personal_identity_number.empty()) {
    absl::StrAppend(&where, " AND p.personal_identity_number = ",
                    param(filter.personal_identity_number));
  }
  if (filter.state) absl::StrAppend(&where, " AND p.state = ", param(*filter.state));
  if (!filter.visible_to_unit_hsa_id.empty()) {
    const std::string unit = param(filter.visible_to_unit_hsa_id);
    absl::StrAppend(&where, " AND ",
                    authz::VisibleToUnitSql("p.plan_id", unit, param(db::ToSqlTime(filter.visible_at))));
  }
  if (after) {
    absl::StrAppend(&where, " AND (", order_time, ", ", order_id, ") < (",
                    param(db::ToSqlTime(after->time)), "::timestamptz, ", param(after->id), ")");
  }
  const std::string sql =
      absl::StrCat("SELECT ", kPlanColumns, " FROM ", from, " WHERE ", where, " ORDER BY ",
                   order_time, " DESC, ", order_id, " DESC LIMIT ", page_size + 1);
  return pool_->Read<PlanPage>([&](pqxx::transaction_base& txn) -> absl::StatusOr<PlanPage> {
    const pqxx::result rows = txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    PlanPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.plans.size()) == page_size) {
        const pqxx::row last = rows[page_size - 1];
        page.next = PageCursor{absl::FromUnixMicros(last[3].as<int64_t>()),
                               last[0].as<std::string>()};
        break;
      }
      page.plans.push_back(PlanFromRow(row));
    }
    return page;
  });
}

absl::StatusOr<pb::PlanRevision> PlanStore::GetRevision(const std::string& plan_id,
                                                        int revision) {
  return pool_->Read<pb::PlanRevision>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<pb::PlanRevision> {
        const pqxx::result rows = revision == 0
                                      ? db::Exec(txn, "revision_latest", plan_id)
                                      : db::Exec(txn, "revision_get", plan_id, revision);
        if (rows.empty()) {
          if (!PlanExists(txn, plan_id)) return PlanNotFound(plan_id);
          if (revision == 0) {
            return FailedPrecondition("PLAN_NOT_ESTABLISHED",
                                      "the plan has no revision yet: it is established at "
                                      "the SIP meeting (EstablishPlan)");
          }
          return NotFound("REVISION_NOT_FOUND",
                          absl::StrCat("plans/", plan_id, "/revisions/", revision,
                                       " does not exist; list the plan's revisions"));
        }
        return std::move(ParseAll<pb::PlanRevision>(rows, 0).front());
      });
}

absl::StatusOr<std::pair<std::vector<pb::PlanRevision>, std::optional<PageCursor>>>
PlanStore::ListRevisions(const std::string& plan_id, int page_size,
                         const std::optional<PageCursor>& after) {
  using Result = std::pair<std::vector<pb::PlanRevision>, std::optional<PageCursor>>;
  return pool_->Read<Result>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Result> {
    if (!PlanExists(txn, plan_id)) return PlanNotFound(plan_id);
    int below = std::numeric_limits<int>::max();
    if (after && !absl::SimpleAtoi(after->id, &below)) {
      return InvalidField("page_token", "is not a token this list returned");
    }
    const pqxx::result rows = db::Exec(txn, "revision_list", plan_id, below, page_size + 1);
    Result out{ParseAll<pb::PlanRevision>(rows, 0), std::nullopt};
    if (static_cast<int>(out.first.size()) > page_size) {
      out.first.pop_back();
      out.second = PageCursor{absl::UnixEpoch(), rows[page_size - 1][1].as<std::string>()};
    }
    return out;
  });
}

// A plan's history entries (follow-ups, changed circumstances), newest first: rows of
// (body, id, time in micros) from `first` / `after_stmt`, a page and the next cursor.
template <typename T>
absl::StatusOr<std::pair<std::vector<T>, std::optional<PageCursor>>> ListNewestFirst(
    db::Pool* pool, const char* first, const char* after_stmt, const std::string& plan_id,
    int page_size, const std::optional<PageCursor>& after) {
  using Result = std::pair<std::vector<T>, std::optional<PageCursor>>;
  return pool->Read<Result>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Result> {
    if (!PlanExists(txn, plan_id)) return PlanNotFound(plan_id);
    const pqxx::result rows =
        after ? db::Exec(txn, after_stmt, plan_id, page_size + 1,
                                  db::ToSqlTime(after->time), after->id)
              : db::Exec(txn, first, plan_id, page_size + 1);
    Result out{ParseAll<T>(rows, 0), std::nullopt};
    if (static_cast<int>(out.first.size()) > page_size) {
      out.first.pop_back();
      const pqxx::row last = rows[page_size - 1];
      out.second = PageCursor{absl::FromUnixMicros(last[2].as<int64_t>()),
                              last[1].as<std::string>()};
    }
    return out;
  });
}

absl::StatusOr<std::pair<std::vector<pb::FollowUp>, std::optional<PageCursor>>>
PlanStore::ListFollowUps(const std::string& plan_id, int page_size,
                         const std::optional<PageCursor>& after) {
  return ListNewestFirst<pb::FollowUp>(pool_, "follow_up_list_first", "follow_up_list_after",
                                       plan_id, page_size, after);
}

absl::StatusOr<std::pair<std::vector<pb::ChangedCircumstance>, std::optional<PageCursor>>>
PlanStore::ListCircumstances(const std::string& plan_id, int page_size,
                             const std::optional<PageCursor>& after) {
  return ListNewestFirst<pb::ChangedCircumstance>(pool_, "circumstance_list_first",
                                                  "circumstance_list_after", plan_id,
                                                  page_size, after);
}

absl::StatusOr<std::vector<db::StoredEvent>> PlanStore::Events(int64_t after, int limit, const std::string& reader) {
  return pool_->InTransaction<std::vector<db::StoredEvent>>(
      [&](pqxx::work& txn) -> absl::StatusOr<std::vector<db::StoredEvent>> {
        return db::ReadEvents(txn, after, limit, reader);
      });
}

}  // namespace sip::plan
