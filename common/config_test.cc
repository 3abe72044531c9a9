#include "common/config.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip {
namespace {

using ::sip::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

ServerConfig Valid() {
  ServerConfig c;
  c.service_name = "consent";
  c.database_schema = "consent";
  c.plaintext = true;
  c.insecure_dev_callers = true;
  c.database_url = "host=127.0.0.1 dbname=sip";
  return c;
}

TEST(ConfigTest, ValidConfigPasses) { SIP_EXPECT_OK(Valid().Validate()); }

TEST(ConfigTest, TlsIsRequiredUnlessPlaintextIsExplicit) {
  ServerConfig c = Valid();
  c.plaintext = false;
  EXPECT_THAT(c.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("--plaintext explicitly")));
  c.tls_cert_file = "/nonexistent/cert.pem";
  c.tls_key_file = "/nonexistent/key.pem";
  EXPECT_THAT(c.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("cannot read TLS file /nonexistent/cert.pem")));
}

TEST(ConfigTest, PlaintextNeedsTheDevelopmentFlagAndTheFlagRefusesTls) {
  ServerConfig c = Valid();
  c.insecure_dev_callers = false;
  EXPECT_THAT(c.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("--insecure_dev_callers")));
  c = Valid();
  c.plaintext = false;
  c.tls_cert_file = "/etc/hostname";
  c.tls_key_file = "/etc/hostname";
  c.tls_client_ca_file = "/etc/hostname";
  c.token_issuer = "https://idp";
  c.token_public_keys_file = "/etc/hostname";
  EXPECT_THAT(c.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("cannot be combined with TLS")));
  c.insecure_dev_callers = false;
  c.page_token_secret = std::string(32, 's');
  SIP_EXPECT_OK(c.Validate());
}

TEST(ConfigTest, TlsNeedsClientCaAndTokenVerification) {
  ServerConfig c = Valid();
  c.plaintext = false;
  c.insecure_dev_callers = false;
  c.tls_cert_file = "/etc/hostname";
  c.tls_key_file = "/etc/hostname";
  c.token_audience = "";
  c.token_leeway = absl::Minutes(10);
  EXPECT_THAT(c.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--tls_client_ca_file"), HasSubstr("--token_issuer"),
                             HasSubstr("--token_audience"),
                             HasSubstr("--token_public_keys_file"),
                             HasSubstr("--token_leeway"))));
}

TEST(ConfigTest, ReportsEveryProblemAtOnce) {
  ServerConfig c = Valid();
  c.listen_address = "nohost";
  c.database_url = "";
  c.database_pool_size = 0;
  c.log_level = "loud";
  c.database_schema = "Bad-Schema";
  EXPECT_THAT(c.Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--listen_address"), HasSubstr("--database_url"),
                             HasSubstr("--database_pool_size 0"), HasSubstr("--log_level"),
                             HasSubstr("--database_schema"))));
}

TEST(ConfigTest, EnvironmentFillsFlagsAndCommandLineWins) {
  setenv("SIP_DATABASE_URL", "host=db dbname=sip", 1);
  setenv("SIP_PLAINTEXT", "true", 1);
  setenv("SIP_INSECURE_DEV_CALLERS", "true", 1);
  setenv("SIP_LISTEN_ADDRESS", "0.0.0.0:1", 1);
  char prog[] = "consent";
  char flag[] = "--listen_address=127.0.0.1:7000";
  char* argv[] = {prog, flag};
  auto config = LoadServerConfig("consent", 2, argv);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->database_url, "host=db dbname=sip");
  EXPECT_TRUE(config->plaintext);
  EXPECT_EQ(config->listen_address, "127.0.0.1:7000");
  EXPECT_EQ(config->database_schema, "consent");
  unsetenv("SIP_DATABASE_URL");
  unsetenv("SIP_PLAINTEXT");
  unsetenv("SIP_INSECURE_DEV_CALLERS");
  unsetenv("SIP_LISTEN_ADDRESS");
}

TEST(ConfigTest, BadEnvironmentValueIsNamed) {
  setenv("SIP_DATABASE_POOL_SIZE", "many", 1);
  char prog[] = "consent";
  char* argv[] = {prog};
  EXPECT_THAT(LoadServerConfig("consent", 1, argv),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("SIP_DATABASE_POOL_SIZE")));
  unsetenv("SIP_DATABASE_POOL_SIZE");
}

}  // namespace
}  // namespace sip
