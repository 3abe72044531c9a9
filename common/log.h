#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

// Structured JSON logs, one object per line on stderr:
//   {"time":"…","level":"info","service":"consent","event":"rpc","code":"OK",…}
// Every string value passes through RedactPersonalIdentityNumbers, so a personnummer
// never reaches a log even when one slips into a message.
namespace sip::log {

using Fields = std::vector<std::pair<std::string, nlohmann::json>>;

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the service name and the minimum level ("debug", "info", "warn", "error").
void Init(absl::string_view service, Level min_level);

// The JSON line that would be written; exposed for tests.
std::string Format(Level level, absl::string_view event, const Fields& fields);

void Write(Level level, absl::string_view event, const Fields& fields);
inline void Debug(absl::string_view event, const Fields& f = {}) { Write(Level::kDebug, event, f); }
inline void Info(absl::string_view event, const Fields& f = {}) { Write(Level::kInfo, event, f); }
inline void Warn(absl::string_view event, const Fields& f = {}) { Write(Level::kWarn, event, f); }
inline void Error(absl::string_view event, const Fields& f = {}) { Write(Level::kError, event, f); }

}  // namespace sip::log
