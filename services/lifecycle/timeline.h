#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/lifecycle/policy.h"
#include "sip/common/v1/common.pb.h"
#include "sip/consent/v1/consent.pb.h"
#include "sip/meeting/v1/meeting.pb.h"
#include "sip/plan/v1/plan.pb.h"

// A plan's timeline and its deadlines as plain rules: facts read from the plan, consent
// and meeting services' events go in; the timeline's entries, deadlines opened, met and
// cancelled, and what the service must do (events to publish, plans to close) come out.
// Time passing is a fact too (Sweep). Pure C++: no SQL, no gRPC, the time given.
namespace sip::lifecycle {

enum class DeadlineState { kPending, kMet, kBreached, kCancelled };

struct Deadline {
  pb::DeadlineRule rule = pb::DEADLINE_RULE_UNSPECIFIED;
  DeadlineState state = DeadlineState::kPending;
  absl::Time open_time;
  absl::Time due_time;
  // When it was met; a deadline met after its breach keeps both times.
  std::optional<absl::Time> met_time = {};
  std::optional<absl::Time> breach_time = {};
  std::optional<absl::Time> cancel_time = {};
  // The unit whose work list it is on: the initiating unit before establishment (the
  // designated care contact's for an invitation after discharge), the coordinator's
  // after.
  std::string responsible_unit_hsa_id;
  // The region and policy version it was computed under.
  std::string region_code;
  std::string policy_version;
  // The fact that opened it: "<service>/<sequence>".
  std::string opened_by;
  // A later day agreed for the person's sake, and why.
  bool by_agreement = false;
  std::string agreement_reason;
  bool open() const { return state == DeadlineState::kPending || state == DeadlineState::kBreached; }
};

// One line of the timeline: what happened, when, and where it was learnt.
struct Entry {
  absl::Time time;
  std::string what;  // e.g. "initiated", "meeting_held", "forfeited"
  std::string source;
};

// What the lifecycle knows of one plan.
struct Timeline {
  std::string plan_id;
  std::string region_code;
  std::string municipality_code;
  sip::common::v1::PlanState plan_state = sip::common::v1::PLAN_STATE_UNSPECIFIED;
  std::string initiating_unit_hsa_id;
  std::string coordinator_unit_hsa_id;
  std::string designated_care_contact_unit_hsa_id;
  std::optional<absl::Time> need_noticed_time = {};
  std::optional<absl::Time> initiate_time = {};
  std::optional<absl::Time> discharge_time = {};
  std::optional<absl::Time> first_meeting_time = {};
  std::optional<absl::Time> establish_time = {};
  std::optional<absl::Time> last_follow_up_time = {};
  // The last update, revision or follow-up: forfeiture and closure count from here.
  std::optional<absl::Time> last_activity_time = {};
  std::optional<absl::Time> close_time = {};
  bool forfeited = false;
  bool closure_requested = false;
  pb::ClosureCause closure_cause = pb::CLOSURE_CAUSE_UNSPECIFIED;
  std::vector<Deadline> deadlines;
  std::vector<Entry> entries;
};

// What a change asks of the service, besides storing the timeline.
struct Effects {
  // Lifecycle events to publish (plan, payload set; sequence and time are the outbox's).
  std::vector<pb::LifecycleEvent> events;
  // The plan to be closed through the plan service, and why; asked once per plan.
  std::optional<pb::ClosureCause> close = {};
};

// A fact from another service's event, in the lifecycle's terms.
struct Fact {
  enum class Kind {
    kInitiated,
    kContentUpdated,
    kEstablished,
    kRevised,
    kFollowUpRecorded,
    kCircumstancesChanged,
    kClosed,
    kConsentRecorded,
    kConsentRefused,
    kConsentWithdrawn,
    kMeetingScheduled,
    kMeetingHeld,
    kMeetingCancelled,
    // The lifecycle's own: the initial meeting agreed for a later day (AgreeLaterMeeting).
    kLaterMeetingAgreed,
  };
  Kind kind = Kind::kInitiated;
  std::string plan_id;
  // When it happened: the event's time, or the fact's own (a meeting's start).
  absl::Time time;
  // "<service>/<sequence>", for the timeline and a deadline's `opened_by`.
  std::string source;
  std::string actor_unit_hsa_id;
  // Set by the kinds that carry them.
  std::optional<absl::Time> need_noticed_time = {};
  std::optional<absl::Time> discharge_time = {};
  std::string region_code;
  std::string municipality_code;
  std::string unit_hsa_id;  // the coordinator's, or the designated care contact's
  sip::meeting::v1::MeetingKind meeting_kind = sip::meeting::v1::MEETING_KIND_UNSPECIFIED;
  std::optional<absl::CivilDay> next_follow_up_date = {};
  sip::plan::v1::CircumstanceKind circumstance = sip::plan::v1::CIRCUMSTANCE_KIND_UNSPECIFIED;
  // kLaterMeetingAgreed: the day agreed and why.
  std::optional<absl::CivilDay> agreed_day = {};
  std::string reason;
};

// The order facts are applied in: by the time they happened; at one time, initiation
// first and the rest in the order of their kinds; then by source and sequence. A total order, so the fold below
// is one function of the set of facts.
bool AppliedBefore(const Fact& a, const Fact& b);

// The facts of the three sources' events; nullopt for an event that tells the lifecycle
// nothing (a scope change of consent, an answered invitation). `sequence` and `time` are
// the event's.
std::optional<Fact> FactOf(const sip::plan::v1::PlanEvent& event);
std::optional<Fact> FactOf(const sip::consent::v1::ConsentEvent& event);
std::optional<Fact> FactOf(const sip::meeting::v1::MeetingEvent& event);

// Applies one fact to the plan's timeline under its region's policy: entries, deadlines
// opened (with due times from the policy), met or cancelled, and the effects. A fact that
// changes nothing (a replay) leaves the timeline as it was.
Effects Apply(Timeline& timeline, const Fact& fact, const Policies& policies);

// The timeline of `plan_id` as the fold of its facts in time order (AppliedBefore), time
// passing between them (the deadlines due before a fact are breached before it is
// applied, so a deadline met late keeps its breach), and swept to `now`. The same set of
// facts gives the same timeline whatever order and interleaving they arrived in.
Timeline Fold(const std::string& plan_id, std::vector<Fact> facts, absl::Time now,
              const Policies& policies);

// What a change from `before` to `after` (two folds of one plan) asks of the service: an
// event for each deadline newly met or breached, for each new forfeiture, and the closure
// request when it is new. A deadline is the same in both when its rule and the fact that
// opened it are; nothing is reported twice.
Effects Changes(const Timeline& before, const Timeline& after);

// Records that the initial meeting is agreed for `day`, later than the policy's due day,
// for the person's sake: the open MEETING_WITHIN_THREE_WEEKS deadline falls due at the
// end of that day instead, marked as by agreement with `reason`. FAILED_PRECONDITION when
// the plan is closed or the deadline is not open; INVALID_ARGUMENT for a day not after
// the current due day, more than 6 months after the need was noticed, or no reason.
absl::Status AgreeLaterMeeting(Timeline& timeline, absl::CivilDay day, const std::string& reason,
                               absl::Time now);

// Time passes: every open deadline due at or before `now` is breached (once), a breached
// forfeiture marks the plan forfeited, a breached automatic closure asks for the plan to
// be closed when the policy says so.
Effects Sweep(Timeline& timeline, absl::Time now, const Policies& policies);

// A rule's name without its enum prefix, as metrics and reports name it: "FORFEITURE".
std::string RuleName(pb::DeadlineRule rule);

}  // namespace sip::lifecycle
