#include "services/lifecycle/timeline.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::lifecycle {
namespace {

namespace cpb = ::sip::common::v1;
namespace planpb = ::sip::plan::v1;
namespace consentpb = ::sip::consent::v1;
namespace meetingpb = ::sip::meeting::v1;
using Kind = Fact::Kind;

std::string PlanIdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

Fact Base(Kind kind, const std::string& plan, const google::protobuf::Timestamp& time,
          const std::string& service, int64_t sequence, const std::string& actor) {
  Fact f;
  f.kind = kind;
  f.plan_id = PlanIdOf(plan);
  f.time = TimeOf(time);
  f.source = absl::StrCat(service, "/", sequence);
  f.actor_unit_hsa_id = actor;
  return f;
}

// The policy the plan's region has, and the deadline `rule` opened at `from` under it;
// nullopt when the region's policy does not have the rule.
std::optional<Deadline> Open(const Timeline& t, const Policies& policies, pb::DeadlineRule rule,
                             absl::Time opened, absl::Time from, std::string responsible,
                             const std::string& source) {
  const pb::Policy& policy = policies.For(t.region_code);
  const std::optional<absl::Time> due = DueTime(policy, rule, from);
  if (!due) return std::nullopt;
  Deadline d;
  d.rule = rule;
  d.open_time = opened;
  d.due_time = *due;
  d.responsible_unit_hsa_id = std::move(responsible);
  d.region_code = t.region_code;
  d.policy_version = policy.version();
  d.opened_by = source;
  return d;
}

pb::LifecycleEvent Event(const Timeline& t) {
  pb::LifecycleEvent e;
  e.set_plan(absl::StrCat("plans/", t.plan_id));
  return e;
}

// The open deadline of `rule`, if any.
Deadline* OpenOf(Timeline& t, pb::DeadlineRule rule) {
  for (Deadline& d : t.deadlines) {
    if (d.rule == rule && d.open()) return &d;
  }
  return nullptr;
}

// "plans/{plan}/deadlines/{number}" of a deadline of `t`.
std::string NameOf(const Timeline& t, const Deadline& d) {
  return absl::StrCat("plans/", t.plan_id, "/deadlines/", &d - t.deadlines.data());
}

// The events that say deadline `d` of `t` was met, or breached.
pb::LifecycleEvent MetEvent(const Timeline& t, const Deadline& d) {
  pb::LifecycleEvent e = Event(t);
  e.mutable_deadline_met()->set_rule(d.rule);
  e.mutable_deadline_met()->set_deadline(NameOf(t, d));
  return e;
}
pb::LifecycleEvent BreachedEvent(const Timeline& t, const Deadline& d) {
  pb::LifecycleEvent e = Event(t);
  e.mutable_deadline_breached()->set_rule(d.rule);
  e.mutable_deadline_breached()->set_deadline(NameOf(t, d));
  ToProto(d.due_time, e.mutable_deadline_breached()->mutable_due_time());
  return e;
}

// Meets the open deadline of `rule` at `when` (after its breach, it keeps both times). A
// fact later than the due time meets it late, whether or not the sweeper had marked the
// breach yet.
void Meet(Timeline& t, pb::DeadlineRule rule, absl::Time when, Effects& out) {
  Deadline* d = OpenOf(t, rule);
  if (d == nullptr) return;
  d->state = DeadlineState::kMet;
  d->met_time = when;
  if (when > d->due_time && !d->breach_time) d->breach_time = d->due_time;
  out.events.push_back(MetEvent(t, *d));
}

// Adds a line in time order: the sources are followed each at its own pace, so facts do
// not arrive in the order they happened.
void AddEntry(Timeline& t, Entry entry) {
  const auto at = std::upper_bound(t.entries.begin(), t.entries.end(), entry.time,
                                   [](absl::Time time, const Entry& e) { return time < e.time; });
  t.entries.insert(at, std::move(entry));
}

// Asks once for the plan to be closed, with an event and a line on the timeline.
void RequestClosure(Timeline& t, pb::ClosureCause cause, absl::Time when, Effects& out) {
  if (t.closure_requested || t.plan_state == cpb::PLAN_STATE_CLOSED) return;
  t.closure_requested = true;
  t.closure_cause = cause;
  out.close = cause;
  AddEntry(t, {when, "closure_requested", "lifecycle"});
  pb::LifecycleEvent e = Event(t);
  e.mutable_plan_closure_requested()->set_cause(cause);
  out.events.push_back(std::move(e));
}

void Add(Timeline& t, std::optional<Deadline> d) {
  if (d) t.deadlines.push_back(*std::move(d));
}

// Whose work list: the coordinator's once there is one, else the initiating unit's.
std::string Responsible(const Timeline& t) {
  return t.coordinator_unit_hsa_id.empty() ? t.initiating_unit_hsa_id : t.coordinator_unit_hsa_id;
}

// Activity restarts the clocks of forfeiture and automatic closure: the open ones are met
// (the plan was touched in time), new ones count from now.
void Touch(Timeline& t, const Fact& f, const Policies& policies, Effects& out) {
  t.last_activity_time = f.time;
  if (!t.establish_time) return;  // the clocks run for established plans
  Meet(t, pb::DEADLINE_RULE_FORFEITURE, f.time, out);
  Meet(t, pb::DEADLINE_RULE_AUTOMATIC_CLOSURE, f.time, out);
  t.forfeited = false;
  Add(t, Open(t, policies, pb::DEADLINE_RULE_FORFEITURE, f.time, f.time, Responsible(t), f.source));
  Add(t, Open(t, policies, pb::DEADLINE_RULE_AUTOMATIC_CLOSURE, f.time, f.time, Responsible(t),
              f.source));
}

// A new yearly follow-up from `from`: due at the agreed date when there is one, and at
// the latest the policy's interval later.
void OpenFollowUp(Timeline& t, const Fact& f, absl::Time from, const Policies& policies) {
  std::optional<Deadline> d = Open(t, policies, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP, f.time, from,
                                   Responsible(t), f.source);
  if (!d) return;
  if (f.next_follow_up_date) {
    const absl::Time agreed = StartOfDayInSweden(*f.next_follow_up_date + 1);
    if (agreed < d->due_time) d->due_time = agreed;
  }
  t.deadlines.push_back(*std::move(d));
}

bool AlreadyApplied(const Timeline& t, const Fact& f) {
  for (const Entry& e : t.entries) {
    if (e.source == f.source) return true;
  }
  return false;
}

// At one time: initiation first (the others need its deadlines), the rest in the kinds'
// order (a closure before the meeting cancellations it causes).
int Rank(Kind kind) { return kind == Kind::kInitiated ? 0 : 1 + static_cast<int>(kind); }

// "<service>/<sequence>" as its two parts, sequences compared as numbers.
std::pair<absl::string_view, int64_t> SourceKey(const std::string& source) {
  const size_t slash = source.rfind('/');
  if (slash == std::string::npos) return {source, 0};
  int64_t sequence = 0;
  if (!absl::SimpleAtoi(absl::string_view(source).substr(slash + 1), &sequence)) sequence = 0;
  return {absl::string_view(source).substr(0, slash), sequence};
}

// A deadline's identity across folds: its rule and the fact that opened it.
std::pair<pb::DeadlineRule, std::string> KeyOf(const Deadline& d) { return {d.rule, d.opened_by}; }

int Count(const Timeline& t, absl::string_view what) {
  return static_cast<int>(std::count_if(t.entries.begin(), t.entries.end(),
                                        [&](const Entry& e) { return e.what == what; }));
}

}  // namespace

bool AppliedBefore(const Fact& a, const Fact& b) {
  return std::make_tuple(a.time, Rank(a.kind), SourceKey(a.source), a.source) <
         std::make_tuple(b.time, Rank(b.kind), SourceKey(b.source), b.source);
}

Timeline Fold(const std::string& plan_id, std::vector<Fact> facts, absl::Time now,
              const Policies& policies) {
  std::sort(facts.begin(), facts.end(), AppliedBefore);
  Timeline t;
  t.plan_id = plan_id;
  for (const Fact& f : facts) {
    // Time passes up to the fact: what fell due before it is breached first.
    Sweep(t, f.time - absl::Nanoseconds(1), policies);
    Apply(t, f, policies);
  }
  Sweep(t, now, policies);
  return t;
}

Effects Changes(const Timeline& before, const Timeline& after) {
  Effects out;
  std::map<std::pair<pb::DeadlineRule, std::string>, const Deadline*> was;
  for (const Deadline& d : before.deadlines) was[KeyOf(d)] = &d;
  for (const Deadline& d : after.deadlines) {
    auto it = was.find(KeyOf(d));
    const Deadline* old = it == was.end() ? nullptr : it->second;
    if (d.breach_time && (old == nullptr || !old->breach_time)) {
      out.events.push_back(BreachedEvent(after, d));
    }
    if (d.state == DeadlineState::kMet && (old == nullptr || old->state != DeadlineState::kMet)) {
      out.events.push_back(MetEvent(after, d));
    }
  }
  for (int i = Count(before, "forfeited"); i < Count(after, "forfeited"); ++i) {
    pb::LifecycleEvent e = Event(after);
    e.mutable_plan_forfeited();
    out.events.push_back(std::move(e));
  }
  if (after.closure_requested && !before.closure_requested) {
    out.close = after.closure_cause;
    pb::LifecycleEvent e = Event(after);
    e.mutable_plan_closure_requested()->set_cause(after.closure_cause);
    out.events.push_back(std::move(e));
  }
  return out;
}

std::optional<Fact> FactOf(const planpb::PlanEvent& e) {
  auto base = [&](Kind kind) {
    return Base(kind, e.plan(), e.event_time(), "plan", e.sequence(), e.actor_unit_hsa_id());
  };
  switch (e.payload_case()) {
    case planpb::PlanEvent::kInitiated: {
      Fact f = base(Kind::kInitiated);
      if (e.initiated().has_need_noticed_time()) {
        f.need_noticed_time = TimeOf(e.initiated().need_noticed_time());
      }
      if (e.initiated().has_discharge_time()) f.discharge_time = TimeOf(e.initiated().discharge_time());
      f.region_code = e.initiated().region_code();
      f.municipality_code = e.initiated().municipality_code();
      f.unit_hsa_id = e.initiated().designated_care_contact_unit_hsa_id();
      return f;
    }
    case planpb::PlanEvent::kContentUpdated: {
      Fact f = base(Kind::kContentUpdated);
      f.region_code = e.content_updated().region_code();
      f.municipality_code = e.content_updated().municipality_code();
      f.unit_hsa_id = e.content_updated().coordinator_unit_hsa_id();
      return f;
    }
    case planpb::PlanEvent::kEstablished: {
      Fact f = base(Kind::kEstablished);
      f.region_code = e.established().region_code();
      f.municipality_code = e.established().municipality_code();
      f.unit_hsa_id = e.established().coordinator_unit_hsa_id();
      if (e.established().has_next_follow_up_date()) {
        f.next_follow_up_date = DayFromProto(e.established().next_follow_up_date());
      }
      return f;
    }
    case planpb::PlanEvent::kRevised: {
      Fact f = base(Kind::kRevised);
      f.unit_hsa_id = e.revised().coordinator_unit_hsa_id();
      return f;
    }
    case planpb::PlanEvent::kFollowUpRecorded: {
      Fact f = base(Kind::kFollowUpRecorded);
      if (e.follow_up_recorded().has_next_follow_up_date()) {
        f.next_follow_up_date = DayFromProto(e.follow_up_recorded().next_follow_up_date());
      }
      return f;
    }
    case planpb::PlanEvent::kCircumstancesChanged: {
      Fact f = base(Kind::kCircumstancesChanged);
      f.circumstance = e.circumstances_changed().kind();
      return f;
    }
    case planpb::PlanEvent::kClosed:
      return base(Kind::kClosed);
    default:
      return std::nullopt;
  }
}

std::optional<Fact> FactOf(const consentpb::ConsentEvent& e) {
  auto base = [&](Kind kind) {
    return Base(kind, e.plan(), e.event_time(), "consent", e.sequence(), e.actor_unit_hsa_id());
  };
  switch (e.payload_case()) {
    case consentpb::ConsentEvent::kRecorded: return base(Kind::kConsentRecorded);
    case consentpb::ConsentEvent::kRefused: return base(Kind::kConsentRefused);
    case consentpb::ConsentEvent::kWithdrawn: return base(Kind::kConsentWithdrawn);
    default: return std::nullopt;
  }
}

std::optional<Fact> FactOf(const meetingpb::MeetingEvent& e) {
  auto base = [&](Kind kind) {
    return Base(kind, e.plan(), e.event_time(), "meeting", e.sequence(), e.actor_unit_hsa_id());
  };
  switch (e.payload_case()) {
    case meetingpb::MeetingEvent::kScheduled: {
      Fact f = base(Kind::kMeetingScheduled);
      f.meeting_kind = e.scheduled().kind();
      return f;
    }
    case meetingpb::MeetingEvent::kHeld: {
      Fact f = base(Kind::kMeetingHeld);
      f.meeting_kind = e.held().kind();
      // When it was held, not when it was recorded.
      if (e.held().has_start_time()) f.time = TimeOf(e.held().start_time());
      return f;
    }
    case meetingpb::MeetingEvent::kCancelled: {
      Fact f = base(Kind::kMeetingCancelled);
      f.meeting_kind = e.cancelled().kind();
      return f;
    }
    default:
      return std::nullopt;
  }
}

Effects Apply(Timeline& t, const Fact& f, const Policies& policies) {
  Effects out;
  if (AlreadyApplied(t, f)) return out;
  if (t.plan_id.empty()) t.plan_id = f.plan_id;
  if (!f.region_code.empty()) t.region_code = f.region_code;
  if (!f.municipality_code.empty()) t.municipality_code = f.municipality_code;
  const char* what = "";
  switch (f.kind) {
    case Kind::kInitiated: {
      what = "initiated";
      t.plan_state = cpb::PLAN_STATE_INITIATED;
      t.initiate_time = f.time;
      t.initiating_unit_hsa_id = f.actor_unit_hsa_id;
      t.need_noticed_time = f.need_noticed_time.value_or(f.time);
      t.last_activity_time = f.time;
      Add(t, Open(t, policies, pb::DEADLINE_RULE_START_WITHOUT_DELAY, f.time, *t.need_noticed_time,
                  t.initiating_unit_hsa_id, f.source));
      Add(t, Open(t, policies, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS, f.time,
                  *t.need_noticed_time, t.initiating_unit_hsa_id, f.source));
      if (f.discharge_time) {
        // The designated care contact in outpatient care convenes (lag 2017:612).
        t.discharge_time = f.discharge_time;
        t.designated_care_contact_unit_hsa_id = f.unit_hsa_id;
        Add(t, Open(t, policies, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE, f.time,
                    *f.discharge_time,
                    f.unit_hsa_id.empty() ? t.initiating_unit_hsa_id : f.unit_hsa_id, f.source));
      }
      break;
    }
    case Kind::kConsentRecorded:
      what = "consent_recorded";
      Meet(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY, f.time, out);
      break;
    case Kind::kMeetingScheduled:
      what = "meeting_scheduled";
      Meet(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY, f.time, out);
      // Scheduling sends the invitations.
      Meet(t, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE, f.time, out);
      break;
    case Kind::kMeetingHeld:
      what = "meeting_held";
      if (!t.first_meeting_time) t.first_meeting_time = f.time;
      // A meeting held proves the work started and the invited were asked — also one
      // planned by telephone and recorded afterwards, which was never scheduled here.
      Meet(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY, f.time, out);
      Meet(t, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE, f.time, out);
      Meet(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS, f.time, out);
      if (f.meeting_kind == meetingpb::MEETING_KIND_FOLLOW_UP && t.establish_time) {
        t.last_follow_up_time = f.time;
        Meet(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP, f.time, out);
        OpenFollowUp(t, f, f.time, policies);
        Touch(t, f, policies, out);
      }
      break;
    case Kind::kMeetingCancelled:
      what = "meeting_cancelled";
      break;
    case Kind::kEstablished:
      what = "established";
      t.plan_state = cpb::PLAN_STATE_ACTIVE;
      t.establish_time = f.time;
      t.coordinator_unit_hsa_id = f.unit_hsa_id;
      // Established at a meeting: work started and the meeting was held.
      Meet(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY, f.time, out);
      Meet(t, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE, f.time, out);
      Meet(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS, f.time, out);
      OpenFollowUp(t, f, f.time, policies);
      Touch(t, f, policies, out);
      break;
    case Kind::kContentUpdated:
      what = "updated";
      if (!f.unit_hsa_id.empty()) t.coordinator_unit_hsa_id = f.unit_hsa_id;
      Touch(t, f, policies, out);
      break;
    case Kind::kRevised:
      what = "revised";
      if (!f.unit_hsa_id.empty()) t.coordinator_unit_hsa_id = f.unit_hsa_id;
      Meet(t, pb::DEADLINE_RULE_REVISION_AFTER_CHANGE, f.time, out);
      Touch(t, f, policies, out);
      break;
    case Kind::kFollowUpRecorded:
      what = "followed_up";
      t.last_follow_up_time = f.time;
      Meet(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP, f.time, out);
      OpenFollowUp(t, f, f.time, policies);
      Touch(t, f, policies, out);
      break;
    case Kind::kCircumstancesChanged:
      what = "circumstances_changed";
      if (f.circumstance == planpb::CIRCUMSTANCE_KIND_MOVED_OUT_OF_REGION) {
        if (policies.For(t.region_code).close_on_moved_out_of_region()) {
          RequestClosure(t, pb::CLOSURE_CAUSE_MOVED_OUT_OF_REGION, f.time, out);
        }
      } else if (!OpenOf(t, pb::DEADLINE_RULE_REVISION_AFTER_CHANGE)) {
        Add(t, Open(t, policies, pb::DEADLINE_RULE_REVISION_AFTER_CHANGE, f.time, f.time,
                    Responsible(t), f.source));
      }
      break;
    case Kind::kConsentWithdrawn:
      what = "consent_withdrawn";
      // Always, whatever the policy says (its close_on_consent_withdrawn is not read): the
      // guidance closes the plan, and without consent no unit could.
      RequestClosure(t, pb::CLOSURE_CAUSE_CONSENT_WITHDRAWN, f.time, out);
      break;
    case Kind::kConsentRefused:
      what = "consent_refused";
      // Before establishment a refusal ends the planning; after it, the plan stands
      // until the consent it rests on is withdrawn.
      if (!t.establish_time && policies.For(t.region_code).close_on_consent_refused()) {
        RequestClosure(t, pb::CLOSURE_CAUSE_CONSENT_REFUSED, f.time, out);
      }
      break;
    case Kind::kLaterMeetingAgreed:
      what = "later_meeting_agreed";
      // Validated when it was asked for; at its place in the history it applies as then.
      if (f.agreed_day) {
        AgreeLaterMeeting(t, *f.agreed_day, f.reason, f.time).IgnoreError();
      }
      break;
    case Kind::kClosed:
      what = "closed";
      t.plan_state = cpb::PLAN_STATE_CLOSED;
      t.close_time = f.time;
      for (Deadline& d : t.deadlines) {
        if (d.state == DeadlineState::kPending) {
          d.state = DeadlineState::kCancelled;
          d.cancel_time = f.time;
        }
      }
      break;
  }
  AddEntry(t, {f.time, what, f.source});
  return out;
}

absl::Status AgreeLaterMeeting(Timeline& t, absl::CivilDay day, const std::string& reason,
                               absl::Time now) {
  if (t.plan_state == cpb::PLAN_STATE_CLOSED) {
    return FailedPrecondition("PLAN_CLOSED", "the plan is closed; its deadlines are settled");
  }
  Deadline* d = OpenOf(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS);
  if (d == nullptr || d->state != DeadlineState::kPending) {
    return FailedPrecondition("DEADLINE_NOT_OPEN",
                              "the initial meeting's deadline is not pending: it is met, "
                              "breached, or the region's policy has none");
  }
  Violations v;
  const absl::Time due = StartOfDayInSweden(day + 1);
  if (due <= d->due_time) {
    v.Add("agreed_date", "must be later than the policy's due day; an earlier meeting needs "
                         "no agreement");
  }
  if (t.need_noticed_time && day > AddMonths(DayInSweden(*t.need_noticed_time), 6)) {
    v.Add("agreed_date", "must be at most 6 months after the need was noticed");
  }
  if (absl::StripAsciiWhitespace(reason).empty()) {
    v.Add("reason", "is required: why a later day serves the person");
  } else if (reason.size() > 1000) {
    v.Add("reason", "must be at most 1000 characters");
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  d->due_time = due;
  d->by_agreement = true;
  d->agreement_reason = reason;
  return absl::OkStatus();
}

Effects Sweep(Timeline& t, absl::Time now, const Policies& policies) {
  Effects out;
  if (t.plan_state == cpb::PLAN_STATE_CLOSED) return out;
  for (Deadline& d : t.deadlines) {
    if (d.state != DeadlineState::kPending || d.due_time > now) continue;
    d.state = DeadlineState::kBreached;
    d.breach_time = d.due_time;
    out.events.push_back(BreachedEvent(t, d));
    if (d.rule == pb::DEADLINE_RULE_FORFEITURE && !t.forfeited) {
      t.forfeited = true;
      AddEntry(t, {d.due_time, "forfeited", "lifecycle"});
      pb::LifecycleEvent forfeited = Event(t);
      forfeited.mutable_plan_forfeited();
      out.events.push_back(std::move(forfeited));
    }
    if (d.rule == pb::DEADLINE_RULE_AUTOMATIC_CLOSURE &&
        policies.For(t.region_code).close_on_expiry()) {
      RequestClosure(t, pb::CLOSURE_CAUSE_EXPIRED, d.due_time, out);
    }
  }
  return out;
}

std::string RuleName(pb::DeadlineRule rule) {
  absl::string_view name = pb::DeadlineRule_Name(rule);
  absl::ConsumePrefix(&name, "DEADLINE_RULE_");
  return std::string(name);
}

}  // namespace sip::lifecycle
