#pragma once

#include "absl/time/time.h"

namespace sip {

// While alive, what this thread does for the current call ends no later than `deadline`:
// outgoing calls to other services (service_client.h) and database statements (db.h).
// HandleCall opens one per incoming call with that call's deadline.
class ScopedCallDeadline final {
 public:
  explicit ScopedCallDeadline(absl::Time deadline);
  ~ScopedCallDeadline();
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;
  // The innermost deadline of this thread, or InfiniteFuture outside any call.
  static absl::Time Current();

 private:
  absl::Time previous_;
};

}  // namespace sip
