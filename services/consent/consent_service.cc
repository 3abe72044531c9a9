#include "services/consent/consent_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_handler.h"
#include "common/hsa_id.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/status_macros.h"
#include "services/consent/consent_proto.h"

namespace sip::consent {
namespace {

namespace pb = ::sip::consent::v1;

constexpr int kMaxCheckUnits = 100;

absl::StatusOr<std::string> PlanId(const std::string& parent) {
  SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids, ParseResourceName(parent, {"plans"}, "parent"));
  return ids[0];
}

absl::StatusOr<std::vector<std::string>> ConsentIds(const std::string& name) {
  return ParseResourceName(name, {"plans", "consents"}, "name");
}


// ---- domain → API -------------------------------------------------------------------

pb::GiverRole ToProto(GiverRole r) {
  switch (r) {
    case GiverRole::kIndividual: return pb::GIVER_ROLE_INDIVIDUAL;
    case GiverRole::kGuardian: return pb::GIVER_ROLE_GUARDIAN;
    case GiverRole::kTrustee: return pb::GIVER_ROLE_TRUSTEE;
    case GiverRole::kAdministrator: return pb::GIVER_ROLE_ADMINISTRATOR;
  }
  return pb::GIVER_ROLE_UNSPECIFIED;
}

void ToProto(const Giver& in, pb::ConsentGiver* out) {
  out->set_role(ToProto(in.role));
  out->set_name(in.name);
}

pb::ConsentState ToProto(State s) {
  switch (s) {
    case State::kActive: return pb::CONSENT_STATE_ACTIVE;
    case State::kRefused: return pb::CONSENT_STATE_REFUSED;
    case State::kWithdrawn: return pb::CONSENT_STATE_WITHDRAWN;
    case State::kExpired: return pb::CONSENT_STATE_EXPIRED;
  }
  return pb::CONSENT_STATE_UNSPECIFIED;
}

pb::CoverageReason ToProto(Coverage c) {
  switch (c) {
    case Coverage::kCovered: return pb::COVERAGE_REASON_COVERED;
    case Coverage::kNoConsent: return pb::COVERAGE_REASON_NO_CONSENT;
    case Coverage::kRefused: return pb::COVERAGE_REASON_REFUSED;
    case Coverage::kWithdrawn: return pb::COVERAGE_REASON_WITHDRAWN;
    case Coverage::kExpired: return pb::COVERAGE_REASON_EXPIRED;
    case Coverage::kNotInScope: return pb::COVERAGE_REASON_UNIT_NOT_IN_SCOPE;
    case Coverage::kRestrictedByHarmAssessment:
      return pb::COVERAGE_REASON_RESTRICTED_BY_HARM_ASSESSMENT;
  }
  return pb::COVERAGE_REASON_UNSPECIFIED;
}

std::string ConsentName(const std::string& plan_id, const std::string& consent_id) {
  return absl::StrCat("plans/", plan_id, "/consents/", consent_id);
}

}  // namespace

void ToProto(const Consent& in, absl::Time now, pb::Consent* out) {
  out->set_name(ConsentName(in.plan_id, in.consent_id));
  out->set_state(ToProto(in.StateAt(now)));
  ToProto(in.giver, out->mutable_giver());
  if (in.second_guardian) ToProto(*in.second_guardian, out->mutable_second_guardian());
  out->set_form(sip::ToProto(in.form));
  sip::ToProto(in.recorded_by, out->mutable_recorded_by());
  sip::ToProto(in.decision_time, out->mutable_decision_time());
  for (const Unit& u : in.CoveredUnits()) sip::ToProto(u, out->add_covered_units());
  for (const OtherParty& p : in.CoveredOthers()) sip::ToProto(p, out->add_covered_others());
  if (in.valid_until) sip::ToProto(*in.valid_until, out->mutable_valid_until());
  out->set_individual_is_minor(in.individual_is_minor);
  out->set_maturity_note(in.maturity_note);
  out->set_reduced_capacity(in.reduced_capacity);
  if (in.harm_assessment) {
    auto* h = out->mutable_harm_assessment();
    sip::ToProto(in.harm_assessment->assessed_by, h->mutable_assessed_by());
    h->set_outcome(in.harm_assessment->outcome == HarmOutcome::kNoHarm
                       ? pb::HARM_ASSESSMENT_OUTCOME_NO_HARM
                       : pb::HARM_ASSESSMENT_OUTCOME_RESTRICTED);
    h->set_note(in.harm_assessment->note);
    for (const std::string& id : in.harm_assessment->restricted_unit_hsa_ids) {
      h->add_restricted_unit_hsa_ids(id);
    }
  }
  if (in.withdrawal) {
    auto* w = out->mutable_withdrawal();
    ToProto(in.withdrawal->withdrawn_by, w->mutable_withdrawn_by());
    w->set_form(sip::ToProto(in.withdrawal->form));
    sip::ToProto(in.withdrawal->withdraw_time, w->mutable_withdraw_time());
    sip::ToProto(in.withdrawal->recorded_by, w->mutable_recorded_by());
    w->set_note(in.withdrawal->note);
  }
  for (const ScopeChange& s : in.scope_history) {
    auto* h = out->add_scope_history();
    h->set_scope_version(s.version);
    for (const Unit& u : s.added_units) sip::ToProto(u, h->add_added_units());
    for (const std::string& id : s.removed_unit_hsa_ids) h->add_removed_unit_hsa_ids(id);
    for (const OtherParty& p : s.added_others) sip::ToProto(p, h->add_added_others());
    for (const OtherParty& p : s.removed_others) sip::ToProto(p, h->add_removed_others());
    sip::ToProto(s.changed_by, h->mutable_changed_by());
    sip::ToProto(s.change_time, h->mutable_change_time());
    h->set_reason(s.reason);
  }
  out->set_note(in.note);
  sip::ToProto(in.create_time, out->mutable_create_time());
  sip::ToProto(in.update_time, out->mutable_update_time());
  out->set_etag(in.Etag());
}

grpc::Status ConsentGrpcService::RecordConsent(grpc::ServerContext* context,
                                               const pb::RecordConsentRequest* request,
                                               pb::RecordConsentResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanId(request->parent()));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RecordConsent", *request));
    if (!request->has_consent()) {
      return InvalidField("consent", "is required: the consent to record");
    }
    SIP_ASSIGN_OR_RETURN(ConsentInput input, ConsentInputFromProto(request->consent()));
    SIP_ASSIGN_OR_RETURN(Consent consent, book_->Record(plan_id, std::move(input), caller, key));
    ToProto(consent, book_->Now(), response->mutable_consent());
    for (const Warning& w : RecordWarnings(consent, caller)) {
      pb::Warning* out = response->add_warnings();
      out->set_code(w.code);
      out->set_message(w.message);
      for (const std::string& unit : w.unit_hsa_ids) out->add_unit_hsa_ids(unit);
    }
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::RecordRefusal(grpc::ServerContext* context,
                                               const pb::RecordRefusalRequest* request,
                                               pb::RecordRefusalResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanId(request->parent()));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RecordRefusal", *request));
    Violations v;
    RefusalInput input;
    input.giver = GiverFromProto(request->giver(), "giver", v);
    input.form = FormOrDefault(request->form(), "form", v);
    input.decision_time = OptionalTime(request->has_decision_time(), request->decision_time(),
                                       "decision_time", v);
    input.note = request->note();
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(Consent refusal,
                         book_->RecordRefusal(plan_id, std::move(input), caller, key));
    ToProto(refusal, book_->Now(), response->mutable_consent());
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::ChangeConsentScope(grpc::ServerContext* context,
                                                    const pb::ChangeConsentScopeRequest* request,
                                                    pb::ChangeConsentScopeResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids, ConsentIds(request->name()));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("ChangeConsentScope", *request));
    Violations v;
    ScopeChangeInput input;
    input.add_units = UnitsFromProto(request->add_units(), "add_units", v);
    for (int i = 0; i < request->remove_unit_hsa_ids_size(); ++i) {
      if (!IsValidHsaId(request->remove_unit_hsa_ids(i))) {
        v.Add(absl::StrCat("remove_unit_hsa_ids[", i, "]"), kHsaIdFormat);
      }
      input.remove_unit_hsa_ids.push_back(request->remove_unit_hsa_ids(i));
    }
    input.add_others = OthersFromProto(request->add_others(), "add_others", v);
    input.remove_others = OthersFromProto(request->remove_others(), "remove_others", v);
    input.reason = request->reason();
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(Consent consent,
                         book_->ChangeScope(ids[0], ids[1], std::move(input), request->etag(),
                                            caller, key));
    ToProto(consent, book_->Now(), response->mutable_consent());
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::WithdrawConsent(grpc::ServerContext* context,
                                                 const pb::WithdrawConsentRequest* request,
                                                 pb::WithdrawConsentResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids, ConsentIds(request->name()));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("WithdrawConsent", *request));
    Violations v;
    WithdrawalInput input;
    input.withdrawn_by = GiverFromProto(request->withdrawn_by(), "withdrawn_by", v);
    input.form = FormOrDefault(request->form(), "form", v);
    input.withdraw_time = OptionalTime(request->has_withdraw_time(), request->withdraw_time(),
                                       "withdraw_time", v);
    input.note = request->note();
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(Consent consent,
                         book_->Withdraw(ids[0], ids[1], std::move(input), request->etag(),
                                         caller, key));
    ToProto(consent, book_->Now(), response->mutable_consent());
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::GetConsent(grpc::ServerContext* context,
                                            const pb::GetConsentRequest* request,
                                            pb::GetConsentResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids, ConsentIds(request->name()));
    SIP_ASSIGN_OR_RETURN(Consent consent, book_->Get(ids[0], ids[1], caller));
    ToProto(consent, book_->Now(), response->mutable_consent());
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::ListConsents(grpc::ServerContext* context,
                                              const pb::ListConsentsRequest* request,
                                              pb::ListConsentsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanId(request->parent()));
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    std::optional<PageCursor> after;
    if (!request->page_token().empty()) {
      SIP_ASSIGN_OR_RETURN(after, DecodePageToken(request->page_token(), PageQueryOf(*request)));
    }
    SIP_ASSIGN_OR_RETURN(ConsentStore::Page page, book_->List(plan_id, caller, page_size, after));
    const absl::Time now = book_->Now();
    for (const Consent& c : page.consents) ToProto(c, now, response->add_consents());
    if (page.next) {
      response->set_next_page_token(EncodePageToken(*page.next, PageQueryOf(*request)));
    }
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::CheckConsent(grpc::ServerContext* context,
                                              const pb::CheckConsentRequest* request,
                                              pb::CheckConsentResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanId(request->parent()));
    Violations v;
    const int asked = request->unit_hsa_ids_size() + request->others_size();
    if (asked == 0) {
      v.Add("unit_hsa_ids", "must name at least one unit (HSA-id) or other party to check");
    } else if (asked > kMaxCheckUnits) {
      v.Add("unit_hsa_ids", absl::StrCat("must name at most ", kMaxCheckUnits,
                                         " units and other parties together; split the "
                                         "check into several calls"));
    }
    std::vector<std::string> units;
    for (int i = 0; i < request->unit_hsa_ids_size(); ++i) {
      if (!IsValidHsaId(request->unit_hsa_ids(i))) {
        v.Add(absl::StrCat("unit_hsa_ids[", i, "]"), kHsaIdFormat);
      }
      units.push_back(request->unit_hsa_ids(i));
    }
    std::vector<OtherParty> others;
    for (int i = 0; i < request->others_size(); ++i) {
      if (auto other = OtherPartyFromProto(request->others(i), absl::StrCat("others[", i, "]"), v)) {
        others.push_back(*std::move(other));
      }
    }
    SIP_RETURN_IF_ERROR(v.ToStatus());
    SIP_ASSIGN_OR_RETURN(ConsentBook::CheckResult result, book_->Check(plan_id, caller, units, others));
    for (const UnitCoverage& u : result.units) {
      auto* out = response->add_units();
      out->set_unit_hsa_id(u.unit_hsa_id);
      out->set_covered(u.covered());
      out->set_reason(ToProto(u.coverage));
      if (!u.consent_id.empty()) out->set_consent(ConsentName(plan_id, u.consent_id));
    }
    for (int i = 0; i < static_cast<int>(result.others.size()); ++i) {
      const OtherCoverage& o = result.others[i];
      auto* out = response->add_others();
      *out->mutable_other() = request->others(i);
      out->set_covered(o.covered());
      out->set_reason(ToProto(o.coverage));
      if (!o.consent_id.empty()) out->set_consent(ConsentName(plan_id, o.consent_id));
    }
    sip::ToProto(result.check_time, response->mutable_check_time());
    return absl::OkStatus();
  });
}

grpc::Status ConsentGrpcService::ListEvents(grpc::ServerContext* context,
                                            const pb::ListEventsRequest* request,
                                            pb::ListEventsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    return ServeEvents(*request, response, caller, [&](int64_t after, int limit, const std::string& reader) {
      return book_->Events(after, limit, reader);
    });
  });
}

}  // namespace sip::consent
