// libFuzzer: the lifecycle service's requests as it receives them — the request guard, then
// its readers (services/lifecycle/lifecycle_requests.h): the timeline's name, a work list's
// filter, the later meeting's day, the report's period and scope, the policy's region.
// The first byte picks the request. Invariants: OK or INVALID_ARGUMENT naming a field,
// never a crash, never another code; what is accepted holds its promises (a work list has
// a unit or a state and a valid unit; a report's period runs forwards for at most 5 years
// with exactly the one scope asked for).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/hsa_id.h"
#include "common/request_guard.h"
#include "google/protobuf/stubs/logging.h"
#include "services/lifecycle/lifecycle_requests.h"

namespace {

namespace pb = ::sip::lifecycle::v1;

void Expect(const absl::Status& s) {
  if (s.ok()) return;
  if (s.code() != absl::StatusCode::kInvalidArgument || s.message().empty()) std::abort();
}

template <typename Request>
bool Parse(const uint8_t* data, size_t size, Request& request) {
  if (!request.ParseFromArray(data, static_cast<int>(size))) return false;
  const absl::Status shape = sip::CheckRequestShape(request);
  Expect(shape);
  return shape.ok();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t kind = data[0] % 5;
  ++data;
  --size;
  if (kind == 0) {
    pb::ListDeadlinesRequest r;
    if (!Parse(data, size, r)) return 0;
    auto q = sip::lifecycle::DeadlineQueryOf(r);
    Expect(q.status());
    if (q.ok()) {
      if (q->responsible_unit_hsa_id.empty() && !q->state) std::abort();
      if (!q->responsible_unit_hsa_id.empty() && !sip::IsValidHsaId(q->responsible_unit_hsa_id)) {
        std::abort();
      }
      if (!pb::DeadlineRule_IsValid(q->rule)) std::abort();
    }
  } else if (kind == 1) {
    pb::AgreeLaterMeetingRequest r;
    if (!Parse(data, size, r)) return 0;
    Expect(sip::lifecycle::PlanOfTimeline(r.name()).status());
    Expect(sip::lifecycle::AgreedDayOf(r).status());
  } else if (kind == 2) {
    pb::GetComplianceReportRequest r;
    if (!Parse(data, size, r)) return 0;
    auto q = sip::lifecycle::ReportQueryOf(r);
    Expect(q.status());
    if (q.ok()) {
      if (q->end < q->start || q->end - q->start > 5 * 366 + 1) std::abort();
      const int scopes = !q->region_code.empty() + !q->unit_hsa_id.empty() +
                         !q->municipality_code.empty();
      if (scopes > 1 || (scopes == 0 && !r.everything())) std::abort();
    }
  } else if (kind == 3) {
    pb::GetPolicyRequest r;
    if (!Parse(data, size, r)) return 0;
    Expect(sip::lifecycle::CheckPolicyRegion(r));
  } else {
    pb::GetTimelineRequest r;
    if (!Parse(data, size, r)) return 0;
    auto plan = sip::lifecycle::PlanOfTimeline(r.name());
    Expect(plan.status());
    if (plan.ok() && (plan->empty() || r.name() != "plans/" + *plan + "/timeline")) std::abort();
  }
  return 0;
}
