#include "services/consent/consent_book.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "sip/consent/v1/consent.pb.h"

namespace sip::consent {
namespace {

namespace pb = ::sip::consent::v1;

// The published fact: ids, types and times only, never names or free text; with what the
// plan's consents cover after the change, for every service's access projection.
pb::ConsentEvent BaseEvent(const Consent& c, const std::vector<CoveredUntil>& coverage,
                           const Actor& actor) {
  pb::ConsentEvent e;
  e.set_plan(absl::StrCat("plans/", c.plan_id));
  e.set_consent(absl::StrCat("plans/", c.plan_id, "/consents/", c.consent_id));
  e.set_actor_unit_hsa_id(actor.unit.hsa_id);
  for (const CoveredUntil& covered : coverage) {
    auto* unit = e.mutable_coverage()->add_units();
    unit->set_unit_hsa_id(covered.unit_hsa_id);
    if (covered.until) ToProto(*covered.until, unit->mutable_covered_until());
  }
  // Set also when nothing is covered: a refusal or withdrawal is a decision recorded.
  e.mutable_coverage();
  return e;
}

void AddCoveredIds(const Consent& c, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const Unit& u : c.CoveredUnits()) out->Add(std::string(u.hsa_id));
}

EventFn RecordedEvent(const Actor& actor) {
  return [actor](const Consent& c, const std::vector<CoveredUntil>& coverage) {
    pb::ConsentEvent e = BaseEvent(c, coverage, actor);
    auto* recorded = e.mutable_recorded();
    AddCoveredIds(c, recorded->mutable_covered_unit_hsa_ids());
    if (c.valid_until) ToProto(*c.valid_until, recorded->mutable_valid_until());
    return Event{kEventRecorded, e.SerializeAsString()};
  };
}

EventFn RefusedEvent(const Actor& actor) {
  return [actor](const Consent& c, const std::vector<CoveredUntil>& coverage) {
    pb::ConsentEvent e = BaseEvent(c, coverage, actor);
    e.mutable_refused();
    return Event{kEventRefused, e.SerializeAsString()};
  };
}

EventFn ScopeChangedEvent(const Actor& actor) {
  return [actor](const Consent& c, const std::vector<CoveredUntil>& coverage) {
    pb::ConsentEvent e = BaseEvent(c, coverage, actor);
    auto* changed = e.mutable_scope_changed();
    changed->set_scope_version(c.scope_history.back().version);
    AddCoveredIds(c, changed->mutable_covered_unit_hsa_ids());
    return Event{kEventScopeChanged, e.SerializeAsString()};
  };
}

EventFn WithdrawnEvent(const Actor& actor) {
  return [actor](const Consent& c, const std::vector<CoveredUntil>& coverage) {
    pb::ConsentEvent e = BaseEvent(c, coverage, actor);
    ToProto(c.withdrawal->withdraw_time, e.mutable_withdrawn()->mutable_withdraw_time());
    return Event{kEventWithdrawn, e.SerializeAsString()};
  };
}

absl::Status CheckEtag(const Consent& c, const std::string& etag) {
  if (etag.empty() || etag == c.Etag()) return absl::OkStatus();
  return Aborted("ETAG_MISMATCH",
                 absl::StrCat("the consent changed since it was read (it is now at etag ",
                              c.Etag(), "); read it again and retry"));
}

}  // namespace

absl::StatusOr<PlanFacts> ConsentBook::OpenPlan(const std::string& plan_id) {
  // Asked as the consent service itself: the gate has let the caller in, and after a
  // withdrawal or refusal no unit sees the plan in the plan service, yet a taking-part
  // unit must be able to record the person's new decision.
  SIP_ASSIGN_OR_RETURN(PlanFacts facts, plans_->Facts(plan_id, ServiceActor("consent")));
  if (facts.closed) {
    return FailedPrecondition("PLAN_CLOSED",
                              absl::StrCat("plans/", plan_id,
                                           " is closed; a decision about consent to it can no "
                                           "longer be recorded"));
  }
  return facts;
}

absl::StatusOr<Consent> ConsentBook::Record(const std::string& plan_id, ConsentInput input,
                                            const Actor& caller,
                                            const std::optional<db::RequestKey>& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  const absl::Time now = clock_->Now();
  // A retry of a completed call is answered even if the plan has closed since.
  if (key) {
    SIP_ASSIGN_OR_RETURN(std::optional<Consent> answered, store_->PriorResult(*key));
    if (answered) return *std::move(answered);
  }
  SIP_ASSIGN_OR_RETURN(PlanFacts plan, OpenPlan(plan_id));
  input.protected_identity = plan.protected_identity;
  SIP_RETURN_IF_ERROR(DecideMinority(input, plan.birth_date, now));
  SIP_ASSIGN_OR_RETURN(Consent consent, NewConsent(plan_id, std::move(input), caller, now));
  consent.consent_id = NewId();
  return store_->Create(key, consent, now, RecordedEvent(caller));
}

absl::StatusOr<Consent> ConsentBook::RecordRefusal(const std::string& plan_id,
                                                   RefusalInput input, const Actor& caller,
                                                   const std::optional<db::RequestKey>& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  const absl::Time now = clock_->Now();
  if (key) {
    SIP_ASSIGN_OR_RETURN(std::optional<Consent> answered, store_->PriorResult(*key));
    if (answered) return *std::move(answered);
  }
  SIP_ASSIGN_OR_RETURN(PlanFacts plan, OpenPlan(plan_id));
  input.protected_identity = plan.protected_identity;
  SIP_ASSIGN_OR_RETURN(Consent refusal, NewRefusal(plan_id, std::move(input), caller, now));
  refusal.consent_id = NewId();
  return store_->Create(key, refusal, now, RefusedEvent(caller));
}

absl::StatusOr<Consent> ConsentBook::ChangeScope(const std::string& plan_id,
                                                 const std::string& consent_id,
                                                 ScopeChangeInput input,
                                                 const std::string& etag, const Actor& caller,
                                                 const std::optional<db::RequestKey>& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  const absl::Time now = clock_->Now();
  return store_->Update(
      key, plan_id, consent_id, now,
      [&](Consent& c) {
        SIP_RETURN_IF_ERROR(CheckEtag(c, etag));
        return consent::ChangeScope(c, std::move(input), caller, now);
      },
      ScopeChangedEvent(caller));
}

absl::StatusOr<Consent> ConsentBook::Withdraw(const std::string& plan_id,
                                              const std::string& consent_id,
                                              WithdrawalInput input, const std::string& etag,
                                              const Actor& caller,
                                              const std::optional<db::RequestKey>& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  const absl::Time now = clock_->Now();
  return store_->Update(
      key, plan_id, consent_id, now,
      [&](Consent& c) {
        SIP_RETURN_IF_ERROR(CheckEtag(c, etag));
        return consent::Withdraw(c, std::move(input), caller, now);
      },
      WithdrawnEvent(caller));
}

absl::StatusOr<Consent> ConsentBook::Get(const std::string& plan_id,
                                         const std::string& consent_id, const Actor& caller) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  return store_->Get(plan_id, consent_id);
}

absl::StatusOr<ConsentStore::Page> ConsentBook::List(const std::string& plan_id,
                                                     const Actor& caller, int page_size,
                                                     const std::optional<PageCursor>& after) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  return store_->List(plan_id, page_size, after);
}

absl::StatusOr<ConsentBook::CheckResult> ConsentBook::Check(
    const std::string& plan_id, const Actor& caller,
    const std::vector<std::string>& unit_hsa_ids, const std::vector<OtherParty>& others) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kConsent, plan_id));
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(std::vector<Consent> consents, store_->ListAll(plan_id));
  return CheckResult{CheckCoverage(consents, unit_hsa_ids, now),
                     CheckOtherCoverage(consents, others, now), now};
}

absl::StatusOr<std::vector<db::StoredEvent>> ConsentBook::Events(int64_t after, int limit, const std::string& reader) {
  return store_->Events(after, limit, reader);
}

}  // namespace sip::consent
