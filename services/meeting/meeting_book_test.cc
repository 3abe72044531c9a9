// The meeting book with the store on PostgreSQL and the plan and consent services as
// fakes: the checks before scheduling and forwarding, the warning, events, retries.
#include "services/meeting/meeting_book.h"

#include <map>
#include <set>

#include "common/calendar.h"
#include "common/event_consumer.h"
#include "sip/plan/v1/plan.pb.h"
#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/swedish_names.h"
#include "common/caller.h"
#include "common/testing/access.h"
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
  absl::StatusOr<std::vector<ConsentAnswer>> CheckOthers(
      const std::string&, const std::vector<cpb::OtherParty>& others, const Actor&) override {
    std::vector<ConsentAnswer> out;
    for (const auto& o : others) {
      const bool ok = covered.count(o.description()) > 0;
      out.push_back({document::OtherPartyName(o), ok, ok ? "COVERED" : "UNIT_NOT_IN_SCOPE"});
    }
    return out;
  }
  std::set<std::string> covered;
};

// Reads as the meeting service itself makes them: past the gate, so the book's own answers
// (NOT_FOUND…) show.
const Actor kService = ServiceActor("meeting");

class MeetingBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "meeting", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "meeting", 4,
                                                      absl::Seconds(5),
                                                      MeetingStore::Statements()}));
    store_ = std::make_unique<MeetingStore>(pool_.get());
    // Who takes part, as the plan service's events tell this service's projection.
    for (const char* plan : {"p1", "p2", "closed", "hidden"}) {
      SIP_ASSERT_OK(sip::testing::SeedParties(*pool_, plan, kVc, {kVc, kSoc, kPsy}, kVc));
    }
    gate_ = std::make_unique<authz::PlanGate>(pool_.get(), &clock_);
    book_ = std::make_unique<MeetingBook>(store_.get(), &plans_, &consent_, &clock_,
                                          MeetingBook::Options{}, gate_.get());
    PlanFacts open;
    open.need_noticed_time = kNow - absl::Hours(24 * 2);
    plans_.plans["p1"] = open;
    consent_.covered = {kVc, kSoc};
  }

  int Count(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1(sql)[0].as<int>();
  }

  // A unit's whole inbox, read `page_size` items at a time.
  std::vector<pb::InboxItem> Inbox(const std::string& unit, bool to_do, int page_size = 50) {
    std::vector<pb::InboxItem> out;
    std::optional<PageCursor> after;
    for (int pages = 0; pages < 20; ++pages) {
      auto page = book_->Inbox(unit, Actor{Unit{unit, PrincipalKind::kRegion, ""}, "user-1"},
                               to_do, page_size, after);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      out.insert(out.end(), page->items.begin(), page->items.end());
      if (!page->next) break;
      after = page->next;
    }
    return out;
  }

  static std::string Describe(const pb::InboxItem& item) {
    if (item.has_invitation()) {
      return absl::StrCat("invitation ", pb::InvitationState_Name(item.invitation().state()));
    }
    return absl::StrCat("notice ", pb::NoticeKind_Name(item.notice().kind()),
                        item.notice().has_acknowledge_time() ? " acknowledged" : "");
  }
  static std::vector<std::string> Describe(const std::vector<pb::InboxItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(Describe(i));
    return out;
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
  std::unique_ptr<authz::PlanGate> gate_;
  std::unique_ptr<MeetingBook> book_;
};

TEST_F(MeetingBookTest, SchedulingAsksThePlanAndTheConsent) {
  // A plan the service does not know is one the unit may not see (permission first).
  EXPECT_EQ(ReasonOf(book_->Schedule("nope", Request(absl::Hours(48)), kVcNurse, {}).status()),
            "NOT_VISIBLE");
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
  EXPECT_EQ(book_->Get("other-plan", meeting_id, kService).status().code(), absl::StatusCode::kNotFound);

  SIP_ASSERT_OK_AND_ASSIGN(pb::Meeting cancelled,
                           book_->Cancel("p1", meeting_id, "Den enskilde är sjuk", "", kVcNurse, {}));
  EXPECT_EQ(cancelled.state(), pb::MEETING_STATE_CANCELLED);
  EXPECT_EQ(Events(kEventCancelled), 1);
}

TEST_F(MeetingBookTest, AUnitsInboxShowsExactlyWhatIsAddressedToIt) {
  SIP_ASSERT_OK_AND_ASSIGN(auto scheduled,
                           book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, {}));
  const pb::Meeting& m = scheduled.meeting();
  const std::string meeting_id = m.name().substr(m.name().rfind('/') + 1);
  EXPECT_THAT(Describe(Inbox(kVc, true)), ElementsAre("invitation INVITATION_STATE_PENDING"));
  EXPECT_THAT(Describe(Inbox(kSoc, true)), ElementsAre("invitation INVITATION_STATE_PENDING"));
  EXPECT_TRUE(Inbox(kPsy, false).empty());
  const pb::InboxItem first = Inbox(kSoc, true)[0];
  EXPECT_EQ(first.meeting().invitations_size(), 1) << "no other unit's invitation";
  EXPECT_EQ(first.meeting().invitations(0).invitee().unit().hsa_id(), kSoc);
  EXPECT_EQ(first.meeting().details().purpose(), "Jag vill kunna bo kvar hemma");

  // The health centre forwards to psychiatry of the same region.
  consent_.covered.insert(kPsy);
  pb::AnswerInvitationRequest forward;
  forward.set_name(m.invitations(0).name());
  *forward.mutable_forward()->mutable_unit() = UnitOf(kPsy, cpb::PRINCIPAL_KIND_REGION, "14");
  SIP_ASSERT_OK(book_->Answer("p1", meeting_id, forward, kVcNurse, {}).status());
  EXPECT_THAT(Describe(Inbox(kPsy, true)),
              ElementsAre("invitation INVITATION_STATE_PENDING",
                          "notice NOTICE_KIND_FORWARDED_TO_YOU"));
  EXPECT_TRUE(Inbox(kVc, true).empty()) << "answered: out of the to-do view";
  EXPECT_THAT(Describe(Inbox(kVc, false)), ElementsAre("invitation INVITATION_STATE_FORWARDED"));

  // Rescheduling, a little later, asks every unit again; the one that forwarded is not.
  clock_.Advance(absl::Minutes(5));
  pb::MeetingDetails later = m.details();
  ToProto(kNow + absl::Hours(72), later.mutable_start_time());
  ToProto(kNow + absl::Hours(74), later.mutable_end_time());
  SIP_ASSERT_OK(book_->Reschedule("p1", meeting_id, later, "Lokalen är upptagen", "", kVcNurse, {})
                    .status());
  EXPECT_THAT(Describe(Inbox(kSoc, true)),
              ElementsAre("invitation INVITATION_STATE_PENDING", "notice NOTICE_KIND_RESCHEDULED"));
  EXPECT_THAT(Describe(Inbox(kPsy, true)),
              ElementsAre("invitation INVITATION_STATE_PENDING", "notice NOTICE_KIND_RESCHEDULED",
                          "notice NOTICE_KIND_FORWARDED_TO_YOU"))
      << "notices newest first";
  EXPECT_TRUE(Inbox(kVc, true).empty());
  // Paging walks the same entries in the same order.
  EXPECT_EQ(Describe(Inbox(kPsy, true, 1)), Describe(Inbox(kPsy, true)));

  // Acknowledging: only the unit's own notice, with a current etag.
  const pb::Notice notice = Inbox(kSoc, true)[1].notice();
  const std::string notice_id = notice.name().substr(notice.name().rfind('/') + 1);
  const Actor social{{kSoc, PrincipalKind::kMunicipality, "", "1482"}, "handlaggare-2"};
  const Actor psychiatry{{kPsy, PrincipalKind::kRegion, "", "14"}, "sjukskoterska-3"};
  EXPECT_EQ(ReasonOf(book_->Acknowledge(kSoc, notice_id, "", kVcNurse, {}).status()),
            "NOT_YOUR_UNIT");
  EXPECT_EQ(book_->Acknowledge(kPsy, notice_id, "", psychiatry, {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(book_->Acknowledge(kSoc, notice_id, "\"7\"", social, {}).status().code(),
            absl::StatusCode::kAborted);
  SIP_ASSERT_OK_AND_ASSIGN(pb::Notice acked,
                           book_->Acknowledge(kSoc, notice_id, notice.etag(), social, {}));
  EXPECT_EQ(acked.acknowledged_by().user_id(), "handlaggare-2");
  EXPECT_NE(acked.etag(), notice.etag());
  EXPECT_THAT(Describe(Inbox(kSoc, true)), ElementsAre("invitation INVITATION_STATE_PENDING"));
  EXPECT_THAT(Describe(Inbox(kSoc, false)),
              ElementsAre("invitation INVITATION_STATE_PENDING",
                          "notice NOTICE_KIND_RESCHEDULED acknowledged"))
      << "history keeps it";
  // Acknowledging again changes nothing.
  SIP_ASSERT_OK_AND_ASSIGN(pb::Notice again, book_->Acknowledge(kSoc, notice_id, "", social, {}));
  EXPECT_EQ(again.acknowledged_by().user_id(), "handlaggare-2");

  // Once the meeting is held, an invitation never answered awaits nothing.
  clock_.Advance(absl::Hours(75));
  pb::RecordMeetingHeldRequest hold;
  ToProto(kNow + absl::Hours(72), hold.mutable_held()->mutable_start_time());
  ToProto(kNow + absl::Hours(74), hold.mutable_held()->mutable_end_time());
  SIP_ASSERT_OK(book_->Hold("p1", meeting_id, hold, kVcNurse, {}).status());
  EXPECT_TRUE(Inbox(kSoc, true).empty());
  EXPECT_EQ(Inbox(kSoc, false).size(), 2u);
}

TEST_F(MeetingBookTest, AddingAnInvitationAndRecordingAnUnbookedMeeting) {
  SIP_ASSERT_OK_AND_ASSIGN(auto scheduled,
                           book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, {}));
  const std::string meeting_id =
      scheduled.meeting().name().substr(scheduled.meeting().name().rfind('/') + 1);
  pb::Invitee psy;
  *psy.mutable_unit() = UnitOf(kPsy, cpb::PRINCIPAL_KIND_REGION, "14");
  EXPECT_EQ(ReasonOf(book_->AddInvitation("p1", meeting_id, psy, "", kVcNurse, {}).status()),
            "CONSENT_NOT_ACTIVE");
  consent_.covered.insert(kPsy);
  SIP_ASSERT_OK_AND_ASSIGN(pb::Invitation inv,
                           book_->AddInvitation("p1", meeting_id, psy, "", kVcNurse, {}));
  EXPECT_EQ(inv.state(), pb::INVITATION_STATE_PENDING);
  EXPECT_EQ(inv.sent().purpose(), "Jag vill kunna bo kvar hemma");
  EXPECT_THAT(Describe(Inbox(kPsy, true)), ElementsAre("invitation INVITATION_STATE_PENDING"));
  EXPECT_EQ(book_->AddInvitation("p1", meeting_id, psy, "", kVcNurse, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A relative is invited only with the person's consent to it.
  pb::Invitee daughter;
  daughter.mutable_other()->set_kind(cpb::OTHER_PARTY_KIND_RELATIVE);
  daughter.mutable_other()->set_description("Dotter");
  const absl::Status uncovered =
      book_->AddInvitation("p1", meeting_id, daughter, "", kVcNurse, {}).status();
  EXPECT_EQ(ReasonOf(uncovered), "CONSENT_NOT_ACTIVE");
  ASSERT_EQ(PreconditionViolationsOf(uncovered).size(), 1u);
  EXPECT_EQ(PreconditionViolationsOf(uncovered)[0].subject, "Närstående: Dotter");
  consent_.covered.insert("Dotter");
  SIP_ASSERT_OK(book_->AddInvitation("p1", meeting_id, daughter, "", kVcNurse, {}).status());
  // Each invitation added is an event, which the other services' access projections
  // follow (the refused ones are not).
  EXPECT_EQ(Events(kEventInvitationAdded), 2);

  PlanFacts hidden;
  hidden.protected_identity = true;
  plans_.plans["hidden"] = hidden;
  pb::RecordUnbookedMeetingRequest unbooked;
  unbooked.set_kind(pb::MEETING_KIND_INITIAL);
  unbooked.set_mode(pb::MEETING_MODE_TELEPHONE);
  ToProto(kNow - absl::Hours(3), unbooked.mutable_held()->mutable_start_time());
  ToProto(kNow - absl::Hours(2), unbooked.mutable_held()->mutable_end_time());
  SIP_ASSERT_OK_AND_ASSIGN(pb::Meeting held,
                           book_->RecordUnbooked("hidden", unbooked, kVcNurse, {}));
  EXPECT_EQ(held.state(), pb::MEETING_STATE_HELD);
  EXPECT_TRUE(held.unbooked());
  EXPECT_TRUE(held.invitations().empty());
  EXPECT_EQ(Events(kEventHeld), 1);
  ToProto(kNow + absl::Hours(1), unbooked.mutable_held()->mutable_start_time());
  ToProto(kNow + absl::Hours(2), unbooked.mutable_held()->mutable_end_time());
  EXPECT_EQ(book_->RecordUnbooked("hidden", unbooked, kVcNurse, {}).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "a meeting in the future cannot be recorded as held";
}

// The plan service's events as the consumer reads them: a closing of p1 among others.
class FakePlanEvents {
 public:
  EventConsumer::Fetch Fetch() {
    return [this](int64_t after, int limit) -> absl::StatusOr<std::vector<SourceEvent>> {
      std::vector<SourceEvent> out;
      for (const auto& e : events) {
        if (e.sequence > after && static_cast<int>(out.size()) < limit) out.push_back(e);
      }
      return out;
    };
  }
  void Add(const std::string& plan, bool closed) {
    sip::plan::v1::PlanEvent e;
    e.set_sequence(static_cast<int64_t>(events.size()) + 1);
    e.set_plan(plan);
    e.set_actor_unit_hsa_id(kSoc);
    if (closed) {
      e.mutable_closed();
    } else {
      e.mutable_content_updated();
    }
    events.push_back({e.sequence(), kNow, e.SerializeAsString()});
  }
  std::vector<SourceEvent> events;
};

TEST_F(MeetingBookTest, APlansClosingCancelsItsScheduledMeetingsOnceWithNotices) {
  SIP_ASSERT_OK_AND_ASSIGN(auto a, book_->Schedule("p1", Request(absl::Hours(48)), kVcNurse, {}));
  SIP_ASSERT_OK_AND_ASSIGN(auto b, book_->Schedule("p1", Request(absl::Hours(96)), kVcNurse, {}));
  plans_.plans["p2"] = plans_.plans["p1"];
  SIP_ASSERT_OK_AND_ASSIGN(auto other,
                           book_->Schedule("p2", Request(absl::Hours(48)), kVcNurse, {}));
  const std::string b_id = b.meeting().name().substr(b.meeting().name().rfind('/') + 1);
  SIP_ASSERT_OK(book_->Cancel("p1", b_id, "Flyttas till våren", "", kVcNurse, {}).status());

  FakePlanEvents source;
  source.Add("plans/p1", false);
  source.Add("plans/p1", true);
  source.Add("plans/p2", false);
  // The first consumer fails after applying the closing, mid-page: the page rolls back.
  bool fail = true;
  auto apply = [&](pqxx::work& txn, const SourceEvent& e) -> absl::Status {
    SIP_RETURN_IF_ERROR(book_->ApplyPlanEvent(txn, e));
    if (fail && e.sequence == 3) return absl::UnavailableError("stopped mid-page");
    return absl::OkStatus();
  };
  {
    EventConsumer crashed(pool_.get(), &clock_, {"plan", 100, absl::Seconds(1)}, source.Fetch(),
                          apply);
    EXPECT_FALSE(crashed.PollOnce().ok());
  }
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.meeting_notices WHERE kind = 'PLAN_CLOSED'"), 0)
      << "rolled back";
  fail = false;
  EventConsumer restarted(pool_.get(), &clock_, {"plan", 100, absl::Seconds(1)}, source.Fetch(),
                          apply);
  SIP_ASSERT_OK_AND_ASSIGN(int applied, restarted.PollOnce());
  EXPECT_EQ(applied, 3);
  SIP_ASSERT_OK_AND_ASSIGN(int again, restarted.PollOnce());
  EXPECT_EQ(again, 0);

  const std::string a_id = a.meeting().name().substr(a.meeting().name().rfind('/') + 1);
  SIP_ASSERT_OK_AND_ASSIGN(pb::Meeting closed_a, book_->Get("p1", a_id, kService));
  EXPECT_EQ(closed_a.state(), pb::MEETING_STATE_CANCELLED);
  EXPECT_EQ(closed_a.cancel_reason(), kPlanClosedReason);
  const std::string other_id =
      other.meeting().name().substr(other.meeting().name().rfind('/') + 1);
  SIP_ASSERT_OK_AND_ASSIGN(pb::Meeting untouched, book_->Get("p2", other_id, kService));
  EXPECT_EQ(untouched.state(), pb::MEETING_STATE_SCHEDULED);
  // Each invited unit of meeting a got one PLAN_CLOSED notice; b's were CANCELLED ones.
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.meeting_notices WHERE kind = 'PLAN_CLOSED'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM meeting.meeting_notices WHERE kind = 'CANCELLED'"), 2);
  EXPECT_EQ(Events(kEventCancelled), 2);
  std::vector<std::string> soc = Describe(Inbox(kSoc, true));
  EXPECT_EQ(std::count(soc.begin(), soc.end(), "notice NOTICE_KIND_PLAN_CLOSED"), 1);
}

}  // namespace
}  // namespace sip::meeting
