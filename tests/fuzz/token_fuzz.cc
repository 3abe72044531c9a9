// libFuzzer: the token verifier (common/token.h) on arbitrary bearer tokens, starting from
// tokens signed with the fuzzer's own key (tests/fuzz/keys, seeds.mjs). Invariants: a
// token is refused with UNAUTHENTICATED and a reason unless its signature verifies, never a
// crash, never another code; a token that verifies says exactly what the signed seed
// says (the fuzzer cannot sign: any other claims accepted would be a forgery getting in).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/errors.h"
#include "common/token.h"

namespace {

std::unique_ptr<sip::auth::TokenVerifier> verifier;
// The time the seed tokens were issued for (seeds.mjs).
const absl::Time kNow = absl::FromUnixSeconds(1764000000);

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sip::auth::TokenConfig config;
  config.issuer = "https://idp.fuzz.example";
  config.audience = "sip";
  config.public_keys_file = SIP_FUZZ_TOKEN_PUBLIC_KEY;
  auto created = sip::auth::TokenVerifier::Create(config);
  if (!created.ok()) std::abort();
  verifier = std::move(*created);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string token(reinterpret_cast<const char*>(data), size);
  auto claims = verifier->Verify(token, kNow);
  if (!claims.ok()) {
    if (claims.status().code() != absl::StatusCode::kUnauthenticated ||
        sip::ReasonOf(claims.status()).empty()) {
      std::abort();
    }
    return 0;
  }
  if (claims->user_id != "nurse-1" || claims->unit.hsa_id != "SE2321000131-E000000000001" ||
      claims->role != "CARE_PROFESSIONAL" || claims->expires != kNow + absl::Seconds(600)) {
    std::abort();
  }
  return 0;
}
