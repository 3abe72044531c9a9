// The meeting book with the store on PostgreSQL and the plan and consent services as
// fakes: the checks before scheduling and forwarding, the warning, events, retries.
#include "services/meeting/meeting_book.h"

#include <map>
#include <set>

#include "common/calendar.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/testing/fake_clock.h"
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
using testdata::kPsy;
using testdata::kSoc;
using testdata::kVc;
using testdata::kVcNurse;
using testdata::Request;
using testdata::UnitOf;

class FakePlans final : public PlanReader {
 public:
  absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor&) override {
    auto it = plans.find(plan_id);
    if (it == plans.end()) return NotFound("PLAN_NOT_FOUND", "no such plan");
    return it->second;
  }
  std::map<std::string, PlanFacts> plans;
};

class FakeConsent final : public ConsentChecker {
 public:
  absl::StatusOr<std::vector<ConsentAnswer>> Check(const std::string&,
                                                   const std::vector<std::string>& units,
                                                   const Actor&) override {
    std::vector<ConsentAnswer> out;
    for (const auto& u : units) {
      const bool ok = covered.count(u) > 0;
      out.push_back({u, ok, ok ? "COVERED" : "UNIT_NOT_IN_SCOPE"});
    }
    return out;
  }
  std::set<std::string> covered;
};

class MeetingBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "meeting", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "meeting", 4,
                                                      absl::Seconds(5),
                                                      MeetingStore::Statements()}));
    store_ = std::make_unique<MeetingStore>(pool_.get());
    book_ = std::make_unique<MeetingBook>(store_.get(), &plans_, &consent_, &clock_,
                                          MeetingBook::Options{});
    PlanFacts open;
    open.need_noticed_time = kNow - absl::Hours(24 * 2);
    plans_.plans["p1"] = open;
    consent_.covered = {kVc, kSoc};
  }

  int Events(const std::string& type) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec_params1("SELECT count(*) FROM meeting.outbox WHERE event_type = $1", type)[0]
        .as<int>();
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{kNow};
  FakePlans plans_;
  FakeConsent consent_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<MeetingStore> store_;
  std::unique_ptr<MeetingBook> book_;
};

TEST_F(MeetingBookTest, SchedulingAsksThePlanAndTheConsent) {
  EXPECT_EQ(ReasonOf(book_->Schedule("nope", Request(absl::Hours(48)), kVcNurse, {}).status()),
            "PLAN_NOT_FOUND");
  PlanFacts closed;
  closed.closed = true;
  plans_.plans["closed"] = closed;
  EXPECT_EQ(ReasonOf(book_->Schedule("closed", Request(absl::Hours(48)), kVcNurse, {}).status()),
            "PLAN_CLOSED");
  PlanFacts hidden;
  hidden.protected_identity = true;
  plans_.plans["hidden"] = hidden;
  EXPECT_EQ(ReasonOf(book_->Schedule("hidden", Request(absl::Hours(48)), kVcNurse, {}).status()),
            "PROTECTED_IDENTITY");
  consent_.covered = {kVc};
  const absl::Status uncovered = book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, {}).status();
  EXPECT_EQ(ReasonOf(uncovered), "CONSENT_NOT_ACTIVE");
  ASSERT_EQ(PreconditionViolationsOf(uncovered).size(), 1u);
  EXPECT_EQ(PreconditionViolationsOf(uncovered)[0].subject, kSoc);
  EXPECT_EQ(Events(kEventScheduled), 0) << "nothing scheduled while refused";

  consent_.covered = {kVc, kSoc};
  const db::RequestKey key{"ScheduleMeeting", "r-1", "fp"};
  SIP_ASSERT_OK_AND_ASSIGN(auto first, book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, key));
  EXPECT_EQ(first.meeting().state(), pb::MEETING_STATE_SCHEDULED);
  EXPECT_TRUE(first.warnings().empty()) << "within three weeks of the need";
  plans_.plans["p1"].closed = true;  // a retry is answered even so
  SIP_ASSERT_OK_AND_ASSIGN(auto again, book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, key));
  EXPECT_EQ(again.meeting().name(), first.meeting().name());
  EXPECT_EQ(Events(kEventScheduled), 1);
}

TEST_F(MeetingBookTest, ALateInitialMeetingIsScheduledWithAWarning) {
  SIP_ASSERT_OK_AND_ASSIGN(auto late,
                           book_->Schedule("p1", Request(absl::Hours(24 * 25)), kVcNurse, {}));
  ASSERT_EQ(late.warnings_size(), 1);
  EXPECT_EQ(late.warnings(0).code(), "INITIAL_MEETING_AFTER_TARGET");
  EXPECT_EQ(DayFromProto(late.warnings(0).date()), DayInSweden(kNow - absl::Hours(48)) + 21);
}

TEST_F(MeetingBookTest, AForwardNeedsConsentForTheNewUnitAndEtagsGuardAnswers) {
  SIP_ASSERT_OK_AND_ASSIGN(auto scheduled,
                           book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, {}));
  const pb::Meeting& m = scheduled.meeting();
  const std::string meeting_id = m.name().substr(m.name().rfind('/') + 1);
  pb::AnswerInvitationRequest forward;
  forward.set_name(m.invitations(0).name());
  *forward.mutable_forward()->mutable_unit() = UnitOf(kPsy, cpb::PRINCIPAL_KIND_REGION, "14");
  EXPECT_EQ(ReasonOf(book_->Answer("p1", meeting_id, forward, kVcNurse, {}).status()),
            "CONSENT_NOT_ACTIVE");
  consent_.covered.insert(kPsy);
  forward.set_etag("\"9\"");
  EXPECT_EQ(book_->Answer("p1", meeting_id, forward, kVcNurse, {}).status().code(),
            absl::StatusCode::kAborted);
  forward.set_etag(m.etag());
  SIP_ASSERT_OK_AND_ASSIGN(auto answered, book_->Answer("p1", meeting_id, forward, kVcNurse, {}));
  EXPECT_EQ(answered.invitation().state(), pb::INVITATION_STATE_FORWARDED);
  EXPECT_EQ(answered.forwarded_invitation().invitee().unit().hsa_id(), kPsy);
  EXPECT_EQ(Events(kEventForwarded), 1);
  EXPECT_EQ(book_->Get("other-plan", meeting_id).status().code(), absl::StatusCode::kNotFound);

  SIP_ASSERT_OK_AND_ASSIGN(pb::Meeting cancelled,
                           book_->Cancel("p1", meeting_id, "Den enskilde är sjuk", "", kVcNurse, {}));
  EXPECT_EQ(cancelled.state(), pb::MEETING_STATE_CANCELLED);
  EXPECT_EQ(Events(kEventCancelled), 1);
}

}  // namespace
}  // namespace sip::meeting
