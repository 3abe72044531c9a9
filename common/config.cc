#include "common/config.h"

#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

ABSL_FLAG(std::string, listen_address, "127.0.0.1:50051", "gRPC listen address, host:port");
ABSL_FLAG(std::string, metrics_address, "127.0.0.1:9464",
          "Prometheus /metrics address, host:port; empty disables");
ABSL_FLAG(bool, plaintext, false, "serve gRPC without TLS (local development only)");
ABSL_FLAG(std::string, tls_cert_file, "", "PEM server certificate chain");
ABSL_FLAG(std::string, tls_key_file, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA of the calling systems' client certificates (mutual TLS); required with TLS");
ABSL_FLAG(bool, insecure_dev_callers, false,
          "development only, with --plaintext: take the caller from the x-sip-* headers, "
          "unverified");
ABSL_FLAG(std::vector<std::string>, event_reader_systems, {},
          "comma-separated client certificate common names of integrating systems allowed "
          "to read this service's events (ListEvents); the suite's own services (sip-*) "
          "always may, users never");
ABSL_FLAG(std::string, token_issuer, "", "the identity provider whose user tokens are accepted (iss)");
ABSL_FLAG(std::string, token_audience, "sip", "the audience (aud) a user token must name");
ABSL_FLAG(std::string, token_public_keys_file, "",
          "PEM public keys (RSA for RS256, P-256 for ES256) that verify user tokens; re-read "
          "when the file changes");
ABSL_FLAG(absl::Duration, token_leeway, absl::Seconds(60),
          "clock skew allowed on a token's exp and nbf, 0-5m");
ABSL_FLAG(std::string, database_url, "", "libpq connection string");
ABSL_FLAG(std::string, database_schema, "", "PostgreSQL schema (default: service name)");
ABSL_FLAG(int, database_pool_size, 8, "database connections, 1-100");
ABSL_FLAG(absl::Duration, database_acquire_timeout, absl::Seconds(5),
          "how long a call waits for a free database connection");
ABSL_FLAG(bool, migrate_on_start, true, "apply pending migrations at start");
ABSL_FLAG(bool, migrate_only, false, "apply migrations and exit");
ABSL_FLAG(std::string, migration_database_url, "",
          "libpq connection string of the role that owns the schema and runs migrations and "
          "access-log retention (default: --database_url)");
ABSL_FLAG(std::string, database_runtime_role, "",
          "the role --database_url connects as, granted least privilege on the schema by the "
          "migration role after migrating (empty: none granted, one role for both, dev only)");
ABSL_FLAG(bool, verify_access_log, false,
          "verify the access log's hash chain, print the result and exit (0 intact, 3 broken)");
ABSL_FLAG(bool, prune_access_log, false,
          "remove access-log entries older than --access_log_retention and exit");
ABSL_FLAG(absl::Duration, access_log_retention, absl::Hours(24 * 3653),
          "how long access-log entries are kept (default ten years), at least 1 day");
ABSL_FLAG(absl::Duration, outbox_retention, absl::Hours(24 * 30),
          "how long an event every reader has acknowledged stays in the outbox, at least 1 day");
ABSL_FLAG(absl::Duration, request_log_retention, absl::Hours(24 * 7),
          "how long a request_id's answer is kept for retries, at least 1 day");
ABSL_FLAG(absl::Duration, housekeeping_interval, absl::Minutes(10),
          "how often old outbox events and request-log rows are removed, 1m-24h");
ABSL_FLAG(std::string, health_address, "",
          "also serve grpc.health.v1 alone here in plaintext, host:port (Kubernetes' native "
          "gRPC probes speak no TLS); empty: not served");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "how long in-flight calls may finish after SIGTERM");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(std::string, page_token_secret, "",
          "secret (32+ characters) that signs page tokens; the same on every replica; "
          "required unless --plaintext, where a random one is made");
ABSL_FLAG(int, max_request_bytes, 1 << 20, "largest request accepted, in bytes (4 KiB-64 MiB)");
ABSL_FLAG(absl::Duration, drain_period, absl::Seconds(5),
          "after SIGTERM, how long health reports NOT_SERVING while calls are still served");

namespace sip {
namespace {

constexpr const char* kFlagNames[] = {
    "listen_address", "metrics_address",        "plaintext",        "tls_cert_file",
    "tls_key_file",   "tls_client_ca_file",     "database_url",     "database_schema",
    "database_pool_size", "database_acquire_timeout", "migrate_on_start", "migrate_only",
    "shutdown_grace", "log_level", "page_token_secret", "max_request_bytes", "drain_period",
    "insecure_dev_callers", "event_reader_systems", "token_issuer", "token_audience", "token_public_keys_file",
    "token_leeway", "migration_database_url", "database_runtime_role", "verify_access_log", "prune_access_log",
    "access_log_retention", "outbox_retention", "request_log_retention",
    "housekeeping_interval", "health_address"};

bool ValidHostPort(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  int port = 0;
  return absl::SimpleAtoi(address.substr(colon + 1), &port) && port >= 0 && port <= 65535;
}

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

bool ValidSchemaName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status ServerConfig::Validate() const {
  std::vector<std::string> problems;
  if (access_log_retention < absl::Hours(24)) {
    problems.push_back("--access_log_retention (SIP_ACCESS_LOG_RETENTION) must be at least 24h");
  }
  if (outbox_retention < absl::Hours(24)) {
    problems.push_back("--outbox_retention (SIP_OUTBOX_RETENTION) must be at least 24h");
  }
  if (request_log_retention < absl::Hours(24)) {
    problems.push_back(
        "--request_log_retention (SIP_REQUEST_LOG_RETENTION) must be at least 24h: a client "
        "retrying a day-old request must still get its first answer");
  }
  if (housekeeping_interval < absl::Minutes(1) || housekeeping_interval > absl::Hours(24)) {
    problems.push_back(
        "--housekeeping_interval (SIP_HOUSEKEEPING_INTERVAL) must be between 1m and 24h");
  }
  if (verify_access_log && prune_access_log) {
    problems.push_back("--verify_access_log and --prune_access_log are separate commands: "
                       "give one");
  }
  if (!ValidHostPort(listen_address)) {
    problems.push_back(absl::StrCat("--listen_address (SIP_LISTEN_ADDRESS) \"",
                                    listen_address, "\" must be host:port"));
  }
  if (!health_address.empty() && !ValidHostPort(health_address)) {
    problems.push_back(absl::StrCat("--health_address (SIP_HEALTH_ADDRESS) \"", health_address,
                                    "\" must be host:port"));
  }
  if (!metrics_address.empty() && !ValidHostPort(metrics_address)) {
    problems.push_back(absl::StrCat("--metrics_address (SIP_METRICS_ADDRESS) \"",
                                    metrics_address, "\" must be host:port or empty"));
  }
  if (plaintext) {
    if (!tls_cert_file.empty() || !tls_key_file.empty()) {
      problems.push_back(
          "--plaintext and --tls_cert_file/--tls_key_file exclude each other; choose one");
    }
  } else if (tls_cert_file.empty() || tls_key_file.empty()) {
    problems.push_back(
        "TLS needs --tls_cert_file and --tls_key_file (SIP_TLS_CERT_FILE, "
        "SIP_TLS_KEY_FILE); for local development pass --plaintext explicitly");
  } else {
    for (const auto* f : {&tls_cert_file, &tls_key_file}) {
      if (!Readable(*f)) problems.push_back(absl::StrCat("cannot read TLS file ", *f));
    }
  }
  for (const std::string& system : event_reader_systems) {
    if (system.empty() || absl::StartsWith(system, "sip-")) {
      problems.push_back(absl::StrCat(
          "--event_reader_systems (SIP_EVENT_READER_SYSTEMS) names \"", system,
          "\": give integrating systems' certificate common names; the suite's own "
          "services (sip-*) read events without being listed"));
    }
  }
  if (plaintext && !insecure_dev_callers) {
    problems.push_back(
        "--plaintext has no mutual TLS to identify the calling system and is for local "
        "development only: pass --insecure_dev_callers with it, or serve TLS");
  }
  if (insecure_dev_callers && !plaintext) {
    problems.push_back(
        "--insecure_dev_callers (unverified callers) cannot be combined with TLS; with TLS "
        "every caller is authenticated by client certificate and token");
  }
  if (!plaintext) {
    if (tls_client_ca_file.empty()) {
      problems.push_back(
          "TLS needs --tls_client_ca_file (SIP_TLS_CLIENT_CA_FILE): the CA of the calling "
          "systems' client certificates (mutual TLS)");
    } else if (!Readable(tls_client_ca_file)) {
      problems.push_back(absl::StrCat("cannot read --tls_client_ca_file ", tls_client_ca_file));
    }
    if (token_issuer.empty()) {
      problems.push_back("TLS needs --token_issuer (SIP_TOKEN_ISSUER): the identity provider "
                         "whose user tokens are accepted");
    }
    if (token_audience.empty()) problems.push_back("--token_audience must not be empty");
    if (token_public_keys_file.empty()) {
      problems.push_back("TLS needs --token_public_keys_file (SIP_TOKEN_PUBLIC_KEYS_FILE): the "
                         "PEM public keys that verify user tokens");
    } else if (!Readable(token_public_keys_file)) {
      problems.push_back(
          absl::StrCat("cannot read --token_public_keys_file ", token_public_keys_file));
    }
  }
  if (token_leeway < absl::ZeroDuration() || token_leeway > absl::Minutes(5)) {
    problems.push_back("--token_leeway must be between 0 and 5m");
  }
  if (database_url.empty()) {
    problems.push_back(
        "--database_url (SIP_DATABASE_URL) is required, e.g. "
        "\"host=127.0.0.1 port=5432 dbname=sip user=consent\"");
  }
  if (!ValidSchemaName(database_schema)) {
    problems.push_back(absl::StrCat("--database_schema \"", database_schema,
                                    "\" must be lower-case letters, digits and _"));
  }
  if (database_pool_size < 1 || database_pool_size > 100) {
    problems.push_back(absl::StrCat("--database_pool_size ", database_pool_size,
                                    " must be between 1 and 100"));
  }
  if (database_acquire_timeout <= absl::ZeroDuration()) {
    problems.push_back("--database_acquire_timeout must be positive");
  }
  if (shutdown_grace < absl::ZeroDuration()) {
    problems.push_back("--shutdown_grace must not be negative");
  }
  if (!plaintext && page_token_secret.size() < 32) {
    problems.push_back(
        "--page_token_secret (SIP_PAGE_TOKEN_SECRET) must be at least 32 characters and the "
        "same on every replica (e.g. `openssl rand -hex 32`); only --plaintext runs make one");
  } else if (!page_token_secret.empty() && page_token_secret.size() < 32) {
    problems.push_back("--page_token_secret must be at least 32 characters when set");
  }
  if (max_request_bytes < 4096 || max_request_bytes > (64 << 20)) {
    problems.push_back(absl::StrCat("--max_request_bytes ", max_request_bytes,
                                    " must be between 4096 and 67108864"));
  }
  if (drain_period < absl::ZeroDuration()) {
    problems.push_back("--drain_period must not be negative");
  }
  if (log_level != "debug" && log_level != "info" && log_level != "warn" &&
      log_level != "error") {
    problems.push_back(absl::StrCat("--log_level \"", log_level,
                                    "\" must be debug, info, warn or error"));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems, "; ")));
}

ServerConfig ServerConfigFromFlags(std::string service_name) {
  ServerConfig c;
  c.service_name = std::move(service_name);
  c.listen_address = absl::GetFlag(FLAGS_listen_address);
  c.metrics_address = absl::GetFlag(FLAGS_metrics_address);
  c.plaintext = absl::GetFlag(FLAGS_plaintext);
  c.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  c.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  c.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  c.insecure_dev_callers = absl::GetFlag(FLAGS_insecure_dev_callers);
  c.event_reader_systems = absl::GetFlag(FLAGS_event_reader_systems);
  c.token_issuer = absl::GetFlag(FLAGS_token_issuer);
  c.token_audience = absl::GetFlag(FLAGS_token_audience);
  c.token_public_keys_file = absl::GetFlag(FLAGS_token_public_keys_file);
  c.token_leeway = absl::GetFlag(FLAGS_token_leeway);
  c.database_url = absl::GetFlag(FLAGS_database_url);
  c.database_schema = absl::GetFlag(FLAGS_database_schema);
  if (c.database_schema.empty()) c.database_schema = c.service_name;
  c.database_pool_size = absl::GetFlag(FLAGS_database_pool_size);
  c.database_acquire_timeout = absl::GetFlag(FLAGS_database_acquire_timeout);
  c.migrate_on_start = absl::GetFlag(FLAGS_migrate_on_start);
  c.migrate_only = absl::GetFlag(FLAGS_migrate_only);
  c.migration_database_url = absl::GetFlag(FLAGS_migration_database_url);
  if (c.migration_database_url.empty()) c.migration_database_url = c.database_url;
  c.database_runtime_role = absl::GetFlag(FLAGS_database_runtime_role);
  c.verify_access_log = absl::GetFlag(FLAGS_verify_access_log);
  c.prune_access_log = absl::GetFlag(FLAGS_prune_access_log);
  c.access_log_retention = absl::GetFlag(FLAGS_access_log_retention);
  c.outbox_retention = absl::GetFlag(FLAGS_outbox_retention);
  c.request_log_retention = absl::GetFlag(FLAGS_request_log_retention);
  c.housekeeping_interval = absl::GetFlag(FLAGS_housekeeping_interval);
  c.health_address = absl::GetFlag(FLAGS_health_address);
  c.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  c.log_level = absl::GetFlag(FLAGS_log_level);
  c.page_token_secret = absl::GetFlag(FLAGS_page_token_secret);
  c.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  c.drain_period = absl::GetFlag(FLAGS_drain_period);
  return c;
}

absl::StatusOr<ServerConfig> LoadServerConfig(std::string service_name, int argc,
                                              char** argv,
                                              const std::vector<std::string>& extra_flags) {
  std::vector<std::string> problems;
  std::vector<std::string> names(std::begin(kFlagNames), std::end(kFlagNames));
  names.insert(names.end(), extra_flags.begin(), extra_flags.end());
  for (const std::string& name : names) {
    const std::string env_name = absl::StrCat("SIP_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(env_name.c_str());
    if (value == nullptr) continue;
    std::string error;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      problems.push_back(absl::StrCat(env_name, ": ", error));
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid environment: ", absl::StrJoin(problems, "; ")));
  }
  const std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument \"", rest[1], "\"; all options are --flags"));
  }
  ServerConfig config = ServerConfigFromFlags(std::move(service_name));
  absl::Status status = config.Validate();
  if (!status.ok()) return status;
  return config;
}

}  // namespace sip
