#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "sip/meeting/v1/meeting.pb.h"

// The meeting domain: SIP meetings and their invitations as rules on the contract's
// messages (the meeting is a document, like the plan). Pure C++: no gRPC, no SQL. Field
// paths in errors follow the API's requests.
namespace sip::meeting {

namespace pb = ::sip::meeting::v1;

// The longest meeting accepted ("a meeting of 30 hours" is a mistake).
inline constexpr absl::Duration kMaxMeetingLength = absl::Hours(8);

// Makes a new id (the caller's, so tests can choose).
using NewIdFn = std::function<std::string()>;

// What a meeting is scheduled from, besides the request.
struct PlanContext {
  std::string plan_id;
  // True for a statutory SIP: at least one kommun and one region unit must be invited.
  bool both_principals = true;
  // True for protected identity: no invitation goes through the system.
  bool protected_identity = false;
};

// Builds a SCHEDULED meeting with one invitation per invitee, each carrying the details
// as sent (sequence 0). INVALID_ARGUMENT naming every bad field (details, invitees, the
// both-principals rule); FAILED_PRECONDITION PROTECTED_IDENTITY for protected identity.
absl::StatusOr<pb::Meeting> NewMeeting(const pb::ScheduleMeetingRequest& request,
                                       const PlanContext& plan, const Actor& convener,
                                       absl::Time now, const NewIdFn& new_id);

// The HSA-ids of the units a meeting invites (for the consent check), sorted, unique.
std::vector<std::string> InvitedUnitIds(const pb::Meeting& meeting);
// The relatives and other parties a meeting invites, in order (for the consent check).
std::vector<sip::common::v1::OtherParty> InvitedOthers(const pb::Meeting& meeting);

// A warning when an initial meeting starts after the policy's target day (the need
// noticed plus `target_days` calendar days, in Sweden); nullopt otherwise.
std::optional<pb::Warning> InitialMeetingWarning(const pb::Meeting& meeting,
                                                 absl::Time need_noticed, int target_days);

// Moves a SCHEDULED meeting: the details are checked as for scheduling, every invitation
// is sent again (sequence + 1, the new details as sent) and a unit's awaits a new answer.
absl::Status Reschedule(pb::Meeting& meeting, const pb::MeetingDetails& details,
                        const std::string& reason, absl::Time now);

// Answers invitation `invitation_name` of a SCHEDULED meeting for `caller`'s unit:
// accept (attendees required) or forward to a unit of the same principal (same kind and
// principal code), which gets a new PENDING invitation — returned. Decline is refused
// (FAILED_PRECONDITION DECLINE_NOT_ALLOWED); an invitation of another unit is
// PERMISSION_DENIED; one already answered is FAILED_PRECONDITION.
absl::StatusOr<std::optional<pb::Invitation>> Answer(pb::Meeting& meeting,
                                                     const std::string& invitation_name,
                                                     const pb::AnswerInvitationRequest& answer,
                                                     const Actor& caller, absl::Time now,
                                                     const NewIdFn& new_id);

// Cancels a SCHEDULED meeting with a reason; its open invitations are cancelled.
absl::Status Cancel(pb::Meeting& meeting, const std::string& reason, absl::Time now);

// Records a SCHEDULED meeting as held: started, not in the future, ending after it
// started; attended invitations must be the meeting's. A leader or documenter given
// replaces the planned one.
absl::Status Hold(pb::Meeting& meeting, const pb::HeldRecord& held, absl::Time now,
                  const pb::MeetingPerson* leader = nullptr,
                  const pb::MeetingPerson* documenter = nullptr);

// Invites one more unit or party to a SCHEDULED meeting: a new invitation with the
// meeting's details as sent (sequence 0), PENDING for a unit. INVALID_ARGUMENT on
// `invitee` for a bad or already invited invitee.
absl::StatusOr<pb::Invitation> AddInvitation(pb::Meeting& meeting, const pb::Invitee& invitee,
                                             absl::Time now, const NewIdFn& new_id);

// A meeting held without invitations through the system (protected identity: planned by
// telephone), HELD at once: kind, mode and the held record (not in the future, at most
// 8 hours, no attended invitations since there are none).
absl::StatusOr<pb::Meeting> NewUnbookedMeeting(const pb::RecordUnbookedMeetingRequest& request,
                                               const std::string& plan_id,
                                               const Actor& recorder, absl::Time now,
                                               const NewIdFn& new_id);

// The notices a change from `before` to `after` owes the invited units, each named
// "units/{hsa_id}/notices/{id}": RESCHEDULED to each unit asked again, `cancelled_kind`
// (CANCELLED, or PLAN_CLOSED when the plan's closing cancelled the meeting) to each unit
// whose open invitation the change cancelled, FORWARDED_TO_YOU to each unit that got a
// forwarded invitation. Letters to people are not notices.
std::vector<pb::Notice> NoticesOf(const pb::Meeting& before, const pb::Meeting& after,
                                  pb::NoticeKind cancelled_kind, absl::Time now,
                                  const NewIdFn& new_id);

// The meeting as one unit's inbox shows it: its own invitation `invitation_name` only.
pb::Meeting ForInbox(const pb::Meeting& meeting, const std::string& invitation_name);

}  // namespace sip::meeting
