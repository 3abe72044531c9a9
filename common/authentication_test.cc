// Authentication end to end over real mutual TLS, with the development PKI the first
// command and the interop tests use (scripts/lib/dev_pki.sh): the calling system by its
// client certificate, the user by the token, the token passed on to the next service, and
// every way in without either refused before any handler runs.
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/caller.h"
#include "common/grpc_handler.h"
#include "common/server.h"
#include "common/service_client.h"
#include "common/testing/grpc_details.h"
#include "common/testing/tokens.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "sip/consent/v1/consent.grpc.pb.h"

namespace sip {
namespace {

namespace cpb = ::sip::consent::v1;
using ::sip::testing::DetailsOf;
using ::sip::testing::TokenSpec;
using ::testing::HasSubstr;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// A consent service that only records who called; it calls `downstream` (when set) on
// behalf of the same caller, as plan calls consent for a user.
class RecordingConsent final : public cpb::ConsentService::Service {
 public:
  grpc::Status CheckConsent(grpc::ServerContext* context, const cpb::CheckConsentRequest* request,
                            cpb::CheckConsentResponse* response) override {
    return HandleCall(context, "consent.sip.v1", *request, [&](const Caller& caller) {
      {
        std::lock_guard<std::mutex> lock(mu);
        callers.push_back(caller);
      }
      if (downstream == nullptr) return absl::OkStatus();
      auto consent = cpb::ConsentService::NewStub(downstream);
      auto call = PeerCallContext(caller, absl::Seconds(5));
      cpb::CheckConsentResponse inner;
      return FromPeerStatus(consent->CheckConsent(call.get(), *request, &inner), "consent");
    });
  }
  std::vector<Caller> Callers() {
    std::lock_guard<std::mutex> lock(mu);
    return callers;
  }
  std::mutex mu;
  std::vector<Caller> callers;
  std::shared_ptr<grpc::Channel> downstream;
};

class AuthenticationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/auth_" + std::to_string(getpid()));
    for (const char* pki : {"pki", "other"}) {
      const std::string command =
          absl::StrCat("bash ", SIP_SOURCE_DIR, "/scripts/lib/dev_pki.sh ", *dir_, "/", pki);
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
  }
  static void TearDownTestSuite() {
    std::system(absl::StrCat("rm -rf ", *dir_).c_str());
    delete dir_;
  }
  static std::string Pki(const std::string& file) { return *dir_ + "/pki/" + file; }
  static std::string Other(const std::string& file) { return *dir_ + "/other/" + file; }

  ServerConfig Config(const std::string& service) {
    ServerConfig config;
    config.service_name = service;
    config.tls_cert_file = Pki(service + ".pem");
    config.tls_key_file = Pki(service + ".key");
    config.tls_client_ca_file = Pki("ca.pem");
    config.token_issuer = Slurp(Pki("issuer"));
    config.token_public_keys_file = Pki("token-public.pem");
    return config;
  }

  std::unique_ptr<Server> Serve(const std::string& service, RecordingConsent* fake) {
    auto credentials = MakeServerCredentials(Config(service));
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    Server::Options options;
    options.health_names = {"sip.consent.v1.ConsentService"};
    options.listen_address = "127.0.0.1:0";
    options.credentials = *credentials;
    options.registry = std::make_shared<prometheus::Registry>();
    auto server = Server::Start(std::move(options), {fake});
    EXPECT_TRUE(server.ok()) << server.status();
    return *std::move(server);
  }

  void SetUp() override {
    auto authenticator = MakeAuthenticator(Config("consent"));
    ASSERT_TRUE(authenticator.ok()) << authenticator.status();
    InstallAuthenticator(*authenticator);
    back_server_ = Serve("consent", &back_);
    front_server_ = Serve("plan", &front_);
    // The front (as plan) calls the back (as consent) with its own certificate.
    PeerConfig peer;
    peer.name = "consent";
    peer.address = absl::StrCat("localhost:", back_server_->port());
    peer.ca_file = Pki("ca.pem");
    peer.cert_file = Pki("plan.pem");
    peer.key_file = Pki("plan.key");
    auto channel = MakePeerChannel(peer);
    ASSERT_TRUE(channel.ok()) << channel.status();
    front_.downstream = *channel;
  }
  void TearDown() override {
    front_server_->Shutdown(absl::ZeroDuration());
    back_server_->Shutdown(absl::ZeroDuration());
    InstallAuthenticator(nullptr);
  }

  // A call to the front as the system with `cert`/`key` (none when empty), trusting `ca`.
  grpc::Status Call(const std::string& authorization, const std::string& cert = Pki("client.pem"),
                    const std::string& key = Pki("client.key"),
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Slurp(Pki("ca.pem")) + "\n";
    if (!cert.empty()) {
      ssl.pem_cert_chain = Slurp(cert) + "\n";
      ssl.pem_private_key = Slurp(key) + "\n";
    }
    auto channel = grpc::CreateChannel(absl::StrCat("localhost:", front_server_->port()),
                                       grpc::SslCredentials(ssl));
    auto consent = cpb::ConsentService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    for (const auto& [name, value] : headers) context.AddMetadata(name, value);
    cpb::CheckConsentRequest request;
    cpb::CheckConsentResponse response;
    return consent->CheckConsent(&context, request, &response);
  }

  std::string Token(TokenSpec spec = {}) {
    if (spec.issuer == testing::kTestIssuer) spec.issuer = Slurp(Pki("issuer"));
    testing::KeyPair key;
    key.private_pem = Slurp(Pki("token.key")) + "\n";
    return "Bearer " + testing::SignToken(spec, key);
  }

  static std::string* dir_;
  RecordingConsent front_, back_;
  std::unique_ptr<Server> front_server_, back_server_;
};

std::string* AuthenticationTest::dir_ = nullptr;

TEST_F(AuthenticationTest, AUsersTokenIsVerifiedAndPassedOnToTheNextService) {
  TokenSpec spec;
  spec.unit_hsa_id = "SE2120001652-S000000000002";
  spec.principal = "MUNICIPALITY";
  spec.principal_code = "1482";
  spec.subject = "SE2120001652-T000000000009";
  spec.role = "SOCIAL_WORKER";
  const grpc::Status status = Call(Token(spec));
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(front_.Callers().size(), 1u);
  const Caller front = front_.Callers()[0];
  EXPECT_EQ(front.system, "dev-regional-system");
  EXPECT_EQ(front.user_id, "SE2120001652-T000000000009");
  EXPECT_EQ(front.unit.hsa_id, "SE2120001652-S000000000002");
  EXPECT_EQ(front.unit.principal, PrincipalKind::kMunicipality);
  EXPECT_EQ(front.unit.principal_code, "1482");
  EXPECT_EQ(front.role, "SOCIAL_WORKER");
  EXPECT_TRUE(front.service.empty());

  // The next service sees the same user, called by the plan service's system.
  ASSERT_EQ(back_.Callers().size(), 1u);
  const Caller back = back_.Callers()[0];
  EXPECT_EQ(back.system, "sip-plan");
  EXPECT_EQ(back.user_id, front.user_id);
  EXPECT_EQ(back.unit.hsa_id, front.unit.hsa_id);
  EXPECT_EQ(back.role, "SOCIAL_WORKER");
  EXPECT_TRUE(back.service.empty());
}

TEST_F(AuthenticationTest, WithoutATokenAnIntegratingSystemIsRefusedAndHeadersAreNotBelieved) {
  grpc::Status status = Call("");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(status).reason, "TOKEN_MISSING");
  EXPECT_THAT(status.error_message(), HasSubstr("authorization: Bearer"));
  // The development headers mean nothing under TLS, not even a service's.
  status = Call("", Pki("client.pem"), Pki("client.key"),
                {{"x-sip-unit-hsa-id", "SE2321000131-E000000000001"},
                 {"x-sip-unit-principal", "REGION"},
                 {"x-sip-user-id", "nurse-1"},
                 {"x-sip-service", "lifecycle"}});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(status).reason, "TOKEN_MISSING");
  EXPECT_TRUE(front_.Callers().empty());
}

TEST_F(AuthenticationTest, ASuiteServiceWithoutATokenActsAsItselfByItsCertificateOnly) {
  // The lifecycle service's certificate, claiming by header to be the consent service.
  const grpc::Status status = Call("", Pki("lifecycle.pem"), Pki("lifecycle.key"),
                                   {{"x-sip-service", "consent"}});
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(front_.Callers().size(), 1u);
  const Caller caller = front_.Callers()[0];
  EXPECT_EQ(caller.service, "lifecycle");
  EXPECT_EQ(caller.system, "sip-lifecycle");
  EXPECT_EQ(caller.user_id, "lifecycle-service");
  // Passed on as the plan service acting on its own: it has no user's token to pass.
  ASSERT_EQ(back_.Callers().size(), 1u);
  EXPECT_EQ(back_.Callers()[0].service, "plan");
}

TEST_F(AuthenticationTest, BadTokensAreRefusedWithTheirReason) {
  TokenSpec expired;
  expired.issued = absl::Now() - absl::Hours(2);
  expired.lifetime = absl::Minutes(10);
  TokenSpec audience;
  audience.audience = "another-system";
  TokenSpec issuer;
  issuer.issuer = "https://idp.elsewhere.example";
  TokenSpec not_yet;
  not_yet.not_before = absl::Now() + absl::Hours(1);
  const std::string good = Token();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Basic dXNlcjpwYXNz", "TOKEN_MALFORMED"},
      {"Bearer ", "TOKEN_MALFORMED"},
      {Token(expired), "TOKEN_EXPIRED"},
      {Token(not_yet), "TOKEN_NOT_YET_VALID"},
      {Token(audience), "TOKEN_WRONG_AUDIENCE"},
      {Token(issuer), "TOKEN_WRONG_ISSUER"},
      {"Bearer " + testing::WithBrokenSignature(good.substr(7)), "TOKEN_SIGNATURE_INVALID"},
      {"Bearer " + testing::UnsignedToken(TokenSpec{}), "TOKEN_ALGORITHM_REFUSED"},
      {"Bearer " + testing::HmacToken(TokenSpec{}, Slurp(Pki("token-public.pem")) + "\n"),
       "TOKEN_ALGORITHM_REFUSED"},
  };
  for (const auto& [authorization, reason] : cases) {
    const grpc::Status status = Call(authorization);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << reason;
    EXPECT_EQ(DetailsOf(status).reason, reason);
  }
  EXPECT_TRUE(front_.Callers().empty());
  EXPECT_TRUE(Call(good).ok());
}

TEST_F(AuthenticationTest, NoClientCertificateOrOneOfAnotherCaNeverReachesAHandler) {
  grpc::Status status = Call(Token(), "", "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  status = Call(Token(), Other("client.pem"), Other("client.key"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // Even a "service" certificate, when another CA made it.
  status = Call("", Other("lifecycle.pem"), Other("lifecycle.key"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_TRUE(front_.Callers().empty());
}

}  // namespace
}  // namespace sip
