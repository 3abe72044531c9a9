// The timeline's rules with the shipped policies and a clock moved by hand: each deadline
// opened by its fact, met, or breached one minute after it falls due and not one minute
// before; forfeiture, automatic closure and the closures beyond time, each once; replays
// change nothing.
#include "services/lifecycle/timeline.h"

#include <algorithm>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::lifecycle {
namespace {

namespace planpb = ::sip::plan::v1;
namespace meetingpb = ::sip::meeting::v1;
using ::testing::ElementsAre;
using Kind = Fact::Kind;

constexpr char kInitiator[] = "SE2321000131-E000000000001";
constexpr char kCoordinator[] = "SE2120001652-S000000000002";
constexpr char kCareContact[] = "SE2321000131-P000000000003";

absl::Time At(int y, int m, int d, int hh = 10) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), Stockholm());
}
absl::Time EndOf(int y, int m, int d) { return StartOfDayInSweden(absl::CivilDay(y, m, d) + 1); }

class TimelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = Policies::LoadDirectory(SIP_POLICIES_DIR);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    policies_ = *std::move(loaded);
  }

  Fact F(Kind kind, absl::Time time) {
    Fact f;
    f.kind = kind;
    f.plan_id = "p1";
    f.time = time;
    f.source = absl::StrCat("test/", ++sequence_);
    f.actor_unit_hsa_id = kInitiator;
    return f;
  }
  Effects Initiate(Timeline& t, absl::Time noticed, const std::string& region,
                   std::optional<absl::Time> discharge = std::nullopt) {
    Fact f = F(Kind::kInitiated, noticed);
    f.need_noticed_time = noticed;
    f.region_code = region;
    f.discharge_time = discharge;
    if (discharge) f.unit_hsa_id = kCareContact;
    return Apply(t, f, policies_);
  }
  Effects Establish(Timeline& t, absl::Time when,
                    std::optional<absl::CivilDay> next = std::nullopt) {
    Fact f = F(Kind::kEstablished, when);
    f.unit_hsa_id = kCoordinator;
    f.next_follow_up_date = next;
    return Apply(t, f, policies_);
  }

  static const Deadline* Of(const Timeline& t, pb::DeadlineRule rule, bool latest = true) {
    const Deadline* found = nullptr;
    for (const Deadline& d : t.deadlines) {
      if (d.rule == rule && (found == nullptr || latest)) found = &d;
    }
    return found;
  }
  static std::vector<pb::LifecycleEvent::PayloadCase> Kinds(const Effects& e) {
    std::vector<pb::LifecycleEvent::PayloadCase> out;
    for (const auto& ev : e.events) out.push_back(ev.payload_case());
    return out;
  }

  Policies policies_ = *Policies::FromTexts({{"d", R"pb(version: "0")pb"}});
  int sequence_ = 0;
};

TEST_F(TimelineTest, StartWithoutDelayIsMetByConsentOrBreachedAMinuteAfterItIsDue) {
  Timeline t;
  Initiate(t, At(2026, 11, 25), "12");
  const Deadline* start = Of(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start->due_time, EndOf(2026, 11, 28));
  EXPECT_EQ(start->responsible_unit_hsa_id, kInitiator);
  EXPECT_EQ(start->policy_version, "2023-05-04");
  EXPECT_TRUE(Sweep(t, start->due_time - absl::Minutes(1), policies_).events.empty());
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY)->state, DeadlineState::kPending);
  Effects breached = Sweep(t, start->due_time + absl::Minutes(1), policies_);
  EXPECT_THAT(Kinds(breached), ElementsAre(pb::LifecycleEvent::kDeadlineBreached));
  EXPECT_TRUE(Sweep(t, start->due_time + absl::Hours(1), policies_).events.empty()) << "once";
  // Met late: both times kept.
  Effects met = Apply(t, F(Kind::kConsentRecorded, At(2026, 12, 1)), policies_);
  EXPECT_THAT(Kinds(met), ElementsAre(pb::LifecycleEvent::kDeadlineMet));
  EXPECT_EQ(met.events[0].deadline_met().deadline(), "plans/p1/deadlines/0");
  EXPECT_EQ(breached.events[0].deadline_breached().deadline(), "plans/p1/deadlines/0");
  start = Of(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY);
  EXPECT_EQ(start->state, DeadlineState::kMet);
  EXPECT_EQ(start->breach_time, EndOf(2026, 11, 28));
  EXPECT_EQ(start->met_time, At(2026, 12, 1));

  // In time: a meeting scheduled the next day meets it, and nothing is breached.
  Timeline on_time;
  Initiate(on_time, At(2026, 11, 25), "14");
  Apply(on_time, F(Kind::kMeetingScheduled, At(2026, 11, 26)), policies_);
  EXPECT_EQ(Of(on_time, pb::DEADLINE_RULE_START_WITHOUT_DELAY)->state, DeadlineState::kMet);
}

TEST_F(TimelineTest, TheMeetingWithinThreeWeeksCountsFromWhenTheNeedWasNoticed) {
  Timeline t;
  Initiate(t, At(2026, 11, 25), "14");
  const Deadline* meeting = Of(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS);
  ASSERT_NE(meeting, nullptr);
  EXPECT_EQ(meeting->due_time, EndOf(2026, 12, 16));
  Fact held = F(Kind::kMeetingHeld, At(2026, 12, 16, 14));
  held.meeting_kind = meetingpb::MEETING_KIND_INITIAL;
  Apply(t, held, policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS)->state, DeadlineState::kMet);
  EXPECT_EQ(t.first_meeting_time, At(2026, 12, 16, 14));
  EXPECT_TRUE(Sweep(t, At(2026, 12, 20), policies_).events.empty());
}

TEST_F(TimelineTest, ALaterMeetingAgreedForThePersonsSakeIsMetByAgreement) {
  Timeline t;
  Initiate(t, At(2026, 11, 25), "14");
  // Not before the policy's day, not without a reason, not half a year on.
  EXPECT_EQ(AgreeLaterMeeting(t, absl::CivilDay(2026, 12, 10), "Efter operationen", At(2026, 11, 26))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AgreeLaterMeeting(t, absl::CivilDay(2027, 1, 8), " ", At(2026, 11, 26)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AgreeLaterMeeting(t, absl::CivilDay(2027, 6, 1), "Senare", At(2026, 11, 26)).code(),
            absl::StatusCode::kInvalidArgument);
  SIP_ASSERT_OK(AgreeLaterMeeting(t, absl::CivilDay(2027, 1, 8),
                                  "Personen opereras i december och vill träffas efter",
                                  At(2026, 11, 26)));
  const Deadline* meeting = Of(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS);
  EXPECT_EQ(meeting->due_time, EndOf(2027, 1, 8));
  EXPECT_TRUE(meeting->by_agreement);
  // Past the policy's three weeks, nothing is breached; a meeting held by the agreed day
  // meets it.
  Apply(t, F(Kind::kConsentRecorded, At(2026, 11, 26)), policies_);
  EXPECT_TRUE(Sweep(t, At(2026, 12, 20), policies_).events.empty());
  Fact held = F(Kind::kMeetingHeld, At(2027, 1, 7));
  held.meeting_kind = meetingpb::MEETING_KIND_INITIAL;
  Apply(t, held, policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS)->state, DeadlineState::kMet);
  EXPECT_FALSE(Of(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS)->breach_time);
  EXPECT_EQ(AgreeLaterMeeting(t, absl::CivilDay(2027, 2, 1), "Igen", At(2027, 1, 8)).code(),
            absl::StatusCode::kFailedPrecondition)
      << "met already";
}

TEST_F(TimelineTest, InvitationAfterDischargeCountsWorkingDaysForTheCareContact) {
  Timeline t;
  // Discharged Tuesday 22 December 2026: three working days end on Tuesday 29th.
  Initiate(t, At(2026, 12, 21), "14", At(2026, 12, 22));
  const Deadline* invite = Of(t, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE);
  ASSERT_NE(invite, nullptr);
  EXPECT_EQ(invite->due_time, EndOf(2026, 12, 29));
  EXPECT_EQ(invite->responsible_unit_hsa_id, kCareContact);
  Sweep(t, EndOf(2026, 12, 29) + absl::Minutes(1), policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE)->state, DeadlineState::kBreached);
  // No discharge, no such deadline.
  Timeline plain;
  Initiate(plain, At(2026, 12, 21), "14");
  EXPECT_EQ(Of(plain, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE), nullptr);
}

TEST_F(TimelineTest, TheYearlyFollowUpIsDueAtTheAgreedDateAndAtMostAYearOn) {
  Timeline t;
  Initiate(t, At(2026, 1, 10), "12");
  Establish(t, At(2026, 1, 31), absl::CivilDay(2026, 6, 15));
  const Deadline* follow_up = Of(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP);
  ASSERT_NE(follow_up, nullptr);
  EXPECT_EQ(follow_up->due_time, EndOf(2026, 6, 15)) << "the agreed date, before the year";
  EXPECT_EQ(follow_up->responsible_unit_hsa_id, kCoordinator);
  Fact recorded = F(Kind::kFollowUpRecorded, At(2026, 6, 10));
  Apply(t, recorded, policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP, false)->state, DeadlineState::kMet);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP)->due_time, EndOf(2027, 6, 10))
      << "no date agreed: a year from the follow-up";
  // A follow-up meeting held counts as the follow-up too.
  Fact meeting = F(Kind::kMeetingHeld, At(2027, 5, 2));
  meeting.meeting_kind = meetingpb::MEETING_KIND_FOLLOW_UP;
  Apply(t, meeting, policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP)->due_time, EndOf(2028, 5, 2));
}

TEST_F(TimelineTest, AChangeOfCircumstancesAsksForARevision) {
  Timeline t;
  Initiate(t, At(2026, 1, 10), "12");
  Establish(t, At(2026, 1, 20));
  Fact moved = F(Kind::kCircumstancesChanged, At(2026, 3, 1));
  moved.circumstance = planpb::CIRCUMSTANCE_KIND_MOVED_MUNICIPALITY;
  Apply(t, moved, policies_);
  const Deadline* revision = Of(t, pb::DEADLINE_RULE_REVISION_AFTER_CHANGE);
  ASSERT_NE(revision, nullptr);
  EXPECT_EQ(revision->due_time, EndOf(2026, 3, 31));
  EXPECT_EQ(revision->responsible_unit_hsa_id, kCoordinator);
  Apply(t, F(Kind::kRevised, At(2026, 3, 20)), policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_REVISION_AFTER_CHANGE)->state, DeadlineState::kMet);
}

TEST_F(TimelineTest, LeftAloneForfeitedAtTwelveMonthsAndClosedAtFifteenInSkane) {
  Timeline t;
  Initiate(t, At(2026, 1, 10), "12");
  Establish(t, At(2026, 1, 31));
  // Touched once: the clocks start again.
  Apply(t, F(Kind::kContentUpdated, At(2026, 3, 31)), policies_);
  const Deadline* forfeit = Of(t, pb::DEADLINE_RULE_FORFEITURE);
  ASSERT_NE(forfeit, nullptr);
  EXPECT_EQ(forfeit->due_time, EndOf(2027, 3, 31));
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_AUTOMATIC_CLOSURE)->due_time, EndOf(2027, 6, 30));

  EXPECT_FALSE(t.forfeited);
  Effects at_12 = Sweep(t, EndOf(2027, 3, 31) + absl::Minutes(1), policies_);
  EXPECT_TRUE(t.forfeited);
  EXPECT_THAT(Kinds(at_12), ::testing::Contains(pb::LifecycleEvent::kPlanForfeited));
  EXPECT_FALSE(at_12.close);
  EXPECT_FALSE(Sweep(t, EndOf(2027, 6, 30) - absl::Minutes(1), policies_).close);
  Effects at_15 = Sweep(t, EndOf(2027, 6, 30) + absl::Minutes(1), policies_);
  ASSERT_TRUE(at_15.close);
  EXPECT_EQ(*at_15.close, pb::CLOSURE_CAUSE_EXPIRED);
  EXPECT_FALSE(Sweep(t, EndOf(2027, 7, 30), policies_).close) << "asked once";
  // The plan service closes it: open deadlines are cancelled, the sweeper leaves it.
  Apply(t, F(Kind::kClosed, At(2027, 7, 1)), policies_);
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP)->state, DeadlineState::kBreached);
  EXPECT_TRUE(Sweep(t, At(2030, 1, 1), policies_).events.empty());

  // Västra Götaland's guideline has no expiry: forfeited, never closed by the service.
  Timeline vgr;
  Initiate(vgr, At(2026, 1, 10), "14");
  Establish(vgr, At(2026, 1, 31));
  Effects later = Sweep(vgr, At(2028, 1, 1), policies_);
  EXPECT_TRUE(vgr.forfeited);
  EXPECT_FALSE(later.close);
}

TEST_F(TimelineTest, WithdrawnConsentAndAMoveOutOfSkaneCloseThePlanOnce) {
  Timeline t;
  Initiate(t, At(2026, 1, 10), "14");
  Fact withdrawn = F(Kind::kConsentWithdrawn, At(2026, 2, 1));
  Effects first = Apply(t, withdrawn, policies_);
  ASSERT_TRUE(first.close);
  EXPECT_EQ(*first.close, pb::CLOSURE_CAUSE_CONSENT_WITHDRAWN);
  EXPECT_TRUE(Apply(t, withdrawn, policies_).events.empty()) << "a replay changes nothing";
  EXPECT_FALSE(Apply(t, F(Kind::kConsentWithdrawn, At(2026, 2, 2)), policies_).close);

  Timeline skane;
  Initiate(skane, At(2026, 1, 10), "12");
  Fact out = F(Kind::kCircumstancesChanged, At(2026, 2, 1));
  out.circumstance = planpb::CIRCUMSTANCE_KIND_MOVED_OUT_OF_REGION;
  EXPECT_EQ(Apply(skane, out, policies_).close, pb::CLOSURE_CAUSE_MOVED_OUT_OF_REGION);
  Timeline vgr;
  Initiate(vgr, At(2026, 1, 10), "14");
  out.source = "test/other";
  EXPECT_FALSE(Apply(vgr, out, policies_).close) << "Västra Götaland does not close then";
}

// Issue 22: a region whose policy says not to close on withdrawal left the plan open and
// invisible to every unit, so nobody could close it. The guidance closes it; so does the
// lifecycle, whatever the policy says.
TEST_F(TimelineTest, AWithdrawnConsentClosesThePlanWhateverThePolicySays) {
  policies_ = *Policies::FromTexts({{"default.textpb", R"pb(
    version: "1"
    close_on_consent_withdrawn: false
  )pb"}});
  Timeline t;
  Initiate(t, At(2026, 1, 10), "14");
  const Effects effects = Apply(t, F(Kind::kConsentWithdrawn, At(2026, 2, 1)), policies_);
  ASSERT_TRUE(effects.close);
  EXPECT_EQ(*effects.close, pb::CLOSURE_CAUSE_CONSENT_WITHDRAWN);
  EXPECT_TRUE(t.closure_requested);
}

TEST_F(TimelineTest, ARefusalBeforeEstablishmentClosesThePlanNotAfter) {
  Timeline t;
  Initiate(t, At(2026, 1, 10), "14");
  EXPECT_EQ(Apply(t, F(Kind::kConsentRefused, At(2026, 1, 12)), policies_).close,
            pb::CLOSURE_CAUSE_CONSENT_REFUSED);
  Timeline established;
  Initiate(established, At(2026, 1, 10), "14");
  Establish(established, At(2026, 1, 20));
  EXPECT_FALSE(Apply(established, F(Kind::kConsentRefused, At(2026, 2, 1)), policies_).close);
}

TEST_F(TimelineTest, ARegionWithoutAPolicyOfItsOwnGetsTheDefault) {
  Timeline t;
  Initiate(t, At(2026, 1, 10), "01");  // Stockholm
  EXPECT_EQ(Of(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY)->policy_version, "2026-11-25");
  Timeline unknown;
  Initiate(unknown, At(2026, 1, 10), "");
  EXPECT_EQ(Of(unknown, pb::DEADLINE_RULE_START_WITHOUT_DELAY)->policy_version, "2026-11-25");
}

// Every rule of every shipped policy: opened from the right moment, pending a minute
// before it falls due, breached a minute after.
TEST_F(TimelineTest, EveryRuleOfEveryPolicyFallsDueWhereItsPolicySays) {
  const absl::Time noticed = At(2026, 3, 20);  // summer time begins 29 March
  const absl::Time discharged = At(2026, 3, 27);
  const absl::Time established = At(2026, 4, 2);
  const absl::Time changed = At(2026, 5, 29);
  for (const char* region : {"12", "14", "01"}) {
    const pb::Policy& policy = policies_.For(region);
    for (const pb::PolicyRule& r : policy.rules()) {
      SCOPED_TRACE(absl::StrCat(region, " ", pb::DeadlineRule_Name(r.rule())));
      Timeline t;
      Initiate(t, noticed, region, discharged);
      absl::Time from = noticed;
      if (r.rule() == pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE) from = discharged;
      const bool after_establishment = r.rule() == pb::DEADLINE_RULE_YEARLY_FOLLOW_UP ||
                                       r.rule() == pb::DEADLINE_RULE_REVISION_AFTER_CHANGE ||
                                       r.rule() == pb::DEADLINE_RULE_FORFEITURE ||
                                       r.rule() == pb::DEADLINE_RULE_AUTOMATIC_CLOSURE;
      if (after_establishment) {
        // Established without a meeting fact: the earlier deadlines are met by it.
        Establish(t, established);
        from = established;
      }
      if (r.rule() == pb::DEADLINE_RULE_REVISION_AFTER_CHANGE) {
        Fact moved = F(Kind::kCircumstancesChanged, changed);
        moved.circumstance = planpb::CIRCUMSTANCE_KIND_CHANGED_HEALTH_CENTRE;
        Apply(t, moved, policies_);
        from = changed;
      }
      const Deadline* d = Of(t, r.rule());
      ASSERT_NE(d, nullptr);
      EXPECT_EQ(d->due_time, *DueTime(policy, r.rule(), from));
      EXPECT_EQ(d->policy_version, policy.version());
      Sweep(t, d->due_time - absl::Minutes(1), policies_);
      EXPECT_EQ(Of(t, r.rule())->state, DeadlineState::kPending);
      Sweep(t, d->due_time + absl::Minutes(1), policies_);
      EXPECT_EQ(Of(t, r.rule())->state, DeadlineState::kBreached);
    }
  }
}

TEST(FactOfTest, EventsBecomeFacts) {
  planpb::PlanEvent e;
  e.set_sequence(17);
  e.set_plan("plans/p9");
  e.set_actor_unit_hsa_id(kInitiator);
  ToProto(At(2026, 11, 25), e.mutable_event_time());
  ToProto(At(2026, 11, 20), e.mutable_initiated()->mutable_need_noticed_time());
  e.mutable_initiated()->set_region_code("12");
  auto f = FactOf(e);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, Kind::kInitiated);
  EXPECT_EQ(f->plan_id, "p9");
  EXPECT_EQ(f->source, "plan/17");
  EXPECT_EQ(f->need_noticed_time, At(2026, 11, 20));
  EXPECT_EQ(f->region_code, "12");
  meetingpb::MeetingEvent held;
  held.set_plan("plans/p9");
  held.set_sequence(3);
  held.mutable_held()->set_kind(meetingpb::MEETING_KIND_INITIAL);
  ToProto(At(2026, 12, 1, 9), held.mutable_held()->mutable_start_time());
  ToProto(At(2026, 12, 2), held.mutable_event_time());
  auto h = FactOf(held);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->time, At(2026, 12, 1, 9)) << "when it was held, not recorded";
  EXPECT_EQ(h->source, "meeting/3");
  sip::consent::v1::ConsentEvent scope;
  scope.mutable_scope_changed();
  EXPECT_FALSE(FactOf(scope)) << "nothing for the timeline";
}

}  // namespace
}  // namespace sip::lifecycle
