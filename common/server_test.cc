// The server's health and drain: health follows `healthy`, and after StartDraining it says
// NOT_SERVING while calls are still served, so load balancers move traffic first.
#include "common/server.h"

#include <chrono>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "sip/consent/v1/consent.grpc.pb.h"

namespace sip {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus Check(Health::Stub* stub, const std::string& service) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  return status.ok() ? response.status() : HealthCheckResponse::UNKNOWN;
}

// Polls `service`'s health for up to 3 s until it is `want`; returns the last answer.
HealthCheckResponse::ServingStatus WaitFor(Health::Stub* stub, const std::string& service,
                                           HealthCheckResponse::ServingStatus want) {
  for (int i = 0; i < 300 && Check(stub, service) != want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Check(stub, service);
}

TEST(ServerTest, HealthFollowsTheCheckAndDrainingSaysNotServingWhileServing) {
  std::atomic<bool> healthy{false};
  Server::Options options;
  options.health_names = {"sip.test.v1.Test"};
  options.listen_address = "127.0.0.1:0";
  options.credentials = grpc::InsecureServerCredentials();
  options.registry = std::make_shared<prometheus::Registry>();
  options.healthy = [&] { return healthy.load(); };
  options.health_interval = absl::Milliseconds(10);
  auto server = Server::Start(std::move(options), {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = Health::NewStub(channel);
  auto wait_for = [&](HealthCheckResponse::ServingStatus want) {
    return WaitFor(stub.get(), "sip.test.v1.Test", want);
  };
  EXPECT_EQ(wait_for(HealthCheckResponse::NOT_SERVING), HealthCheckResponse::NOT_SERVING);
  healthy = true;
  EXPECT_EQ(wait_for(HealthCheckResponse::SERVING), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(stub.get(), ""), HealthCheckResponse::SERVING);

  (*server)->StartDraining();
  // At once, and it stays so although the check still passes; the server still answers.
  EXPECT_EQ(Check(stub.get(), "sip.test.v1.Test"), HealthCheckResponse::NOT_SERVING);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(Check(stub.get(), "sip.test.v1.Test"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(stub.get(), ""), HealthCheckResponse::NOT_SERVING);
  (*server)->Shutdown(absl::Seconds(1));
}

class AnsweringConsent final : public sip::consent::v1::ConsentService::Service {
 public:
  grpc::Status CheckConsent(grpc::ServerContext*, const sip::consent::v1::CheckConsentRequest*,
                            sip::consent::v1::CheckConsentResponse*) override {
    return grpc::Status::OK;
  }
};

grpc::StatusCode CallCheckConsent(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = sip::consent::v1::ConsentService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  sip::consent::v1::CheckConsentRequest request;
  sip::consent::v1::CheckConsentResponse response;
  return stub->CheckConsent(&context, request, &response).error_code();
}

// The kubelet probes in plaintext; the plaintext port answers health alone, with the same
// status as the TLS port, and serves no service.
TEST(ServerTest, APlaintextHealthPortAnswersHealthOnly) {
  std::atomic<bool> healthy{false};
  Server::Options options;
  options.health_names = {"sip.consent.v1.ConsentService"};
  options.listen_address = "127.0.0.1:0";
  options.health_listen_address = "127.0.0.1:0";
  options.credentials = grpc::InsecureServerCredentials();
  options.registry = std::make_shared<prometheus::Registry>();
  options.healthy = [&] { return healthy.load(); };
  options.health_interval = absl::Milliseconds(10);
  AnsweringConsent consent;
  auto server = Server::Start(std::move(options), {&consent});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE((*server)->health_port(), 0);
  ASSERT_NE((*server)->health_port(), (*server)->port());
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->health_port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = Health::NewStub(channel);
  auto wait_for = [&](HealthCheckResponse::ServingStatus want) {
    return WaitFor(stub.get(), "sip.consent.v1.ConsentService", want);
  };
  EXPECT_EQ(wait_for(HealthCheckResponse::NOT_SERVING), HealthCheckResponse::NOT_SERVING);
  // Alive although not ready: a liveness probe does not restart it for a dependency.
  EXPECT_EQ(Check(stub.get(), kLivenessHealthName), HealthCheckResponse::SERVING);
  healthy = true;
  EXPECT_EQ(wait_for(HealthCheckResponse::SERVING), HealthCheckResponse::SERVING);

  // The service answers on the main port and is not there on the health port.
  EXPECT_EQ(CallCheckConsent(grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                                 grpc::InsecureChannelCredentials())),
            grpc::StatusCode::OK);
  EXPECT_EQ(CallCheckConsent(channel), grpc::StatusCode::UNIMPLEMENTED);

  (*server)->StartDraining();
  EXPECT_EQ(Check(stub.get(), "sip.consent.v1.ConsentService"), HealthCheckResponse::NOT_SERVING);
  (*server)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace sip
