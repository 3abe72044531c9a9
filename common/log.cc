#include "common/log.h"

#include <memory>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/personnummer.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace sip::log {
namespace {

struct State {
  std::string service = "sip";
  std::shared_ptr<spdlog::logger> logger;
};

State& GetState() {
  static State* const state = [] {
    auto* s = new State;
    s->logger = std::make_shared<spdlog::logger>(
        "sip", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s->logger->set_pattern("%v");
    s->logger->set_level(spdlog::level::info);
    s->logger->flush_on(spdlog::level::trace);
    return s;
  }();
  return *state;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* Name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

void Redact(nlohmann::json& value) {
  if (value.is_string()) {
    value = RedactPersonalIdentityNumbers(value.get_ref<const std::string&>());
  } else if (value.is_structured()) {
    for (auto& child : value) Redact(child);
  } else if (value.is_number_integer() || value.is_number_unsigned()) {
    // A personnummer typed as a number (e.g. 199001011234) is redacted too.
    const std::string digits = value.dump();
    if (ContainsPersonalIdentityNumberLike(digits)) value = "[redacted]";
  }
}

}  // namespace

void Init(absl::string_view service, Level min_level) {
  State& state = GetState();
  state.service = std::string(service);
  state.logger->set_level(ToSpd(min_level));
}

std::string Format(Level level, absl::string_view event, const Fields& fields) {
  nlohmann::json line = nlohmann::json::object();
  line["time"] = absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = Name(level);
  line["service"] = GetState().service;
  line["event"] = RedactPersonalIdentityNumbers(event);
  for (const auto& [key, value] : fields) {
    nlohmann::json v = value;
    Redact(v);
    line[key] = std::move(v);
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, absl::string_view event, const Fields& fields) {
  State& state = GetState();
  if (!state.logger->should_log(ToSpd(level))) return;
  state.logger->log(ToSpd(level), "{}", Format(level, event, fields));
}

}  // namespace sip::log
