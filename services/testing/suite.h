#pragma once

// The consent, plan and meeting services as the suite runs them, for cross-service tests:
// each with its real book, store and gRPC adapter on a loopback port, each on its own
// schema of one test database, calling each other through the common service client, all
// on one fake clock.
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/access_extract.h"
#include "common/access_log.h"
#include "common/event_consumer.h"
#include "common/peer_clients.h"
#include "common/plan_access.h"
#include "common/server.h"
#include "common/testing/fake_clock.h"
#include "services/consent/consent_service.h"
#include "services/meeting/meeting_service.h"
#include "services/plan/plan_service.h"

namespace sip::testing {

class Suite final {
 public:
  explicit Suite(FakeClock* clock) : clock_(clock) {}
  ~Suite() { Shutdown(); }

  // Migrates and starts the three on `conninfo`.
  absl::Status Start(const std::string& conninfo);
  void Shutdown();

  // Channels as a peer calls them, and stubs for the test's own calls.
  std::shared_ptr<grpc::Channel> plan_channel, consent_channel, meeting_channel;
  std::unique_ptr<sip::plan::v1::PlanService::Stub> plan;
  std::unique_ptr<sip::consent::v1::ConsentService::Stub> consent;
  std::unique_ptr<sip::meeting::v1::MeetingService::Stub> meeting;

  // The meeting service's parts its tests reach into (its plan-event consumer).
  db::Pool* meeting_pool() { return meeting_pool_.get(); }
  // Each service's database, where its access log is (the chainer runs when a test asks).
  db::Pool* consent_pool() { return consent_pool_.get(); }
  db::Pool* plan_pool() { return plan_pool_.get(); }
  meeting::MeetingBook* meeting_book() { return meeting_book_.get(); }

  // The event consumers that keep each service's access projection, as the servers run
  // them; here they run only when a gate catches up (a refusal on what a service knows),
  // or when a test polls them. The meeting service's plan consumer also cancels a closed
  // plan's meetings.
  EventConsumer* consent_follows_plan() { return consent_plan_events_.get(); }
  EventConsumer* plan_follows_consent() { return plan_consent_events_.get(); }
  EventConsumer* plan_follows_meeting() { return plan_meeting_events_.get(); }
  EventConsumer* meeting_follows_plan() { return meeting_plan_events_.get(); }
  EventConsumer* meeting_follows_consent() { return meeting_consent_events_.get(); }

 private:
  // Lets a service be made before the one it reads from has started.
  class LatePlanReader final : public PlanReader {
   public:
    absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor& caller) override {
      return target->Facts(plan_id, caller);
    }
    PlanReader* target = nullptr;
  };
  class LateMeetingReader final : public MeetingReader {
   public:
    absl::StatusOr<sip::meeting::v1::Meeting> Get(const std::string& name,
                                                  const Actor& caller) override {
      return target->Get(name, caller);
    }
    MeetingReader* target = nullptr;
  };

  // `follower`'s consumer of `source`'s events through `channel`, on `pool`.
  std::unique_ptr<EventConsumer> Follow(db::Pool* pool, const std::string& source,
                                        std::shared_ptr<grpc::Channel> channel,
                                        const std::string& follower, EventConsumer::Apply apply);

  class LateAccessSource final : public accesslog::AccessSource {
   public:
    const std::string& service() const override { return target->service(); }
    absl::StatusOr<std::vector<accesslog::alpb::AccessEntry>> Entries(
        const std::vector<std::string>& plan_ids, absl::Time start, absl::Time end,
        int limit) override {
      return target->Entries(plan_ids, start, end, limit);
    }
    accesslog::AccessSource* target = nullptr;
  };

  FakeClock* clock_;
  LateAccessSource meeting_log_for_plan_;
  std::unique_ptr<accesslog::AccessSource> plan_own_log_, plan_consent_log_, plan_lifecycle_log_,
      meeting_log_source_;
  std::unique_ptr<accesslog::AccessLogGrpcService> consent_access_service_,
      plan_access_service_, meeting_access_service_;
  LatePlanReader plans_for_consent_;
  LateMeetingReader meetings_for_plan_;
  std::unique_ptr<db::Pool> consent_pool_, plan_pool_, meeting_pool_;
  std::unique_ptr<consent::ConsentStore> consent_store_;
  std::unique_ptr<consent::ConsentBook> consent_book_;
  std::unique_ptr<consent::ConsentGrpcService> consent_service_;
  std::unique_ptr<plan::PlanStore> plan_store_;
  std::unique_ptr<GrpcConsentChecker> plan_consent_, meeting_consent_;
  std::unique_ptr<plan::PlanBook> plan_book_;
  std::unique_ptr<plan::PlanGrpcService> plan_service_;
  std::unique_ptr<GrpcPlanReader> plan_reader_;
  std::unique_ptr<GrpcMeetingReader> meeting_reader_;
  std::unique_ptr<meeting::MeetingStore> meeting_store_;
  std::unique_ptr<meeting::MeetingBook> meeting_book_;
  std::unique_ptr<meeting::MeetingGrpcService> meeting_service_;
  std::unique_ptr<Server> consent_server_, plan_server_, meeting_server_;
  std::unique_ptr<EventConsumer> consent_plan_events_, plan_consent_events_, plan_meeting_events_,
      meeting_plan_events_, meeting_consent_events_;
  std::unique_ptr<authz::PlanGate> consent_gate_, plan_gate_, meeting_gate_;
  std::unique_ptr<accesslog::Log> consent_log_, plan_log_, meeting_log_;
};

}  // namespace sip::testing
