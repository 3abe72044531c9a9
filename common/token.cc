#include "common/token.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/hsa_id.h"
#include "common/log.h"
#include "common/model_json.h"
#include "common/principals.h"
#include "jwt/jwt.hpp"
#include "nlohmann/json.hpp"
#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"

namespace sip::auth {
namespace {

absl::Status Refused(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::UnauthenticatedError(message), reason);
}

// Whether `part` is base64url as a JWS compact serialization writes it: letters, digits,
// '-' and '_' only, no padding, no white space. (absl's decoder skips white space and
// cpp-jwt's does not, and shifts a negative value on other characters: neither may see
// anything else.)
bool IsBase64Url(absl::string_view part) {
  return std::all_of(part.begin(), part.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// One base64url part of the token, parsed as a JSON object; nullopt when it is not one.
std::optional<nlohmann::json> JsonPart(absl::string_view part) {
  std::string bytes;
  if (part.empty() || !absl::WebSafeBase64Unescape(part, &bytes)) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

std::optional<std::string> StringClaim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> TimeClaim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_number()) return std::nullopt;
  return static_cast<int64_t>(it->get<double>());
}

// The token's signature alone, by cpp-jwt's signature check, without its claims.
std::error_code SignatureOnly(absl::string_view token, const std::string& algorithm,
                              const std::string& pem) {
  try {
    std::error_code ec;
    const jwt::string_view text(token.data(), token.size());
    jwt::jwt_object object = jwt::decode(text, jwt::params::algorithms({algorithm}), ec,
                                         jwt::params::secret(pem), jwt::params::verify(false));
    if (ec) return ec;
    const size_t dot = token.rfind('.');
    jwt::jwt_signature signature{jwt::string_view(pem)};
    const auto [valid, error] =
        signature.verify(object.header(), text.substr(0, dot), text.substr(dot + 1));
    if (error) return error;
    return valid ? std::error_code() : make_error_code(jwt::VerificationErrc::InvalidSignature);
  } catch (const std::exception&) {
    return make_error_code(jwt::VerificationErrc::InvalidSignature);
  }
}

absl::Status BadClaim(absl::string_view claim, absl::string_view what) {
  return Refused("TOKEN_CLAIMS_INVALID",
                 absl::StrCat("the token's claim \"", claim, "\" ", what,
                              "; ask the identity provider for a token of the suite's form"));
}

// The key's type decides the one algorithm it verifies.
std::optional<std::string> AlgorithmOf(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  if (!bio) return std::nullopt;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return std::nullopt;
  switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA: return EVP_PKEY_bits(key.get()) >= 2048 ? std::optional<std::string>("RS256")
                                                               : std::nullopt;
    case EVP_PKEY_EC: return EVP_PKEY_bits(key.get()) == 256 ? std::optional<std::string>("ES256")
                                                             : std::nullopt;
    default: return std::nullopt;
  }
}

// What tells a changed key file: its modification time, size and inode (a file rewritten
// within one tick of the file system's clock still differs in size, one swapped in by
// rename — a Kubernetes Secret's update — in inode).
std::array<int64_t, 3> FileStamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return {-1, -1, -1};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_ino)};
}

}  // namespace

absl::StatusOr<std::vector<TokenVerifier::Key>> TokenVerifier::LoadKeys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read token keys file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::string kBegin = "-----BEGIN PUBLIC KEY-----";
  const std::string kEnd = "-----END PUBLIC KEY-----";
  std::vector<Key> keys;
  size_t at = 0;
  int index = 0;
  while ((at = text.find(kBegin, at)) != std::string::npos) {
    const size_t end = text.find(kEnd, at);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("token keys file ", path, ": key ", index + 1, " has no END line"));
    }
    Key key;
    key.pem = text.substr(at, end + kEnd.size() - at) + "\n";
    std::optional<std::string> algorithm = AlgorithmOf(key.pem);
    if (!algorithm) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token keys file ", path, ": key ", index + 1,
          " is neither an RSA key of 2048 bits or more (RS256) nor a P-256 key (ES256)"));
    }
    key.algorithm = *algorithm;
    keys.push_back(std::move(key));
    at = end;
    ++index;
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("token keys file ", path, " holds no PEM \"PUBLIC KEY\" block"));
  }
  return keys;
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(TokenConfig config) {
  auto keys = LoadKeys(config.public_keys_file);
  if (!keys.ok()) return keys.status();
  auto verifier = std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(config)));
  std::lock_guard<std::mutex> lock(verifier->mu_);
  verifier->keys_ = std::make_shared<const std::vector<Key>>(*std::move(keys));
  verifier->stamp_ = FileStamp(verifier->config_.public_keys_file);
  // The first verification looks at the file; later ones at most once a second of the
  // times they verify at.
  verifier->checked_ = absl::InfinitePast();
  return verifier;
}

int TokenVerifier::key_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(keys_->size());
}

void TokenVerifier::MaybeReload(absl::Time now) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now - checked_ < absl::Seconds(1)) return;
    checked_ = now;
    const std::array<int64_t, 3> stamp = FileStamp(config_.public_keys_file);
    if (stamp == stamp_) return;
    stamp_ = stamp;
  }
  auto keys = LoadKeys(config_.public_keys_file);
  if (!keys.ok()) {
    // Keep verifying with the keys in use; the operator sees why the new file was not taken.
    log::Error("token_keys_reload_failed", {{"error", std::string(keys.status().message())}});
    return;
  }
  log::Info("token_keys_reloaded", {{"keys", static_cast<int>(keys->size())}});
  std::lock_guard<std::mutex> lock(mu_);
  keys_ = std::make_shared<const std::vector<Key>>(*std::move(keys));
}

absl::StatusOr<TokenClaims> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  MaybeReload(now);
  std::shared_ptr<const std::vector<Key>> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys = keys_;
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::optional<nlohmann::json> header, payload;
  if (parts.size() == 3 && IsBase64Url(parts[0]) && IsBase64Url(parts[1]) &&
      IsBase64Url(parts[2])) {
    header = JsonPart(parts[0]);
    payload = JsonPart(parts[1]);
  }
  if (!header || !payload) {
    return Refused("TOKEN_MALFORMED",
                   "the bearer token is not a signed JWT (header.payload.signature, base64url); "
                   "send the token the identity provider issued, as 'authorization: Bearer <token>'");
  }
  // The algorithm is checked exactly, before any key: no "none", no HMAC, no other case.
  const std::optional<std::string> alg = StringClaim(*header, "alg");
  if (!alg || (*alg != "RS256" && *alg != "ES256")) {
    return Refused("TOKEN_ALGORITHM_REFUSED",
                   "the token's algorithm is refused: only RS256 and ES256 signatures are "
                   "accepted (never \"none\" or HMAC)");
  }
  if (parts[2].empty()) {
    return Refused("TOKEN_SIGNATURE_INVALID", "the token carries no signature");
  }
  if (header->contains("crit")) {
    return Refused("TOKEN_ALGORITHM_REFUSED",
                   "the token names critical header extensions (\"crit\"), which are not "
                   "supported");
  }
  const int64_t leeway_s = absl::ToInt64Seconds(config_.leeway);
  bool verified = false;
  std::error_code failure;
  for (const Key& key : *keys) {
    if (key.algorithm != *alg) continue;
    std::error_code ec;
    try {
      // cpp-jwt checks the signature (and exp/nbf against the system clock, which the checks
      // below repeat against `now`).
      jwt::decode(jwt::string_view(token.data(), token.size()),
                  jwt::params::algorithms({*alg}), ec, jwt::params::secret(key.pem),
                  jwt::params::verify(true),
                  jwt::params::leeway(static_cast<uint32_t>(leeway_s)));
    } catch (const std::exception&) {
      ec = jwt::VerificationErrc::InvalidSignature;
    }
    // cpp-jwt reads exp, nbf and iat before it checks the signature: a claim of the wrong
    // type stops it there. Such a token's signature is checked alone, and the claim is
    // then refused by name below (TOKEN_CLAIMS_INVALID), not as a forgery.
    if (ec == jwt::VerificationErrc::TypeConversionError) ec = SignatureOnly(token, *alg, key.pem);
    if (!ec) {
      verified = true;
      break;
    }
    failure = ec;
  }
  if (!verified) {
    if (failure == jwt::VerificationErrc::TokenExpired) {
      return Refused("TOKEN_EXPIRED", "the token has expired; get a new one from the identity "
                                      "provider and call again");
    }
    if (failure == jwt::VerificationErrc::ImmatureSignature) {
      return Refused("TOKEN_NOT_YET_VALID",
                     "the token is not valid yet (nbf); check the clocks of the issuer and "
                     "the caller");
    }
    return Refused("TOKEN_SIGNATURE_INVALID",
                   "the token's signature does not verify with any key the suite trusts; "
                   "send a token issued by the configured identity provider");
  }

  const std::optional<int64_t> exp = TimeClaim(*payload, "exp");
  if (!exp) {
    return BadClaim("exp", payload->contains("exp")
                               ? "must be a NumericDate (seconds since 1970, a JSON number)"
                               : "is required (a NumericDate)");
  }
  const int64_t now_s = absl::ToUnixSeconds(now);
  if (now_s > *exp + leeway_s) {
    return Refused("TOKEN_EXPIRED", "the token has expired; get a new one from the identity "
                                    "provider and call again");
  }
  for (const char* claim : {"nbf", "iat"}) {
    if (payload->contains(claim)) {
      const std::optional<int64_t> t = TimeClaim(*payload, claim);
      if (!t) return BadClaim(claim, "must be a NumericDate");
      if (*t > now_s + leeway_s) {
        return Refused("TOKEN_NOT_YET_VALID",
                       "the token is not valid yet (nbf or iat in the future); check the "
                       "clocks of the issuer and the caller");
      }
    }
  }
  if (StringClaim(*payload, "iss") != config_.issuer) {
    return Refused("TOKEN_WRONG_ISSUER",
                   "the token was issued by another identity provider than the one this "
                   "service trusts");
  }
  bool audience = false;
  if (auto aud = payload->find("aud"); aud != payload->end()) {
    if (aud->is_string()) audience = aud->get<std::string>() == config_.audience;
    if (aud->is_array()) {
      for (const auto& a : *aud) audience = audience || (a.is_string() && a.get<std::string>() == config_.audience);
    }
  }
  if (!audience) {
    return Refused("TOKEN_WRONG_AUDIENCE",
                   absl::StrCat("the token is not meant for this suite: its audience (aud) "
                                "must be \"", config_.audience, "\""));
  }

  TokenClaims claims;
  claims.expires = absl::FromUnixSeconds(*exp);
  const std::optional<std::string> sub = StringClaim(*payload, "sub");
  if (!sub) return BadClaim("sub", "is required: the user's id (HSA-id)");
  if (std::string problem = UserIdProblem(*sub); !problem.empty()) return BadClaim("sub", problem);
  claims.user_id = *sub;
  const std::optional<std::string> unit = StringClaim(*payload, "unit_hsa_id");
  if (unit && IsReservedHsaId(*unit)) {
    return BadClaim("unit_hsa_id", absl::StrCat("is under the organisation number reserved for "
                                                "the suite's own services (",
                                                kReservedHsaIdPrefix, "…); name the user's unit"));
  }
  if (!unit || !IsValidHsaId(*unit)) return BadClaim("unit_hsa_id", kHsaIdFormat);
  claims.unit.hsa_id = *unit;
  const std::optional<PrincipalKind> principal =
      ParsePrincipalKind(StringClaim(*payload, "unit_principal").value_or(""));
  if (!principal) return BadClaim("unit_principal", "must be MUNICIPALITY, REGION or OTHER");
  claims.unit.principal = *principal;
  const std::string code = StringClaim(*payload, "unit_principal_code").value_or("");
  if (std::string problem = PrincipalCodeProblem(claims.unit.principal, code); !problem.empty()) {
    return BadClaim("unit_principal_code", problem);
  }
  claims.unit.principal_code = code;
  const std::string role = StringClaim(*payload, "role").value_or("");
  bool role_ok = !role.empty() && role.size() <= 32;
  for (char c : role) role_ok = role_ok && (absl::ascii_isupper(static_cast<unsigned char>(c)) || c == '_');
  if (!role_ok) return BadClaim("role", "must be the user's role, 1-32 of A-Z and _");
  claims.role = role;
  return claims;
}

}  // namespace sip::auth
