// libFuzzer: a ScheduleMeetingRequest or AnswerInvitationRequest as the meeting service
// receives it — the request guard, then the domain (NewMeeting and rendering its letters
// and calendar entries; Answer and the notices it owes). Invariants: the answer is OK or
// a refusal a client can act on (INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED,
// NOT_FOUND), never a crash, never another code; every calendar line is at most 75
// octets and ends in CRLF.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/document.h"
#include "common/proto_convert.h"
#include "common/request_guard.h"
#include "google/protobuf/stubs/logging.h"
#include "services/meeting/invitation.h"
#include "services/meeting/meeting.h"

namespace {

namespace pb = ::sip::meeting::v1;
const sip::Actor kCaller{{"SE2321000131-E000000000001", sip::PrincipalKind::kRegion, "", "14"},
                         "fuzz"};
const absl::Time kNow = absl::FromUnixSeconds(1764000000);

void Expect(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kNotFound:
      return;
    default:
      std::abort();
  }
}

sip::meeting::NewIdFn Ids() {
  auto n = std::make_shared<int>(0);
  return [n] { return absl::StrCat("id", ++*n); };
}

void CheckCalendar(const std::string& ics) {
  size_t start = 0;
  while (start < ics.size()) {
    const size_t end = ics.find("\r\n", start);
    if (end == std::string::npos || end - start > 75) std::abort();
    start = end + 2;
  }
}

void RenderAll(const pb::Meeting& m) {
  for (const pb::Invitation& inv : m.invitations()) {
    const sip::document::Document letter = sip::meeting::InvitationLetter(m, inv);
    sip::document::RenderText(letter);
    const std::string html = sip::document::RenderHtml(letter);
    if (html.find("<script") != std::string::npos) std::abort();  // every value escaped
    CheckCalendar(sip::meeting::InvitationICalendar(m, inv, kNow));
  }
}

// A meeting to answer: the health centre and social services invited.
pb::Meeting Scheduled() {
  pb::ScheduleMeetingRequest r;
  r.set_kind(pb::MEETING_KIND_INITIAL);
  sip::ToProto(kNow + absl::Hours(48), r.mutable_details()->mutable_start_time());
  sip::ToProto(kNow + absl::Hours(50), r.mutable_details()->mutable_end_time());
  r.mutable_details()->set_mode(pb::MEETING_MODE_TELEPHONE);
  r.mutable_details()->set_purpose("Bo kvar hemma");
  r.mutable_details()->add_questions("Medicinerna?");
  auto* vc = r.add_invitees()->mutable_unit();
  vc->set_hsa_id("SE2321000131-E000000000001");
  vc->set_principal(sip::common::v1::PRINCIPAL_KIND_REGION);
  vc->set_principal_code("14");
  auto* soc = r.add_invitees()->mutable_unit();
  soc->set_hsa_id("SE2120001652-S000000000002");
  soc->set_principal(sip::common::v1::PRINCIPAL_KIND_MUNICIPALITY);
  soc->set_principal_code("1482");
  auto m = sip::meeting::NewMeeting(r, {"p1"}, kCaller, kNow, Ids());
  if (!m.ok()) std::abort();
  return *m;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    pb::ScheduleMeetingRequest request;
    if (!request.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
    const absl::Status shape = sip::CheckRequestShape(request);
    Expect(shape);
    if (!shape.ok()) return 0;
    auto meeting = sip::meeting::NewMeeting(request, {"p1"}, kCaller, kNow, Ids());
    Expect(meeting.status());
    if (!meeting.ok()) return 0;
    RenderAll(*meeting);
    pb::Meeting moved = *meeting;
    Expect(sip::meeting::Reschedule(moved, request.details(), "", kNow));
    sip::meeting::NoticesOf(*meeting, moved, pb::NOTICE_KIND_CANCELLED, kNow, Ids());
    RenderAll(moved);
  } else {
    pb::AnswerInvitationRequest request;
    if (!request.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
    const absl::Status shape = sip::CheckRequestShape(request);
    Expect(shape);
    if (!shape.ok()) return 0;
    const pb::Meeting before = Scheduled();
    pb::Meeting m = before;
    // The fuzzed name, or the health centre's own invitation.
    const std::string name =
        request.name().empty() ? m.invitations(0).name() : request.name();
    Expect(sip::meeting::Answer(m, name, request, kCaller, kNow, Ids()).status());
    sip::meeting::NoticesOf(before, m, pb::NOTICE_KIND_CANCELLED, kNow, Ids());
    RenderAll(m);
  }
  return 0;
}
