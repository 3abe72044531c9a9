#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace sip::db {

// One versioned schema change: `name` is the file's name without ".sql", starting with
// its zero-padded version, e.g. "0001_init".
struct Migration {
  std::string name;
  std::string sql;
};

// Migrations every service gets before its own: the outbox and the request log.
const std::vector<Migration>& CommonMigrations();

// Applies, in order, every migration of `common` then `service` not yet recorded in
// `<schema>.schema_migrations`, each in its own transaction together with its record.
// Runners that start at once (replicas, a Job) serialize on an advisory lock, so each
// migration is applied exactly once. A recorded migration whose text changed since is an
// error (FAILED_PRECONDITION): write a new migration instead of editing an old one.
absl::Status ApplyMigrations(const std::string& conninfo, const std::string& schema,
                             const std::vector<Migration>& service);

// What a service's runtime role may do beyond reading and writing its tables: the tables
// it may only insert into (history; the access log always is one), and those it may
// update only in some columns (a revision's one permitted change, which a trigger of its
// migration further limits).
struct TablePrivileges {
  std::vector<std::string> insert_only;
  std::vector<std::pair<std::string, std::vector<std::string>>> update_only_columns;
};

// Least privilege: as the role that owns `schema` (after ApplyMigrations), lets
// `runtime_role`, which owns nothing, use the schema's tables and sequences: SELECT,
// INSERT, UPDATE and DELETE on every table except `privileges`' (insert-only, or UPDATE of
// the named columns only) and the access log (insert only; sealing through
// access_log_seal), nothing on schema_migrations, no DDL. Idempotent: run after every
// migration run, so a new table gets its grants.
absl::Status GrantRuntimeRole(const std::string& conninfo, const std::string& schema,
                              const std::string& runtime_role,
                              const TablePrivileges& privileges);

}  // namespace sip::db
