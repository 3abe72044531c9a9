// libFuzzer: a RecordConsentRequest as the consent service receives it — the request
// guard, the API → domain conversion and the domain's validation (NewConsent), then the
// coverage decision. Invariant: OK or INVALID_ARGUMENT, never a crash, never another code.
#include <cstdint>
#include <cstdlib>

#include "common/request_guard.h"
#include "google/protobuf/stubs/logging.h"
#include "services/consent/consent.h"
#include "services/consent/consent_proto.h"

// Invalid UTF-8 in a string field is refused by the parser, as on the wire; its log line
// is noise here.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sip::consent::v1::RecordConsentRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto expect = [](const absl::Status& s) {
    if (!s.ok() && s.code() != absl::StatusCode::kInvalidArgument) std::abort();
  };
  const absl::Status shape = sip::CheckRequestShape(request);
  expect(shape);
  if (!shape.ok()) return 0;
  auto input = sip::consent::ConsentInputFromProto(request.consent());
  expect(input.status());
  if (!input.ok()) return 0;
  const sip::Actor caller{{"SE2321000131-E000000000001", sip::PrincipalKind::kRegion, ""}, "fuzz"};
  const absl::Time now = absl::FromUnixSeconds(1764000000);
  expect(sip::consent::DecideMinority(*input, absl::CivilDay(2010, 5, 17), now));
  auto consent = sip::consent::NewConsent("p1", *std::move(input), caller, now);
  expect(consent.status());
  if (consent.ok()) {
    const auto answers = sip::consent::CheckCoverage({*consent}, {"SE2321000131-E000000000001"}, now);
    if (answers.size() != 1) std::abort();
  }
  return 0;
}
