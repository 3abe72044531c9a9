#include "services/meeting/meeting_store.h"

#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/plan_access.h"
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

const char* NoticeKindName(pb::NoticeKind k) {
  switch (k) {
    case pb::NOTICE_KIND_RESCHEDULED: return "RESCHEDULED";
    case pb::NOTICE_KIND_CANCELLED: return "CANCELLED";
    case pb::NOTICE_KIND_FORWARDED_TO_YOU: return "FORWARDED_TO_YOU";
    default: return "PLAN_CLOSED";
  }
}

pb::NoticeKind NoticeKindOf(const std::string& name) {
  pb::NoticeKind k = pb::NOTICE_KIND_UNSPECIFIED;
  pb::NoticeKind_Parse("NOTICE_KIND_" + name, &k);
  return k;
}

// Columns every notice query reads, in this order.
constexpr char kNoticeColumns[] =
    "notice_id, unit_hsa_id, kind, plan_id, meeting_id, invitation_id, "
    "(extract(epoch from create_time) * 1000000)::bigint, version, acknowledged_unit, "
    "acknowledged_user, (extract(epoch from acknowledge_time) * 1000000)::bigint";

// A notice from kNoticeColumns starting at column `c`.
pb::Notice NoticeFromRow(const pqxx::row& row, int c) {
  pb::Notice n;
  const std::string plan = absl::StrCat("plans/", row[c + 3].as<std::string>());
  const std::string meeting = absl::StrCat(plan, "/meetings/", row[c + 4].as<std::string>());
  n.set_name(absl::StrCat("units/", row[c + 1].as<std::string>(), "/notices/",
                          row[c].as<std::string>()));
  n.set_kind(NoticeKindOf(row[c + 2].as<std::string>()));
  n.set_plan(plan);
  n.set_meeting(meeting);
  n.set_invitation(absl::StrCat(meeting, "/invitations/", row[c + 5].as<std::string>()));
  ToProto(absl::FromUnixMicros(row[c + 6].as<int64_t>()), n.mutable_create_time());
  n.set_etag(EtagOf(row[c + 7].as<int64_t>()));
  if (!row[c + 8].is_null()) {
    n.mutable_acknowledged_by()->mutable_unit()->set_hsa_id(row[c + 8].as<std::string>());
    n.mutable_acknowledged_by()->set_user_id(row[c + 9].as<std::string>());
    ToProto(absl::FromUnixMicros(row[c + 10].as<int64_t>()), n.mutable_acknowledge_time());
  }
  return n;
}

// Writes the meeting and its unit invitations (the inbox index), and on an update its
// new notices, in one statement.
void Write(pqxx::work& txn, const StoredMeeting& stored, bool insert) {
  const pb::Meeting& m = stored.meeting;
  pb::Meeting body = m;
  body.clear_etag();
  std::vector<std::string> ids, units, states, sent;
  for (const pb::Invitation& inv : m.invitations()) {
    if (!inv.invitee().has_unit()) continue;
    ids.push_back(IdOf(inv.name()));
    units.push_back(inv.invitee().unit().hsa_id());
    // An invitation still PENDING when its meeting was held awaits nothing any more: the
    // index says UNANSWERED, so the inbox's "to do" view leaves it out.
    states.push_back(inv.state() == pb::INVITATION_STATE_PENDING &&
                             m.state() != pb::MEETING_STATE_SCHEDULED
                         ? "UNANSWERED"
                         : pb::InvitationState_Name(inv.state()).substr(strlen("INVITATION_STATE_")));
    sent.push_back(db::ToSqlTime(TimeOf(inv.send_time())));
  }
  const std::string plan_id =
      m.name().substr(strlen("plans/"), m.name().find("/meetings/") - strlen("plans/"));
  const std::string start = db::ToSqlTime(TimeOf(m.details().start_time()));
  const std::string updated = db::ToSqlTime(TimeOf(m.update_time()));
  if (insert) {
    db::Exec0(txn, "meeting_insert", stored.meeting_id, plan_id, StateName(m.state()), start,
                       stored.version, db::ToSqlTime(TimeOf(m.create_time())), updated,
                       ToJson(body), db::ToSqlArray(ids), db::ToSqlArray(units),
                       db::ToSqlArray(states), db::ToSqlArray(sent));
  } else {
    std::vector<std::string> notice_ids, notice_units, kinds, invitations;
    for (const pb::Notice& n : stored.notices) {
      notice_ids.push_back(IdOf(n.name()));
      notice_units.push_back(n.name().substr(strlen("units/"), n.name().find("/notices/") -
                                                                  strlen("units/")));
      kinds.push_back(NoticeKindName(n.kind()));
      invitations.push_back(IdOf(n.invitation()));
    }
    db::Exec0(txn, "meeting_update", stored.meeting_id, StateName(m.state()), start,
                       stored.version, updated, ToJson(body), db::ToSqlArray(ids),
                       db::ToSqlArray(units), db::ToSqlArray(states), db::ToSqlArray(sent),
                       db::ToSqlArray(notice_ids), db::ToSqlArray(notice_units),
                       db::ToSqlArray(kinds), db::ToSqlArray(invitations), plan_id);
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

// A unit's inbox ($1) after the position ($2 section, $3 time, $4 id), at most $5 rows:
// section 0 its invitations, section 1 its notices, newest first within each. Each branch
// is a range scan of its index (the "to do" ones of the partial indexes).
std::string InboxQuery(bool to_do_only) {
  const std::string after =
      "($2 < {s} OR ($2 = {s} AND ({t}, {id}) < ($3::timestamptz, $4)))";
  auto cond = [&](const char* section, const char* t, const char* id) {
    std::string c = after;
    for (auto [from, to] : {std::pair<std::string, std::string>{"{s}", section},
                            {"{t}", t}, {"{id}", id}}) {
      for (size_t at; (at = c.find(from)) != std::string::npos;) c.replace(at, from.size(), to);
    }
    return c;
  };
  return absl::StrCat(
      "(SELECT 0, (extract(epoch from i.send_time) * 1000000)::bigint, i.invitation_id, "
      "m.meeting_id, m.body::text, m.version, NULL, NULL, NULL, NULL, NULL, NULL, NULL::bigint, "
      "NULL::bigint, NULL, NULL, NULL::bigint FROM meeting_invitations i JOIN meetings m ON m.meeting_id = "
      "i.meeting_id WHERE i.unit_hsa_id = $1",
      to_do_only ? " AND i.state = 'PENDING'" : "", " AND ",
      cond("0", "i.send_time", "i.invitation_id"),
      " ORDER BY i.send_time DESC, i.invitation_id DESC LIMIT $5) UNION ALL (SELECT 1, "
      "(extract(epoch from create_time) * 1000000)::bigint, notice_id, NULL, NULL, NULL::bigint, ",
      kNoticeColumns, " FROM meeting_notices WHERE unit_hsa_id = $1",
      to_do_only ? " AND acknowledge_time IS NULL" : "", " AND ",
      cond("1", "create_time", "notice_id"),
      " ORDER BY create_time DESC, notice_id DESC LIMIT $5) ORDER BY 1, 2 DESC, 3 DESC LIMIT $5");
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
                    "WHERE meeting_id = $1), "
                    "n AS (INSERT INTO meeting_notices (notice_id, unit_hsa_id, kind, plan_id, "
                    "meeting_id, invitation_id, create_time) SELECT n.id, n.unit, n.kind, $15, "
                    "$1, n.inv, $5::timestamptz FROM unnest($11::text[], $12::text[], "
                    "$13::text[], $14::text[]) AS n(id, unit, kind, inv)) ",
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
      {"meeting_scheduled_of_plan_for_update",
       absl::StrCat("SELECT ", kColumns, " FROM meetings m WHERE plan_id = $1 AND "
                    "state = 'SCHEDULED' ORDER BY meeting_id FOR UPDATE")},
      {"inbox_to_do", InboxQuery(true)},
      {"inbox_all", InboxQuery(false)},
      {"notice_get_for_update",
       absl::StrCat("SELECT ", kNoticeColumns, " FROM meeting_notices WHERE notice_id = $1 "
                    "AND unit_hsa_id = $2 FOR UPDATE")},
      {"notice_acknowledge",
       absl::StrCat("UPDATE meeting_notices SET version = version + 1, acknowledged_unit = $2, "
                    "acknowledged_user = $3, acknowledge_time = $4::timestamptz "
                    "WHERE notice_id = $1 RETURNING ", kNoticeColumns)},
  };
}

namespace {

// The units a change invites go to this service's access projection with the change
// itself (as the plan service's parties do), so its gate is never behind its meetings.
absl::StatusOr<db::Effect> WithInvitations(pqxx::work& txn, db::Effect effect) {
  if (!effect.event_type.empty()) {
    SIP_RETURN_IF_ERROR(authz::ApplyMeetingEvent(txn, effect.event_payload));
  }
  return effect;
}

}  // namespace

absl::StatusOr<std::string> MeetingStore::Create(
    const std::optional<db::RequestKey>& key, absl::Time now,
    const std::function<absl::StatusOr<StoredMeeting>()>& make,
    const std::function<db::Effect(const StoredMeeting&)>& effect) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    SIP_ASSIGN_OR_RETURN(StoredMeeting stored, make());
    stored.version = 1;
    stored.meeting.set_etag(EtagOf(1));
    Write(txn, stored, true);
    return WithInvitations(txn, effect(stored));
  });
}

absl::StatusOr<std::string> MeetingStore::Mutate(
    const std::optional<db::RequestKey>& key, const std::string& meeting_id, absl::Time now,
    const std::function<absl::StatusOr<db::Effect>(StoredMeeting&)>& change) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    const pqxx::result rows = db::Exec(txn, "meeting_get_for_update", meeting_id);
    if (rows.empty()) return MeetingNotFound(meeting_id);
    StoredMeeting stored = FromRow(rows[0]);
    ++stored.version;
    stored.meeting.set_etag(EtagOf(stored.version));
    SIP_ASSIGN_OR_RETURN(db::Effect effect, change(stored));
    Write(txn, stored, false);
    return WithInvitations(txn, std::move(effect));
  });
}

absl::StatusOr<std::optional<std::string>> MeetingStore::PriorResult(const db::RequestKey& key) {
  return db::PriorAnswer(*pool_, key);
}

absl::StatusOr<StoredMeeting> MeetingStore::Get(const std::string& meeting_id) {
  return pool_->Read<StoredMeeting>([&](pqxx::transaction_base& txn) -> absl::StatusOr<StoredMeeting> {
    const pqxx::result rows = db::Exec(txn, "meeting_get", meeting_id);
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
        after ? db::Exec(txn, "meeting_list_after", plan_id, page_size + 1, state_name,
                                  db::ToSqlTime(after->time), after->id)
              : db::Exec(txn, "meeting_list_first", plan_id, page_size + 1, state_name);
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
        for (const auto& row : db::Exec(txn, "meeting_scheduled_of_plan", plan_id)) {
          out.push_back(row[0].as<std::string>());
        }
        return out;
      });
}

absl::StatusOr<InboxPage> MeetingStore::Inbox(const std::string& unit_hsa_id, bool to_do_only,
                                              int page_size,
                                              const std::optional<PageCursor>& after) {
  // The position encodes the section in the id: "0:" invitations, "1:" notices.
  int section = 0;
  std::string time = "infinity";
  std::string id;
  if (after) {
    section = absl::StartsWith(after->id, "1:") ? 1 : 0;
    time = db::ToSqlTime(after->time);
    id = after->id.size() >= 2 ? after->id.substr(2) : "";
  }
  return pool_->Read<InboxPage>([&](pqxx::transaction_base& txn) -> absl::StatusOr<InboxPage> {
    const pqxx::result rows = db::Exec(txn, to_do_only ? "inbox_to_do" : "inbox_all",
                                                unit_hsa_id, section, time, id, page_size + 1);
    InboxPage page;
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
      const pqxx::row& row = rows[r];
      if (r == page_size) {
        const pqxx::row& last = rows[r - 1];
        page.next = PageCursor{absl::FromUnixMicros(last[1].as<int64_t>()),
                               absl::StrCat(last[0].as<int>(), ":", last[2].as<std::string>())};
        break;
      }
      pb::InboxItem item;
      if (row[0].as<int>() == 0) {
        pb::Meeting meeting;
        if (!FromJson(row[4].as<std::string>(), &meeting).ok()) {
          return absl::InternalError("a stored meeting is unreadable");
        }
        meeting.set_etag(EtagOf(row[5].as<int64_t>()));
        const std::string invitation =
            absl::StrCat(meeting.name(), "/invitations/", row[2].as<std::string>());
        *item.mutable_meeting() = ForInbox(meeting, invitation);
        if (item.meeting().invitations().empty()) {
          return absl::InternalError("an indexed invitation is missing from its meeting");
        }
        *item.mutable_invitation() = item.meeting().invitations(0);
      } else {
        *item.mutable_notice() = NoticeFromRow(row, 5 + 1);
      }
      page.items.push_back(std::move(item));
    }
    return page;
  });
}

absl::StatusOr<std::string> MeetingStore::Acknowledge(const std::optional<db::RequestKey>& key,
                                                      const std::string& unit_hsa_id,
                                                      const std::string& notice_id,
                                                      const std::string& etag,
                                                      const Actor& actor, absl::Time now) {
  return db::RunMutation(*pool_, key, now, [&](pqxx::work& txn) -> absl::StatusOr<db::Effect> {
    const pqxx::result rows = db::Exec(txn, "notice_get_for_update", notice_id, unit_hsa_id);
    if (rows.empty()) {
      return NotFound("NOTICE_NOT_FOUND",
                      absl::StrCat("units/", unit_hsa_id, "/notices/", notice_id,
                                   " does not exist; list the unit's inbox to find it"));
    }
    pb::Notice notice = NoticeFromRow(rows[0], 0);
    if (!etag.empty() && etag != notice.etag()) {
      return Aborted("ETAG_MISMATCH", absl::StrCat("the notice changed since it was read (it is "
                                                   "now at etag ", notice.etag(),
                                                   "); read it again and retry"));
    }
    if (!notice.has_acknowledge_time()) {
      notice = NoticeFromRow(db::Exec1(txn, "notice_acknowledge", notice_id,
                                                actor.unit.hsa_id, actor.user_id,
                                                db::ToSqlTime(now)),
                             0);
    }
    return db::Effect{IdOf(notice.plan()), "", "", notice.SerializeAsString()};
  });
}

absl::StatusOr<int> MeetingStore::ChangeScheduledOfPlan(pqxx::work& txn,
                                                        const std::string& plan_id,
                                                        absl::Time now, const CancelFn& change) {
  int changed = 0;
  for (const auto& row : db::Exec(txn, "meeting_scheduled_of_plan_for_update", plan_id)) {
    StoredMeeting stored = FromRow(row);
    ++stored.version;
    stored.meeting.set_etag(EtagOf(stored.version));
    SIP_ASSIGN_OR_RETURN(auto event, change(stored));
    Write(txn, stored, false);
    db::AppendEvent(txn, now, plan_id, event.first, event.second);
    ++changed;
  }
  return changed;
}

absl::StatusOr<std::vector<db::StoredEvent>> MeetingStore::Events(int64_t after, int limit, const std::string& reader) {
  return pool_->InTransaction<std::vector<db::StoredEvent>>(
      [&](pqxx::work& txn) -> absl::StatusOr<std::vector<db::StoredEvent>> {
        return db::ReadEvents(txn, after, limit, reader);
      });
}

}  // namespace sip::meeting
