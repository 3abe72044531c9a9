#include "common/peer_clients.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/personnummer.h"
#include "common/service_client.h"
#include "common/status_macros.h"
#include "common/swedish_names.h"

namespace sip {

namespace {

namespace consentpb = ::sip::consent::v1;

constexpr int kMaxUnitsPerCall = 100;  // CheckConsent's limit

std::string ReasonName(consentpb::CoverageReason r) {
  const std::string name = consentpb::CoverageReason_Name(r);
  constexpr absl::string_view kPrefix = "COVERAGE_REASON_";
  return name.rfind(kPrefix.data(), 0) == 0 ? name.substr(kPrefix.size()) : name;
}

}  // namespace

GrpcConsentChecker::GrpcConsentChecker(std::shared_ptr<grpc::ChannelInterface> channel,
                                       absl::Duration timeout)
    : stub_(consentpb::ConsentService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::StatusOr<std::vector<ConsentAnswer>> GrpcConsentChecker::Check(
    const std::string& plan_id, const std::vector<std::string>& unit_hsa_ids,
    const Actor& caller) {
  std::vector<ConsentAnswer> answers;
  for (size_t start = 0; start < unit_hsa_ids.size(); start += kMaxUnitsPerCall) {
    consentpb::CheckConsentRequest request;
    request.set_parent(absl::StrCat("plans/", plan_id));
    for (size_t i = start; i < unit_hsa_ids.size() && i < start + kMaxUnitsPerCall; ++i) {
      request.add_unit_hsa_ids(unit_hsa_ids[i]);
    }
    consentpb::CheckConsentResponse response;
    auto context = PeerCallContext(caller, timeout_);
    SIP_RETURN_IF_ERROR(
        FromPeerStatus(stub_->CheckConsent(context.get(), request, &response), "consent"));
    for (const auto& unit : response.units()) {
      answers.push_back({unit.unit_hsa_id(), unit.covered(), ReasonName(unit.reason())});
    }
  }
  return answers;
}

absl::StatusOr<std::vector<ConsentAnswer>> GrpcConsentChecker::CheckOthers(
    const std::string& plan_id, const std::vector<sip::common::v1::OtherParty>& others,
    const Actor& caller) {
  std::vector<ConsentAnswer> answers;
  for (size_t start = 0; start < others.size(); start += kMaxUnitsPerCall) {
    consentpb::CheckConsentRequest request;
    request.set_parent(absl::StrCat("plans/", plan_id));
    for (size_t i = start; i < others.size() && i < start + kMaxUnitsPerCall; ++i) {
      *request.add_others() = others[i];
    }
    consentpb::CheckConsentResponse response;
    auto context = PeerCallContext(caller, timeout_);
    SIP_RETURN_IF_ERROR(
        FromPeerStatus(stub_->CheckConsent(context.get(), request, &response), "consent"));
    for (const auto& other : response.others()) {
      answers.push_back(
          {document::OtherPartyName(other.other()), other.covered(), ReasonName(other.reason())});
    }
  }
  return answers;
}

absl::StatusOr<std::vector<consentpb::Consent>> GrpcConsentChecker::List(
    const std::string& plan_id, const Actor& caller) {
  std::vector<consentpb::Consent> out;
  consentpb::ListConsentsRequest request;
  request.set_parent(absl::StrCat("plans/", plan_id));
  request.set_page_size(500);
  // A plan has a handful of consents; the pages are followed all the same, to a bound.
  for (int page = 0; page < 20; ++page) {
    consentpb::ListConsentsResponse response;
    auto context = PeerCallContext(caller, timeout_);
    SIP_RETURN_IF_ERROR(
        FromPeerStatus(stub_->ListConsents(context.get(), request, &response), "consent"));
    for (auto& c : *response.mutable_consents()) out.push_back(std::move(c));
    if (response.next_page_token().empty()) return out;
    request.set_page_token(response.next_page_token());
  }
  return absl::InternalError("the consent service's list of a plan's consents does not end");
}

GrpcMeetingReader::GrpcMeetingReader(std::shared_ptr<grpc::ChannelInterface> channel,
                                     absl::Duration timeout)
    : stub_(sip::meeting::v1::MeetingService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::StatusOr<sip::meeting::v1::Meeting> GrpcMeetingReader::Get(const std::string& name,
                                                                 const Actor& caller) {
  sip::meeting::v1::GetMeetingRequest request;
  request.set_name(name);
  sip::meeting::v1::GetMeetingResponse response;
  auto context = PeerCallContext(caller, timeout_);
  SIP_RETURN_IF_ERROR(
      FromPeerStatus(stub_->GetMeeting(context.get(), request, &response), "meeting"));
  return std::move(*response.mutable_meeting());
}

GrpcPlanCloser::GrpcPlanCloser(std::shared_ptr<grpc::ChannelInterface> channel,
                               absl::Duration timeout)
    : stub_(sip::plan::v1::PlanService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::Status GrpcPlanCloser::Close(const std::string& plan_id,
                                   sip::plan::v1::ClosureReason reason, const std::string& note,
                                   const std::string& request_id, const Actor& caller) {
  sip::plan::v1::ClosePlanRequest request;
  request.set_name(absl::StrCat("plans/", plan_id));
  request.mutable_closure()->set_reason(reason);
  request.mutable_closure()->set_note(note);
  request.set_request_id(request_id);
  sip::plan::v1::ClosePlanResponse response;
  auto context = PeerCallContext(caller, timeout_);
  absl::Status status =
      FromPeerStatus(stub_->ClosePlan(context.get(), request, &response), "plan");
  if (status.code() == absl::StatusCode::kFailedPrecondition &&
      ReasonOf(status) == "PLAN_CLOSED") {
    return absl::OkStatus();  // closed already: what was asked holds
  }
  return status;
}

GrpcPlanReader::GrpcPlanReader(std::shared_ptr<grpc::ChannelInterface> channel,
                               absl::Duration timeout)
    : stub_(sip::plan::v1::PlanService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::StatusOr<PlanFacts> GrpcPlanReader::Facts(const std::string& plan_id,
                                                const Actor& caller) {
  sip::plan::v1::GetPlanRequest request;
  request.set_name(absl::StrCat("plans/", plan_id));
  sip::plan::v1::GetPlanResponse response;
  auto context = PeerCallContext(caller, timeout_);
  SIP_RETURN_IF_ERROR(FromPeerStatus(stub_->GetPlan(context.get(), request, &response), "plan"));
  PlanFacts facts;
  facts.closed = response.plan().state() == sip::common::v1::PLAN_STATE_CLOSED;
  facts.protected_identity = response.plan().individual().protected_identity();
  facts.statutory = response.plan().kind() != sip::plan::v1::PLAN_KIND_INTERNAL;
  if (response.plan().has_need_noticed_time()) {
    facts.need_noticed_time = absl::FromUnixSeconds(response.plan().need_noticed_time().seconds());
  }
  const std::string& number = response.plan().individual().personal_identity_number();
  if (!number.empty()) {
    // The plan service stores the canonical 12 digits; no century to guess.
    auto parsed = ParsePersonalIdentityNumber(number, absl::CivilDay(2200, 1, 1));
    if (!parsed.ok()) {
      return absl::InternalError("the plan service returned an unreadable personnummer");
    }
    facts.birth_date = parsed->birth_date;
  }
  return facts;
}

namespace {

template <typename Service, typename Request, typename Response>
EventConsumer::Fetch OwnedFetch(
    std::shared_ptr<grpc::Channel> channel,
    grpc::Status (Service::Stub::*list)(grpc::ClientContext*, const Request&, Response*),
    Actor actor, absl::Duration timeout, const std::string& source) {
  std::shared_ptr<typename Service::Stub> stub = Service::NewStub(std::move(channel));
  EventConsumer::Fetch fetch = ListEventsFetch(stub.get(), list, std::move(actor), timeout, source);
  return [stub, fetch = std::move(fetch)](int64_t after, int limit) { return fetch(after, limit); };
}

}  // namespace

EventConsumer::Fetch ListEventsOf(const std::string& source,
                                  std::shared_ptr<grpc::Channel> channel, Actor actor,
                                  absl::Duration timeout) {
  if (source == "plan") {
    return OwnedFetch<sip::plan::v1::PlanService>(
        std::move(channel), &sip::plan::v1::PlanService::Stub::ListEvents, std::move(actor),
        timeout, source);
  }
  if (source == "consent") {
    return OwnedFetch<sip::consent::v1::ConsentService>(
        std::move(channel), &sip::consent::v1::ConsentService::Stub::ListEvents,
        std::move(actor), timeout, source);
  }
  return OwnedFetch<sip::meeting::v1::MeetingService>(
      std::move(channel), &sip::meeting::v1::MeetingService::Stub::ListEvents, std::move(actor),
      timeout, source);
}

}  // namespace sip
