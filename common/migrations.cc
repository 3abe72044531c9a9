#include "common/migrations.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/log.h"
#include "pqxx/pqxx"

namespace sip::db {

const std::vector<Migration>& CommonMigrations() {
  static const auto* const kMigrations = new std::vector<Migration>{
      {"common_0001_outbox", R"sql(
-- The service's events, written in the same transaction as the change they describe.
-- Sequence numbers come from outbox_counter, whose single row each writer locks until
-- commit: numbers are handed out in commit order, with no gaps, so a consumer reading
-- "seq > cursor" never skips an event that commits late.
CREATE TABLE outbox_counter (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_seq bigint NOT NULL
);
INSERT INTO outbox_counter (id, last_seq) VALUES (true, 0);
CREATE TABLE outbox (
  seq bigint PRIMARY KEY,
  event_time timestamptz NOT NULL,
  plan_id text NOT NULL,
  event_type text NOT NULL,
  payload bytea NOT NULL
);
)sql"},
      {"common_0002_request_log", R"sql(
-- Idempotency: the first call with a request_id records it with a fingerprint of the
-- request and what it produced; a retry returns that, and a different request under the
-- same id is refused.
CREATE TABLE request_log (
  request_id text NOT NULL,
  method text NOT NULL,
  request_hash text NOT NULL,
  result text NOT NULL,
  create_time timestamptz NOT NULL,
  PRIMARY KEY (method, request_id)
);
CREATE INDEX request_log_by_time ON request_log (create_time);
)sql"},
      {"common_0003_request_log_plan", R"sql(
-- The plan a stored answer belongs to, so that a plan switching to protected identity can
-- have the identifying details removed from every answer kept for retries.
ALTER TABLE request_log ADD COLUMN plan_id text;
CREATE INDEX request_log_by_plan ON request_log (plan_id) WHERE plan_id IS NOT NULL;
)sql"},
      {"common_0004_event_cursors", R"sql(
-- Where this service has read each other service's events (common/event_consumer.h).
-- Advanced in the same transaction as the events' effects, under this row's lock, so
-- every event is applied exactly once across restarts and replicas.
CREATE TABLE event_cursors (
  source text PRIMARY KEY,
  last_sequence bigint NOT NULL CHECK (last_sequence >= 0),
  update_time timestamptz NOT NULL
);
)sql"},
      {"common_0005_outbox_positions", R"sql(
-- Writers no longer queue on one counter row. Each event takes seq from a plain sequence
-- (drawn by the transaction's last statement, after its row locks, so two changes of one
-- plan draw in commit order) and no position. ListEvents first numbers, under an
-- advisory lock, every committed event without a position in seq order, then serves
-- positions: a position is given only to a committed event and always above every
-- position given before, so a consumer reading "position > cursor" never skips an event
-- that commits late, and rolled-back events leave no gap. Positions are the public
-- sequence numbers; existing events keep theirs.
CREATE SEQUENCE outbox_seq;
SELECT setval('outbox_seq', greatest((SELECT max(seq) FROM outbox),
                                     (SELECT last_seq FROM outbox_counter), 1));
ALTER TABLE outbox ALTER COLUMN seq SET DEFAULT nextval('outbox_seq');
ALTER SEQUENCE outbox_seq OWNED BY outbox.seq;
ALTER TABLE outbox ADD COLUMN position bigint;
UPDATE outbox SET position = seq;
CREATE UNIQUE INDEX outbox_by_position ON outbox (position) WHERE position IS NOT NULL;
CREATE INDEX outbox_unnumbered ON outbox (seq) WHERE position IS NULL;
DROP TABLE outbox_counter;
)sql"},
      {"common_0006_plan_access", R"sql(
-- The access projection (common/plan_access.h): who takes part in each plan and what the
-- person's consent covers, to decide who sees it without asking another service.
CREATE TABLE access_plans (
  plan_id text PRIMARY KEY,
  initiating_unit text NOT NULL,
  coordinator_unit text NOT NULL,
  participant_units text[] NOT NULL
);
CREATE INDEX access_plans_by_initiator ON access_plans (initiating_unit);
CREATE INDEX access_plans_by_participant ON access_plans USING gin (participant_units);
-- A plan with any consent decision recorded (given, refused, withdrawn).
CREATE TABLE access_consented (
  plan_id text PRIMARY KEY
);
CREATE TABLE access_coverage (
  plan_id text NOT NULL,
  unit_hsa_id text NOT NULL,
  covered_until timestamptz,
  PRIMARY KEY (plan_id, unit_hsa_id)
);
CREATE INDEX access_coverage_by_unit ON access_coverage (unit_hsa_id);
)sql"},
      {"common_0007_access_log", R"sql(
-- The access log (common/access_log.h): one entry per access to a person's data, written
-- with the access itself; a chainer then gives committed entries their place in a hash
-- chain (position, prev_hash, hash), in order, one chainer at a time.
CREATE TABLE access_log (
  seq bigserial PRIMARY KEY,
  log_time timestamptz NOT NULL,
  plan_id text NOT NULL,
  user_id text NOT NULL,
  unit_hsa_id text NOT NULL,
  system text NOT NULL,
  method text NOT NULL,
  resource text NOT NULL,
  outcome text NOT NULL,
  position bigint,
  prev_hash text,
  hash text
);
CREATE INDEX access_log_unchained ON access_log (seq) WHERE position IS NULL;
CREATE UNIQUE INDEX access_log_by_position ON access_log (position) WHERE position IS NOT NULL;
CREATE INDEX access_log_by_plan ON access_log (plan_id, log_time);
)sql"},
      {"common_0008_access_log_seal", R"sql(
-- Sealing an entry into the chain is the only change ever made to it, and only once. It
-- goes through this function, which runs with its owner's rights (the migration role's),
-- so that a service's runtime role needs no UPDATE on the log: it can fill the chain
-- fields of entries that have none, and change nothing else (least privilege).
CREATE FUNCTION access_log_seal(seqs bigint[], positions bigint[], prevs text[],
                                hashes text[])
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  WITH sealed AS (
    UPDATE access_log a
       SET position = s.position, prev_hash = s.prev_hash, hash = s.hash
      FROM unnest(seqs, positions, prevs, hashes) AS s(seq, position, prev_hash, hash)
     WHERE a.seq = s.seq AND a.position IS NULL
    RETURNING 1)
  SELECT count(*)::integer FROM sealed
$$;
REVOKE ALL ON FUNCTION access_log_seal(bigint[], bigint[], text[], text[]) FROM PUBLIC;
)sql"},
      {"common_0009_event_readers", R"sql(
-- Outbox retention (common/retention.h) removes only events every reader has applied: each
-- suite service that reads this service's events acknowledges its cursor with each read.
CREATE TABLE event_readers (
  reader text PRIMARY KEY,
  acknowledged_sequence bigint NOT NULL CHECK (acknowledged_sequence >= 0),
  update_time timestamptz NOT NULL
);
CREATE INDEX outbox_by_time ON outbox (event_time);
)sql"},
      {"common_0010_access_invited", R"sql(
-- The access projection's third half (common/plan_access.h): the units invited to a
-- plan's meetings, from the meeting service's events. An invited unit takes part in the
-- planning: with the person's consent covering it, it sees the plan.
CREATE TABLE access_invited (
  plan_id text NOT NULL,
  unit_hsa_id text NOT NULL,
  PRIMARY KEY (plan_id, unit_hsa_id)
);
CREATE INDEX access_invited_by_unit ON access_invited (unit_hsa_id);
)sql"},
  };
  return *kMigrations;
}

absl::Status ApplyMigrations(const std::string& conninfo, const std::string& schema,
                             const std::vector<Migration>& service) {
  std::vector<Migration> all = CommonMigrations();
  all.insert(all.end(), service.begin(), service.end());
  try {
    pqxx::connection conn(conninfo);
    pqxx::nontransaction session(conn);
    // Session-level lock keyed by schema: a second runner waits here until the first is
    // done, then finds everything applied.
    session.exec(absl::StrCat("SELECT pg_advisory_lock(hashtext(",
                              session.quote("sip-migrations:" + schema), "))"));
    session.exec(absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", session.quote_name(schema)));
    session.exec(absl::StrCat("CREATE TABLE IF NOT EXISTS ", session.quote_name(schema),
                              ".schema_migrations (name text PRIMARY KEY, sql_md5 text NOT "
                              "NULL, apply_time timestamptz NOT NULL DEFAULT now())"));
    session.commit();
    int applied = 0;
    for (const Migration& m : all) {
      pqxx::work txn(conn);
      txn.exec(absl::StrCat("SET LOCAL search_path TO ", txn.quote_name(schema)));
      const pqxx::result existing = txn.exec(absl::StrCat(
          "SELECT sql_md5, md5(", txn.quote(m.sql), ") FROM schema_migrations WHERE name = ",
          txn.quote(m.name)));
      if (!existing.empty()) {
        if (existing[0][0].as<std::string>() != existing[0][1].as<std::string>()) {
          return FailedPrecondition(
              "MIGRATION_CHANGED",
              absl::StrCat("migration ", m.name, " in schema ", schema,
                           " was changed after it was applied; restore it and add a new "
                           "migration instead"));
        }
        continue;
      }
      txn.exec(m.sql);
      txn.exec(absl::StrCat("INSERT INTO schema_migrations (name, sql_md5) VALUES (",
                            txn.quote(m.name), ", md5(", txn.quote(m.sql), "))"));
      txn.commit();
      ++applied;
      log::Info("migration_applied", {{"schema", schema}, {"migration", m.name}});
    }
    pqxx::nontransaction unlock(conn);
    unlock.exec(absl::StrCat("SELECT pg_advisory_unlock(hashtext(",
                             unlock.quote("sip-migrations:" + schema), "))"));
    log::Info("migrations_done", {{"schema", schema}, {"applied", applied}});
    return absl::OkStatus();
  } catch (const std::exception& e) {
    bool broken = false;
    absl::Status status = StatusFromException(e, &broken);
    return absl::Status(status.code(),
                        absl::StrCat("applying migrations to schema ", schema, " failed: ",
                                     e.what()));
  }
}

absl::Status GrantRuntimeRole(const std::string& conninfo, const std::string& schema,
                              const std::string& runtime_role,
                              const TablePrivileges& privileges) {
  try {
    pqxx::connection conn(conninfo);
    pqxx::work txn(conn);
    const std::string s = txn.quote_name(schema);
    const std::string r = txn.quote_name(runtime_role);
    auto table = [&](const std::string& name) { return absl::StrCat(s, ".", txn.quote_name(name)); };
    txn.exec(absl::StrCat("GRANT USAGE ON SCHEMA ", s, " TO ", r));
    txn.exec(absl::StrCat("REVOKE ALL ON ALL TABLES IN SCHEMA ", s, " FROM ", r));
    txn.exec(absl::StrCat("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ", s,
                          " TO ", r));
    txn.exec(absl::StrCat("REVOKE ALL ON ", table("schema_migrations"), " FROM ", r));
    std::vector<std::string> insert_only = privileges.insert_only;
    insert_only.push_back("access_log");
    for (const std::string& t : insert_only) {
      txn.exec(absl::StrCat("REVOKE UPDATE, DELETE ON ", table(t), " FROM ", r));
    }
    for (const auto& [t, columns] : privileges.update_only_columns) {
      txn.exec(absl::StrCat("REVOKE UPDATE, DELETE ON ", table(t), " FROM ", r));
      std::vector<std::string> quoted;
      for (const std::string& c : columns) quoted.push_back(txn.quote_name(c));
      txn.exec(absl::StrCat("GRANT UPDATE (", absl::StrJoin(quoted, ", "), ") ON ", table(t),
                            " TO ", r));
    }
    txn.exec(absl::StrCat("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ", s, " TO ", r));
    txn.exec(absl::StrCat("GRANT EXECUTE ON FUNCTION ", s,
                          ".access_log_seal(bigint[], bigint[], text[], text[]) TO ", r));
    txn.commit();
    log::Info("runtime_role_granted", {{"schema", schema}, {"role", runtime_role}});
    return absl::OkStatus();
  } catch (const std::exception& e) {
    bool broken = false;
    absl::Status status = StatusFromException(e, &broken);
    return absl::Status(status.code(), absl::StrCat("granting schema ", schema, " to role ",
                                                    runtime_role, " failed: ", e.what()));
  }
}

}  // namespace sip::db
