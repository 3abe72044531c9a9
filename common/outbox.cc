#include "common/outbox.h"

#include "common/access_log.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace sip::db {

const std::vector<PreparedStatement>& CommonStatements() {
  static const auto* const kStatements = new std::vector<PreparedStatement>{
      {"sip_outbox_insert",
       "INSERT INTO outbox (event_time, plan_id, event_type, payload) "
       "VALUES ($1::timestamptz, $2, $3, decode($4, 'base64')) RETURNING seq"},
      // One numberer at a time; the others wait (numbering takes milliseconds), so a read
      // after a commit always includes that commit's event.
      // The lock, and the first position retention kept (NULL when none is kept).
      {"sip_outbox_number_lock",
       "SELECT pg_advisory_xact_lock(hashtext('sip_outbox_number')), "
       "(SELECT min(position) FROM outbox WHERE position IS NOT NULL)"},
      // The same, with the reader's acknowledgement of everything up to $2.
      {"sip_outbox_number_lock_ack",
       "WITH ack AS (INSERT INTO event_readers (reader, acknowledged_sequence, update_time) "
       "VALUES ($1, $2, now()) ON CONFLICT (reader) DO UPDATE SET acknowledged_sequence = "
       "greatest(event_readers.acknowledged_sequence, EXCLUDED.acknowledged_sequence), "
       "update_time = EXCLUDED.update_time RETURNING 1) "
       "SELECT pg_advisory_xact_lock(hashtext('sip_outbox_number')), "
       "(SELECT min(position) FROM outbox WHERE position IS NOT NULL), (SELECT count(*) FROM ack)"},
      // Runs as its own statement after the lock, so its snapshot sees every position the
      // previous numberer committed.
      {"sip_outbox_number",
       "WITH base AS (SELECT coalesce(max(position), 0) AS p FROM outbox), "
       "pending AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM outbox "
       "WHERE position IS NULL) "
       "UPDATE outbox o SET position = base.p + pending.n FROM pending, base WHERE o.seq = pending.seq"},
      {"sip_outbox_read",
       "SELECT position, (extract(epoch from event_time) * 1000000)::bigint, plan_id, "
       "event_type, encode(payload, 'base64') FROM outbox WHERE position > $1 "
       "ORDER BY position LIMIT $2"},
      {"sip_request_claim",
       "INSERT INTO request_log (method, request_id, request_hash, result, create_time) "
       "VALUES ($1, $2, md5($3), '', $4::timestamptz) ON CONFLICT DO NOTHING"},
      {"sip_request_lookup",
       "SELECT request_hash = md5($3), result FROM request_log "
       "WHERE method = $1 AND request_id = $2"},
      {"sip_request_record",
       "UPDATE request_log SET result = $3, plan_id = NULLIF($4, '') "
       "WHERE method = $1 AND request_id = $2"},
      {"sip_request_answers_of_plan",
       "SELECT method, request_id, result FROM request_log WHERE plan_id = $1 AND result <> ''"},
      {"sip_cursor_read", "SELECT last_sequence FROM event_cursors WHERE source = $1"},
      // Made on first use; otherwise locked as it is (DO UPDATE takes the row lock and
      // returns the latest committed value, whatever the statement's snapshot).
      {"sip_cursor_lock",
       "INSERT INTO event_cursors (source, last_sequence, update_time) "
       "VALUES ($1, 0, $2::timestamptz) ON CONFLICT (source) DO UPDATE "
       "SET update_time = event_cursors.update_time RETURNING last_sequence"},
      {"sip_cursor_advance",
       "UPDATE event_cursors SET last_sequence = $2, update_time = $3::timestamptz "
       "WHERE source = $1"},
      {"sip_request_rewrite",
       "UPDATE request_log SET result = $3 WHERE method = $1 AND request_id = $2"},
  };
  return *kStatements;
}

int64_t AppendEvent(pqxx::work& txn, absl::Time event_time, absl::string_view plan_id,
                    absl::string_view type, absl::string_view payload) {
  return db::Exec1(txn, "sip_outbox_insert", ToSqlTime(event_time), std::string(plan_id),
                      std::string(type), absl::Base64Escape(payload))[0]
      .as<int64_t>();
}

absl::StatusOr<std::vector<StoredEvent>> ReadEvents(pqxx::work& txn, int64_t after, int limit,
                                                    const std::string& reader) {
  const pqxx::row locked = reader.empty()
                               ? db::Exec1(txn, "sip_outbox_number_lock")
                               : db::Exec1(txn, "sip_outbox_number_lock_ack", reader, after);
  // Positions start at 1 and are never reused; the first one kept after retention is
  // above 1 once events were removed, and a reader behind it would skip them.
  if (!locked[1].is_null() && after < locked[1].as<int64_t>() - 1) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "events up to ", locked[1].as<int64_t>() - 1,
            " were removed by retention; after_sequence ", after,
            " is behind them. A consumer this far behind must be rebuilt from the "
            "service's current state (see deploy/README.md, outbox retention)")),
        "EVENTS_PRUNED");
  }
  db::Exec0(txn, "sip_outbox_number");
  std::vector<StoredEvent> out;
  for (const auto& row : db::Exec(txn, "sip_outbox_read", after, limit)) {
    StoredEvent e;
    e.seq = row[0].as<int64_t>();
    e.event_time = absl::FromUnixMicros(row[1].as<int64_t>());
    e.plan_id = row[2].as<std::string>();
    e.type = row[3].as<std::string>();
    std::string b64 = row[4].as<std::string>();
    b64.erase(std::remove(b64.begin(), b64.end(), '\n'), b64.end());
    absl::Base64Unescape(b64, &e.payload);
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> ClaimRequest(pqxx::work& txn,
                                                        const RequestKey& key,
                                                        absl::Time now) {
  const std::string fingerprint = absl::Base64Escape(key.fingerprint);
  const pqxx::result claimed = db::Exec(txn, "sip_request_claim", key.method,
                                                 key.request_id, fingerprint, ToSqlTime(now));
  if (claimed.affected_rows() == 1) return std::optional<std::string>();
  const pqxx::row row =
      db::Exec1(txn, "sip_request_lookup", key.method, key.request_id, fingerprint);
  if (!row[0].as<bool>()) {
    return InvalidField("request_id",
                        "was already used for a different request; a retry must repeat the "
                        "request unchanged, and a new request needs a new request_id");
  }
  return std::optional<std::string>(row[1].as<std::string>());
}

absl::StatusOr<std::optional<std::string>> LookupRequest(pqxx::transaction_base& txn,
                                                         const RequestKey& key) {
  const std::string fingerprint = absl::Base64Escape(key.fingerprint);
  const pqxx::result rows =
      db::Exec(txn, "sip_request_lookup", key.method, key.request_id, fingerprint);
  if (rows.empty()) return std::optional<std::string>();
  if (!rows[0][0].as<bool>()) {
    return InvalidField("request_id",
                        "was already used for a different request; a retry must repeat the "
                        "request unchanged, and a new request needs a new request_id");
  }
  return std::optional<std::string>(rows[0][1].as<std::string>());
}

void RecordRequestResult(pqxx::work& txn, const RequestKey& key, absl::string_view result,
                         absl::string_view plan_id) {
  db::Exec0(txn, "sip_request_record", key.method, key.request_id, std::string(result),
                     std::string(plan_id));
}

namespace {

// Answers are bytes (a serialized message, JSON, …); the request log keeps them as text.
std::string EncodeAnswer(absl::string_view answer) { return absl::Base64Escape(answer); }

absl::StatusOr<std::string> DecodeAnswer(const std::string& stored) {
  std::string out;
  if (!absl::Base64Unescape(stored, &out)) {
    return absl::InternalError("a stored answer is unreadable");
  }
  return out;
}

}  // namespace

std::vector<StoredAnswer> AnswersOfPlan(pqxx::work& txn, absl::string_view plan_id) {
  std::vector<StoredAnswer> out;
  for (const auto& row : db::Exec(txn, "sip_request_answers_of_plan", std::string(plan_id))) {
    std::string answer;
    absl::Base64Unescape(row[2].as<std::string>(), &answer);
    out.push_back({{row[0].as<std::string>(), row[1].as<std::string>(), ""}, std::move(answer)});
  }
  return out;
}

void RewriteAnswer(pqxx::work& txn, const RequestKey& key, absl::string_view answer) {
  db::Exec0(txn, "sip_request_rewrite", key.method, key.request_id, EncodeAnswer(answer));
}

absl::StatusOr<std::string> RunMutation(
    Pool& pool, const std::optional<RequestKey>& key, absl::Time now,
    const std::function<absl::StatusOr<Effect>(pqxx::work&)>& apply) {
  std::vector<size_t> logged;
  absl::StatusOr<std::string> answer =
      pool.InTransaction<std::string>([&](pqxx::work& txn) -> absl::StatusOr<std::string> {
        if (key) {
          absl::StatusOr<std::optional<std::string>> earlier = ClaimRequest(txn, *key, now);
          if (!earlier.ok()) return earlier.status();
          if (earlier->has_value()) return DecodeAnswer(**earlier);
        }
        absl::StatusOr<Effect> effect = apply(txn);
        if (!effect.ok()) return effect.status();
        // The call's access log entries commit with the change (access_log.h).
        logged = accesslog::AppendForMutation(txn, pool, effect->plan_id, now);
        if (!effect->event_type.empty()) {
          AppendEvent(txn, now, effect->plan_id, effect->event_type, effect->event_payload);
        }
        if (key) RecordRequestResult(txn, *key, EncodeAnswer(effect->answer), effect->plan_id);
        return std::move(effect->answer);
      });
  if (answer.ok()) accesslog::MarkWritten(logged);
  return answer;
}

absl::StatusOr<std::optional<std::string>> PriorAnswer(Pool& pool, const RequestKey& key) {
  return pool.Read<std::optional<std::string>>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<std::optional<std::string>> {
        absl::StatusOr<std::optional<std::string>> stored = LookupRequest(txn, key);
        if (!stored.ok()) return stored.status();
        if (!stored->has_value()) return std::optional<std::string>();
        absl::StatusOr<std::string> answer = DecodeAnswer(**stored);
        if (!answer.ok()) return answer.status();
        return std::optional<std::string>(*std::move(answer));
      });
}

absl::Status ValidateRequestId(absl::string_view request_id, absl::string_view field) {
  if (request_id.size() > 64) {
    return InvalidField(std::string(field), "must be at most 64 characters (a UUID fits)");
  }
  for (char c : request_id) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return InvalidField(std::string(field),
                          "must be printable ASCII without spaces (a UUID is recommended)");
    }
  }
  return absl::OkStatus();
}

}  // namespace sip::db
