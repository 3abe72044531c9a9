#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/event_consumer.h"
#include "common/peer_facts.h"
#include "grpcpp/channel.h"
#include "sip/consent/v1/consent.grpc.pb.h"
#include "sip/meeting/v1/meeting.grpc.pb.h"
#include "sip/plan/v1/plan.grpc.pb.h"

// The gRPC clients of peer_facts.h, through the common service client (deadline
// propagated, retries by service config, answers by meaning), on behalf of the caller.
// Make their channels with MakePeerChannel.
namespace sip {

// The consent service's CheckConsent, in calls of at most 100 units, and ListConsents.
class GrpcConsentChecker final : public ConsentChecker, public ConsentRecords {
 public:
  GrpcConsentChecker(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
  absl::StatusOr<std::vector<ConsentAnswer>> Check(const std::string& plan_id,
                                                   const std::vector<std::string>& unit_hsa_ids,
                                                   const Actor& caller) override;
  absl::StatusOr<std::vector<ConsentAnswer>> CheckOthers(
      const std::string& plan_id, const std::vector<sip::common::v1::OtherParty>& others,
      const Actor& caller) override;
  absl::StatusOr<std::vector<sip::consent::v1::Consent>> List(const std::string& plan_id,
                                                              const Actor& caller) override;

 private:
  std::unique_ptr<sip::consent::v1::ConsentService::Stub> stub_;
  absl::Duration timeout_;
};

// The plan service's GetPlan.
class GrpcPlanReader final : public PlanReader {
 public:
  GrpcPlanReader(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
  absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor& caller) override;

 private:
  std::unique_ptr<sip::plan::v1::PlanService::Stub> stub_;
  absl::Duration timeout_;
};

// The plan service's ClosePlan.
class GrpcPlanCloser final : public PlanCloser {
 public:
  GrpcPlanCloser(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
  absl::Status Close(const std::string& plan_id, sip::plan::v1::ClosureReason reason,
                     const std::string& note, const std::string& request_id,
                     const Actor& caller) override;

 private:
  std::unique_ptr<sip::plan::v1::PlanService::Stub> stub_;
  absl::Duration timeout_;
};

// The meeting service's GetMeeting.
class GrpcMeetingReader final : public MeetingReader {
 public:
  GrpcMeetingReader(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
  absl::StatusOr<sip::meeting::v1::Meeting> Get(const std::string& name,
                                                const Actor& caller) override;

 private:
  std::unique_ptr<sip::meeting::v1::MeetingService::Stub> stub_;
  absl::Duration timeout_;
};

// The events of the suite service `source` ("plan", "consent" or "meeting") through
// `channel`, read as `actor` with the common client's deadline and error mapping: an
// EventConsumer::Fetch that owns its stub.
EventConsumer::Fetch ListEventsOf(const std::string& source,
                                  std::shared_ptr<grpc::Channel> channel, Actor actor,
                                  absl::Duration timeout);

}  // namespace sip
