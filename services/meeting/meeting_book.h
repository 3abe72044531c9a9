#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/event_consumer.h"
#include "common/outbox.h"
#include "common/plan_access.h"
#include "common/peer_facts.h"
#include "services/meeting/meeting.h"
#include "services/meeting/meeting_store.h"

namespace sip::meeting {

// The meeting service's use cases: the rules of meeting.h at the clock's time, the plan
// and consent checks, and the store, with an event for every change.
class MeetingBook final {
 public:
  struct Options {
    // The policy's target for the initial meeting, in calendar days from when the need
    // was noticed (3 weeks unless a region decides otherwise).
    int initial_meeting_target_days = 21;
  };
  // `gate` decides who sees and changes a plan's meetings, before anything else is read:
  // a unit that may not see the plan gets PERMISSION_DENIED NOT_VISIBLE, whether the plan
  // or meeting exists or not. A unit invited to a meeting also reads that meeting, its
  // invitation's letter, and answers it.
  MeetingBook(MeetingStore* store, PlanReader* plans, ConsentChecker* consent, const Clock* clock,
              Options options, authz::PlanGate* gate)
      : store_(store), plans_(plans), consent_(consent), clock_(clock), options_(options),
        gate_(gate) {}

  using Key = std::optional<db::RequestKey>;

  // Asks the plan service (exists, open, protected identity, kind) and the consent
  // service (every invited unit covered), then schedules. The answer carries the
  // 3-week warning for a late initial meeting.
  absl::StatusOr<pb::ScheduleMeetingResponse> Schedule(const std::string& plan_id,
                                                       const pb::ScheduleMeetingRequest& request,
                                                       const Actor& caller, const Key& key);
  absl::StatusOr<pb::Meeting> Get(const std::string& plan_id, const std::string& meeting_id,
                                  const Actor& caller);
  absl::StatusOr<std::pair<std::vector<pb::Meeting>, std::optional<PageCursor>>> List(
      const std::string& plan_id, const Actor& caller, std::optional<pb::MeetingState> state,
      int page_size, const std::optional<PageCursor>& after);
  // Every mutation below takes `etag` (when set, it must be the meeting's current one),
  // and writes the notices the change owes the units (NoticesOf).
  absl::StatusOr<pb::Meeting> Reschedule(const std::string& plan_id, const std::string& meeting_id,
                                         const pb::MeetingDetails& details,
                                         const std::string& reason, const std::string& etag,
                                         const Actor& caller, const Key& key);
  // Asks the plan service (open, not protected identity) and, for a unit, the consent
  // service first.
  absl::StatusOr<pb::Invitation> AddInvitation(const std::string& plan_id,
                                               const std::string& meeting_id,
                                               const pb::Invitee& invitee,
                                               const std::string& etag, const Actor& caller,
                                               const Key& key);
  // A forward asks the consent service about the new unit first.
  absl::StatusOr<pb::AnswerInvitationResponse> Answer(const std::string& plan_id,
                                                      const std::string& meeting_id,
                                                      const pb::AnswerInvitationRequest& request,
                                                      const Actor& caller, const Key& key);
  absl::StatusOr<pb::Meeting> Cancel(const std::string& plan_id, const std::string& meeting_id,
                                     const std::string& reason, const std::string& etag,
                                     const Actor& caller, const Key& key);
  absl::StatusOr<pb::Meeting> Hold(const std::string& plan_id, const std::string& meeting_id,
                                   const pb::RecordMeetingHeldRequest& request,
                                   const Actor& caller, const Key& key);
  // Asks the plan service that the plan exists and is open, then records the meeting
  // HELD with its event.
  absl::StatusOr<pb::Meeting> RecordUnbooked(const std::string& plan_id,
                                             const pb::RecordUnbookedMeetingRequest& request,
                                             const Actor& caller, const Key& key);

  // Invitation `invitation_name` as its letter (text or HTML) or calendar entry. Asks the
  // plan service first: for protected identity nothing is rendered (FAILED_PRECONDITION).
  absl::StatusOr<pb::RenderInvitationResponse> Render(const std::string& plan_id,
                                                      const std::string& meeting_id,
                                                      const std::string& invitation_name,
                                                      pb::InvitationFormat format,
                                                      const Actor& caller);

  // A unit's inbox and its notices: its own users' only (PERMISSION_DENIED NOT_YOUR_UNIT).
  absl::StatusOr<InboxPage> Inbox(const std::string& unit_hsa_id, const Actor& caller,
                                  bool to_do_only, int page_size,
                                  const std::optional<PageCursor>& after);
  absl::StatusOr<pb::Notice> Acknowledge(const std::string& unit_hsa_id,
                                         const std::string& notice_id, const std::string& etag,
                                         const Actor& caller, const Key& key);

  // The plan-event consumer's Apply: when a plan closed, every meeting of it still
  // scheduled is cancelled (cause PLAN_CLOSED), in the consumer's transaction, and each
  // invited unit gets a PLAN_CLOSED notice. Other events change nothing.
  absl::Status ApplyPlanEvent(pqxx::work& txn, const SourceEvent& event);

  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader) {
    return store_->Events(after, limit, reader);
  }
  absl::Time Now() const { return clock_->Now(); }

 private:
  // OK when the person's consent covers every one of `units` and `others`; else
  // FAILED_PRECONDITION CONSENT_NOT_ACTIVE naming each that is not (asks the consent
  // service).
  absl::Status RequireCoverage(const std::string& plan_id, const std::vector<std::string>& units,
                               const std::vector<sip::common::v1::OtherParty>& others,
                               const Actor& caller);
  // The meeting as stored, without the gate.
  absl::StatusOr<pb::Meeting> Load(const std::string& plan_id, const std::string& meeting_id);
  // The gate for reading a meeting and answering its invitations: the plan is visible to
  // the caller, or the caller's unit is invited to the meeting and the person's consent
  // does not leave it out (PlanGate::ConsentAllows) (the same refusal
  // otherwise, for a meeting that exists or not). Says whether the caller came in as an
  // invitee only; then the peers are asked as the meeting service itself.
  absl::StatusOr<bool> AdmitReaderOrInvitee(const Actor& caller, const std::string& plan_id,
                                            const std::string& meeting_id);
  // The plan's facts: NOT_FOUND when unknown, FAILED_PRECONDITION PLAN_CLOSED when closed.
  absl::StatusOr<PlanFacts> OpenPlan(const std::string& plan_id, const Actor& caller);
  // Stores a new meeting with the event and answer `effect` says.
  absl::StatusOr<std::string> Insert(const pb::Meeting& meeting, const Key& key, absl::Time now,
                                     const std::function<db::Effect(const StoredMeeting&)>& effect);
  // Runs `change` on the stored meeting of `plan_id`, with the etag check, and writes it
  // with `event` and the notices the change owes; returns the answer's bytes.
  absl::StatusOr<std::string> Change(
      const std::string& plan_id, const std::string& meeting_id, const std::string& etag,
      const Key& key,
      const std::function<absl::StatusOr<std::pair<pb::MeetingEvent, std::string>>(pb::Meeting&)>&
          change);

  // Change() for the verbs that answer with the meeting: `apply` changes it and fills
  // the event (plan, meeting and actor already set).
  absl::StatusOr<pb::Meeting> ChangeMeeting(
      const std::string& plan_id, const std::string& meeting_id, const std::string& etag,
      const Actor& caller, const Key& key,
      const std::function<absl::Status(pb::Meeting&, pb::MeetingEvent&)>& apply);

  MeetingStore* store_;
  PlanReader* plans_;
  ConsentChecker* consent_;
  const Clock* clock_;
  const Options options_;
  authz::PlanGate* gate_;
};

// Outbox event types.
inline constexpr char kEventScheduled[] = "meeting.scheduled";
inline constexpr char kEventRescheduled[] = "meeting.rescheduled";
inline constexpr char kEventAccepted[] = "meeting.invitation_accepted";
inline constexpr char kEventForwarded[] = "meeting.invitation_forwarded";
inline constexpr char kEventCancelled[] = "meeting.cancelled";
inline constexpr char kEventHeld[] = "meeting.held";
inline constexpr char kEventInvitationAdded[] = "meeting.invitation_added";

// The reason a meeting cancelled by its plan's closing gives its invitees.
inline constexpr char kPlanClosedReason[] =
    "Den samordnade individuella planen (SIP) är avslutad, så mötet blir inte av.";

}  // namespace sip::meeting
