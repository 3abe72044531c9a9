#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sip {

// Where domain time comes from. Services take a Clock; tests pass a FakeClock
// (testing/fake_clock.h, linked only into tests, so production binaries cannot use it).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace sip
