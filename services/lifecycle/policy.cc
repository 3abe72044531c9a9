#include "services/lifecycle/policy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/principals.h"
#include "common/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace sip::lifecycle {
namespace {

// Generous bounds: a policy beyond them is a typing mistake, not a region's decision.
constexpr int kMaxCalendarDays = 3660;
constexpr int kMaxCalendarMonths = 120;
constexpr int kMaxWorkingDays = 2600;

absl::CivilDay DueDay(const pb::PolicyDuration& d, absl::CivilDay start) {
  switch (d.length_case()) {
    case pb::PolicyDuration::kCalendarDays: return start + d.calendar_days();
    case pb::PolicyDuration::kCalendarMonths: return AddMonths(start, d.calendar_months());
    case pb::PolicyDuration::kWorkingDays: return AddSwedishWorkingDays(start, d.working_days());
    default: return start;
  }
}

// Collects the parser's complaints with their line and column.
class Collector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors.push_back(absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    AddError(line, column, message);
  }
  std::vector<std::string> errors;
};

}  // namespace

const pb::PolicyRule* RuleOf(const pb::Policy& policy, pb::DeadlineRule rule) {
  for (const pb::PolicyRule& r : policy.rules()) {
    if (r.rule() == rule) return &r;
  }
  return nullptr;
}

std::optional<absl::Time> DueTime(const pb::Policy& policy, pb::DeadlineRule rule,
                                  absl::Time from) {
  const pb::PolicyRule* r = RuleOf(policy, rule);
  if (r == nullptr) return std::nullopt;
  return StartOfDayInSweden(DueDay(r->within(), DayInSweden(from)) + 1);
}

absl::Status ValidatePolicy(const pb::Policy& policy) {
  Violations v;
  std::set<std::string> codes;
  for (int i = 0; i < policy.region_codes_size(); ++i) {
    const std::string& code = policy.region_codes(i);
    const std::string f = absl::StrCat("region_codes[", i, "]");
    if (!RegionName(code)) {
      v.Add(f, "is not one of SCB's 21 länskoder (2 digits, e.g. \"14\", \"12\")");
    } else if (!codes.insert(code).second) {
      v.Add(f, "names the region twice");
    }
  }
  if (!policy.region_codes().empty() && policy.region_name().empty()) {
    v.Add("region_name", "is required: the region as people name it");
  }
  if (policy.version().empty()) {
    v.Add("version", "is required: the policy's edition, kept with every deadline");
  }
  std::set<int> seen;
  for (int i = 0; i < policy.rules_size(); ++i) {
    const pb::PolicyRule& r = policy.rules(i);
    const std::string f = absl::StrCat("rules[", i, "]");
    if (r.rule() == pb::DEADLINE_RULE_UNSPECIFIED || !pb::DeadlineRule_IsValid(r.rule())) {
      v.Add(f + ".rule", "must name a deadline rule, e.g. DEADLINE_RULE_YEARLY_FOLLOW_UP");
    } else if (!seen.insert(r.rule()).second) {
      v.Add(f + ".rule", "is listed twice; each rule at most once");
    }
    const pb::PolicyDuration& d = r.within();
    switch (d.length_case()) {
      case pb::PolicyDuration::kCalendarDays:
        if (d.calendar_days() < 1 || d.calendar_days() > kMaxCalendarDays) {
          v.Add(f + ".within.calendar_days", absl::StrCat("must be 1–", kMaxCalendarDays));
        }
        break;
      case pb::PolicyDuration::kCalendarMonths:
        if (d.calendar_months() < 1 || d.calendar_months() > kMaxCalendarMonths) {
          v.Add(f + ".within.calendar_months", absl::StrCat("must be 1–", kMaxCalendarMonths));
        }
        break;
      case pb::PolicyDuration::kWorkingDays:
        if (d.working_days() < 1 || d.working_days() > kMaxWorkingDays) {
          v.Add(f + ".within.working_days", absl::StrCat("must be 1–", kMaxWorkingDays));
        }
        break;
      default:
        v.Add(f + ".within",
              "is required: calendar_days, calendar_months or working_days, exactly one");
    }
    if (r.source().empty()) {
      v.Add(f + ".source", "is required: the guideline or law the figure comes from");
    }
  }
  // Closure comes after forfeiture: compared from one start, so months and days compare.
  const absl::Time probe = absl::FromCivil(absl::CivilSecond(2025, 1, 31, 12, 0, 0), Stockholm());
  const auto forfeit = DueTime(policy, pb::DEADLINE_RULE_FORFEITURE, probe);
  const auto close = DueTime(policy, pb::DEADLINE_RULE_AUTOMATIC_CLOSURE, probe);
  if (forfeit && close && *close <= *forfeit) {
    v.Add("rules", "automatic closure must come later than forfeiture");
  }
  if (policy.close_on_expiry() && !close) {
    v.Add("close_on_expiry", "needs a DEADLINE_RULE_AUTOMATIC_CLOSURE rule: when to close");
  }
  return v.ToStatus();
}

absl::StatusOr<Policies> Policies::FromTexts(
    const std::vector<std::pair<std::string, std::string>>& files) {
  Policies out;
  std::optional<size_t> default_index;
  std::map<std::string, std::string> region_file;
  for (const auto& [file, text] : files) {
    pb::Policy policy;
    google::protobuf::TextFormat::Parser parser;
    Collector collector;
    parser.RecordErrorsTo(&collector);
    if (!parser.ParseFromString(text, &policy)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": ", absl::StrJoin(collector.errors, "; ")));
    }
    if (absl::Status valid = ValidatePolicy(policy); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": ", valid.message()));
    }
    const size_t index = out.policies_.size();
    if (policy.region_codes().empty()) {
      if (default_index) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": a second default policy (no region_codes); ",
            files[*default_index].first, " is the default"));
      }
      default_index = index;
    }
    for (const std::string& code : policy.region_codes()) {
      auto [it, inserted] = region_file.emplace(code, file);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(file, ": region ", code,
                                                       " already has a policy in ", it->second));
      }
      out.by_region_.emplace(code, index);
    }
    out.policies_.push_back(std::move(policy));
  }
  if (!default_index) {
    return absl::InvalidArgumentError(
        "no default policy: one file must have no region_codes, for the regions without a "
        "policy of their own");
  }
  out.default_ = *default_index;
  return out;
}

absl::StatusOr<Policies> Policies::LoadDirectory(const std::string& dir) {
  std::error_code error;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".textpb") paths.push_back(entry.path().string());
  }
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the policy folder ", dir, ": ",
                                                   error.message()));
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
    std::ostringstream text;
    text << in.rdbuf();
    files.emplace_back(path, text.str());
  }
  return FromTexts(files);
}

const pb::Policy& Policies::For(absl::string_view region_code) const {
  auto it = by_region_.find(region_code);
  return it == by_region_.end() ? policies_[default_] : policies_[it->second];
}

}  // namespace sip::lifecycle
