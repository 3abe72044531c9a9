// The compliance report against a seeded history whose answers are worked out by hand
// here: four Skåne plans, three started within the period.
#include "services/lifecycle/report.h"

#include "common/calendar.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::lifecycle {
namespace {

using Kind = Fact::Kind;
namespace meetingpb = ::sip::meeting::v1;

absl::Time At(int y, int m, int d, int hh = 10) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), Stockholm());
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK_AND_ASSIGN(policies_, Policies::LoadDirectory(SIP_POLICIES_DIR));
  }
  Fact F(const std::string& plan, Kind kind, absl::Time time) {
    Fact f;
    f.kind = kind;
    f.plan_id = plan;
    f.time = time;
    f.source = absl::StrCat("test/", ++sequence_);
    f.actor_unit_hsa_id = "SE2321000131-E000000000001";
    return f;
  }
  Timeline Started(const std::string& plan, absl::Time noticed) {
    Timeline t;
    Fact f = F(plan, Kind::kInitiated, noticed);
    f.need_noticed_time = noticed;
    f.region_code = "12";
    Apply(t, f, *policies_);
    return t;
  }
  void Held(Timeline& t, absl::Time when) {
    Fact f = F(t.plan_id, Kind::kMeetingHeld, when);
    f.meeting_kind = meetingpb::MEETING_KIND_INITIAL;
    Apply(t, f, *policies_);
  }
  std::optional<Policies> policies_;
  int sequence_ = 0;
};

TEST_F(ReportTest, TheFiguresOfASeededHistoryAddUp) {
  // A: consent the next day, the meeting after 15 days: both in time.
  Timeline a = Started("a", At(2026, 1, 5));
  Apply(a, F("a", Kind::kConsentRecorded, At(2026, 1, 6)), *policies_);
  Held(a, At(2026, 1, 20));
  // B: nothing for four days (start breached at the end of 13 January), the meeting after
  // 31 days (breached at the end of 31 January), both met late.
  Timeline b = Started("b", At(2026, 1, 10));
  Sweep(b, At(2026, 1, 14, 12), *policies_);
  Apply(b, F("b", Kind::kConsentRecorded, At(2026, 1, 15)), *policies_);
  Sweep(b, At(2026, 2, 1, 12), *policies_);
  Held(b, At(2026, 2, 10));
  // C: a later meeting agreed for the person's sake, held after 26 days: by agreement.
  Timeline c = Started("c", At(2026, 2, 1));
  Apply(c, F("c", Kind::kConsentRecorded, At(2026, 2, 2)), *policies_);
  SIP_ASSERT_OK(AgreeLaterMeeting(c, absl::CivilDay(2026, 3, 1), "Efter skolans lov",
                                  At(2026, 2, 2)));
  Sweep(c, At(2026, 2, 25), *policies_);
  Held(c, At(2026, 2, 27));
  // D: started before the period; its meeting deadline breached within it (end of 10
  // January), its start deadline before it (end of 23 December).
  Timeline d = Started("d", At(2025, 12, 20));
  Sweep(d, At(2026, 1, 12), *policies_);

  const pb::ComplianceReport r = ComplianceReport(
      {a, b, c, d}, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31), "region 12");
  EXPECT_EQ(r.plans_started(), 3);
  EXPECT_EQ(r.started_without_delay(), 2);  // A and C
  EXPECT_NEAR(r.started_without_delay_share(), 2.0 / 3, 1e-9);
  EXPECT_EQ(r.meetings_in_time(), 2);  // A, and C by agreement
  EXPECT_EQ(r.meetings_by_agreement(), 1);
  EXPECT_NEAR(r.meetings_in_time_share(), 2.0 / 3, 1e-9);
  EXPECT_EQ(r.first_meetings(), 3);
  EXPECT_DOUBLE_EQ(r.median_days_to_first_meeting(), 26.0);  // of 15, 26, 31
  EXPECT_DOUBLE_EQ(r.p90_days_to_first_meeting(), 31.0);
  EXPECT_EQ(r.follow_ups_due(), 0);
  std::map<pb::DeadlineRule, int> breaches;
  for (const auto& count : r.breaches_by_rule()) breaches[count.rule()] = count.count();
  EXPECT_EQ(breaches[pb::DEADLINE_RULE_START_WITHOUT_DELAY], 1);         // B
  EXPECT_EQ(breaches[pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS], 2);  // B and D
  EXPECT_EQ(breaches[pb::DEADLINE_RULE_FORFEITURE], 0);
  EXPECT_EQ(r.forfeited(), 0);

  const std::string csv = ComplianceCsv(r);
  EXPECT_THAT(csv, ::testing::StartsWith("start_date,end_date,scope,plans_started,"));
  // A column per rule, named by the rule without its enum prefix.
  EXPECT_THAT(csv, ::testing::HasSubstr(",breached_start_without_delay,"));
  EXPECT_THAT(csv, ::testing::HasSubstr(",breached_meeting_within_three_weeks,"));
  EXPECT_THAT(csv, ::testing::HasSubstr("\r\n2026-01-01,2026-03-31,\"region 12\",3,2,0.667,2,1,"
                                        "0.667,3,26.0,31.0,0,0,1,0,2,0,0,0,0,0,0\r\n"));
  // An empty period: zeros, no division by zero.
  const pb::ComplianceReport empty = ComplianceReport({}, absl::CivilDay(2026, 1, 1),
                                                      absl::CivilDay(2026, 1, 31), "all");
  EXPECT_EQ(empty.plans_started(), 0);
  EXPECT_EQ(empty.started_without_delay_share(), 0.0);
}

}  // namespace
}  // namespace sip::lifecycle
