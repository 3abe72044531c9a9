#pragma once

#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "common/config.h"
#include "common/db.h"
#include "common/migrations.h"
#include "common/retention.h"
#include "common/service_client.h"
#include "grpcpp/channel.h"

// What every server's main does between reading its config and wiring its service, so
// each main.cc stays wiring only.
namespace sip {

// Logging from the config, the migrations when asked (--migrate_on_start,
// --migrate_only; as the migration role), then the connection pool with the service's
// statements. Returns the pool, or the exit code main returns: 0 after --migrate_only,
// 1 (logged) when the database cannot be migrated or reached, RunAccessLogCommand's
// after an access-log command.
std::variant<std::unique_ptr<db::Pool>, int> OpenServiceDatabase(
    const ServerConfig& server, const std::vector<db::Migration>& migrations,
    std::vector<db::PreparedStatement> statements, const db::TablePrivileges& privileges = {});

// The access-log commands (--verify_access_log, --prune_access_log): runs the one asked
// for on `pool` (retention on a pool of the migration role) and returns the exit code:
// 0 done (the chain intact), 1 the database failed, 3 the chain is broken (the first
// broken position printed).
int RunAccessLogCommand(const ServerConfig& server, db::Pool& pool);

// Outbox and request-log retention (retention.h) as configured, started; stops when
// destroyed.
std::unique_ptr<db::Housekeeping> StartHousekeeping(const ServerConfig& server, db::Pool* pool,
                                                    const Clock* clock);

// The channels to `peers`, in their order; nullopt (logged) when one cannot be made
// (an unreadable certificate file, say).
std::optional<std::vector<std::shared_ptr<grpc::Channel>>> MakePeerChannels(
    const std::vector<const PeerConfig*>& peers);

}  // namespace sip
