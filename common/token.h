#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/model.h"

// The signed token (JWT) every call carries in `authorization: Bearer <token>`, issued by
// the region's identity provider for one user acting for one unit. Verified with cpp-jwt
// (Debian's libcpp-jwt-dev, on OpenSSL) against public keys from configuration; nothing
// here does cryptography of its own.
//
// The token's claims:
//   iss                  the identity provider (must equal --token_issuer)
//   aud                  the suite (must be, or contain, --token_audience)
//   exp                  required; nbf and iat optional (both checked with --token_leeway)
//   sub                  the user's id in the identity system (HSA-id), never a personnummer
//   unit_hsa_id          the unit the user acts for
//   unit_principal       MUNICIPALITY, REGION or OTHER
//   unit_principal_code  the kommunkod (4 digits) or länskod (2 digits); absent for OTHER
//   role                 the user's role, upper case (e.g. CARE_PROFESSIONAL)
// Signed with RS256 (an RSA key) or ES256 (a P-256 key); any other `alg`, `none` above
// all, is refused before any key is tried, so an HMAC token made with a public key as its
// secret (algorithm confusion) never verifies.
namespace sip::auth {

inline constexpr char kAuthorizationHeader[] = "authorization";

struct TokenConfig {
  std::string issuer;
  std::string audience;
  // PEM "PUBLIC KEY" blocks, one or more (several during a key rotation). Read again when
  // the file changes, without restart; a file that no longer parses keeps the last keys.
  std::string public_keys_file;
  // Clock skew allowed on exp and nbf, 0-5 minutes.
  absl::Duration leeway = absl::Seconds(60);
};

// What a verified token says.
struct TokenClaims {
  std::string user_id;
  Unit unit;
  std::string role;
  absl::Time expires;
};

class TokenVerifier final {
 public:
  // Loads the keys; INVALID_ARGUMENT naming the file when it has none or cannot be read.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(TokenConfig config);

  // The token's claims, or UNAUTHENTICATED with a reason (TOKEN_MALFORMED,
  // TOKEN_ALGORITHM_REFUSED, TOKEN_SIGNATURE_INVALID, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID,
  // TOKEN_WRONG_ISSUER, TOKEN_WRONG_AUDIENCE, TOKEN_CLAIMS_INVALID) and a message that
  // says what to do. The signature is checked before any claim is believed. `now` is the
  // wall clock (tokens are about real time, never a test's fake domain time).
  absl::StatusOr<TokenClaims> Verify(absl::string_view token, absl::Time now) const;

  // How many keys are in use (after the last reload).
  int key_count() const;

 private:
  struct Key {
    std::string pem;
    std::string algorithm;  // "RS256" or "ES256", from the key's type
  };
  explicit TokenVerifier(TokenConfig config) : config_(std::move(config)) {}
  // Reads the file again when its modification time changed (checked at most once a second).
  void MaybeReload(absl::Time now) const;

  const TokenConfig config_;
  // A std::mutex (pthread), not absl::Mutex: ThreadSanitizer sees its locks even with
  // Debian's uninstrumented Abseil (scripts/sanitize.sh tsan).
  mutable std::mutex mu_;
  mutable std::shared_ptr<const std::vector<Key>> keys_ ABSL_GUARDED_BY(mu_);
  mutable absl::Time checked_ ABSL_GUARDED_BY(mu_);
  mutable std::array<int64_t, 3> stamp_ ABSL_GUARDED_BY(mu_) = {};

  static absl::StatusOr<std::vector<Key>> LoadKeys(const std::string& path);
};

}  // namespace sip::auth
