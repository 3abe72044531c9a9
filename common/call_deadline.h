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

// While alive, this thread works without any call's deadline (InfiniteFuture): for work
// done for many calls at once, such as the access log's shared write, which the deadline
// of the one call that happens to do it must not cut short.
class ScopedNoCallDeadline final {
 public:
  ScopedNoCallDeadline();
  ~ScopedNoCallDeadline();
  ScopedNoCallDeadline(const ScopedNoCallDeadline&) = delete;
  ScopedNoCallDeadline& operator=(const ScopedNoCallDeadline&) = delete;

 private:
  absl::Time previous_;
};

}  // namespace sip
