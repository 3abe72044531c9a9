// The service client helper against a real gRPC server on loopback: retries by service
// config, the incoming call's deadline, errors by meaning, mutual TLS.
#include "common/service_client.h"

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/peer_flags.h"
#include "common/server.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "sip/consent/v1/consent.grpc.pb.h"

namespace sip {
namespace {

namespace cpb = ::sip::consent::v1;
using ::testing::HasSubstr;

std::string Cert(const char* name) {
  std::ifstream in(std::string(SIP_TEST_CERTS) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Answers CheckConsent as told: `fail_first` calls with UNAVAILABLE, then `answer`, after
// `delay`. Records the caller's unit header.
class FakeConsent final : public cpb::ConsentService::Service {
 public:
  grpc::Status CheckConsent(grpc::ServerContext* context, const cpb::CheckConsentRequest*,
                            cpb::CheckConsentResponse* response) override {
    const int call = ++calls;
    auto it = context->client_metadata().find("x-sip-unit-hsa-id");
    if (it != context->client_metadata().end()) unit = std::string(it->second.data(), it->second.size());
    if (call <= fail_first) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "starting");
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(delay));
    if (!answer.ok()) return ToGrpcStatus(answer, "consent.sip.v1");
    response->add_units()->set_covered(true);
    return grpc::Status::OK;
  }
  std::atomic<int> calls{0};
  int fail_first = 0;
  absl::Duration delay = absl::ZeroDuration();
  absl::Status answer;
  std::string unit;
};

class ServiceClientTest : public ::testing::Test {
 protected:
  void Start(std::shared_ptr<grpc::ServerCredentials> credentials) {
    Server::Options options;
    options.health_names = {"sip.consent.v1.ConsentService"};
    options.listen_address = "127.0.0.1:0";
    options.credentials = std::move(credentials);
    options.registry = std::make_shared<prometheus::Registry>();
    auto server = Server::Start(std::move(options), {&fake_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    peer_.name = "consent";
    peer_.address = absl::StrCat("127.0.0.1:", server_->port());
  }
  void TearDown() override {
    if (server_) server_->Shutdown(absl::ZeroDuration());
  }

  absl::Status Call() {
    auto channel = MakePeerChannel(peer_);
    if (!channel.ok()) return channel.status();
    auto stub = cpb::ConsentService::NewStub(*channel);
    Actor actor{{"SE2321000131-E000000000001", PrincipalKind::kRegion, ""}, "nurse-1"};
    auto context = PeerCallContext(actor, peer_.timeout);
    cpb::CheckConsentRequest request;
    cpb::CheckConsentResponse response;
    return FromPeerStatus(stub->CheckConsent(context.get(), request, &response), "consent");
  }

  FakeConsent fake_;
  std::unique_ptr<Server> server_;
  PeerConfig peer_;
};

TEST_F(ServiceClientTest, UnavailableIsRetriedByTheChannelsPolicy) {
  Start(grpc::InsecureServerCredentials());
  peer_.plaintext = true;
  peer_.max_attempts = 3;
  fake_.fail_first = 2;
  EXPECT_TRUE(Call().ok());
  EXPECT_EQ(fake_.calls, 3);
  EXPECT_EQ(fake_.unit, "SE2321000131-E000000000001") << "the caller travels along";

  // Past the attempts: UNAVAILABLE of ours, saying which service.
  fake_.calls = 0;
  fake_.fail_first = 10;
  const absl::Status status = Call();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(status), "CONSENT_SERVICE_UNAVAILABLE");
  EXPECT_EQ(fake_.calls, 3);
}

TEST_F(ServiceClientTest, AnswersKeepTheirMeaning) {
  Start(grpc::InsecureServerCredentials());
  peer_.plaintext = true;
  fake_.answer = NotFound("PLAN_NOT_FOUND", "plans/x does not exist");
  absl::Status status = Call();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(status), "PLAN_NOT_FOUND");
  EXPECT_THAT(std::string(status.message()), HasSubstr("plans/x does not exist"));
  EXPECT_EQ(fake_.calls, 1) << "only UNAVAILABLE is retried";

  fake_.answer = FailedPrecondition("PLAN_CLOSED", "closed");
  EXPECT_EQ(Call().code(), absl::StatusCode::kFailedPrecondition);
  fake_.answer = absl::InternalError("boom");
  EXPECT_EQ(Call().code(), absl::StatusCode::kInternal);
}

TEST_F(ServiceClientTest, ACallNeverOutlivesTheCallThatMadeIt) {
  Start(grpc::InsecureServerCredentials());
  peer_.plaintext = true;
  peer_.timeout = absl::Seconds(30);
  fake_.delay = absl::Seconds(2);
  const absl::Time start = absl::Now();
  absl::Status status;
  {
    ScopedCallDeadline incoming(absl::Now() + absl::Milliseconds(200));
    status = Call();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500)) << "the peer's 2 s were not waited for";
  EXPECT_EQ(ScopedCallDeadline::Current(), absl::InfiniteFuture());
}

TEST_F(ServiceClientTest, MutualTlsWithAClientCertificate) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = Cert("ca.pem");
  options.pem_key_cert_pairs.push_back({Cert("server.key"), Cert("server.pem")});
  Start(grpc::SslServerCredentials(options));
  peer_.address = absl::StrCat("localhost:", server_->port());
  peer_.ca_file = std::string(SIP_TEST_CERTS) + "/ca.pem";
  peer_.max_attempts = 1;
  // Without a client certificate the server refuses the connection.
  EXPECT_EQ(Call().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fake_.calls, 0);
  peer_.cert_file = std::string(SIP_TEST_CERTS) + "/client.pem";
  peer_.key_file = std::string(SIP_TEST_CERTS) + "/client.key";
  EXPECT_TRUE(Call().ok());
  EXPECT_EQ(fake_.calls, 1);
}

// A server that cannot bind says so, and is destroyed without touching what never started.
TEST_F(ServiceClientTest, AServerOnATakenPortFailsCleanly) {
  Start(grpc::InsecureServerCredentials());
  Server::Options options;
  options.listen_address = absl::StrCat("127.0.0.1:", server_->port());
  options.credentials = grpc::InsecureServerCredentials();
  options.registry = std::make_shared<prometheus::Registry>();
  FakeConsent other;
  auto second = Server::Start(std::move(options), {&other});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("port free"));
}

TEST(PeerConfigTest, ProblemsNameTheirFlags) {
  PeerConfig peer;
  peer.name = "consent";
  peer.plaintext = true;
  peer.cert_file = "/nonexistent.pem";
  peer.max_attempts = 9;
  const std::vector<std::string> problems = peer.Problems(/*server_plaintext=*/false);
  EXPECT_THAT(problems, ::testing::Contains(HasSubstr("--consent_address")));
  EXPECT_THAT(problems, ::testing::Contains(HasSubstr("--consent_plaintext is only allowed")));
  EXPECT_THAT(problems, ::testing::Contains(HasSubstr("cannot read --consent_cert_file")));
  EXPECT_THAT(problems, ::testing::Contains(HasSubstr("--consent_attempts")));
  EXPECT_THAT(RetryServiceConfig(3), HasSubstr("\"maxAttempts\":3"));
  // With the server's own problems, all in one message.
  ServerConfig server;
  server.service_name = "plan";
  server.database_schema = "plan";
  const absl::Status all = ValidateWithPeers(server, {&peer});
  EXPECT_THAT(std::string(all.message()), HasSubstr("--database_url"));
  EXPECT_THAT(std::string(all.message()), HasSubstr("--consent_attempts"));
  EXPECT_THAT(RetryServiceConfig(3), HasSubstr("\"UNAVAILABLE\""));
}

}  // namespace
}  // namespace sip
