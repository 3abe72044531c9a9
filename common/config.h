#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sip {

// The configuration every server shares. Read once at start from flags, each also
// settable through the environment as SIP_<FLAG_NAME_UPPER> (a flag given on the command
// line wins), then validated; a bad value stops the process with a message naming it.
struct ServerConfig {
  // The service's short name: "consent", "plan", … Also the default DB schema.
  std::string service_name;
  // Where gRPC listens, host:port.
  std::string listen_address = "127.0.0.1:50051";
  // Where /metrics is served, host:port; empty turns it off.
  std::string metrics_address = "127.0.0.1:9464";
  // Plaintext gRPC. Must be chosen explicitly; otherwise TLS files are required.
  bool plaintext = false;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Clients must present a certificate signed by this CA (mutual TLS); required with TLS.
  std::string tls_client_ca_file;
  // Development only, and only with plaintext: callers are whatever the x-sip-* headers
  // say, unverified (caller.h). The server warns at start.
  bool insecure_dev_callers = false;
  // Integrating systems, by their client certificate's common name, that may read the
  // services' event feeds (ListEvents) besides the suite's own services.
  std::vector<std::string> event_reader_systems;
  // The users' tokens (token.h): who issues them, the audience they must name, the PEM
  // public keys that verify them (re-read when the file changes) and the clock skew
  // allowed. Required with TLS.
  std::string token_issuer;
  std::string token_audience = "sip";
  std::string token_public_keys_file;
  absl::Duration token_leeway = absl::Seconds(60);
  // libpq connection string, e.g. "host=127.0.0.1 port=5432 dbname=sip user=consent".
  std::string database_url;
  // The PostgreSQL schema the service owns.
  std::string database_schema;
  int database_pool_size = 8;
  // How long a call waits for a free connection before UNAVAILABLE.
  absl::Duration database_acquire_timeout = absl::Seconds(5);
  // Apply pending migrations at start (a Kubernetes Job may do it instead).
  bool migrate_on_start = true;
  // Apply migrations and exit.
  bool migrate_only = false;
  // The role that owns the schema: migrations and access-log retention run as it; the
  // service itself connects with `database_url`, a role that owns nothing. Default:
  // database_url.
  std::string migration_database_url;
  // The role database_url connects as; after migrating, the migration role grants it
  // what the service does and no more (db::GrantRuntimeRole). Empty: nothing granted.
  std::string database_runtime_role;
  // Commands instead of serving: verify the access log's chain (exit 0 intact, 3 broken),
  // or remove entries older than `access_log_retention` (as the migration role).
  bool verify_access_log = false;
  bool prune_access_log = false;
  absl::Duration access_log_retention = absl::Hours(24 * 3653);
  // Retention of the outbox and the request log (retention.h), run every
  // `housekeeping_interval` by each replica: events older than `outbox_retention` that
  // every reader has acknowledged, and request-log rows older than `request_log_retention`.
  absl::Duration outbox_retention = absl::Hours(24 * 30);
  absl::Duration request_log_retention = absl::Hours(24 * 7);
  absl::Duration housekeeping_interval = absl::Minutes(10);
  // Plaintext grpc.health.v1 only, for the kubelet's native gRPC probes; empty: none.
  std::string health_address;
  // How long in-flight calls may finish after SIGTERM.
  absl::Duration shutdown_grace = absl::Seconds(20);
  // "debug", "info", "warn" or "error".
  std::string log_level = "info";
  // Signs page tokens (HMAC-SHA256); the same on every replica. Required (32+ characters)
  // unless plaintext, where an empty one means a random secret of this process.
  std::string page_token_secret;
  // The largest request message accepted; larger ones get RESOURCE_EXHAUSTED.
  int max_request_bytes = 1 << 20;
  // After SIGTERM: health reports NOT_SERVING for this long while calls are still served,
  // so load balancers move traffic away before the server stops accepting.
  absl::Duration drain_period = absl::Seconds(5);

  // Every problem at once, or OK.
  absl::Status Validate() const;
};

// Parses argv (absl flags) with SIP_* environment fallbacks into a ServerConfig and
// validates it.
// `extra_flags` names the service's own flags, which get the same SIP_* environment
// fallback.
absl::StatusOr<ServerConfig> LoadServerConfig(std::string service_name, int argc,
                                              char** argv,
                                              const std::vector<std::string>& extra_flags = {});

// Reads the flags' current values (after parsing) without touching argv or env.
ServerConfig ServerConfigFromFlags(std::string service_name);

}  // namespace sip
