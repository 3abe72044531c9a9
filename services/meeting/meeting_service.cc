#include "services/meeting/meeting_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/grpc_handler.h"
#include "common/hsa_id.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/status_macros.h"

namespace sip::meeting {
namespace {

// "plans/{plan}" → plan.
absl::StatusOr<std::string> PlanOf(const std::string& name, absl::string_view field) {
  SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids, ParseResourceName(name, {"plans"}, field));
  return ids[0];
}

// "plans/{plan}/meetings/{meeting}" → (plan, meeting).
absl::StatusOr<std::pair<std::string, std::string>> MeetingOf(const std::string& name,
                                                              absl::string_view field) {
  SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       ParseResourceName(name, {"plans", "meetings"}, field));
  return std::make_pair(ids[0], ids[1]);
}

// "plans/{plan}/meetings/{meeting}/invitations/{invitation}" → (plan, meeting).
absl::StatusOr<std::pair<std::string, std::string>> InvitationOf(const std::string& name,
                                                                 absl::string_view field) {
  SIP_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       ParseResourceName(name, {"plans", "meetings", "invitations"}, field));
  return std::make_pair(ids[0], ids[1]);
}

// "units/{hsa_id}/notices/{notice}" → (hsa_id, notice); the HSA-id keeps its upper case.
absl::StatusOr<std::pair<std::string, std::string>> NoticeOf(const std::string& name) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "units" || !IsValidHsaId(parts[1]) ||
      parts[2] != "notices" || !IsValidResourceId(parts[3])) {
    return InvalidField("name",
                        "must be \"units/{hsa_id}/notices/{notice}\": your unit's HSA-id and "
                        "the notice's id as the inbox lists it");
  }
  return std::make_pair(parts[1], parts[3]);
}

// Only the caller's own unit reads its inbox and acknowledges its notices.
// The unit whose inbox is asked for; that it is the caller's own is the book's rule.
absl::Status ValidateUnit(const std::string& unit, const std::string& field) {
  if (unit.empty()) {
    return InvalidField(field, "is required: the HSA-id of your unit");
  }
  if (!IsValidHsaId(unit)) return InvalidField(field, kHsaIdFormat);
  return absl::OkStatus();
}

}  // namespace

grpc::Status MeetingGrpcService::ScheduleMeeting(grpc::ServerContext* context,
                                                 const pb::ScheduleMeetingRequest* request,
                                                 pb::ScheduleMeetingResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("ScheduleMeeting", *request));
    SIP_ASSIGN_OR_RETURN(*response, book_->Schedule(plan_id, *request, caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::GetMeeting(grpc::ServerContext* context,
                                            const pb::GetMeetingRequest* request,
                                            pb::GetMeetingResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, MeetingOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(*response->mutable_meeting(), book_->Get(ids.first, ids.second, caller));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::ListMeetings(grpc::ServerContext* context,
                                              const pb::ListMeetingsRequest* request,
                                              pb::ListMeetingsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanOf(request->parent(), "parent"));
    std::optional<pb::MeetingState> state;
    if (request->state() != pb::MEETING_STATE_UNSPECIFIED) {
      if (!pb::MeetingState_IsValid(request->state())) {
        return InvalidField("state", "must be SCHEDULED, HELD, CANCELLED or unset for all");
      }
      state = request->state();
    }
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    const std::string query = PageQueryOf(*request);
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), query));
    SIP_ASSIGN_OR_RETURN(auto page, book_->List(plan_id, caller, state, page_size, after));
    for (pb::Meeting& m : page.first) *response->add_meetings() = std::move(m);
    response->set_next_page_token(TokenFromCursor(page.second, query));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::RescheduleMeeting(grpc::ServerContext* context,
                                                   const pb::RescheduleMeetingRequest* request,
                                                   pb::RescheduleMeetingResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, MeetingOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RescheduleMeeting", *request));
    if (request->etag().empty()) {
      return InvalidField("etag",
                          "is required: the meeting's etag as you read it, so two conveners "
                          "do not overwrite each other");
    }
    if (!request->has_details()) {
      return InvalidField("details", "is required: the meeting's new time, place and purpose");
    }
    SIP_ASSIGN_OR_RETURN(*response->mutable_meeting(),
                         book_->Reschedule(ids.first, ids.second, request->details(),
                                           request->reason(), request->etag(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::AddInvitation(grpc::ServerContext* context,
                                               const pb::AddInvitationRequest* request,
                                               pb::AddInvitationResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, MeetingOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("AddInvitation", *request));
    if (!request->has_invitee()) {
      return InvalidField("invitee", "is required: the unit or party to invite");
    }
    SIP_ASSIGN_OR_RETURN(*response->mutable_invitation(),
                         book_->AddInvitation(ids.first, ids.second, request->invitee(),
                                              request->etag(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::CancelMeeting(grpc::ServerContext* context,
                                               const pb::CancelMeetingRequest* request,
                                               pb::CancelMeetingResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, MeetingOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("CancelMeeting", *request));
    SIP_ASSIGN_OR_RETURN(*response->mutable_meeting(),
                         book_->Cancel(ids.first, ids.second, request->reason(), request->etag(),
                                       caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::RecordMeetingHeld(grpc::ServerContext* context,
                                                   const pb::RecordMeetingHeldRequest* request,
                                                   pb::RecordMeetingHeldResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, MeetingOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RecordMeetingHeld", *request));
    if (!request->has_held()) {
      return InvalidField("held", "is required: when the meeting was held and who attended");
    }
    SIP_ASSIGN_OR_RETURN(*response->mutable_meeting(),
                         book_->Hold(ids.first, ids.second, *request, caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::RecordUnbookedMeeting(
    grpc::ServerContext* context, const pb::RecordUnbookedMeetingRequest* request,
    pb::RecordUnbookedMeetingResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(std::string plan_id, PlanOf(request->parent(), "parent"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("RecordUnbookedMeeting", *request));
    if (!request->has_held()) {
      return InvalidField("held", "is required: when the meeting was held");
    }
    SIP_ASSIGN_OR_RETURN(*response->mutable_meeting(),
                         book_->RecordUnbooked(plan_id, *request, caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::AnswerInvitation(grpc::ServerContext* context,
                                                  const pb::AnswerInvitationRequest* request,
                                                  pb::AnswerInvitationResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, InvitationOf(request->name(), "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("AnswerInvitation", *request));
    if (request->answer_case() == pb::AnswerInvitationRequest::ANSWER_NOT_SET) {
      return InvalidField("accept",
                          "an answer is required: accept (with who attends) or forward (to the "
                          "right unit of your principal)");
    }
    SIP_ASSIGN_OR_RETURN(*response, book_->Answer(ids.first, ids.second, *request, caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::RenderInvitation(grpc::ServerContext* context,
                                                  const pb::RenderInvitationRequest* request,
                                                  pb::RenderInvitationResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, InvitationOf(request->name(), "name"));
    if (request->format() == pb::INVITATION_FORMAT_UNSPECIFIED ||
        !pb::InvitationFormat_IsValid(request->format())) {
      return InvalidField("format", "must be TEXT, HTML or ICALENDAR");
    }
    SIP_ASSIGN_OR_RETURN(*response, book_->Render(ids.first, ids.second, request->name(),
                                                  request->format(), caller));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::ListInbox(grpc::ServerContext* context,
                                           const pb::ListInboxRequest* request,
                                           pb::ListInboxResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_RETURN_IF_ERROR(ValidateUnit(request->unit_hsa_id(), "unit_hsa_id"));
    if (!pb::InboxView_IsValid(request->view())) {
      return InvalidField("view", "must be TO_DO, ALL or unset (TO_DO)");
    }
    const bool to_do = request->view() != pb::INBOX_VIEW_ALL;
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 50, 500));
    const std::string query = PageQueryOf(*request);
    SIP_ASSIGN_OR_RETURN(auto after, CursorFromToken(request->page_token(), query));
    SIP_ASSIGN_OR_RETURN(InboxPage page,
                         book_->Inbox(request->unit_hsa_id(), caller, to_do, page_size, after));
    for (pb::InboxItem& item : page.items) *response->add_items() = std::move(item);
    response->set_next_page_token(TokenFromCursor(page.next, query));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::AcknowledgeNotice(grpc::ServerContext* context,
                                                   const pb::AcknowledgeNoticeRequest* request,
                                                   pb::AcknowledgeNoticeResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    SIP_ASSIGN_OR_RETURN(auto ids, NoticeOf(request->name()));
    SIP_RETURN_IF_ERROR(ValidateUnit(ids.first, "name"));
    SIP_ASSIGN_OR_RETURN(auto key, RequestKeyOf("AcknowledgeNotice", *request));
    SIP_ASSIGN_OR_RETURN(*response->mutable_notice(),
                         book_->Acknowledge(ids.first, ids.second, request->etag(), caller, key));
    return absl::OkStatus();
  });
}

grpc::Status MeetingGrpcService::ListEvents(grpc::ServerContext* context,
                                            const pb::ListEventsRequest* request,
                                            pb::ListEventsResponse* response) {
  return HandleCall(context, kErrorDomain, *request, [&](const Caller& caller) -> absl::Status {
    return ServeEvents(*request, response, caller, [&](int64_t after, int limit, const std::string& reader) {
      return book_->Events(after, limit, reader);
    });
  });
}

}  // namespace sip::meeting
