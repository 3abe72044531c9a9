#include "common/service_main.h"

#include <iostream>
#include <string>
#include <utility>

#include "common/access_log.h"
#include "common/log.h"
#include "common/server.h"

namespace sip {

std::variant<std::unique_ptr<db::Pool>, int> OpenServiceDatabase(
    const ServerConfig& server, const std::vector<db::Migration>& migrations,
    std::vector<db::PreparedStatement> statements, const db::TablePrivileges& privileges) {
  InitLogging(server);
  if (server.migrate_on_start || server.migrate_only) {
    absl::Status migrated =
        db::ApplyMigrations(server.migration_database_url, server.database_schema, migrations);
    if (!migrated.ok()) {
      log::Error("migrations_failed", {{"error", std::string(migrated.message())}});
      return 1;
    }
    if (!server.database_runtime_role.empty()) {
      absl::Status granted =
          db::GrantRuntimeRole(server.migration_database_url, server.database_schema,
                               server.database_runtime_role, privileges);
      if (!granted.ok()) {
        log::Error("grants_failed", {{"error", std::string(granted.message())}});
        return 1;
      }
    }
    if (server.migrate_only) return 0;
  }
  auto pool = db::Pool::Create({server.database_url, server.database_schema,
                                server.database_pool_size, server.database_acquire_timeout,
                                std::move(statements)});
  if (!pool.ok()) {
    log::Error("database_unavailable", {{"error", std::string(pool.status().message())}});
    return 1;
  }
  if (server.verify_access_log || server.prune_access_log) {
    return RunAccessLogCommand(server, **pool);
  }
  return *std::move(pool);
}

std::unique_ptr<db::Housekeeping> StartHousekeeping(const ServerConfig& server, db::Pool* pool,
                                                    const Clock* clock) {
  db::RetentionOptions options;
  options.outbox_retention = server.outbox_retention;
  options.request_log_retention = server.request_log_retention;
  auto housekeeping =
      std::make_unique<db::Housekeeping>(pool, clock, options, server.housekeeping_interval);
  housekeeping->Start();
  return housekeeping;
}

int RunAccessLogCommand(const ServerConfig& server, db::Pool& pool) {
  if (server.prune_access_log) {
    // Retention is the migration role's: the runtime role may not delete from the log.
    auto owner = db::Pool::Create({server.migration_database_url, server.database_schema, 1,
                                   server.database_acquire_timeout, {}});
    if (!owner.ok()) {
      log::Error("database_unavailable", {{"error", std::string(owner.status().message())}});
      return 1;
    }
    const absl::Time before = absl::Now() - server.access_log_retention;
    absl::StatusOr<int64_t> removed = accesslog::RemoveBefore(**owner, before);
    if (!removed.ok()) {
      std::cerr << server.service_name << ": the access log could not be pruned: "
                << removed.status().message() << "\n";
      return 1;
    }
    std::cout << server.service_name << ": removed " << *removed
              << " access-log entries logged before " << absl::FormatTime(before) << "\n";
    return 0;
  }
  // Seal what waits first, so that the verification covers every committed entry.
  while (true) {
    absl::StatusOr<int> chained = accesslog::ChainOnce(pool, 10000);
    if (!chained.ok()) {
      std::cerr << server.service_name << ": the access log could not be chained: "
                << chained.status().message() << "\n";
      return 1;
    }
    if (*chained < 10000) break;
  }
  absl::StatusOr<accesslog::Verification> v = accesslog::Verify(pool);
  if (!v.ok()) {
    std::cerr << server.service_name << ": the access log could not be read: "
              << v.status().message() << "\n";
    return 1;
  }
  std::cout << server.service_name << " access log: " << v->verified << " entries verified";
  if (v->first_kept) std::cout << ", from position " << *v->first_kept << " (the first kept)";
  std::cout << ", " << v->unchained << " not yet chained\n";
  if (v->first_broken) {
    std::cout << "BROKEN at position " << *v->first_broken
              << ": that entry, or the one before it, was changed or removed\n";
    return 3;
  }
  std::cout << "the chain is intact\n";
  return 0;
}

std::optional<std::vector<std::shared_ptr<grpc::Channel>>> MakePeerChannels(
    const std::vector<const PeerConfig*>& peers) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const PeerConfig* peer : peers) {
    auto channel = MakePeerChannel(*peer);
    if (!channel.ok()) {
      log::Error("start_failed", {{"error", std::string(channel.status().message())}});
      return std::nullopt;
    }
    channels.push_back(*std::move(channel));
  }
  return channels;
}

}  // namespace sip
