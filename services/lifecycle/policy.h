#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sip/lifecycle/v1/lifecycle.pb.h"

// Region policy as data: which deadline rules apply in a region, how long each gives, and
// which closures the lifecycle service performs. Read from text-format files at start
// (policies/*.textpb), each validated; one deployment serves several regions.
namespace sip::lifecycle {

namespace pb = ::sip::lifecycle::v1;

// INVALID_ARGUMENT naming every bad field of one policy (paths as in the file, e.g.
// "rules[2].within.calendar_days"): region codes on SCB's list, a name and a version,
// each rule once with exactly one positive duration and its source, automatic closure
// later than forfeiture, and closing on expiry only with the closure rule.
absl::Status ValidatePolicy(const pb::Policy& policy);

// The rule's entry in `policy`; null when the rule does not apply there.
const pb::PolicyRule* RuleOf(const pb::Policy& policy, pb::DeadlineRule rule);

// When `rule` falls due for something that started at `from`: the end of the last day of
// its duration, in Sweden (the first moment of the next day, Europe/Stockholm). Calendar
// days and months count from the day `from` falls on; working days skip Swedish holidays.
// nullopt when the rule does not apply under `policy`.
std::optional<absl::Time> DueTime(const pb::Policy& policy, pb::DeadlineRule rule, absl::Time from);

// The policies of a deployment: at most one per region and exactly one default.
class Policies final {
 public:
  // Reads every *.textpb file of `dir`. INVALID_ARGUMENT naming the file, and the line or
  // field, for a file that does not parse or validate; for two files serving one region;
  // for no default policy (or two).
  static absl::StatusOr<Policies> LoadDirectory(const std::string& dir);
  // The same from (file name, text) pairs.
  static absl::StatusOr<Policies> FromTexts(
      const std::vector<std::pair<std::string, std::string>>& files);

  // The policy for a region's länskod: its own, or the default.
  const pb::Policy& For(absl::string_view region_code) const;
  const pb::Policy& Default() const { return policies_[default_]; }
  const std::vector<pb::Policy>& All() const { return policies_; }

 private:
  std::vector<pb::Policy> policies_;
  size_t default_ = 0;
  std::map<std::string, size_t, std::less<>> by_region_;
};

}  // namespace sip::lifecycle
