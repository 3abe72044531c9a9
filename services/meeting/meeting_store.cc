#include "services/meeting/meeting_store.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::meeting {
namespace {

const char* StateName(pb::MeetingState s) {
  switch (s) {
    case pb::MEETING_STATE_HELD: return "HELD";
    case pb::MEETING_STATE_CANCELLED: return "CANCELLED";
    default: return "SCHEDULED";
  }
}

absl::Status MeetingNotFound(const std::string& meeting_id) {
  return NotFound("MEETING_NOT_FOUND",
                  absl::StrCat("meeting ", meeting_id,
                               " does not exist; list the plan's meetings to find it"));
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// Columns every meeting query reads, in this order.
constexpr char kColumns[] =
    "m.meeting_id, m.body::text, m.version, (extract(epoch from m.start_time) * 1000000)::bigint";

StoredMeeting FromRow(const pqxx::row& row) {
  StoredMeeting out;
  out.meeting_id = row[0].as<std::string>();
  const absl::Status parsed = FromJson(row[1].as<std::string>(), &out.meeting);
  if (!parsed.ok()) throw std::runtime_error(absl::StrCat("meeting ", out.meeting_id, " unreadable"));
  out.version = row[2].as<int64_t>();
  out.meeting.set_etag(EtagOf(out.version));
  return out;
}

// Writes the meeting and its unit invitations (the inbox index) in one statement.
void Write(pqxx::work& txn, const StoredMeeting& stored, bool insert) {
  const pb::Meeting& m = stored.meeting;
  pb::Meeting body = m;
  body.clear_etag();
  std::vector<std::string> ids, units, states, sent;
  for (const pb::Invitation& inv : m.invitations()) {
    if (!inv.invitee().has_unit()) continue;
    ids.push_back(IdOf(inv.name()));
    units.push_back(inv.invitee().unit().hsa_id());
    states.push_back(pb::InvitationState_Name(inv.state()).substr(strlen("INVITATION_STATE_")));
    sent.push_back(db::ToSqlTime(TimeOf(inv.send_time())));
  }
  const std::string plan_id =
      m.name().substr(strlen("plans/"), m.name().find("/meetings/") - strlen("plans/"));
  const std::string start = db::ToSqlTime(TimeOf(m.details().start_time()));
  const std::string updated = db::ToSqlTime(TimeOf(m.update_time()));
  if (insert) {
    txn.exec_prepared0("meeting_insert", stored.meeting_id, plan_id, StateName(m.state()), start,
                       stored.version, db::ToSqlTime(TimeOf(m.create_time())), updated,
                       ToJson(body), db::ToSqlArray(ids), db::ToSqlArray(units),
                       db::ToSqlArray(states), db::ToSqlArray(sent));
  } else {
    txn.exec_prepared0("meeting_update", stored.meeting_id, StateName(m.state()), start,
                       stored.version, updated, ToJson(body), db::ToSqlArray(ids),
                       db::ToSqlArray(units), db::ToSqlArray(states), db::ToSqlArray(sent));
  }
}

// The unit invitations as parallel arrays from parameter `first` on (id, unit, state,
// send time), written for meeting $1.
std::string InvitationRows(int first) {
  return absl::StrCat(
      "INSERT INTO meeting_invitations (invitation_id, meeting_id, unit_hsa_id, state, "
      "send_time) SELECT i.id, $1, i.unit, i.state, i.sent FROM unnest($", first, "::text[], $",
      first + 1, "::text[], $", first + 2, "::text[], $", first + 3,
      "::timestamptz[]) AS i(id, unit, state, sent) ");
}

}  // namespace

std::string EtagOf(int64_t version) { return absl::StrCat("\"", version, "\""); }

std::vector<db::PreparedStatement> MeetingStore::Statements() {
  return {
      {"meeting_insert",
       absl::StrCat("WITH m AS (INSERT INTO meetings (meeting_id, plan_id, state, start_time, "
                    "version, create_time, update_time, body) VALUES ($1, $2, $3, "
                    "$4::timestamptz, $5, $6::timestamptz, $7::timestamptz, $8::jsonb)) ",
                    InvitationRows(9))},
      {"meeting_update",
       absl::StrCat("WITH m AS (UPDATE meetings SET state = $2, start_time = $3::timestamptz, "
                    "version = $4, update_time = $5::timestamptz, body = $6::jsonb "
                    "WHERE meeting_id = $1) ",
                    InvitationRows(7),
                    "ON CONFLICT (invitation_id) DO UPDATE SET state = EXCLUDED.state, "
                    "send_time = EXCLUDED.send_time")},
      {"meeting_get", absl::StrCat("SELECT ", kColumns, " FROM meetings m WHERE meeting_id = $1")},
      {"meeting_get_for_update",
       absl::StrCat("SELECT ", kColumns, " FROM meetings m WHERE meeting_id = $1 FOR UPDATE")},
      {"meeting_list_first",
       absl::StrCat("SELECT ", kColumns, " FROM meetings m WHERE plan_id = $1 AND "
                    "($3 = '' OR state = $3) ORDER BY start_time, meeting_id LIMIT $2")},
      {"meeting_list_after",
       absl::StrCat("SELECT ", kColumns, " FROM meetings m WHERE plan_id = $1 AND "
                    "($3 = '' OR state = $3) AND (start_time, meeting_id) > ($4::timestamptz, $5) "
                    "ORDER BY start_time, meeting_id LIMIT $2")},
      {"meeting_scheduled_of_plan",
       "SELECT meeting_id FROM meetings WHERE plan_id = $1 AND state = 'SCHEDULED'"},
  };
}

absl::StatusOr<std::string> MeetingStore::Create(
    const std::optional<db::RequestKey>& key, absl::Time now,
    const std::function<absl::StatusOr<StoredMeeting>()>& make,
    const std::function<db::Effect(const StoredMeeting&)>& effect) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    SIP_ASSIGN_OR_RETURN(StoredMeeting stored, make());
    stored.version = 1;
    stored.meeting.set_etag(EtagOf(1));
    Write(txn, stored, true);
    return effect(stored);
  });
}

absl::StatusOr<std::string> MeetingStore::Mutate(
    const std::optional<db::RequestKey>& key, const std::string& meeting_id, absl::Time now,
    const std::function<absl::StatusOr<db::Effect>(StoredMeeting&)>& change) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    const pqxx::result rows = txn.exec_prepared("meeting_get_for_update", meeting_id);
    if (rows.empty()) return MeetingNotFound(meeting_id);
    StoredMeeting stored = FromRow(rows[0]);
    ++stored.version;
    stored.meeting.set_etag(EtagOf(stored.version));
    SIP_ASSIGN_OR_RETURN(db::Effect effect, change(stored));
    Write(txn, stored, false);
    return effect;
  });
}

absl::StatusOr<std::optional<std::string>> MeetingStore::PriorResult(const db::RequestKey& key) {
  return db::PriorAnswer(*pool_, key);
}

absl::StatusOr<StoredMeeting> MeetingStore::Get(const std::string& meeting_id) {
  return pool_->Read<StoredMeeting>([&](pqxx::transaction_base& txn) -> absl::StatusOr<StoredMeeting> {
    const pqxx::result rows = txn.exec_prepared("meeting_get", meeting_id);
    if (rows.empty()) return MeetingNotFound(meeting_id);
    return FromRow(rows[0]);
  });
}

absl::StatusOr<std::pair<std::vector<pb::Meeting>, std::optional<PageCursor>>>
MeetingStore::ListByPlan(const std::string& plan_id, std::optional<pb::MeetingState> state,
                         int page_size, const std::optional<PageCursor>& after) {
  using Result = std::pair<std::vector<pb::Meeting>, std::optional<PageCursor>>;
  const std::string state_name = state ? StateName(*state) : "";
  return pool_->Read<Result>([&](pqxx::transaction_base& txn) -> absl::StatusOr<Result> {
    const pqxx::result rows =
        after ? txn.exec_prepared("meeting_list_after", plan_id, page_size + 1, state_name,
                                  db::ToSqlTime(after->time), after->id)
              : txn.exec_prepared("meeting_list_first", plan_id, page_size + 1, state_name);
    Result out;
    for (const auto& row : rows) {
      if (static_cast<int>(out.first.size()) == page_size) {
        const pqxx::row last = rows[page_size - 1];
        out.second = PageCursor{absl::FromUnixMicros(last[3].as<int64_t>()),
                                last[0].as<std::string>()};
        break;
      }
      out.first.push_back(FromRow(row).meeting);
    }
    return out;
  });
}

absl::StatusOr<std::vector<std::string>> MeetingStore::ScheduledOfPlan(const std::string& plan_id) {
  return pool_->Read<std::vector<std::string>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const auto& row : txn.exec_prepared("meeting_scheduled_of_plan", plan_id)) {
          out.push_back(row[0].as<std::string>());
        }
        return out;
      });
}

absl::StatusOr<std::vector<db::StoredEvent>> MeetingStore::Events(int64_t after, int limit) {
  return pool_->InTransaction<std::vector<db::StoredEvent>>(
      [&](pqxx::work& txn) -> absl::StatusOr<std::vector<db::StoredEvent>> {
        return db::ReadEvents(txn, after, limit);
      });
}

}  // namespace sip::meeting
