// The meeting store on PostgreSQL: one transaction per change with its invitations, event
// and kept answer; racing answers to one invitation (one wins); lists by plan.
#include "services/meeting/meeting_store.h"

#include <atomic>
#include <thread>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/meeting/meeting_test_data.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;
using ::testing::ElementsAre;

using testdata::kNow;
using testdata::kVcNurse;
using testdata::Request;

class MeetingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "meeting", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "meeting", 4,
                                                      absl::Seconds(5),
                                                      MeetingStore::Statements()}));
    store_ = std::make_unique<MeetingStore>(pool_.get());
  }

  // Schedules a meeting of plan p1; returns its id.
  std::string Schedule(absl::Duration from_now, std::optional<db::RequestKey> key = {}) {
    std::string id;
    auto answer = store_->Create(
        key, kNow,
        [&]() -> absl::StatusOr<StoredMeeting> {
          auto n = std::make_shared<int>(0);
          SIP_ASSIGN_OR_RETURN(pb::Meeting m,
                               NewMeeting(Request(from_now), {"p1"}, kVcNurse, kNow, [n] {
                                 return absl::StrCat("m", ++*n, "-", absl::ToUnixNanos(absl::Now()));
                               }));
          return StoredMeeting{m.name().substr(m.name().rfind('/') + 1), m, 1};
        },
        [](const StoredMeeting& s) {
          pb::MeetingEvent e;
          e.set_plan("plans/p1");
          e.mutable_scheduled()->add_invited_unit_hsa_ids("SE2120001652-S000000000002");
          return db::Effect{"p1", "meeting.scheduled", e.SerializeAsString(),
                            s.meeting.SerializeAsString()};
        });
    EXPECT_TRUE(answer.ok()) << answer.status();
    pb::Meeting m;
    if (answer.ok()) m.ParseFromString(*answer);
    return m.name().substr(m.name().rfind('/') + 1);
  }

  int Count(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1(sql)[0].as<int>();
  }

  sip::testing::TestDatabase db_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<MeetingStore> store_;
};

TEST_F(MeetingStoreTest, AMeetingIsStoredWithItsUnitInvitationsOnce) {
  const db::RequestKey key{"ScheduleMeeting", "r-1", "fp"};
  const std::string id = Schedule(absl::Hours(24 * 7), key);
  EXPECT_EQ(Schedule(absl::Hours(24 * 7), key), id) << "a retry gets the first answer";
  SIP_ASSERT_OK_AND_ASSIGN(StoredMeeting stored, store_->Get(id));
  EXPECT_EQ(stored.meeting.etag(), "\"1\"");
  EXPECT_EQ(stored.meeting.invitations_size(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.meetings"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.outbox"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.meeting_invitations WHERE state = 'PENDING'"), 2);
  EXPECT_EQ(store_->Get("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MeetingStoreTest, TwoAnswersRacingOnOneInvitationOneWins) {
  const std::string id = Schedule(absl::Hours(24 * 7));
  SIP_ASSERT_OK_AND_ASSIGN(StoredMeeting stored, store_->Get(id));
  const std::string invitation = stored.meeting.invitations(0).name();
  std::atomic<int> ok{0};
  std::atomic<int> answered{0};
  auto answer = [&](const char* who) {
    auto result = store_->Mutate(std::nullopt, id, kNow, [&](StoredMeeting& s) -> absl::StatusOr<db::Effect> {
      pb::AnswerInvitationRequest a;
      a.mutable_accept()->add_attendees()->set_name(who);
      SIP_RETURN_IF_ERROR(Answer(s.meeting, invitation, a, kVcNurse, kNow, [] { return "x"; }).status());
      return db::Effect{"p1", "meeting.accepted", pb::MeetingEvent().SerializeAsString(),
                        s.meeting.SerializeAsString()};
    });
    if (result.ok()) ++ok;
    if (ReasonOf(result.status()) == "INVITATION_ANSWERED") ++answered;
  };
  std::thread a(answer, "Anna Lind");
  std::thread b(answer, "Bo Berg");
  a.join();
  b.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.outbox WHERE event_type = 'meeting.accepted'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.meeting_invitations WHERE state = 'ACCEPTED'"), 1);
  SIP_ASSERT_OK_AND_ASSIGN(StoredMeeting after, store_->Get(id));
  EXPECT_EQ(after.meeting.etag(), "\"2\"");
  EXPECT_EQ(after.meeting.invitations(0).attendees_size(), 1);
}

TEST_F(MeetingStoreTest, APlansMeetingsSoonestFirstAndTheScheduledOnes) {
  const std::string later = Schedule(absl::Hours(24 * 20));
  const std::string sooner = Schedule(absl::Hours(24 * 3));
  const std::string middle = Schedule(absl::Hours(24 * 10));
  SIP_ASSERT_OK(store_->Mutate(std::nullopt, middle, kNow, [](StoredMeeting& s) -> absl::StatusOr<db::Effect> {
    SIP_RETURN_IF_ERROR(Cancel(s.meeting, "Sjuk", kNow));
    return db::Effect{"p1", "meeting.cancelled", pb::MeetingEvent().SerializeAsString(), ""};
  }));
  SIP_ASSERT_OK_AND_ASSIGN(auto first, store_->ListByPlan("p1", std::nullopt, 2, std::nullopt));
  ASSERT_EQ(first.first.size(), 2u);
  EXPECT_THAT(std::vector<std::string>({first.first[0].name(), first.first[1].name()}),
              ElementsAre("plans/p1/meetings/" + sooner, "plans/p1/meetings/" + middle));
  ASSERT_TRUE(first.second);
  SIP_ASSERT_OK_AND_ASSIGN(auto second, store_->ListByPlan("p1", std::nullopt, 2, first.second));
  ASSERT_EQ(second.first.size(), 1u);
  EXPECT_EQ(second.first[0].name(), "plans/p1/meetings/" + later);
  SIP_ASSERT_OK_AND_ASSIGN(auto scheduled,
                           store_->ListByPlan("p1", pb::MEETING_STATE_SCHEDULED, 10, std::nullopt));
  EXPECT_EQ(scheduled.first.size(), 2u);
  SIP_ASSERT_OK_AND_ASSIGN(auto ids, store_->ScheduledOfPlan("p1"));
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want = {sooner, later};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
}

}  // namespace
}  // namespace sip::meeting
