#pragma once

#include "services/meeting/meeting_book.h"
#include "sip/meeting/v1/meeting.grpc.pb.h"

namespace sip::meeting {

// The ErrorInfo domain of this service's errors.
inline constexpr char kErrorDomain[] = "meeting.sip.v1";

// The gRPC adapter: resource names, required fields, the caller's own unit for the inbox
// and notices, page tokens; the book does the rest.
class MeetingGrpcService final : public pb::MeetingService::Service {
 public:
  explicit MeetingGrpcService(MeetingBook* book) : book_(book) {}

  grpc::Status ScheduleMeeting(grpc::ServerContext* context,
                               const pb::ScheduleMeetingRequest* request,
                               pb::ScheduleMeetingResponse* response) override;
  grpc::Status GetMeeting(grpc::ServerContext* context, const pb::GetMeetingRequest* request,
                          pb::GetMeetingResponse* response) override;
  grpc::Status ListMeetings(grpc::ServerContext* context, const pb::ListMeetingsRequest* request,
                            pb::ListMeetingsResponse* response) override;
  grpc::Status RescheduleMeeting(grpc::ServerContext* context,
                                 const pb::RescheduleMeetingRequest* request,
                                 pb::RescheduleMeetingResponse* response) override;
  grpc::Status AddInvitation(grpc::ServerContext* context, const pb::AddInvitationRequest* request,
                             pb::AddInvitationResponse* response) override;
  grpc::Status CancelMeeting(grpc::ServerContext* context, const pb::CancelMeetingRequest* request,
                             pb::CancelMeetingResponse* response) override;
  grpc::Status RecordMeetingHeld(grpc::ServerContext* context,
                                 const pb::RecordMeetingHeldRequest* request,
                                 pb::RecordMeetingHeldResponse* response) override;
  grpc::Status RecordUnbookedMeeting(grpc::ServerContext* context,
                                     const pb::RecordUnbookedMeetingRequest* request,
                                     pb::RecordUnbookedMeetingResponse* response) override;
  grpc::Status AnswerInvitation(grpc::ServerContext* context,
                                const pb::AnswerInvitationRequest* request,
                                pb::AnswerInvitationResponse* response) override;
  grpc::Status RenderInvitation(grpc::ServerContext* context,
                                const pb::RenderInvitationRequest* request,
                                pb::RenderInvitationResponse* response) override;
  grpc::Status ListInbox(grpc::ServerContext* context, const pb::ListInboxRequest* request,
                         pb::ListInboxResponse* response) override;
  grpc::Status AcknowledgeNotice(grpc::ServerContext* context,
                                 const pb::AcknowledgeNoticeRequest* request,
                                 pb::AcknowledgeNoticeResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const pb::ListEventsRequest* request,
                          pb::ListEventsResponse* response) override;

 private:
  MeetingBook* book_;
};

}  // namespace sip::meeting
