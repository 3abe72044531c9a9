// libFuzzer: a CreatePlanRequest or UpdatePlanRequest as the plan service receives it —
// the request guard, then the domain's validation (NewPlan, ApplyUpdate). Invariant: the
// answer is OK or INVALID_ARGUMENT (FAILED_PRECONDITION for a state rule), never a crash,
// never another code.
#include <cstdint>
#include <cstdlib>

#include "common/request_guard.h"
#include "google/protobuf/stubs/logging.h"
#include "services/plan/plan.h"

namespace {

const sip::Actor kCaller{{"SE2321000131-E000000000001", sip::PrincipalKind::kRegion, ""}, "fuzz"};
const absl::Time kNow = absl::FromUnixSeconds(1764000000);

void Expect(const absl::Status& s) {
  if (s.ok() || s.code() == absl::StatusCode::kInvalidArgument ||
      s.code() == absl::StatusCode::kFailedPrecondition) {
    return;
  }
  std::abort();
}

}  // namespace

// Invalid UTF-8 in a string field is refused by the parser, as on the wire; its log line
// is noise here.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the request; the rest is its serialized form.
  if (data[0] % 2 == 0) {
    sip::plan::v1::CreatePlanRequest request;
    if (!request.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
    const absl::Status shape = sip::CheckRequestShape(request);
    Expect(shape);
    if (!shape.ok()) return 0;
    Expect(sip::plan::NewPlan(request.plan(), kCaller, kNow).status());
  } else {
    sip::plan::v1::UpdatePlanRequest request;
    if (!request.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
    const absl::Status shape = sip::CheckRequestShape(request);
    Expect(shape);
    if (!shape.ok()) return 0;
    sip::plan::v1::CreatePlanRequest base;
    auto* individual = base.mutable_plan()->mutable_individual();
    individual->set_personal_identity_number("19121212-1212");
    individual->set_name("Tolvan Tolvansson");
    base.mutable_plan()->set_need_noticed_by(sip::plan::v1::NEED_NOTICED_BY_SCHOOL);
    base.mutable_plan()->set_reason("Behöver samordnat stöd");
    auto plan = sip::plan::NewPlan(base.plan(), kCaller, kNow);
    if (!plan.ok()) std::abort();
    Expect(sip::plan::ApplyUpdate(*plan, request.plan(), request.update_mask(), kNow).status());
  }
  return 0;
}
