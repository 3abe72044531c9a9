#include "common/testing/tokens.h"

#include <memory>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "jwt/jwt.hpp"
#include "nlohmann/json.hpp"
#include "openssl/bio.h"
#include "openssl/ec.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/rsa.h"

namespace sip::testing {
namespace {

std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

KeyPair Pems(EVP_PKEY* key) {
  KeyPair pair;
  std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), BIO_free);
  if (!PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr) ||
      !PEM_write_bio_PUBKEY(pub.get(), key)) {
    throw std::runtime_error("cannot write a test key as PEM");
  }
  pair.private_pem = BioString(priv.get());
  pair.public_pem = BioString(pub.get());
  return pair;
}

KeyPair Generate(int type, int rsa_bits) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      (type == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), rsa_bits) <= 0) ||
      (type == EVP_PKEY_EC &&
       EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) <= 0) ||
      EVP_PKEY_keygen(ctx.get(), &key) <= 0) {
    throw std::runtime_error("cannot generate a test key");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned(key, EVP_PKEY_free);
  return Pems(key);
}

nlohmann::json Payload(const TokenSpec& spec) {
  nlohmann::json payload = {
      {"iss", spec.issuer},         {"aud", spec.audience},
      {"sub", spec.subject},        {"unit_hsa_id", spec.unit_hsa_id},
      {"unit_principal", spec.principal}, {"role", spec.role},
      {"iat", absl::ToUnixSeconds(spec.issued)},
  };
  if (!spec.principal_code.empty()) payload["unit_principal_code"] = spec.principal_code;
  if (spec.with_exp) payload["exp"] = absl::ToUnixSeconds(spec.issued + spec.lifetime);
  if (spec.with_exp && spec.exp_as_string) {
    payload["exp"] = std::to_string(absl::ToUnixSeconds(spec.issued + spec.lifetime));
  }
  if (spec.not_before) payload["nbf"] = absl::ToUnixSeconds(*spec.not_before);
  return payload;
}

std::string Part(const nlohmann::json& json) { return absl::WebSafeBase64Escape(json.dump()); }

std::string Sign(const TokenSpec& spec, const std::string& algorithm, const std::string& secret) {
  jwt::jwt_object token{jwt::params::algorithm(algorithm), jwt::params::secret(secret)};
  const nlohmann::json payload = Payload(spec);
  for (const auto& [name, value] : payload.items()) token.add_claim(name, value);
  return token.signature();
}

}  // namespace

KeyPair MakeRsaKey(int bits) { return Generate(EVP_PKEY_RSA, bits); }
KeyPair MakeEcKey() { return Generate(EVP_PKEY_EC, 0); }

std::string SignToken(const TokenSpec& spec, const KeyPair& key, const std::string& algorithm) {
  return Sign(spec, algorithm, key.private_pem);
}

std::string UnsignedToken(const TokenSpec& spec, const std::string& fake_signature) {
  return absl::StrCat(Part({{"alg", "none"}, {"typ", "JWT"}}), ".", Part(Payload(spec)), ".",
                      fake_signature);
}

std::string HmacToken(const TokenSpec& spec, const std::string& secret) {
  return Sign(spec, "HS256", secret);
}

std::string WithBrokenSignature(const std::string& token) {
  std::string broken = token;
  const size_t dot = broken.rfind('.');
  // Change a character in the middle of the signature (every bit of it counts).
  char& c = broken[dot + 1 + (broken.size() - dot - 1) / 2];
  c = c == 'A' ? 'B' : 'A';
  return broken;
}

}  // namespace sip::testing
