#pragma once

// Test-only: keys and user tokens for the authentication tests, good ones and forged ones.
// Signing is cpp-jwt's (the library the verifier uses), key generation OpenSSL's.
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sip::testing {

struct KeyPair {
  std::string private_pem;  // PKCS#8 "PRIVATE KEY"
  std::string public_pem;   // "PUBLIC KEY"
};

KeyPair MakeRsaKey(int bits = 2048);
KeyPair MakeEcKey();  // P-256, for ES256

inline constexpr char kTestIssuer[] = "https://idp.test.sip";
inline constexpr char kTestAudience[] = "sip";

// A token's claims; every field has a valid default (a region unit's user).
struct TokenSpec {
  std::string issuer = kTestIssuer;
  std::string audience = kTestAudience;
  std::string subject = "SE2321000131-T000000000001";
  std::string unit_hsa_id = "SE2321000131-E000000000001";
  std::string principal = "REGION";
  std::string principal_code = "14";  // omitted when empty
  std::string role = "CARE_PROFESSIONAL";
  absl::Time issued = absl::Now();
  absl::Duration lifetime = absl::Minutes(10);  // exp = issued + lifetime
  bool with_exp = true;
  // exp written as a JSON string ("1760000000") instead of a NumericDate.
  bool exp_as_string = false;
  std::optional<absl::Time> not_before;
};

// Signed with `key` by `algorithm` ("RS256" for an RSA key, "ES256" for a P-256 key).
std::string SignToken(const TokenSpec& spec, const KeyPair& key,
                      const std::string& algorithm = "RS256");

// Forged: {"alg":"none"} with an empty signature, or with `fake_signature`.
std::string UnsignedToken(const TokenSpec& spec, const std::string& fake_signature = "");

// Forged: HS256 with `secret` (e.g. the verifier's public key PEM: algorithm confusion).
std::string HmacToken(const TokenSpec& spec, const std::string& secret);

// `token` with its signature's bytes changed.
std::string WithBrokenSignature(const std::string& token);

}  // namespace sip::testing
