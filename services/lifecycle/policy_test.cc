// Region policy as data: the shipped files load and say what their guidelines say; a bad
// file is refused naming the file and the field; due times fall at the end of the right
// Swedish day across month ends, daylight saving and holidays.
#include "services/lifecycle/policy.h"

#include "common/calendar.h"
#include "common/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::lifecycle {
namespace {

using ::testing::HasSubstr;

absl::Time At(int y, int m, int d, int hh = 12, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), Stockholm());
}
// The end of day y-m-d in Sweden.
absl::Time EndOf(int y, int m, int d) { return StartOfDayInSweden(absl::CivilDay(y, m, d) + 1); }

TEST(PoliciesTest, TheShippedPoliciesLoadAndServeTheirRegions) {
  SIP_ASSERT_OK_AND_ASSIGN(Policies policies, Policies::LoadDirectory(SIP_POLICIES_DIR));
  EXPECT_EQ(policies.All().size(), 3u);
  EXPECT_EQ(policies.For("12").region_name(), "Region Skåne");
  EXPECT_EQ(policies.For("14").region_name(), "Västra Götalandsregionen");
  EXPECT_TRUE(policies.For("01").region_codes().empty()) << "Stockholm: the default";
  // Skåne closes expired plans and those of people who move out; Västra Götaland's
  // guideline has no expiry.
  EXPECT_TRUE(policies.For("12").close_on_expiry());
  EXPECT_TRUE(policies.For("12").close_on_moved_out_of_region());
  EXPECT_EQ(RuleOf(policies.For("12"), pb::DEADLINE_RULE_AUTOMATIC_CLOSURE)->within().calendar_months(), 15);
  EXPECT_FALSE(policies.For("14").close_on_expiry());
  EXPECT_EQ(RuleOf(policies.For("14"), pb::DEADLINE_RULE_AUTOMATIC_CLOSURE), nullptr);
  EXPECT_EQ(RuleOf(policies.For("14"), pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS)
                ->within()
                .calendar_days(),
            21);
  for (const pb::Policy& p : policies.All()) {
    for (const pb::PolicyRule& r : p.rules()) EXPECT_FALSE(r.source().empty());
  }
}

TEST(PoliciesTest, ABadFileIsRefusedNamingTheFileAndTheField) {
  const std::string good_default = R"pb(
    version: "1"
    rules { rule: DEADLINE_RULE_FORFEITURE within { calendar_months: 12 } source: "x" }
  )pb";
  // Does not parse: the line and column.
  auto parse = Policies::FromTexts({{"default.textpb", good_default},
                                    {"bad.textpb", "region_codes: \"12\"\nrules { rule: NOPE }"}});
  EXPECT_EQ(parse.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parse.status().message(), HasSubstr("bad.textpb: line 2"));
  // Parses, but breaks the rules: every field named.
  auto invalid = Policies::FromTexts(
      {{"default.textpb", good_default},
       {"skane.textpb", R"pb(
          region_codes: "99"
          version: "1"
          rules { rule: DEADLINE_RULE_FORFEITURE within { calendar_months: 12 } source: "x" }
          rules { rule: DEADLINE_RULE_FORFEITURE within { calendar_days: 0 } }
          rules { rule: DEADLINE_RULE_AUTOMATIC_CLOSURE within { calendar_days: 300 } source: "x" }
          close_on_moved_out_of_region: true
        )pb"}});
  const std::string message(invalid.status().message());
  EXPECT_THAT(message, HasSubstr("skane.textpb: "));
  for (const char* field : {"region_codes[0]", "region_name", "rules[1].rule",
                            "rules[1].within.calendar_days", "rules[1].source",
                            "automatic closure must come later than forfeiture"}) {
    EXPECT_THAT(message, HasSubstr(field));
  }
  // One default, one policy per region.
  EXPECT_THAT(Policies::FromTexts({{"a.textpb", good_default}, {"b.textpb", good_default}})
                  .status()
                  .message(),
              HasSubstr("b.textpb: a second default policy"));
  const std::string skane = R"pb(region_codes: "12" region_name: "Skåne" version: "1")pb";
  EXPECT_THAT(Policies::FromTexts({{"d.textpb", good_default}, {"s1.textpb", skane},
                                   {"s2.textpb", skane}})
                  .status()
                  .message(),
              HasSubstr("s2.textpb: region 12 already has a policy in s1.textpb"));
  EXPECT_THAT(Policies::FromTexts({{"s.textpb", skane}}).status().message(),
              HasSubstr("no default policy"));
  EXPECT_THAT(Policies::LoadDirectory("/nonexistent-policies").status().message(),
              HasSubstr("cannot read the policy folder /nonexistent-policies"));
  // Closing on expiry needs the rule that says when.
  pb::Policy no_rule;
  no_rule.set_version("1");
  no_rule.set_close_on_expiry(true);
  EXPECT_THAT(FieldViolationsOf(ValidatePolicy(no_rule))[0].field, "close_on_expiry");
}

TEST(DueTimeTest, DaysMonthsAndWorkingDaysEndAtTheEndOfASwedishDay) {
  SIP_ASSERT_OK_AND_ASSIGN(Policies policies, Policies::LoadDirectory(SIP_POLICIES_DIR));
  const pb::Policy& skane = policies.For("12");
  // Three weeks from a Wednesday morning: the end of the Wednesday three weeks on.
  EXPECT_EQ(DueTime(skane, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS, At(2026, 11, 25, 9)),
            EndOf(2026, 12, 16));
  // Late in the evening in Sweden is already the next day in UTC (and vice versa): the
  // Swedish day counts. 23.30 on 31 March 2027 (summer time) + 3 days → end of 3 April.
  EXPECT_EQ(DueTime(skane, pb::DEADLINE_RULE_START_WITHOUT_DELAY, At(2027, 3, 31, 23, 30)),
            EndOf(2027, 4, 3));
  // Across the change to summer time (28 March 2027): the end of the day, local time.
  const absl::Time due = *DueTime(skane, pb::DEADLINE_RULE_START_WITHOUT_DELAY, At(2027, 3, 26));
  EXPECT_EQ(due, EndOf(2027, 3, 29));
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M %z", due, Stockholm()), "2027-03-30 00:00 +0200");
  // Months: 31 January + 12 months = 31 January; 31 March + 15 months = 30 June; a plan
  // established 29 February 2028 falls due 28 February 2029.
  EXPECT_EQ(DueTime(skane, pb::DEADLINE_RULE_FORFEITURE, At(2026, 1, 31)), EndOf(2027, 1, 31));
  EXPECT_EQ(DueTime(skane, pb::DEADLINE_RULE_AUTOMATIC_CLOSURE, At(2026, 3, 31)),
            EndOf(2027, 6, 30));
  EXPECT_EQ(DueTime(skane, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP, At(2028, 2, 29)),
            EndOf(2029, 2, 28));
  // Working days skip Christmas: discharged Tuesday 22 December 2026, 3 working days →
  // the end of Tuesday 29 December.
  EXPECT_EQ(DueTime(skane, pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE, At(2026, 12, 22)),
            EndOf(2026, 12, 29));
  // A rule the region does not have: no deadline.
  EXPECT_EQ(DueTime(policies.For("14"), pb::DEADLINE_RULE_AUTOMATIC_CLOSURE, At(2026, 1, 1)),
            std::nullopt);
}

}  // namespace
}  // namespace sip::lifecycle
