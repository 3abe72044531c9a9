#include "services/meeting/meeting_book.h"

#include "common/caller.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "common/swedish_names.h"
#include "services/meeting/invitation.h"
#include "sip/plan/v1/plan.pb.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;

pb::MeetingEvent BaseEvent(const pb::Meeting& m, const Actor& actor) {
  pb::MeetingEvent e;
  e.set_plan(m.name().substr(0, m.name().find("/meetings/")));
  e.set_meeting(m.name());
  e.set_actor_unit_hsa_id(actor.unit.hsa_id);
  return e;
}

std::string EventType(const pb::MeetingEvent& e) {
  switch (e.payload_case()) {
    case pb::MeetingEvent::kScheduled: return kEventScheduled;
    case pb::MeetingEvent::kRescheduled: return kEventRescheduled;
    case pb::MeetingEvent::kAccepted: return kEventAccepted;
    case pb::MeetingEvent::kForwarded: return kEventForwarded;
    case pb::MeetingEvent::kCancelled: return kEventCancelled;
    case pb::MeetingEvent::kHeld: return kEventHeld;
    case pb::MeetingEvent::kInvitationAdded: return kEventInvitationAdded;
    default: return "";  // no timeline fact: no event
  }
}

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// An answer kept for retries, read back.
template <typename T>
absl::StatusOr<T> ParseAnswer(const std::string& bytes) {
  T answer;
  if (!answer.ParseFromString(bytes)) return absl::InternalError("a stored answer is unreadable");
  return answer;
}

absl::StatusOr<pb::Meeting> ParseMeeting(const std::string& bytes) {
  return ParseAnswer<pb::Meeting>(bytes);
}

// For the calls that ask a peer before their transaction: the answer a completed call
// with `key` gave, so a retry is answered before the peer's checks; nullopt otherwise.
template <typename T>
absl::StatusOr<std::optional<T>> PriorAnswer(MeetingStore& store,
                                             const std::optional<db::RequestKey>& key) {
  if (!key) return std::optional<T>();
  SIP_ASSIGN_OR_RETURN(std::optional<std::string> answered, store.PriorResult(*key));
  if (!answered) return std::optional<T>();
  SIP_ASSIGN_OR_RETURN(T parsed, ParseAnswer<T>(*answered));
  return std::optional<T>(std::move(parsed));
}

}  // namespace

absl::StatusOr<PlanFacts> MeetingBook::OpenPlan(const std::string& plan_id, const Actor& caller) {
  SIP_ASSIGN_OR_RETURN(PlanFacts facts, plans_->Facts(plan_id, caller));
  if (facts.closed) {
    return FailedPrecondition("PLAN_CLOSED",
                              absl::StrCat("plans/", plan_id, " is closed; it takes no meetings"));
  }
  return facts;
}

absl::Status MeetingBook::RequireCoverage(const std::string& plan_id,
                                          const std::vector<std::string>& units,
                                          const std::vector<cpb::OtherParty>& others,
                                          const Actor& caller) {
  std::vector<std::string> subjects = units;
  std::vector<ConsentAnswer> answers;
  if (!units.empty()) {
    SIP_ASSIGN_OR_RETURN(answers, consent_->Check(plan_id, units, caller));
  }
  if (!others.empty()) {
    SIP_ASSIGN_OR_RETURN(std::vector<ConsentAnswer> parties,
                         consent_->CheckOthers(plan_id, others, caller));
    answers.insert(answers.end(), parties.begin(), parties.end());
    for (const cpb::OtherParty& other : others) subjects.push_back(document::OtherPartyName(other));
  }
  return RequireConsent(subjects, answers);
}

absl::StatusOr<pb::ScheduleMeetingResponse> MeetingBook::Schedule(
    const std::string& plan_id, const pb::ScheduleMeetingRequest& request, const Actor& caller,
    const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(auto prior, PriorAnswer<pb::ScheduleMeetingResponse>(*store_, key));
  if (prior) return *std::move(prior);
  SIP_ASSIGN_OR_RETURN(PlanFacts plan, OpenPlan(plan_id, caller));
  const NewIdFn new_id = [] { return NewId(); };
  SIP_ASSIGN_OR_RETURN(pb::Meeting meeting,
                       NewMeeting(request, {plan_id, plan.statutory, plan.protected_identity},
                                  caller, now, new_id));
  const std::vector<std::string> units = InvitedUnitIds(meeting);
  SIP_RETURN_IF_ERROR(RequireCoverage(plan_id, units, InvitedOthers(meeting), caller));
  pb::ScheduleMeetingResponse response;
  if (plan.need_noticed_time) {
    if (auto warning = InitialMeetingWarning(meeting, *plan.need_noticed_time,
                                             options_.initial_meeting_target_days)) {
      *response.add_warnings() = *warning;
    }
  }
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      Insert(meeting, key, now, [&](const StoredMeeting& stored) {
        pb::MeetingEvent e = BaseEvent(stored.meeting, caller);
        auto* scheduled = e.mutable_scheduled();
        scheduled->set_kind(stored.meeting.kind());
        *scheduled->mutable_start_time() = stored.meeting.details().start_time();
        *scheduled->mutable_end_time() = stored.meeting.details().end_time();
        for (const std::string& unit : units) scheduled->add_invited_unit_hsa_ids(unit);
        *response.mutable_meeting() = stored.meeting;
        return db::Effect{plan_id, kEventScheduled, e.SerializeAsString(),
                          response.SerializeAsString()};
      }));
  return ParseAnswer<pb::ScheduleMeetingResponse>(answer);
}

absl::StatusOr<std::string> MeetingBook::Insert(
    const pb::Meeting& meeting, const Key& key, absl::Time now,
    const std::function<db::Effect(const StoredMeeting&)>& effect) {
  return store_->Create(
      key, now,
      [&]() -> absl::StatusOr<StoredMeeting> {
        return StoredMeeting{IdOf(meeting.name()), meeting, 1};
      },
      effect);
}

absl::StatusOr<bool> MeetingBook::AdmitReaderOrInvitee(const Actor& caller,
                                                        const std::string& plan_id,
                                                        const std::string& meeting_id) {
  const absl::Status visible = gate_->Check(caller, authz::Action::kRead, plan_id);
  if (visible.ok()) return false;
  if (visible.code() != absl::StatusCode::kPermissionDenied || caller.unit.hsa_id.empty()) {
    return visible;
  }
  absl::StatusOr<pb::Meeting> meeting = Load(plan_id, meeting_id);
  if (!meeting.ok()) return meeting.status().code() == absl::StatusCode::kNotFound
                                ? visible
                                : meeting.status();
  for (const pb::Invitation& inv : meeting->invitations()) {
    if (inv.invitee().has_unit() && inv.invitee().unit().hsa_id() == caller.unit.hsa_id) {
      // Only while the person's consent does not leave the unit out (issue 22): after a
      // withdrawal or a scope change without it, the invitation is closed to it too.
      SIP_ASSIGN_OR_RETURN(const bool allowed,
                           gate_->ConsentAllows(caller.unit.hsa_id, plan_id));
      return allowed ? absl::StatusOr<bool>(true) : absl::StatusOr<bool>(visible);
    }
  }
  return visible;
}

absl::StatusOr<pb::Meeting> MeetingBook::Get(const std::string& plan_id,
                                             const std::string& meeting_id,
                                             const Actor& caller) {
  SIP_RETURN_IF_ERROR(AdmitReaderOrInvitee(caller, plan_id, meeting_id).status());
  return Load(plan_id, meeting_id);
}

absl::StatusOr<pb::Meeting> MeetingBook::Load(const std::string& plan_id,
                                              const std::string& meeting_id) {
  SIP_ASSIGN_OR_RETURN(StoredMeeting stored, store_->Get(meeting_id));
  if (stored.meeting.name() != absl::StrCat("plans/", plan_id, "/meetings/", meeting_id)) {
    return NotFound("MEETING_NOT_FOUND",
                    absl::StrCat("plans/", plan_id, "/meetings/", meeting_id, " does not exist"));
  }
  return std::move(stored.meeting);
}

absl::StatusOr<std::string> MeetingBook::Change(
    const std::string& plan_id, const std::string& meeting_id, const std::string& etag,
    const Key& key,
    const std::function<absl::StatusOr<std::pair<pb::MeetingEvent, std::string>>(pb::Meeting&)>&
        change) {
  const std::string name = absl::StrCat("plans/", plan_id, "/meetings/", meeting_id);
  const absl::Time now = clock_->Now();
  return store_->Mutate(key, meeting_id, now,
                        [&](StoredMeeting& stored) -> absl::StatusOr<db::Effect> {
                          if (stored.meeting.name() != name) {
                            return NotFound("MEETING_NOT_FOUND", absl::StrCat(name, " does not exist"));
                          }
                          if (!etag.empty() && etag != EtagOf(stored.version - 1)) {
                            return Aborted("ETAG_MISMATCH",
                                           absl::StrCat("the meeting changed since it was read (it "
                                                        "is now at etag ",
                                                        EtagOf(stored.version - 1),
                                                        "); read it again and retry"));
                          }
                          const pb::Meeting before = stored.meeting;
                          SIP_ASSIGN_OR_RETURN(auto done, change(stored.meeting));
                          stored.notices = NoticesOf(before, stored.meeting,
                                                     pb::NOTICE_KIND_CANCELLED, now,
                                                     [] { return NewId(); });
                          return db::Effect{plan_id, EventType(done.first),
                                            done.first.SerializeAsString(), std::move(done.second)};
                        });
}

absl::StatusOr<pb::Meeting> MeetingBook::ChangeMeeting(
    const std::string& plan_id, const std::string& meeting_id, const std::string& etag,
    const Actor& caller, const Key& key,
    const std::function<absl::Status(pb::Meeting&, pb::MeetingEvent&)>& apply) {
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      Change(plan_id, meeting_id, etag, key,
             [&](pb::Meeting& m) -> absl::StatusOr<std::pair<pb::MeetingEvent, std::string>> {
               pb::MeetingEvent e = BaseEvent(m, caller);
               SIP_RETURN_IF_ERROR(apply(m, e));
               return std::make_pair(e, m.SerializeAsString());
             }));
  return ParseMeeting(answer);
}

absl::StatusOr<pb::Meeting> MeetingBook::Reschedule(const std::string& plan_id,
                                                    const std::string& meeting_id,
                                                    const pb::MeetingDetails& details,
                                                    const std::string& reason,
                                                    const std::string& etag, const Actor& caller,
                                                    const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  return ChangeMeeting(plan_id, meeting_id, etag, caller, key,
                       [&](pb::Meeting& m, pb::MeetingEvent& e) -> absl::Status {
                         SIP_RETURN_IF_ERROR(meeting::Reschedule(m, details, reason, now));
                         *e.mutable_rescheduled()->mutable_start_time() = details.start_time();
                         *e.mutable_rescheduled()->mutable_end_time() = details.end_time();
                         e.mutable_rescheduled()->set_kind(m.kind());
                         return absl::OkStatus();
                       });
}

absl::StatusOr<pb::AnswerInvitationResponse> MeetingBook::Answer(
    const std::string& plan_id, const std::string& meeting_id,
    const pb::AnswerInvitationRequest& request, const Actor& caller, const Key& key) {
  SIP_ASSIGN_OR_RETURN(const bool invitee_only,
                       AdmitReaderOrInvitee(caller, plan_id, meeting_id));
  // An invited unit that does not see the plan yet has the consent asked by the service.
  const Actor asker = invitee_only ? ServiceActor("meeting") : caller;
  const absl::Time now = clock_->Now();
  // A forward hands the meeting to another unit: the person's consent must cover it.
  if (request.has_forward()) {
    SIP_ASSIGN_OR_RETURN(auto prior, PriorAnswer<pb::AnswerInvitationResponse>(*store_, key));
    if (prior) return *std::move(prior);
    // The answer's own faults (not the caller's invitation, another principal, already
    // answered) come before the consent service is asked.
    SIP_ASSIGN_OR_RETURN(pb::Meeting current, Load(plan_id, meeting_id));
    SIP_RETURN_IF_ERROR(
        meeting::Answer(current, request.name(), request, caller, now, [] { return NewId(); })
            .status());
    SIP_RETURN_IF_ERROR(
        RequireCoverage(plan_id, {request.forward().unit().hsa_id()}, {}, asker));
  }
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      Change(plan_id, meeting_id, request.etag(), key,
             [&](pb::Meeting& m) -> absl::StatusOr<std::pair<pb::MeetingEvent, std::string>> {
               SIP_ASSIGN_OR_RETURN(std::optional<pb::Invitation> forwarded,
                                    meeting::Answer(m, request.name(), request, caller, now,
                                                    [] { return NewId(); }));
               pb::AnswerInvitationResponse response;
               pb::MeetingEvent e = BaseEvent(m, caller);
               for (const pb::Invitation& inv : m.invitations()) {
                 if (inv.name() == request.name()) *response.mutable_invitation() = inv;
               }
               if (forwarded) {
                 *response.mutable_forwarded_invitation() = *forwarded;
                 auto* f = e.mutable_forwarded();
                 f->set_invitation(request.name());
                 f->set_forwarded_invitation(forwarded->name());
                 f->set_to_unit_hsa_id(forwarded->invitee().unit().hsa_id());
               } else {
                 e.mutable_accepted()->set_invitation(request.name());
                 e.mutable_accepted()->set_unit_hsa_id(caller.unit.hsa_id);
               }
               return std::make_pair(e, response.SerializeAsString());
             }));
  return ParseAnswer<pb::AnswerInvitationResponse>(answer);
}

absl::StatusOr<pb::Meeting> MeetingBook::Cancel(const std::string& plan_id,
                                                const std::string& meeting_id,
                                                const std::string& reason,
                                                const std::string& etag, const Actor& caller,
                                                const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  return ChangeMeeting(plan_id, meeting_id, etag, caller, key,
                       [&](pb::Meeting& m, pb::MeetingEvent& e) -> absl::Status {
                         SIP_RETURN_IF_ERROR(meeting::Cancel(m, reason, now));
                         e.mutable_cancelled()->set_cause(pb::CANCEL_CAUSE_BY_CONVENER);
                         e.mutable_cancelled()->set_kind(m.kind());
                         *e.mutable_cancelled()->mutable_start_time() = m.details().start_time();
                         return absl::OkStatus();
                       });
}

absl::StatusOr<pb::Meeting> MeetingBook::Hold(const std::string& plan_id,
                                              const std::string& meeting_id,
                                              const pb::RecordMeetingHeldRequest& request,
                                              const Actor& caller, const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  const pb::HeldRecord& held = request.held();
  return ChangeMeeting(
      plan_id, meeting_id, request.etag(), caller, key,
      [&](pb::Meeting& m, pb::MeetingEvent& e) -> absl::Status {
        SIP_RETURN_IF_ERROR(meeting::Hold(
            m, held, now, request.has_meeting_leader() ? &request.meeting_leader() : nullptr,
            request.has_documenter() ? &request.documenter() : nullptr));
        auto* h = e.mutable_held();
        h->set_kind(m.kind());
        *h->mutable_start_time() = held.start_time();
        *h->mutable_end_time() = held.end_time();
        h->set_individual_attended(held.individual_attended());
        for (const pb::Invitation& inv : m.invitations()) {
          for (const std::string& attended : held.attended_invitations()) {
            if (inv.name() == attended && inv.invitee().has_unit()) {
              h->add_attended_unit_hsa_ids(inv.invitee().unit().hsa_id());
            }
          }
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::pair<std::vector<pb::Meeting>, std::optional<PageCursor>>> MeetingBook::List(
    const std::string& plan_id, const Actor& caller, std::optional<pb::MeetingState> state,
    int page_size, const std::optional<PageCursor>& after) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  return store_->ListByPlan(plan_id, state, page_size, after);
}

absl::StatusOr<pb::Invitation> MeetingBook::AddInvitation(const std::string& plan_id,
                                                          const std::string& meeting_id,
                                                          const pb::Invitee& invitee,
                                                          const std::string& etag,
                                                          const Actor& caller, const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(auto prior, PriorAnswer<pb::Invitation>(*store_, key));
  if (prior) return *std::move(prior);
  SIP_ASSIGN_OR_RETURN(PlanFacts plan, OpenPlan(plan_id, caller));
  if (plan.protected_identity) {
    return FailedPrecondition("PROTECTED_IDENTITY",
                              "the person has protected identity (skyddade personuppgifter): no "
                              "invitation goes through the system; invite by telephone");
  }
  if (invitee.has_unit()) {
    SIP_RETURN_IF_ERROR(RequireCoverage(plan_id, {invitee.unit().hsa_id()}, {}, caller));
  } else if (invitee.has_other()) {
    SIP_RETURN_IF_ERROR(RequireCoverage(plan_id, {}, {invitee.other()}, caller));
  }
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      Change(plan_id, meeting_id, etag, key,
             [&](pb::Meeting& m) -> absl::StatusOr<std::pair<pb::MeetingEvent, std::string>> {
               SIP_ASSIGN_OR_RETURN(pb::Invitation inv,
                                    meeting::AddInvitation(m, invitee, now, [] { return NewId(); }));
               // Not a timeline fact, but who is invited: the other services' access
               // projections follow it (an invited unit the consent covers sees the plan).
               pb::MeetingEvent e = BaseEvent(m, caller);
               e.mutable_invitation_added()->set_invitation(inv.name());
               if (inv.invitee().has_unit()) {
                 e.mutable_invitation_added()->set_unit_hsa_id(inv.invitee().unit().hsa_id());
               }
               return std::make_pair(std::move(e), inv.SerializeAsString());
             }));
  return ParseAnswer<pb::Invitation>(answer);
}

absl::StatusOr<pb::Meeting> MeetingBook::RecordUnbooked(
    const std::string& plan_id, const pb::RecordUnbookedMeetingRequest& request,
    const Actor& caller, const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(auto prior, PriorAnswer<pb::Meeting>(*store_, key));
  if (prior) return *std::move(prior);
  SIP_RETURN_IF_ERROR(OpenPlan(plan_id, caller).status());
  SIP_ASSIGN_OR_RETURN(pb::Meeting meeting,
                       NewUnbookedMeeting(request, plan_id, caller, now, [] { return NewId(); }));
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      Insert(meeting, key, now, [&](const StoredMeeting& stored) {
        pb::MeetingEvent e = BaseEvent(stored.meeting, caller);
        auto* h = e.mutable_held();
        h->set_kind(stored.meeting.kind());
        *h->mutable_start_time() = request.held().start_time();
        *h->mutable_end_time() = request.held().end_time();
        h->set_individual_attended(request.held().individual_attended());
        h->set_unbooked(true);
        return db::Effect{plan_id, kEventHeld, e.SerializeAsString(),
                          stored.meeting.SerializeAsString()};
      }));
  return ParseMeeting(answer);
}

absl::StatusOr<pb::RenderInvitationResponse> MeetingBook::Render(
    const std::string& plan_id, const std::string& meeting_id,
    const std::string& invitation_name, pb::InvitationFormat format, const Actor& caller) {
  SIP_ASSIGN_OR_RETURN(const bool invitee_only,
                       AdmitReaderOrInvitee(caller, plan_id, meeting_id));
  SIP_ASSIGN_OR_RETURN(pb::Meeting meeting, Load(plan_id, meeting_id));
  const pb::Invitation* invitation = nullptr;
  for (const pb::Invitation& inv : meeting.invitations()) {
    if (inv.name() == invitation_name) invitation = &inv;
  }
  if (invitation == nullptr) {
    return NotFound("INVITATION_NOT_FOUND",
                    absl::StrCat(invitation_name, " does not exist; read the meeting to find "
                                                  "its invitations"));
  }
  SIP_ASSIGN_OR_RETURN(PlanFacts plan,
                       plans_->Facts(plan_id, invitee_only ? ServiceActor("meeting") : caller));
  if (plan.protected_identity) {
    return FailedPrecondition("PROTECTED_IDENTITY",
                              "the person has protected identity (skyddade personuppgifter): no "
                              "written invitation is made through the system; invite by "
                              "telephone");
  }
  pb::RenderInvitationResponse out;
  switch (format) {
    case pb::INVITATION_FORMAT_TEXT:
      out.set_content(document::RenderText(InvitationLetter(meeting, *invitation)));
      out.set_media_type("text/plain; charset=utf-8");
      break;
    case pb::INVITATION_FORMAT_HTML:
      out.set_content(document::RenderHtml(InvitationLetter(meeting, *invitation)));
      out.set_media_type("text/html; charset=utf-8");
      break;
    default: {
      out.set_content(InvitationICalendar(meeting, *invitation, clock_->Now()));
      const bool cancelled = meeting.state() == pb::MEETING_STATE_CANCELLED ||
                             invitation->state() == pb::INVITATION_STATE_CANCELLED;
      out.set_media_type(absl::StrCat("text/calendar; charset=utf-8; method=",
                                      cancelled ? "CANCEL" : "REQUEST"));
    }
  }
  return out;
}

absl::StatusOr<InboxPage> MeetingBook::Inbox(const std::string& unit_hsa_id,
                                             const Actor& caller, bool to_do_only,
                                             int page_size,
                                             const std::optional<PageCursor>& after) {
  SIP_RETURN_IF_ERROR(authz::AuthorizeOwnUnit(authz::SubjectOf(caller), unit_hsa_id));
  SIP_ASSIGN_OR_RETURN(InboxPage page, store_->Inbox(unit_hsa_id, to_do_only, page_size, after));
  for (const pb::InboxItem& item : page.items) {
    gate_->NoteRead(authz::PlanIdOf(item.has_notice() ? item.notice().plan()
                                                       : item.invitation().name()));
  }
  return page;
}

absl::StatusOr<pb::Notice> MeetingBook::Acknowledge(const std::string& unit_hsa_id,
                                                    const std::string& notice_id,
                                                    const std::string& etag, const Actor& caller,
                                                    const Key& key) {
  SIP_RETURN_IF_ERROR(authz::AuthorizeOwnUnit(authz::SubjectOf(caller), unit_hsa_id));
  SIP_ASSIGN_OR_RETURN(std::string answer, store_->Acknowledge(key, unit_hsa_id, notice_id, etag,
                                                               caller, clock_->Now()));
  return ParseAnswer<pb::Notice>(answer);
}

absl::Status MeetingBook::ApplyPlanEvent(pqxx::work& txn, const SourceEvent& event) {
  sip::plan::v1::PlanEvent e;
  if (!e.ParseFromString(event.payload)) {
    return absl::InternalError("a plan event is unreadable");
  }
  if (!e.has_closed()) return absl::OkStatus();
  const std::string plan_id = IdOf(e.plan());
  const absl::Time now = clock_->Now();
  return store_
      ->ChangeScheduledOfPlan(
          txn, plan_id, now,
          [&](StoredMeeting& stored) -> absl::StatusOr<std::pair<std::string, std::string>> {
            const pb::Meeting before = stored.meeting;
            SIP_RETURN_IF_ERROR(meeting::Cancel(stored.meeting, kPlanClosedReason, now));
            stored.notices = NoticesOf(before, stored.meeting, pb::NOTICE_KIND_PLAN_CLOSED, now,
                                       [] { return NewId(); });
            pb::MeetingEvent out;
            out.set_plan(e.plan());
            out.set_meeting(stored.meeting.name());
            out.set_actor_unit_hsa_id(e.actor_unit_hsa_id());
            out.mutable_cancelled()->set_cause(pb::CANCEL_CAUSE_PLAN_CLOSED);
            out.mutable_cancelled()->set_kind(stored.meeting.kind());
            *out.mutable_cancelled()->mutable_start_time() = stored.meeting.details().start_time();
            return std::make_pair(std::string(kEventCancelled), out.SerializeAsString());
          })
      .status();
}

}  // namespace sip::meeting
