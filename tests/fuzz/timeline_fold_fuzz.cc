// libFuzzer: the lifecycle's fold (services/lifecycle/timeline.h) on random facts of one
// plan in random order. Invariants: never a crash; AppliedBefore is a strict order (never
// both ways, never a fact before itself); the fold of the facts as they arrived, reversed,
// and sorted is one and the same timeline (a timeline is a function of its set of facts);
// rebuilding fact by fact in the order they arrived, as the store does, ends in that
// timeline too (Changes between each two folds never crashing), for up to six facts.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "services/lifecycle/policy.h"
#include "services/lifecycle/timeline.h"

namespace {

namespace lc = ::sip::lifecycle;
const lc::Policies* policies = nullptr;
const absl::Time kBase = absl::FromUnixSeconds(1764000000);
const char* const kUnits[] = {"SE2321000131-E000000000001", "SE2120001652-S000000000002",
                              "SE2321000131-P000000000003", ""};
const char* const kRegions[] = {"14", "12", "01", ""};
const char* const kMunicipalities[] = {"1482", "1280", ""};

std::string At(const std::optional<absl::Time>& t) {
  return t ? absl::StrCat(absl::ToUnixMicros(*t)) : "-";
}

std::string Describe(const lc::Timeline& t) {
  std::string out = absl::StrCat(
      t.plan_id, "|", t.region_code, "|", t.municipality_code, "|", t.plan_state, "|",
      t.initiating_unit_hsa_id, "|", t.coordinator_unit_hsa_id, "|",
      t.designated_care_contact_unit_hsa_id, "|", At(t.need_noticed_time), "|",
      At(t.initiate_time), "|", At(t.discharge_time), "|", At(t.first_meeting_time), "|",
      At(t.establish_time), "|", At(t.last_follow_up_time), "|", At(t.last_activity_time), "|",
      At(t.close_time), "|", t.forfeited, t.closure_requested, "|", t.closure_cause);
  for (const auto& d : t.deadlines) {
    absl::StrAppend(&out, "\n", d.rule, " ", static_cast<int>(d.state), " ",
                    absl::ToUnixMicros(d.open_time), " ", absl::ToUnixMicros(d.due_time), " ",
                    At(d.met_time), " ", At(d.breach_time), " ", At(d.cancel_time), " ",
                    d.responsible_unit_hsa_id, " ", d.region_code, " ", d.policy_version, " ",
                    d.opened_by, " ", d.by_agreement, " ", d.agreement_reason);
  }
  for (const auto& e : t.entries) {
    absl::StrAppend(&out, "\n", absl::ToUnixMicros(e.time), " ", e.what, " ", e.source);
  }
  return out;
}

template <typename T, size_t N>
const T& Pick(FuzzedDataProvider& in, const T (&items)[N]) {
  return items[in.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

lc::Fact MakeFact(FuzzedDataProvider& in, int number) {
  lc::Fact f;
  f.kind = static_cast<lc::Fact::Kind>(
      in.ConsumeIntegralInRange<int>(0, static_cast<int>(lc::Fact::Kind::kLaterMeetingAgreed)));
  f.plan_id = "p1";
  // Facts often share a time: the order at one time must not depend on arrival.
  f.time = kBase + absl::Hours(in.ConsumeIntegralInRange<int>(0, 24 * 500) / 6 * 6);
  static const char* const kSources[] = {"plan", "consent", "meeting", "lifecycle"};
  f.source = absl::StrCat(Pick(in, kSources), "/", number);
  f.actor_unit_hsa_id = Pick(in, kUnits);
  if (in.ConsumeBool()) {
    f.need_noticed_time = f.time - absl::Hours(in.ConsumeIntegral<uint8_t>() * 24);
  }
  if (in.ConsumeBool()) f.discharge_time = f.time + absl::Hours(in.ConsumeIntegral<uint8_t>());
  f.region_code = Pick(in, kRegions);
  f.municipality_code = Pick(in, kMunicipalities);
  f.unit_hsa_id = Pick(in, kUnits);
  f.meeting_kind = static_cast<sip::meeting::v1::MeetingKind>(in.ConsumeIntegralInRange(0, 4));
  if (in.ConsumeBool()) {
    f.next_follow_up_date = absl::CivilDay(2025, 11, 24) + in.ConsumeIntegralInRange(-30, 800);
  }
  f.circumstance = static_cast<sip::plan::v1::CircumstanceKind>(in.ConsumeIntegralInRange(0, 6));
  if (in.ConsumeBool()) {
    f.agreed_day = absl::CivilDay(2025, 11, 24) + in.ConsumeIntegralInRange(0, 200);
  }
  f.reason = in.ConsumeBool() ? "Personen vill vänta" : "";
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  auto loaded = lc::Policies::LoadDirectory(SIP_POLICIES_DIR);
  if (!loaded.ok()) std::abort();
  policies = new lc::Policies(std::move(*loaded));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int count = in.ConsumeIntegralInRange(0, 12);
  std::vector<lc::Fact> arrived;
  for (int i = 0; i < count && in.remaining_bytes() > 0; ++i) arrived.push_back(MakeFact(in, i));
  const absl::Time now = kBase + absl::Hours(in.ConsumeIntegralInRange<int>(0, 24 * 600));

  for (const auto& a : arrived) {
    if (lc::AppliedBefore(a, a)) std::abort();
    for (const auto& b : arrived) {
      if (lc::AppliedBefore(a, b) && lc::AppliedBefore(b, a)) std::abort();
    }
  }
  std::vector<lc::Fact> sorted = arrived, reversed(arrived.rbegin(), arrived.rend());
  std::sort(sorted.begin(), sorted.end(), lc::AppliedBefore);
  const std::string want = Describe(lc::Fold("p1", sorted, now, *policies));
  if (Describe(lc::Fold("p1", arrived, now, *policies)) != want) std::abort();
  if (Describe(lc::Fold("p1", reversed, now, *policies)) != want) std::abort();

  // As the store rebuilds: one more fact at a time, each change's events reported (for a
  // few facts: each step is a fold of its own).
  if (arrived.size() > 6) return 0;
  std::vector<lc::Fact> known;
  lc::Timeline before;
  before.plan_id = "p1";
  for (const auto& f : arrived) {
    known.push_back(f);
    lc::Timeline after = lc::Fold("p1", known, now, *policies);
    const lc::Effects effects = lc::Changes(before, after);
    if (effects.close && !after.closure_requested) std::abort();
    before = std::move(after);
  }
  if (Describe(before) != want) std::abort();
  return 0;
}
