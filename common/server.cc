#include "common/server.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/caller.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/page_token.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace sip {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK",      "Canceled",          "Unknown",          "InvalidArgument",
      "DeadlineExceeded", "NotFound", "AlreadyExists",    "PermissionDenied",
      "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
      "Unimplemented", "Internal",    "Unavailable",      "DataLoss",
      "Unauthenticated"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "Unknown";
}

const char* RpcType(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY: return "unary";
    case Type::CLIENT_STREAMING: return "client_stream";
    case Type::SERVER_STREAMING: return "server_stream";
    case Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unknown";
}

// The go-grpc-prometheus metric families.
class RpcMetrics final {
 public:
  explicit RpcMetrics(prometheus::Registry& registry)
      : handled_(prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("RPCs completed on the server, by code.")
                     .Register(registry)),
        started_(prometheus::BuildCounter()
                     .Name("grpc_server_started_total")
                     .Help("RPCs started on the server.")
                     .Register(registry)),
        seconds_(prometheus::BuildHistogram()
                     .Name("grpc_server_handling_seconds")
                     .Help("Latency of RPCs handled by the server, in seconds.")
                     .Register(registry)) {}

  void Started(const std::string& service, const std::string& method, const char* type) {
    started_.Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}})
        .Increment();
  }
  void Handled(const std::string& service, const std::string& method, const char* type,
               grpc::StatusCode code, double seconds) {
    handled_
        .Add({{"grpc_service", service},
              {"grpc_method", method},
              {"grpc_type", type},
              {"grpc_code", CodeName(code)}})
        .Increment();
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    seconds_.Add({{"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}},
                 kBuckets)
        .Observe(seconds);
  }

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Histogram>& seconds_;
};

// What a log line may say of an error: its ErrorInfo reason (GrpcReasonOf) and the
// fields its BadRequest names. Never its message, which may quote what the caller sent.
std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> out;
  google::rpc::Status details;
  if (status.ok() || !details.ParseFromString(status.error_details())) return out;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) out.push_back(v.field());
  }
  return out;
}

class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(grpc::experimental::ServerRpcInfo* info, RpcMetrics* metrics)
      : metrics_(metrics), type_(RpcType(info->type())), start_(absl::Now()) {
    // "/sip.consent.v1.ConsentService/RecordConsent"
    std::vector<std::string> parts = absl::StrSplit(info->method(), '/', absl::SkipEmpty());
    service_ = parts.size() > 0 ? parts[0] : "unknown";
    method_ = parts.size() > 1 ? parts[1] : "unknown";
    metrics_->Started(service_, method_, type_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    // gRPC gives no message to the handler when the request's bytes do not parse (a
    // string that is not UTF-8, a message cut short); it would answer INTERNAL with an
    // empty message. That is the caller's error: say so, and what to do.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (unparsable_ && methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
        methods->ModifySendStatus(ToGrpcStatus(
            WithReason(absl::InvalidArgumentError(absl::StrCat(
                           "the request message could not be parsed as the contract's ",
                           method_, " request: a string that is not valid UTF-8, or a message "
                           "cut short or otherwise malformed; encode the request with the "
                           "published .proto files")),
                       "REQUEST_UNPARSABLE"),
            "sip"));
      }
      const grpc::Status status = methods->GetSendStatus();
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
      metrics_->Handled(service_, method_, type_, status.error_code(), seconds);
      const bool server_fault = status.error_code() == grpc::StatusCode::INTERNAL ||
                                status.error_code() == grpc::StatusCode::UNKNOWN ||
                                status.error_code() == grpc::StatusCode::DATA_LOSS;
      log::Write(server_fault ? log::Level::kError : log::Level::kInfo, "rpc",
                 {{"service", service_},
                  {"method", method_},
                  {"code", CodeName(status.error_code())},
                  {"duration_ms", seconds * 1000.0},
                  {"reason", GrpcReasonOf(status)},
                  {"fields", FieldsOf(status)}});
    }
    methods->Proceed();
  }

 private:
  bool unparsable_ = false;
  RpcMetrics* metrics_;
  const char* type_;
  absl::Time start_;
  std::string service_;
  std::string method_;
};

class ObservingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservingInterceptorFactory(std::shared_ptr<prometheus::Registry> registry)
      : registry_(std::move(registry)), metrics_(*registry_) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservingInterceptor(info, &metrics_);
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  RpcMetrics metrics_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerConfig& config) {
  if (config.plaintext) return grpc::InsecureServerCredentials();
  auto cert = ReadFile(config.tls_cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(config.tls_key_file);
  if (!key.ok()) return key.status();
  // Mutual TLS: a calling system without a certificate of the configured CA is refused in
  // the handshake.
  auto ca = ReadFile(config.tls_client_ca_file);
  if (!ca.ok()) return ca.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  options.pem_root_certs = *ca;
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<const Authenticator>> MakeAuthenticator(
    const ServerConfig& config) {
  if (config.insecure_dev_callers) {
    log::Warn("insecure_dev_callers",
              {{"warning", "callers are NOT authenticated: the x-sip-* headers are believed as "
                           "sent; for local development only"}});
    return MakeDevelopmentAuthenticator();
  }
  auth::TokenConfig token;
  token.issuer = config.token_issuer;
  token.audience = config.token_audience;
  token.public_keys_file = config.token_public_keys_file;
  token.leeway = config.token_leeway;
  auto verifier = auth::TokenVerifier::Create(std::move(token));
  if (!verifier.ok()) return verifier.status();
  return MakeTokenAuthenticator(std::shared_ptr<const auth::TokenVerifier>(*std::move(verifier)),
                                config.event_reader_systems);
}

absl::StatusOr<std::unique_ptr<prometheus::Exposer>> StartMetricsExposer(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry) {
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(address);
    exposer->RegisterCollectable(registry);
    return exposer;
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve /metrics on ", address, ": ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    Options options, const std::vector<grpc::Service*>& services) {
  auto server = std::unique_ptr<Server>(new Server());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // gRPC's built-in health service does not put its contract in the generated descriptor
  // pool; this reference links ours in, so reflection can describe grpc.health.v1.Health.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, options.credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  // A taken port is an error, not a port silently shared with another process.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<ObservingInterceptorFactory>(options.registry));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     "; is the address valid and the port free?"));
  }
  if (!options.health_listen_address.empty()) {
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(options.health_listen_address,
                                    grpc::InsecureServerCredentials(), &server->health_port_);
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    server->health_server_ = health_builder.BuildAndStart();
    if (server->health_server_ == nullptr || server->health_port_ == 0) {
      server->server_->Shutdown();
      return absl::UnavailableError(
          absl::StrCat("cannot listen for health checks on ", options.health_listen_address,
                       "; is the address valid and the port free?"));
    }
  }
  server->options_ = std::move(options);
  // NOT_SERVING until the first health check passes.
  server->SetHealth("", false);
  // "liveness": SERVING while the process serves at all, whatever its dependencies say,
  // for a liveness probe that must not restart every replica when the database is down.
  server->SetHealth(kLivenessHealthName, true);
  server->health_thread_ = std::thread([s = server.get()] { s->HealthLoop(); });
  return server;
}

void Server::SetHealth(const std::string& name, bool serving) {
  for (grpc::Server* s : {server_.get(), health_server_.get()}) {
    // By name, "" included: the overload without one would set every name, liveness too.
    if (s != nullptr) s->GetHealthCheckService()->SetServingStatus(name, serving);
  }
}

void Server::HealthLoop() {
  bool last = false;
  bool first = true;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const bool ok = options_.healthy ? options_.healthy() : true;
    lock.lock();
    if (stopping_) break;
    for (const auto& name : options_.health_names) SetHealth(name, ok);
    SetHealth("", ok);
    if (first || ok != last) {
      log::Write(ok ? log::Level::kInfo : log::Level::kWarn, "health",
                 {{"serving", ok}});
    }
    first = false;
    last = ok;
    cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.health_interval),
                 [this] { return stopping_; });
  }
}

void Server::StartDraining() {
  if (server_ == nullptr) return;  // never started (e.g. the port was taken)
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
  for (const auto& name : options_.health_names) SetHealth(name, false);
  SetHealth("", false);
  log::Info("draining", {});
}

void Server::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  StartDraining();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  if (health_server_ != nullptr) {
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
  }
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

int WaitForShutdownSignal(absl::Duration timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  const timespec ts = absl::ToTimespec(timeout);
  const int signal = sigtimedwait(&set, nullptr, &ts);
  return signal > 0 ? signal : 0;
}

}  // namespace sip

namespace sip {

void InitLogging(const ServerConfig& config) {
  log::Level level = log::Level::kInfo;
  if (config.log_level == "debug") level = log::Level::kDebug;
  if (config.log_level == "warn") level = log::Level::kWarn;
  if (config.log_level == "error") level = log::Level::kError;
  log::Init(config.service_name, level);
}

int ServeUntilSignal(const ServerConfig& config, const std::vector<std::string>& health_names,
                     const std::vector<grpc::Service*>& services, std::function<bool()> healthy,
                     std::shared_ptr<prometheus::Registry> registry) {
  if (absl::Status calendar = CheckCalendar(); !calendar.ok()) {
    log::Error("start_failed", {{"error", std::string(calendar.message())}});
    return 1;
  }
  if (!registry) registry = metrics::Registry();
  metrics::SetBuildInfo(config.service_name);
  std::unique_ptr<prometheus::Exposer> exposer;
  if (!config.metrics_address.empty()) {
    auto started = StartMetricsExposer(config.metrics_address, registry);
    if (!started.ok()) {
      log::Error("start_failed", {{"error", std::string(started.status().message())}});
      return 1;
    }
    exposer = *std::move(started);
  }
  auto authenticator = MakeAuthenticator(config);
  if (!authenticator.ok()) {
    log::Error("start_failed", {{"error", std::string(authenticator.status().message())}});
    return 1;
  }
  InstallAuthenticator(*std::move(authenticator));
  auto credentials = MakeServerCredentials(config);
  if (!credentials.ok()) {
    log::Error("start_failed", {{"error", std::string(credentials.status().message())}});
    return 1;
  }
  Server::Options options;
  options.health_names = health_names;
  options.listen_address = config.listen_address;
  options.credentials = *credentials;
  options.registry = registry;
  options.healthy = std::move(healthy);
  options.max_request_bytes = config.max_request_bytes;
  options.health_listen_address = config.health_address;
  if (!config.page_token_secret.empty()) SetPageTokenSecret(config.page_token_secret);
  auto server = Server::Start(std::move(options), services);
  if (!server.ok()) {
    log::Error("start_failed", {{"error", std::string(server.status().message())}});
    return 1;
  }
  log::Info("serving", {{"grpc_address", config.listen_address},
                        {"metrics_address", config.metrics_address},
                        {"health_address", config.health_address},
                        {"tls", !config.plaintext}});
  const int signal = WaitForShutdownSignal();
  log::Info("shutting_down", {{"signal", signal},
                              {"drain_seconds", absl::ToDoubleSeconds(config.drain_period)},
                              {"grace_seconds", absl::ToDoubleSeconds(config.shutdown_grace)}});
  // Health goes NOT_SERVING while calls are still served, so load balancers move traffic
  // away; a second signal cuts the drain short.
  (*server)->StartDraining();
  if (config.drain_period > absl::ZeroDuration()) WaitForShutdownSignal(config.drain_period);
  (*server)->Shutdown(config.shutdown_grace);
  log::Info("stopped");
  return 0;
}

}  // namespace sip
