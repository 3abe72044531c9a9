#include "services/lifecycle/report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/calendar.h"

namespace sip::lifecycle {
namespace {

const Deadline* Find(const Timeline& t, pb::DeadlineRule rule) {
  for (const Deadline& d : t.deadlines) {
    if (d.rule == rule) return &d;
  }
  return nullptr;
}

bool Settled(const Deadline& d) {
  return d.state == DeadlineState::kMet || d.state == DeadlineState::kBreached;
}
bool InTime(const Deadline& d) { return d.state == DeadlineState::kMet && !d.breach_time; }

double Share(int part, int whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / whole; }

// Nearest rank: the smallest value with at least `p` of the values at or below it.
double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::max<size_t>(rank, 1) - 1];
}

const std::vector<pb::DeadlineRule>& Rules() {
  static const auto* const kRules = new std::vector<pb::DeadlineRule>{
      pb::DEADLINE_RULE_START_WITHOUT_DELAY,     pb::DEADLINE_RULE_INVITATION_AFTER_DISCHARGE,
      pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS, pb::DEADLINE_RULE_YEARLY_FOLLOW_UP,
      pb::DEADLINE_RULE_REVISION_AFTER_CHANGE,   pb::DEADLINE_RULE_FORFEITURE,
      pb::DEADLINE_RULE_AUTOMATIC_CLOSURE};
  return *kRules;
}

}  // namespace

pb::ComplianceReport ComplianceReport(const std::vector<Timeline>& timelines,
                                      absl::CivilDay start, absl::CivilDay end,
                                      const std::string& scope) {
  const absl::Time from = StartOfDayInSweden(start);
  const absl::Time until = StartOfDayInSweden(end + 1);
  auto within = [&](absl::Time t) { return from <= t && t < until; };
  pb::ComplianceReport r;
  DayToProto(start, r.mutable_start_date());
  DayToProto(end, r.mutable_end_date());
  r.set_scope(scope);
  int start_settled = 0;
  int meetings_settled = 0;
  std::vector<double> days_to_meeting;
  std::map<pb::DeadlineRule, int> breaches;
  for (const Timeline& t : timelines) {
    // Deadlines breached and follow-ups due within the period, whenever the plan began.
    for (const Deadline& d : t.deadlines) {
      if (d.breach_time && within(*d.breach_time)) ++breaches[d.rule];
      if (d.rule == pb::DEADLINE_RULE_YEARLY_FOLLOW_UP && within(d.due_time) && Settled(d)) {
        r.set_follow_ups_due(r.follow_ups_due() + 1);
        if (InTime(d)) r.set_follow_ups_on_time(r.follow_ups_on_time() + 1);
      }
      if (d.rule == pb::DEADLINE_RULE_AUTOMATIC_CLOSURE && d.breach_time &&
          within(*d.breach_time) && t.plan_state == sip::common::v1::PLAN_STATE_CLOSED &&
          t.closure_requested) {
        r.set_auto_closed(r.auto_closed() + 1);
      }
    }
    for (const Entry& e : t.entries) {
      if (e.what == "forfeited" && within(e.time)) r.set_forfeited(r.forfeited() + 1);
    }
    // The plans started within the period.
    if (!t.need_noticed_time || !within(*t.need_noticed_time)) continue;
    r.set_plans_started(r.plans_started() + 1);
    if (const Deadline* d = Find(t, pb::DEADLINE_RULE_START_WITHOUT_DELAY); d && Settled(*d)) {
      ++start_settled;
      if (InTime(*d)) r.set_started_without_delay(r.started_without_delay() + 1);
    }
    if (const Deadline* d = Find(t, pb::DEADLINE_RULE_MEETING_WITHIN_THREE_WEEKS);
        d && Settled(*d)) {
      ++meetings_settled;
      if (InTime(*d)) {
        r.set_meetings_in_time(r.meetings_in_time() + 1);
        if (d->by_agreement) r.set_meetings_by_agreement(r.meetings_by_agreement() + 1);
      }
    }
    if (t.first_meeting_time) {
      days_to_meeting.push_back(absl::ToDoubleHours(*t.first_meeting_time - *t.need_noticed_time) /
                                24.0);
    }
  }
  r.set_started_without_delay_share(Share(r.started_without_delay(), start_settled));
  r.set_meetings_in_time_share(Share(r.meetings_in_time(), meetings_settled));
  r.set_first_meetings(static_cast<int>(days_to_meeting.size()));
  r.set_median_days_to_first_meeting(Percentile(days_to_meeting, 0.5));
  r.set_p90_days_to_first_meeting(Percentile(days_to_meeting, 0.9));
  for (pb::DeadlineRule rule : Rules()) {
    auto* c = r.add_breaches_by_rule();
    c->set_rule(rule);
    c->set_count(breaches[rule]);
  }
  return r;
}

std::string ComplianceCsv(const pb::ComplianceReport& r) {
  auto day = [](const sip::common::v1::Date& d) {
    return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  };
  std::vector<std::string> header = {
      "start_date", "end_date", "scope", "plans_started", "started_without_delay",
      "started_without_delay_share", "meetings_in_time", "meetings_by_agreement",
      "meetings_in_time_share", "first_meetings", "median_days_to_first_meeting",
      "p90_days_to_first_meeting", "follow_ups_due", "follow_ups_on_time"};
  std::vector<std::string> row = {
      day(r.start_date()), day(r.end_date()), absl::StrCat("\"", r.scope(), "\""),
      absl::StrCat(r.plans_started()), absl::StrCat(r.started_without_delay()),
      absl::StrFormat("%.3f", r.started_without_delay_share()),
      absl::StrCat(r.meetings_in_time()), absl::StrCat(r.meetings_by_agreement()),
      absl::StrFormat("%.3f", r.meetings_in_time_share()), absl::StrCat(r.first_meetings()),
      absl::StrFormat("%.1f", r.median_days_to_first_meeting()),
      absl::StrFormat("%.1f", r.p90_days_to_first_meeting()), absl::StrCat(r.follow_ups_due()),
      absl::StrCat(r.follow_ups_on_time())};
  for (const pb::RuleCount& c : r.breaches_by_rule()) {
    std::string name = RuleName(c.rule());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    header.push_back(absl::StrCat("breached_", name));
    row.push_back(absl::StrCat(c.count()));
  }
  header.push_back("forfeited");
  row.push_back(absl::StrCat(r.forfeited()));
  header.push_back("auto_closed");
  row.push_back(absl::StrCat(r.auto_closed()));
  return absl::StrCat(absl::StrJoin(header, ","), "\r\n", absl::StrJoin(row, ","), "\r\n");
}

}  // namespace sip::lifecycle
