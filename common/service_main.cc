#include "common/service_main.h"

#include <string>
#include <utility>

#include "common/log.h"
#include "common/server.h"

namespace sip {

std::variant<std::unique_ptr<db::Pool>, int> OpenServiceDatabase(
    const ServerConfig& server, const std::vector<db::Migration>& migrations,
    std::vector<db::PreparedStatement> statements) {
  InitLogging(server);
  if (server.migrate_on_start || server.migrate_only) {
    absl::Status migrated =
        db::ApplyMigrations(server.database_url, server.database_schema, migrations);
    if (!migrated.ok()) {
      log::Error("migrations_failed", {{"error", std::string(migrated.message())}});
      return 1;
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
  return *std::move(pool);
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
