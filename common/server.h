#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/caller.h"
#include "common/config.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace sip {

// Mutual TLS (the calling systems' CA is required) or, when the config says so
// explicitly, plaintext.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerConfig& config);

// How the server authenticates callers, as configured: client certificate and token, or
// (--insecure_dev_callers, warned about in the log) the unverified x-sip-* headers.
absl::StatusOr<std::shared_ptr<const Authenticator>> MakeAuthenticator(const ServerConfig& config);

// Serves `registry` at http://<address>/metrics.
absl::StatusOr<std::unique_ptr<prometheus::Exposer>> StartMetricsExposer(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry);

// The health name that is SERVING as long as the server runs (for liveness probes); the
// others (each service's name and "") follow the server's dependencies (readiness).
inline constexpr char kLivenessHealthName[] = "liveness";

// A gRPC server with what every service of the suite has: grpc.health.v1 (SERVING only
// while `healthy()` says so, checked every `health_interval`), reflection, per-RPC metrics
// (grpc_server_handled_total, grpc_server_handling_seconds) and one JSON log line per
// call, all from one interceptor.
class Server final {
 public:
  struct Options {
    // The fully qualified gRPC service names, for health, e.g. "sip.consent.v1.ConsentService".
    std::vector<std::string> health_names;
    std::string listen_address;
    std::shared_ptr<grpc::ServerCredentials> credentials;
    std::shared_ptr<prometheus::Registry> registry;
    std::function<bool()> healthy;
    absl::Duration health_interval = absl::Seconds(2);
    // Larger request messages are refused with RESOURCE_EXHAUSTED.
    int max_request_bytes = 1 << 20;
    // When set, grpc.health.v1 alone is also served here in plaintext, with the same
    // status: the kubelet's native gRPC probes speak no TLS. No service is reachable on
    // it (UNIMPLEMENTED), so mutual TLS still guards every call.
    std::string health_listen_address;
  };

  // Starts serving `services` (not owned; they must outlive the server).
  static absl::StatusOr<std::unique_ptr<Server>> Start(Options options,
                                                       const std::vector<grpc::Service*>& services);
  ~Server();

  // The port bound (useful with port 0), and the health port (0 when none).
  int port() const { return port_; }
  int health_port() const { return health_port_; }

  // Health turns NOT_SERVING (for every service name and "") and stays so; calls are still
  // served. Load balancers move traffic away while the server drains.
  void StartDraining();

  // Stops accepting calls, lets in-flight calls finish for up to `grace`, then cancels the
  // rest. Drains first (StartDraining) when that has not happened yet.
  void Shutdown(absl::Duration grace);

 private:
  Server() = default;
  void HealthLoop();

  Options options_;
  void SetHealth(const std::string& name, bool serving);

  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;  // plaintext, health only
  int port_ = 0;
  int health_port_ = 0;
  std::thread health_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and the threads it starts later; call
// first thing in main. WaitForShutdownSignal then returns the signal when one arrives.
void BlockShutdownSignals();
int WaitForShutdownSignal();
// As above, but gives up after `timeout` and returns 0.
int WaitForShutdownSignal(absl::Duration timeout);

}  // namespace sip

namespace sip {

// Sets up structured logging from the config's service name and level.
void InitLogging(const ServerConfig& config);

// Serves `services` as configured (TLS or plaintext, /metrics, health following
// `healthy`) until SIGTERM or SIGINT, then shuts down gracefully. Returns the process
// exit code. Call BlockShutdownSignals() first thing in main.
// `registry` defaults to the process's (metrics.h), which carries every metric of the
// service; sip_build_info is set there.
int ServeUntilSignal(const ServerConfig& config, const std::vector<std::string>& health_names,
                     const std::vector<grpc::Service*>& services, std::function<bool()> healthy,
                     std::shared_ptr<prometheus::Registry> registry = nullptr);

}  // namespace sip
