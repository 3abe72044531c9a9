#include "services/meeting/meeting.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/language.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;

constexpr size_t kMaxShort = 200;
constexpr size_t kMaxText = 4000;

bool Blank(const std::string& s) { return absl::StripAsciiWhitespace(s).empty(); }

void CheckDetails(const pb::MeetingDetails& d, absl::Time now, const std::string& f,
                  Violations& v) {
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
  if (!d.has_start_time()) {
    v.Add(f + ".start_time", "is required: when the meeting starts");
  } else {
    start = TimeFromProto(d.start_time(), f + ".start_time", v);
    if (start && *start < now) {
      v.Add(f + ".start_time", "must not be in the past; record a held meeting instead");
    }
  }
  if (!d.has_end_time()) {
    v.Add(f + ".end_time", "is required: when the meeting ends");
  } else {
    end = TimeFromProto(d.end_time(), f + ".end_time", v);
  }
  if (start && end) {
    if (*end <= *start) {
      v.Add(f + ".end_time", "must be after start_time");
    } else if (*end - *start > kMaxMeetingLength) {
      v.Add(f + ".end_time", "makes the meeting longer than 8 hours; check the times");
    }
  }
  switch (d.mode()) {
    case pb::MEETING_MODE_IN_PERSON:
      if (Blank(d.location())) v.Add(f + ".location", "is required for a meeting in person");
      break;
    case pb::MEETING_MODE_VIDEO:
      if (!absl::StartsWith(d.video_link(), "https://")) {
        v.Add(f + ".video_link", "is required for a video meeting: an https:// link");
      }
      break;
    case pb::MEETING_MODE_TELEPHONE:
      break;
    default:
      v.Add(f + ".mode", "must be IN_PERSON, VIDEO or TELEPHONE");
  }
  if (d.location().size() > kMaxShort) v.Add(f + ".location", "must be at most 200 characters");
  if (d.video_link().size() > 2000) v.Add(f + ".video_link", "must be at most 2000 characters");
  if (Blank(d.purpose())) {
    v.Add(f + ".purpose",
          "is required: the person's long-term goal (\"Vad är viktigt för mig?\"), so the "
          "invited can send staff with the right competence and mandate");
  }
  if (d.questions().empty()) {
    v.Add(f + ".questions", "must hold at least one question to discuss at the meeting");
  }
  for (int i = 0; i < d.questions_size(); ++i) {
    if (Blank(d.questions(i))) {
      v.Add(absl::StrCat(f, ".questions[", i, "]"), "write the question, or remove the entry");
    }
    if (d.questions(i).size() > kMaxText) {
      v.Add(absl::StrCat(f, ".questions[", i, "]"), "must be at most 4000 characters");
    }
  }
  if (d.interpreter_needed()) {
    if (!IsLanguageTag(d.interpreter_language())) {
      v.Add(f + ".interpreter_language",
            "is required when an interpreter is needed: a BCP 47 tag, e.g. \"ar\", \"fi\"");
    }
  } else if (!d.interpreter_language().empty()) {
    v.Add(f + ".interpreter_language", "is only for a meeting that needs an interpreter");
  }
}

void CheckPerson(const pb::MeetingPerson& p, const std::string& f, Violations& v) {
  if (Blank(p.name())) v.Add(f + ".name", "is required: who it is");
  if (p.name().size() > kMaxShort) v.Add(f + ".name", "must be at most 200 characters");
  if (p.role().size() > kMaxShort) v.Add(f + ".role", "must be at most 200 characters");
  if (p.has_unit()) UnitFromProto(p.unit(), f + ".unit", v);
}

void CheckInvitee(const pb::Invitee& in, const std::string& f, Violations& v) {
  std::optional<Unit> unit;
  switch (in.invitee_case()) {
    case pb::Invitee::kUnit:
      unit = UnitFromProto(in.unit(), f + ".unit", v);
      if (unit && unit->principal != PrincipalKind::kRegion && in.as_health_centre()) {
        v.Add(f + ".as_health_centre", "is only for a region's unit (the vårdcentral)");
      }
      break;
    case pb::Invitee::kIndividual:
      if (!in.individual()) v.Add(f + ".individual", "must be true when it is the invitee");
      break;
    case pb::Invitee::kOther:
      OtherPartyFromProto(in.other(), f + ".other", v);
      break;
    default:
      v.Add(f, "must name a unit, the individual or another party");
  }
  if (in.invitee_case() != pb::Invitee::kUnit && in.as_health_centre()) {
    v.Add(f + ".as_health_centre", "is only for a region's unit (the vårdcentral)");
  }
}

std::string InviteeKey(const pb::Invitee& in) {
  switch (in.invitee_case()) {
    case pb::Invitee::kUnit: return "unit:" + in.unit().hsa_id();
    case pb::Invitee::kIndividual: return "individual";
    case pb::Invitee::kOther:
      return absl::StrCat("other:", in.other().kind(), ":", in.other().description());
    default: return "";
  }
}

pb::Invitation* FindInvitation(pb::Meeting& meeting, const std::string& name) {
  for (pb::Invitation& inv : *meeting.mutable_invitations()) {
    if (inv.name() == name) return &inv;
  }
  return nullptr;
}

absl::Status RequireScheduled(const pb::Meeting& meeting, absl::string_view doing) {
  switch (meeting.state()) {
    case pb::MEETING_STATE_SCHEDULED: return absl::OkStatus();
    case pb::MEETING_STATE_CANCELLED:
      return FailedPrecondition("MEETING_CANCELLED",
                                absl::StrCat("the meeting was cancelled; ", doing,
                                             " needs a scheduled meeting"));
    default:
      return FailedPrecondition("MEETING_HELD",
                                absl::StrCat("the meeting was held; ", doing,
                                             " needs a scheduled meeting"));
  }
}

void Send(pb::Invitation& inv, const pb::MeetingDetails& details, absl::Time now) {
  *inv.mutable_sent() = details;
  ToProto(now, inv.mutable_send_time());
}

}  // namespace

absl::StatusOr<pb::Meeting> NewMeeting(const pb::ScheduleMeetingRequest& request,
                                       const PlanContext& plan, const Actor& convener,
                                       absl::Time now, const NewIdFn& new_id) {
  if (plan.protected_identity) {
    return FailedPrecondition(
        "PROTECTED_IDENTITY",
        "the person has protected identity (skyddade personuppgifter): no invitation goes "
        "through the system; plan the meeting by telephone and record it afterwards "
        "(RecordUnbookedMeeting)");
  }
  Violations v;
  if (request.kind() != pb::MEETING_KIND_INITIAL && request.kind() != pb::MEETING_KIND_FOLLOW_UP) {
    v.Add("kind", "must be INITIAL or FOLLOW_UP");
  }
  CheckDetails(request.details(), now, "details", v);
  if (request.has_meeting_leader()) CheckPerson(request.meeting_leader(), "meeting_leader", v);
  if (request.has_documenter()) CheckPerson(request.documenter(), "documenter", v);
  bool municipality = false;
  bool region = false;
  std::set<std::string> seen;
  for (int i = 0; i < request.invitees_size(); ++i) {
    const std::string f = absl::StrCat("invitees[", i, "]");
    CheckInvitee(request.invitees(i), f, v);
    // Counted by the kind asked for, so a unit with another fault is not also reported
    // as a missing principal.
    if (request.invitees(i).has_unit()) {
      municipality |= request.invitees(i).unit().principal() == cpb::PRINCIPAL_KIND_MUNICIPALITY;
      region |= request.invitees(i).unit().principal() == cpb::PRINCIPAL_KIND_REGION;
    }
    if (!seen.insert(InviteeKey(request.invitees(i))).second) {
      v.Add(f, "invites the same invitee twice");
    }
  }
  if (plan.both_principals && (!municipality || !region)) {
    v.Add("invitees",
          absl::StrCat("a SIP needs both principals: invite at least one ",
                       !municipality ? "kommun (MUNICIPALITY)" : "",
                       !municipality && !region ? " and one " : "",
                       !region ? "region (REGION; the vårdcentral when the person has no "
                                 "ongoing regional contact)"
                               : "",
                       " unit"));
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());

  pb::Meeting m;
  const std::string name = absl::StrCat("plans/", plan.plan_id, "/meetings/", new_id());
  m.set_name(name);
  m.set_state(pb::MEETING_STATE_SCHEDULED);
  m.set_kind(request.kind());
  *m.mutable_details() = request.details();
  if (request.has_meeting_leader()) *m.mutable_meeting_leader() = request.meeting_leader();
  if (request.has_documenter()) *m.mutable_documenter() = request.documenter();
  ToProto(convener, m.mutable_convener());
  for (const pb::Invitee& invitee : request.invitees()) {
    pb::Invitation* inv = m.add_invitations();
    inv->set_name(absl::StrCat(name, "/invitations/", new_id()));
    *inv->mutable_invitee() = invitee;
    inv->set_state(pb::INVITATION_STATE_PENDING);
    Send(*inv, request.details(), now);
  }
  ToProto(now, m.mutable_create_time());
  ToProto(now, m.mutable_update_time());
  return m;
}

std::vector<std::string> InvitedUnitIds(const pb::Meeting& meeting) {
  std::set<std::string> units;
  for (const pb::Invitation& inv : meeting.invitations()) {
    if (inv.invitee().has_unit()) units.insert(inv.invitee().unit().hsa_id());
  }
  return std::vector<std::string>(units.begin(), units.end());
}

std::vector<cpb::OtherParty> InvitedOthers(const pb::Meeting& meeting) {
  std::vector<cpb::OtherParty> out;
  for (const pb::Invitation& inv : meeting.invitations()) {
    if (inv.invitee().has_other()) out.push_back(inv.invitee().other());
  }
  return out;
}

std::optional<pb::Warning> InitialMeetingWarning(const pb::Meeting& meeting,
                                                 absl::Time need_noticed, int target_days) {
  if (meeting.kind() != pb::MEETING_KIND_INITIAL) return std::nullopt;
  const absl::CivilDay target = DayInSweden(need_noticed) + target_days;
  const absl::CivilDay day = DayInSweden(TimeOf(meeting.details().start_time()));
  if (day <= target) return std::nullopt;
  pb::Warning w;
  w.set_code("INITIAL_MEETING_AFTER_TARGET");
  w.set_message(absl::StrCat(
      "the initial SIP meeting should be held within ", target_days,
      " days of when the need was noticed, by ", absl::FormatCivilTime(target),
      "; a later date is right only when the person's needs call for it, and the lifecycle "
      "service tracks the deadline"));
  DayToProto(target, w.mutable_date());
  return w;
}

absl::Status Reschedule(pb::Meeting& meeting, const pb::MeetingDetails& details,
                        const std::string& reason, absl::Time now) {
  SIP_RETURN_IF_ERROR(RequireScheduled(meeting, "rescheduling"));
  Violations v;
  CheckDetails(details, now, "details", v);
  if (reason.size() > kMaxText) v.Add("reason", "must be at most 4000 characters");
  SIP_RETURN_IF_ERROR(v.ToStatus());
  *meeting.mutable_details() = details;
  meeting.set_reschedule_reason(reason);
  for (pb::Invitation& inv : *meeting.mutable_invitations()) {
    if (inv.state() == pb::INVITATION_STATE_FORWARDED) continue;  // its successor is asked
    Send(inv, details, now);
    inv.set_sequence(inv.sequence() + 1);
    if (inv.invitee().has_unit()) {
      inv.set_state(pb::INVITATION_STATE_PENDING);
      inv.clear_attendees();
      inv.clear_answered_by();
      inv.clear_answer_time();
    }
  }
  ToProto(now, meeting.mutable_update_time());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<pb::Invitation>> Answer(pb::Meeting& meeting,
                                                     const std::string& invitation_name,
                                                     const pb::AnswerInvitationRequest& answer,
                                                     const Actor& caller, absl::Time now,
                                                     const NewIdFn& new_id) {
  SIP_RETURN_IF_ERROR(RequireScheduled(meeting, "answering"));
  pb::Invitation* inv = FindInvitation(meeting, invitation_name);
  if (inv == nullptr) {
    return NotFound("INVITATION_NOT_FOUND",
                    absl::StrCat(invitation_name, " is not an invitation of this meeting"));
  }
  if (!inv->invitee().has_unit()) {
    return FailedPrecondition("NOT_A_UNIT_INVITATION",
                              "an invitation to a person is a letter; it takes no answer here");
  }
  if (inv->invitee().unit().hsa_id() != caller.unit.hsa_id) {
    return WithReason(absl::PermissionDeniedError(
                          "only the invited unit may answer its invitation"),
                      "NOT_THE_INVITED_UNIT");
  }
  if (inv->state() != pb::INVITATION_STATE_PENDING) {
    return FailedPrecondition("INVITATION_ANSWERED",
                              "the invitation has been answered already; a rescheduled "
                              "meeting asks again");
  }
  std::optional<pb::Invitation> forwarded;
  switch (answer.answer_case()) {
    case pb::AnswerInvitationRequest::kAccept: {
      Violations v;
      if (answer.accept().attendees().empty()) {
        v.Add("accept.attendees", "must name who attends (name and role), at least one");
      }
      for (int i = 0; i < answer.accept().attendees_size(); ++i) {
        const pb::Attendee& a = answer.accept().attendees(i);
        const std::string f = absl::StrCat("accept.attendees[", i, "]");
        if (Blank(a.name())) v.Add(f + ".name", "is required");
        if (a.name().size() > kMaxShort) v.Add(f + ".name", "must be at most 200 characters");
        if (a.role().size() > kMaxShort) v.Add(f + ".role", "must be at most 200 characters");
      }
      SIP_RETURN_IF_ERROR(v.ToStatus());
      inv->set_state(pb::INVITATION_STATE_ACCEPTED);
      *inv->mutable_attendees() = answer.accept().attendees();
      break;
    }
    case pb::AnswerInvitationRequest::kForward: {
      Violations v;
      const std::optional<Unit> to = UnitFromProto(answer.forward().unit(), "forward.unit", v);
      SIP_RETURN_IF_ERROR(v.ToStatus());
      const cpb::Unit& from = inv->invitee().unit();
      if (answer.forward().unit().principal() != from.principal() ||
          to->principal_code != from.principal_code()) {
        return InvalidField("forward.unit.principal_code",
                            "must be the same principal as the invited unit (same kind and "
                            "principal code): a unit forwards within its own principal");
      }
      if (to->hsa_id == from.hsa_id()) {
        return InvalidField("forward.unit.hsa_id", "is the invited unit itself");
      }
      for (const pb::Invitation& other : meeting.invitations()) {
        if (other.invitee().has_unit() && other.invitee().unit().hsa_id() == to->hsa_id &&
            other.state() != pb::INVITATION_STATE_FORWARDED &&
            other.state() != pb::INVITATION_STATE_CANCELLED) {
          return InvalidField("forward.unit.hsa_id",
                              "is already invited to this meeting; accept instead");
        }
      }
      if (answer.forward().note().size() > kMaxText) {
        return InvalidField("forward.note", "must be at most 4000 characters");
      }
      pb::Invitation next;
      next.set_name(absl::StrCat(meeting.name(), "/invitations/", new_id()));
      *next.mutable_invitee()->mutable_unit() = answer.forward().unit();
      next.mutable_invitee()->set_as_health_centre(inv->invitee().as_health_centre());
      next.set_state(pb::INVITATION_STATE_PENDING);
      next.set_forwarded_from(inv->name());
      Send(next, meeting.details(), now);
      inv->set_state(pb::INVITATION_STATE_FORWARDED);
      inv->set_forwarded_to(next.name());
      *meeting.add_invitations() = next;
      inv = FindInvitation(meeting, invitation_name);  // the add may have moved it
      forwarded = std::move(next);
      break;
    }
    case pb::AnswerInvitationRequest::kDecline:
      return FailedPrecondition(
          "DECLINE_NOT_ALLOWED",
          "an invitation to a SIP meeting cannot be declined: the duty to attend lies with "
          "the principal. Forward it to the right unit of your principal, or accept");
    default:
      return InvalidField("answer", "must be accept or forward");
  }
  ToProto(caller, inv->mutable_answered_by());
  ToProto(now, inv->mutable_answer_time());
  ToProto(now, meeting.mutable_update_time());
  return forwarded;
}

absl::Status Cancel(pb::Meeting& meeting, const std::string& reason, absl::Time now) {
  SIP_RETURN_IF_ERROR(RequireScheduled(meeting, "cancelling"));
  if (Blank(reason)) return InvalidField("reason", "is required: the invitees are told why");
  if (reason.size() > kMaxText) return InvalidField("reason", "must be at most 4000 characters");
  meeting.set_state(pb::MEETING_STATE_CANCELLED);
  meeting.set_cancel_reason(reason);
  for (pb::Invitation& inv : *meeting.mutable_invitations()) {
    if (inv.state() != pb::INVITATION_STATE_FORWARDED) {
      inv.set_state(pb::INVITATION_STATE_CANCELLED);
      inv.set_sequence(inv.sequence() + 1);  // the calendar entry is cancelled
    }
  }
  ToProto(now, meeting.mutable_update_time());
  return absl::OkStatus();
}

namespace {

// The held record's times: started, not in the future, ending after it started.
void CheckHeldTimes(const pb::HeldRecord& held, absl::Time now, Violations& v) {
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
  if (!held.has_start_time()) {
    v.Add("held.start_time", "is required: when the meeting started");
  } else if ((start = TimeFromProto(held.start_time(), "held.start_time", v)) && *start > now) {
    v.Add("held.start_time", "must not be in the future: a meeting is recorded once held");
  }
  if (!held.has_end_time()) {
    v.Add("held.end_time", "is required: when the meeting ended");
  } else {
    end = TimeFromProto(held.end_time(), "held.end_time", v);
  }
  if (start && end && (*end <= *start || *end - *start > kMaxMeetingLength)) {
    v.Add("held.end_time", "must be after start_time and at most 8 hours later");
  }
}

}  // namespace

absl::Status Hold(pb::Meeting& meeting, const pb::HeldRecord& held, absl::Time now,
                  const pb::MeetingPerson* leader, const pb::MeetingPerson* documenter) {
  SIP_RETURN_IF_ERROR(RequireScheduled(meeting, "recording it as held"));
  Violations v;
  CheckHeldTimes(held, now, v);
  if (leader != nullptr) CheckPerson(*leader, "meeting_leader", v);
  if (documenter != nullptr) CheckPerson(*documenter, "documenter", v);
  std::set<std::string> names;
  for (const pb::Invitation& inv : meeting.invitations()) names.insert(inv.name());
  for (int i = 0; i < held.attended_invitations_size(); ++i) {
    if (names.count(held.attended_invitations(i)) == 0) {
      v.Add(absl::StrCat("held.attended_invitations[", i, "]"),
            "is not an invitation of this meeting");
    }
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  if (meeting.details().has_start_time() && TimeOf(meeting.details().start_time()) > now) {
    return FailedPrecondition(
        "MEETING_NOT_STARTED",
        "the meeting is scheduled to start later: a meeting that has not started cannot be "
        "recorded as held; a meeting held earlier than scheduled is recorded with "
        "RecordUnbookedMeeting, and this one cancelled");
  }
  meeting.set_state(pb::MEETING_STATE_HELD);
  *meeting.mutable_held() = held;
  if (leader != nullptr) *meeting.mutable_meeting_leader() = *leader;
  if (documenter != nullptr) *meeting.mutable_documenter() = *documenter;
  ToProto(now, meeting.mutable_update_time());
  return absl::OkStatus();
}

absl::StatusOr<pb::Invitation> AddInvitation(pb::Meeting& meeting, const pb::Invitee& invitee,
                                             absl::Time now, const NewIdFn& new_id) {
  SIP_RETURN_IF_ERROR(RequireScheduled(meeting, "inviting"));
  Violations v;
  CheckInvitee(invitee, "invitee", v);
  SIP_RETURN_IF_ERROR(v.ToStatus());
  const std::string key = InviteeKey(invitee);
  for (const pb::Invitation& other : meeting.invitations()) {
    if (InviteeKey(other.invitee()) == key && other.state() != pb::INVITATION_STATE_FORWARDED &&
        other.state() != pb::INVITATION_STATE_CANCELLED) {
      return InvalidField("invitee", "is already invited to this meeting");
    }
  }
  pb::Invitation inv;
  inv.set_name(absl::StrCat(meeting.name(), "/invitations/", new_id()));
  *inv.mutable_invitee() = invitee;
  inv.set_state(pb::INVITATION_STATE_PENDING);
  Send(inv, meeting.details(), now);
  *meeting.add_invitations() = inv;
  ToProto(now, meeting.mutable_update_time());
  return inv;
}

absl::StatusOr<pb::Meeting> NewUnbookedMeeting(const pb::RecordUnbookedMeetingRequest& request,
                                               const std::string& plan_id,
                                               const Actor& recorder, absl::Time now,
                                               const NewIdFn& new_id) {
  Violations v;
  if (request.kind() != pb::MEETING_KIND_INITIAL && request.kind() != pb::MEETING_KIND_FOLLOW_UP) {
    v.Add("kind", "must be INITIAL or FOLLOW_UP");
  }
  if (request.mode() == pb::MEETING_MODE_UNSPECIFIED || !pb::MeetingMode_IsValid(request.mode())) {
    v.Add("mode", "must be IN_PERSON, VIDEO or TELEPHONE: how the meeting was held");
  }
  CheckHeldTimes(request.held(), now, v);
  if (!request.held().attended_invitations().empty()) {
    v.Add("held.attended_invitations",
          "must be empty: a meeting recorded without invitations has none");
  }
  SIP_RETURN_IF_ERROR(v.ToStatus());
  pb::Meeting m;
  m.set_name(absl::StrCat("plans/", plan_id, "/meetings/", new_id()));
  m.set_state(pb::MEETING_STATE_HELD);
  m.set_kind(request.kind());
  m.set_unbooked(true);
  *m.mutable_details()->mutable_start_time() = request.held().start_time();
  *m.mutable_details()->mutable_end_time() = request.held().end_time();
  m.mutable_details()->set_mode(request.mode());
  *m.mutable_held() = request.held();
  ToProto(recorder, m.mutable_convener());
  ToProto(now, m.mutable_create_time());
  ToProto(now, m.mutable_update_time());
  return m;
}

std::vector<pb::Notice> NoticesOf(const pb::Meeting& before, const pb::Meeting& after,
                                  pb::NoticeKind cancelled_kind, absl::Time now,
                                  const NewIdFn& new_id) {
  std::vector<pb::Notice> out;
  const std::string plan = after.name().substr(0, after.name().find("/meetings/"));
  for (const pb::Invitation& inv : after.invitations()) {
    if (!inv.invitee().has_unit()) continue;
    const pb::Invitation* was = nullptr;
    for (const pb::Invitation& old : before.invitations()) {
      if (old.name() == inv.name()) was = &old;
    }
    pb::NoticeKind kind = pb::NOTICE_KIND_UNSPECIFIED;
    if (was == nullptr) {
      if (!inv.forwarded_from().empty()) kind = pb::NOTICE_KIND_FORWARDED_TO_YOU;
    } else if (inv.state() == pb::INVITATION_STATE_CANCELLED &&
               (was->state() == pb::INVITATION_STATE_PENDING ||
                was->state() == pb::INVITATION_STATE_ACCEPTED)) {
      kind = cancelled_kind;
    } else if (inv.state() == pb::INVITATION_STATE_PENDING && inv.sequence() > was->sequence()) {
      kind = pb::NOTICE_KIND_RESCHEDULED;
    }
    if (kind == pb::NOTICE_KIND_UNSPECIFIED) continue;
    pb::Notice n;
    n.set_name(absl::StrCat("units/", inv.invitee().unit().hsa_id(), "/notices/", new_id()));
    n.set_kind(kind);
    n.set_plan(plan);
    n.set_meeting(after.name());
    n.set_invitation(inv.name());
    ToProto(now, n.mutable_create_time());
    out.push_back(std::move(n));
  }
  return out;
}

pb::Meeting ForInbox(const pb::Meeting& meeting, const std::string& invitation_name) {
  pb::Meeting out = meeting;
  out.clear_invitations();
  for (const pb::Invitation& inv : meeting.invitations()) {
    if (inv.name() == invitation_name) *out.add_invitations() = inv;
  }
  return out;
}

}  // namespace sip::meeting
