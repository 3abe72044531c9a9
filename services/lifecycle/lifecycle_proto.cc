#include "services/lifecycle/lifecycle_proto.h"

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"

namespace sip::lifecycle {
namespace {

pb::DeadlineState StateOf(DeadlineState s) {
  switch (s) {
    case DeadlineState::kMet: return pb::DEADLINE_STATE_MET;
    case DeadlineState::kBreached: return pb::DEADLINE_STATE_BREACHED;
    case DeadlineState::kCancelled: return pb::DEADLINE_STATE_CANCELLED;
    default: return pb::DEADLINE_STATE_PENDING;
  }
}

// Sets the field through `mutable_field` only when the time is known.
template <typename Message, typename Mutable>
void SetTime(const std::optional<absl::Time>& t, Message* out, Mutable mutable_field) {
  if (t) sip::ToProto(*t, (out->*mutable_field)());
}

}  // namespace

void ToProto(const Deadline& d, const std::string& plan_id, int number, pb::Deadline* out) {
  out->set_name(absl::StrCat("plans/", plan_id, "/deadlines/", number));
  out->set_rule(d.rule);
  out->set_state(StateOf(d.state));
  sip::ToProto(d.due_time, out->mutable_due_time());
  // Resolved: when met, else when breached, else when cancelled.
  SetTime(d.met_time ? d.met_time : d.breach_time ? d.breach_time : d.cancel_time, out,
          &pb::Deadline::mutable_resolve_time);
  out->set_responsible_unit_hsa_id(d.responsible_unit_hsa_id);
  out->set_opened_by(d.opened_by);
  sip::ToProto(d.open_time, out->mutable_create_time());
  SetTime(d.breach_time, out, &pb::Deadline::mutable_breach_time);
  SetTime(d.met_time, out, &pb::Deadline::mutable_met_time);
  out->set_region_code(d.region_code);
  out->set_policy_version(d.policy_version);
  out->set_by_agreement(d.by_agreement);
  out->set_agreement_reason(d.agreement_reason);
}

void ToProto(const Timeline& t, pb::Timeline* out) {
  out->set_name(absl::StrCat("plans/", t.plan_id, "/timeline"));
  out->set_plan_state(t.plan_state);
  out->set_region_code(t.region_code);
  out->set_responsible_unit_hsa_id(t.coordinator_unit_hsa_id.empty() ? t.initiating_unit_hsa_id
                                                                      : t.coordinator_unit_hsa_id);
  SetTime(t.need_noticed_time, out, &pb::Timeline::mutable_need_noticed_time);
  SetTime(t.initiate_time, out, &pb::Timeline::mutable_initiate_time);
  SetTime(t.discharge_time, out, &pb::Timeline::mutable_discharge_time);
  SetTime(t.first_meeting_time, out, &pb::Timeline::mutable_first_meeting_time);
  SetTime(t.establish_time, out, &pb::Timeline::mutable_establish_time);
  SetTime(t.last_follow_up_time, out, &pb::Timeline::mutable_last_follow_up_time);
  SetTime(t.last_activity_time, out, &pb::Timeline::mutable_last_activity_time);
  SetTime(t.close_time, out, &pb::Timeline::mutable_close_time);
  out->set_forfeited(t.forfeited);
  for (size_t i = 0; i < t.deadlines.size(); ++i) {
    ToProto(t.deadlines[i], t.plan_id, static_cast<int>(i), out->add_deadlines());
  }
  for (const Entry& e : t.entries) {
    auto* entry = out->add_entries();
    sip::ToProto(e.time, entry->mutable_time());
    entry->set_what(e.what);
    entry->set_source(e.source);
  }
}

}  // namespace sip::lifecycle
