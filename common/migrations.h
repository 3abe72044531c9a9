#pragma once

#include <string>
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

}  // namespace sip::db
