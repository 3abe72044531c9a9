#include "services/plan/plan_book.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/model_json.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/plan/plan_copy.h"

namespace sip::plan {
namespace {

// Every event names the plan and the acting unit; the payload carries ids, enums, dates
// and times only, never personal details.
// Each carries who takes part after the change, for every service's access projection.
pb::PlanEvent BaseEvent(const std::string& plan_id, const pb::Plan& plan, const Actor& actor) {
  pb::PlanEvent e;
  e.set_plan(absl::StrCat("plans/", plan_id));
  e.set_actor_unit_hsa_id(actor.unit.hsa_id);
  auto* parties = e.mutable_parties();
  parties->set_initiating_unit_hsa_id(plan.initiated_by().unit().hsa_id());
  for (const std::string& unit : ParticipantUnitIds(plan)) {
    parties->add_participant_unit_hsa_ids(unit);
  }
  parties->set_coordinator_unit_hsa_id(plan.overall_responsibility().unit().hsa_id());
  return e;
}

// What closing for `reason` asks of the authoriser.
authz::Action CloseAction(pb::ClosureReason reason) {
  switch (reason) {
    case pb::CLOSURE_REASON_EXPIRED: return authz::Action::kCloseForExpiry;
    case pb::CLOSURE_REASON_CONSENT_WITHDRAWN:
    case pb::CLOSURE_REASON_CONSENT_REFUSED: return authz::Action::kCloseForConsentEnded;
    default: return authz::Action::kClose;
  }
}

Outcome WithEvent(const char* type, const pb::PlanEvent& event,
                  const google::protobuf::Message& result) {
  Outcome out;
  out.event_type = type;
  out.event_payload = event.SerializeAsString();
  out.result = result.SerializeAsString();
  return out;
}

absl::Status CheckEtag(const StoredPlan& stored, const std::string& etag) {
  // `stored` has its version already raised for the change being made.
  if (etag.empty() || etag == EtagOf(stored.version - 1)) return absl::OkStatus();
  return Aborted("ETAG_MISMATCH",
                 absl::StrCat("the plan changed since it was read (it is now at etag ",
                              EtagOf(stored.version - 1), "); read it again and retry"));
}

template <typename T>
absl::StatusOr<T> Parse(const std::string& bytes) {
  T out;
  if (!out.ParseFromString(bytes)) return absl::InternalError("unreadable stored result");
  return out;
}

}  // namespace

absl::StatusOr<pb::Plan> PlanBook::Create(pb::Plan input, const Actor& caller, const Key& key) {
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      store_->Create(
          key,
          [&]() -> absl::StatusOr<StoredPlan> {
            SIP_ASSIGN_OR_RETURN(pb::Plan plan, NewPlan(std::move(input), caller, now));
            StoredPlan stored;
            stored.plan_id = NewId();
            plan.set_name(absl::StrCat("plans/", stored.plan_id));
            stored.plan = std::move(plan);
            return stored;
          },
          now,
          [&](const StoredPlan& stored) {
            pb::PlanEvent e = BaseEvent(stored.plan_id, stored.plan, caller);
            auto* initiated = e.mutable_initiated();
            if (stored.plan.has_discharge()) {
              *initiated->mutable_discharge_time() = stored.plan.discharge().discharge_time();
            }
            initiated->set_protected_identity(stored.plan.individual().protected_identity());
            *initiated->mutable_need_noticed_time() = stored.plan.need_noticed_time();
            initiated->set_region_code(stored.plan.region_code());
            initiated->set_municipality_code(MunicipalityFromUnits(stored.plan));
            if (stored.plan.has_discharge()) {
              initiated->set_designated_care_contact_unit_hsa_id(
                  stored.plan.discharge().designated_care_contact().unit().hsa_id());
            }
            return WithEvent(kEventInitiated, e, stored.plan);
          }));
  return Parse<pb::Plan>(result);
}

absl::StatusOr<pb::Plan> PlanBook::Get(const std::string& plan_id, const Actor& caller) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  SIP_ASSIGN_OR_RETURN(StoredPlan stored, store_->Get(plan_id));
  return std::move(stored.plan);
}

absl::StatusOr<PlanStore::PlanPage> PlanBook::List(PlanFilter filter, const Actor& caller,
                                                   int page_size,
                                                   const std::optional<PageCursor>& after) {
  const authz::Subject subject = authz::SubjectOf(caller);
  if (subject.service.empty()) {
    // A unit with no HSA-id sees nothing; an empty filter value would filter nothing.
    if (subject.unit_hsa_id.empty()) return PlanStore::PlanPage{};
    filter.visible_to_unit_hsa_id = subject.unit_hsa_id;
    filter.visible_at = clock_->Now();
  }
  SIP_ASSIGN_OR_RETURN(PlanStore::PlanPage page, store_->List(filter, page_size, after));
  for (const StoredPlan& plan : page.plans) gate_->NoteRead(plan.plan_id);
  return page;
}

absl::StatusOr<pb::GetAccessExtractResponse> PlanBook::AccessExtract(
    const std::string& personal_identity_number, absl::Time start, absl::Time end,
    const Actor& caller, const std::string& role) {
  PlanFilter filter;
  filter.personal_identity_number = personal_identity_number;
  const bool log_review = role == kLogReviewRole && ServiceNameOf(caller).empty() &&
                          !caller.unit.hsa_id.empty();
  // The person's plans as the caller's unit sees them (List filters and logs them); for a
  // log reviewer, those its principal took part in (the extract outlives consent).
  std::vector<std::string> plan_ids;
  std::optional<PageCursor> after;
  do {
    SIP_ASSIGN_OR_RETURN(PlanStore::PlanPage page,
                         log_review ? store_->List(filter, 500, after)
                                    : List(filter, caller, 500, after));
    for (const StoredPlan& plan : page.plans) {
      if (log_review) {
        if (!PrincipalTookPart(plan.plan, caller.unit.hsa_id)) continue;
        gate_->NoteRead(plan.plan_id);
      }
      plan_ids.push_back(plan.plan_id);
    }
    after = page.next;
  } while (after);
  std::sort(plan_ids.begin(), plan_ids.end());
  SIP_ASSIGN_OR_RETURN(std::vector<accesslog::alpb::AccessEntry> entries,
                       accesslog::GatherExtract(peers_.access_logs, plan_ids, start, end));
  pb::GetAccessExtractResponse out;
  for (const std::string& id : plan_ids) out.add_plans(absl::StrCat("plans/", id));
  out.set_text(accesslog::RenderExtractSv(plan_ids, entries, start, end));
  for (auto& e : entries) *out.add_entries() = std::move(e);
  ToProto(start, out.mutable_start_time());
  ToProto(end, out.mutable_end_time());
  return out;
}

absl::StatusOr<std::string> PlanBook::MutateWithConsent(
    const Key& key, const std::string& plan_id, const Actor& caller, absl::Time now,
    const std::function<std::vector<std::string>(const pb::Plan&, const pb::Plan&)>& units,
    const std::function<absl::StatusOr<Outcome>(StoredPlan&)>& change) {
  // A retry of a completed call gets its answer before the checks below, which may now
  // refuse it (already established…); and again if a check fails, in case the first call
  // committed meanwhile.
  auto prior = [&]() -> absl::StatusOr<std::optional<std::string>> {
    if (!key) return std::optional<std::string>();
    return store_->PriorResult(*key);
  };
  SIP_ASSIGN_OR_RETURN(std::optional<std::string> answered, prior());
  if (answered) return *std::move(answered);
  // The change is tried on the plan as read, to learn which units it makes get the plan;
  // the consent service is asked outside the transaction (no lock held over a network
  // call), and the change then commits only if the plan is still the one that was checked.
  SIP_ASSIGN_OR_RETURN(StoredPlan checked, store_->Get(plan_id));
  StoredPlan tried = checked;
  ++tried.version;
  tried.plan.set_etag(EtagOf(tried.version));
  absl::Status tried_status = change(tried).status();
  if (!tried_status.ok()) {
    SIP_ASSIGN_OR_RETURN(answered, prior());
    if (answered) return *std::move(answered);
    return tried_status;
  }
  const std::vector<std::string> needed = units(checked.plan, tried.plan);
  if (!needed.empty()) {
    SIP_ASSIGN_OR_RETURN(std::vector<ConsentAnswer> answers,
                         consent_->Check(plan_id, needed, caller));
    SIP_RETURN_IF_ERROR(RequireConsent(needed, answers));
  }
  return store_->Mutate(key, plan_id, now, [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
    if (stored.version - 1 != checked.version) {
      return Aborted("PLAN_CHANGED",
                     "the plan changed while its consent was being checked; retry the call");
    }
    return change(stored);
  });
}

absl::StatusOr<pb::Plan> PlanBook::Update(const std::string& plan_id, const pb::Plan& patch,
                                          const google::protobuf::FieldMask& mask,
                                          const Actor& caller, const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  // On an ACTIVE plan a unit the change adds gets the plan at once: consent first.
  auto added = [](const pb::Plan& before, const pb::Plan& after) {
    return before.state() == ::sip::common::v1::PLAN_STATE_ACTIVE ? UnitsAdded(before, after)
                                                    : std::vector<std::string>();
  };
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      MutateWithConsent(key, plan_id, caller, now, added, [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
        SIP_RETURN_IF_ERROR(CheckEtag(stored, patch.etag()));
        const pb::Individual before = stored.plan.individual();
        SIP_ASSIGN_OR_RETURN(std::vector<std::string> changed,
                             ApplyUpdate(stored.plan, patch, mask, now));
        pb::PlanEvent e = BaseEvent(plan_id, stored.plan, caller);
        for (const std::string& field : changed) {
          e.mutable_content_updated()->add_changed_fields(field);
        }
        e.mutable_content_updated()->set_coordinator_unit_hsa_id(
            stored.plan.overall_responsibility().unit().hsa_id());
        e.mutable_content_updated()->set_region_code(stored.plan.region_code());
        e.mutable_content_updated()->set_municipality_code(MunicipalityFromUnits(stored.plan));
        Outcome out = WithEvent(kEventContentUpdated, e, stored.plan);
        out.remove_identity = SwitchesToProtectedIdentity(before, stored.plan.individual());
        return out;
      }));
  return Parse<pb::Plan>(result);
}

absl::StatusOr<pb::Plan> PlanBook::Establish(const std::string& plan_id,
                                             const std::string& etag,
                                             const std::string& meeting_name,
                                             std::optional<absl::Time> meeting_time,
                                             const Actor& caller, const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  if (meeting_time && *meeting_time > now) {
    return InvalidField("meeting_time",
                        "must not be in the future: a plan is established at a meeting held");
  }
  pb::EstablishingMeeting meeting;
  meeting.set_meeting(meeting_name);
  ToProto(meeting_time.value_or(now), meeting.mutable_held_time());
  // One refusal lists everything that is missing: when the content is incomplete, the
  // consent is asked too and its gaps join the list.
  if (key) {
    SIP_ASSIGN_OR_RETURN(std::optional<std::string> answered, store_->PriorResult(*key));
    if (answered) return Parse<pb::Plan>(*answered);
  }
  {
    SIP_ASSIGN_OR_RETURN(StoredPlan current, store_->Get(plan_id));
    const absl::Status content = CheckEstablishable(current.plan);
    if (ReasonOf(content) == "PLAN_INCOMPLETE") {
      std::vector<PreconditionViolation> all = PreconditionViolationsOf(content);
      const std::vector<std::string> units = UnitsRequiringConsent(current.plan);
      if (!units.empty()) {
        SIP_ASSIGN_OR_RETURN(std::vector<ConsentAnswer> answers,
                             consent_->Check(plan_id, units, caller));
        for (PreconditionViolation& v :
             PreconditionViolationsOf(RequireConsent(units, answers))) {
          all.push_back(std::move(v));
        }
      }
      return FailedPreconditions("PLAN_INCOMPLETE",
                                 "the plan cannot be established yet: it lacks what the law "
                                 "requires of a SIP, or the person's consent",
                                 std::move(all));
    }
  }
  // Every unit that gets the plan must be covered by the person's consent.
  auto everyone = [](const pb::Plan&, const pb::Plan& after) {
    return UnitsRequiringConsent(after);
  };
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      MutateWithConsent(key, plan_id, caller, now, everyone,
                        [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
        SIP_RETURN_IF_ERROR(CheckEstablishable(stored.plan));
        SIP_RETURN_IF_ERROR(CheckEtag(stored, etag));
        SIP_ASSIGN_OR_RETURN(pb::PlanRevision revision,
                             sip::plan::Establish(stored.plan, plan_id, meeting, caller, now));
        pb::PlanEvent e = BaseEvent(plan_id, stored.plan, caller);
        auto* established = e.mutable_established();
        if (stored.plan.has_next_follow_up_date()) {
          *established->mutable_next_follow_up_date() = stored.plan.next_follow_up_date();
        }
        for (const std::string& unit : ParticipantUnitIds(stored.plan)) {
          established->add_participant_unit_hsa_ids(unit);
        }
        established->set_coordinator_unit_hsa_id(
            stored.plan.overall_responsibility().unit().hsa_id());
        established->set_region_code(stored.plan.region_code());
        established->set_municipality_code(MunicipalityFromUnits(stored.plan));
        Outcome out = WithEvent(kEventEstablished, e, stored.plan);
        out.revision = std::move(revision);
        return out;
      }));
  return Parse<pb::Plan>(result);
}

absl::StatusOr<pb::PlanRevision> PlanBook::Revise(const std::string& plan_id,
                                                  pb::RevisionReason reason,
                                                  const std::string& note,
                                                  const std::string& etag, const Actor& caller,
                                                  const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  // Every unit gets the new revision, a new party included: consent must cover them all.
  auto everyone = [](const pb::Plan&, const pb::Plan& after) {
    return UnitsRequiringConsent(after);
  };
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      MutateWithConsent(key, plan_id, caller, now, everyone,
                        [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
        SIP_RETURN_IF_ERROR(CheckEtag(stored, etag));
        SIP_ASSIGN_OR_RETURN(pb::PlanRevision revision,
                             sip::plan::Revise(stored.plan, plan_id, reason, note, caller, now));
        pb::PlanEvent e = BaseEvent(plan_id, stored.plan, caller);
        e.mutable_revised()->set_revision(stored.plan.revision());
        e.mutable_revised()->set_reason(reason);
        e.mutable_revised()->set_coordinator_unit_hsa_id(
            stored.plan.overall_responsibility().unit().hsa_id());
        Outcome out = WithEvent(kEventRevised, e, revision);
        out.revision = std::move(revision);
        return out;
      }));
  return Parse<pb::PlanRevision>(result);
}

absl::StatusOr<pb::PlanRevision> PlanBook::GetRevision(const std::string& plan_id,
                                                       int revision, const Actor& caller) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  return store_->GetRevision(plan_id, revision);
}

absl::StatusOr<std::pair<std::vector<pb::PlanRevision>, std::optional<PageCursor>>>
PlanBook::ListRevisions(const std::string& plan_id, const Actor& caller, int page_size,
                        const std::optional<PageCursor>& after) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  return store_->ListRevisions(plan_id, page_size, after);
}

absl::StatusOr<pb::FollowUp> PlanBook::RecordFollowUp(const std::string& plan_id,
                                                      pb::FollowUp input, const Actor& caller,
                                                      const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      store_->Mutate(key, plan_id, now, [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
        SIP_ASSIGN_OR_RETURN(pb::FollowUp follow_up,
                             NewFollowUp(stored.plan, std::move(input), caller, now));
        follow_up.set_name(absl::StrCat("plans/", plan_id, "/followUps/", NewId()));
        // The date the meeting agreed becomes the plan's next follow-up.
        if (follow_up.has_next_follow_up_date()) {
          *stored.plan.mutable_next_follow_up_date() = follow_up.next_follow_up_date();
        }
        // A follow-up counts as activity on the plan (forfeiture looks at it).
        ToProto(now, stored.plan.mutable_update_time());
        pb::PlanEvent e = BaseEvent(plan_id, stored.plan, caller);
        auto* recorded = e.mutable_follow_up_recorded();
        *recorded->mutable_follow_up_date() = follow_up.follow_up_date();
        recorded->set_decision(follow_up.decision());
        if (stored.plan.has_next_follow_up_date()) {
          *recorded->mutable_next_follow_up_date() = stored.plan.next_follow_up_date();
        }
        Outcome out = WithEvent(kEventFollowUpRecorded, e, follow_up);
        out.follow_up = std::move(follow_up);
        return out;
      }));
  return Parse<pb::FollowUp>(result);
}

absl::StatusOr<std::pair<std::vector<pb::FollowUp>, std::optional<PageCursor>>>
PlanBook::ListFollowUps(const std::string& plan_id, const Actor& caller, int page_size,
                        const std::optional<PageCursor>& after) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  return store_->ListFollowUps(plan_id, page_size, after);
}

absl::StatusOr<pb::Plan> PlanBook::RecordCircumstances(const std::string& plan_id,
                                                       CircumstanceChange change,
                                                       const std::string& etag,
                                                       const Actor& caller, const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  change.recorded_by = caller;
  change.record_time = now;
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      store_->Mutate(key, plan_id, now, [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
        SIP_RETURN_IF_ERROR(CheckEtag(stored, etag));
        SIP_RETURN_IF_ERROR(sip::plan::RecordCircumstances(stored.plan, change));
        pb::PlanEvent e = BaseEvent(plan_id, stored.plan, caller);
        auto* changed = e.mutable_circumstances_changed();
        changed->set_kind(change.kind);
        DayToProto(change.effective_date, changed->mutable_effective_date());
        pb::ChangedCircumstance kept;
        kept.set_name(absl::StrCat("plans/", plan_id, "/circumstances/", NewId()));
        kept.set_kind(change.kind);
        DayToProto(change.effective_date, kept.mutable_effective_date());
        if (change.new_unit) ToProto(*change.new_unit, kept.mutable_new_unit());
        kept.set_note(change.note);
        ToProto(change.recorded_by, kept.mutable_recorded_by());
        ToProto(change.record_time, kept.mutable_record_time());
        Outcome out = WithEvent(kEventCircumstancesChanged, e, stored.plan);
        out.circumstance = std::move(kept);
        return out;
      }));
  return Parse<pb::Plan>(result);
}

absl::StatusOr<std::pair<std::vector<pb::ChangedCircumstance>, std::optional<PageCursor>>>
PlanBook::ListCircumstances(const std::string& plan_id, const Actor& caller, int page_size,
                            const std::optional<PageCursor>& after) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  return store_->ListCircumstances(plan_id, page_size, after);
}

absl::StatusOr<pb::Plan> PlanBook::Close(const std::string& plan_id, pb::Closure closure,
                                         const std::string& etag, const Actor& caller,
                                         const Key& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, CloseAction(closure.reason()), plan_id));
  const absl::Time now = clock_->Now();
  if (closure.reason() == pb::CLOSURE_REASON_CONSENT_WITHDRAWN ||
      closure.reason() == pb::CLOSURE_REASON_CONSENT_REFUSED) {
    // Only when the consent service says so: a retry of a completed closure is answered
    // from the request log, before this check.
    if (key) {
      SIP_ASSIGN_OR_RETURN(std::optional<std::string> answered, store_->PriorResult(*key));
      if (answered) return Parse<pb::Plan>(*answered);
    }
    SIP_ASSIGN_OR_RETURN(StoredPlan current, store_->Get(plan_id));
    std::vector<std::string> units = ParticipantUnitIds(current.plan);
    // The initiating unit too: a plan not yet established may name no other.
    const std::string& initiator = current.plan.initiated_by().unit().hsa_id();
    if (!initiator.empty() && std::find(units.begin(), units.end(), initiator) == units.end()) {
      units.push_back(initiator);
    }
    SIP_ASSIGN_OR_RETURN(std::vector<ConsentAnswer> answers,
                         consent_->Check(plan_id, units, caller));
    SIP_RETURN_IF_ERROR(RequireConsentAnswer(
        units, answers,
        closure.reason() == pb::CLOSURE_REASON_CONSENT_REFUSED ? "REFUSED" : "WITHDRAWN"));
  }
  SIP_ASSIGN_OR_RETURN(
      std::string result,
      store_->Mutate(key, plan_id, now, [&](StoredPlan& stored) -> absl::StatusOr<Outcome> {
        SIP_RETURN_IF_ERROR(CheckEtag(stored, etag));
        SIP_RETURN_IF_ERROR(sip::plan::Close(stored.plan, std::move(closure), caller, now));
        pb::PlanEvent e = BaseEvent(plan_id, stored.plan, caller);
        auto* closed = e.mutable_closed();
        closed->set_reason(stored.plan.closure().reason());
        // Every unit learns that the SIP no longer applies.
        for (const std::string& unit : ParticipantUnitIds(stored.plan)) {
          closed->add_participant_unit_hsa_ids(unit);
        }
        return WithEvent(kEventClosed, e, stored.plan);
      }));
  return Parse<pb::Plan>(result);
}

absl::StatusOr<PlanBook::Copy> PlanBook::RenderCopy(const std::string& plan_id, int revision,
                                                    bool html, const Actor& caller) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  SIP_ASSIGN_OR_RETURN(StoredPlan current, store_->Get(plan_id));
  if (current.plan.individual().protected_identity()) {
    return FailedPrecondition(
        "PROTECTED_IDENTITY",
        "the person has protected identity (skyddade personuppgifter): no digital copy of "
        "the plan is made; planning and the person's copy are handled by telephone and "
        "each party's own routine");
  }
  SIP_ASSIGN_OR_RETURN(pb::PlanRevision rev, store_->GetRevision(plan_id, revision));
  CopyContext context;
  // The follow-ups held, newest first (a plan has a few a year); an earlier revision's copy
  // shows those recorded before it was made.
  SIP_ASSIGN_OR_RETURN(auto follow_ups, store_->ListFollowUps(plan_id, 100, std::nullopt));
  const bool latest = rev.snapshot().revision() == current.plan.revision();
  for (pb::FollowUp& f : follow_ups.first) {
    if (latest || f.create_time().seconds() <= rev.create_time().seconds()) {
      context.follow_ups.push_back(std::move(f));
    }
  }
  SIP_ASSIGN_OR_RETURN(context.consents, peers_.consents->List(plan_id, caller));
  const std::string& meeting = rev.snapshot().establishing_meeting().meeting();
  if (!meeting.empty()) {
    absl::StatusOr<sip::meeting::v1::Meeting> held = peers_.meetings->Get(meeting, caller);
    // A meeting the meeting service does not know leaves the copy with the day alone.
    if (held.ok()) {
      context.meeting = *std::move(held);
    } else if (held.status().code() != absl::StatusCode::kNotFound) {
      return held.status();
    }
  }
  Copy copy;
  copy.content = html ? RenderCopyHtml(rev, context) : RenderCopyText(rev, context);
  copy.media_type = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
  copy.revision = rev.name();
  return copy;
}

absl::StatusOr<std::vector<db::StoredEvent>> PlanBook::Events(int64_t after, int limit, const std::string& reader) {
  return store_->Events(after, limit, reader);
}

}  // namespace sip::plan
