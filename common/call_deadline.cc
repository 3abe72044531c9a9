#include "common/call_deadline.h"

#include <algorithm>

namespace sip {
namespace {

thread_local absl::Time current_deadline = absl::InfiniteFuture();

}  // namespace

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : previous_(current_deadline) {
  current_deadline = std::min(previous_, deadline);
}

ScopedCallDeadline::~ScopedCallDeadline() { current_deadline = previous_; }

absl::Time ScopedCallDeadline::Current() { return current_deadline; }

ScopedNoCallDeadline::ScopedNoCallDeadline() : previous_(current_deadline) {
  current_deadline = absl::InfiniteFuture();
}

ScopedNoCallDeadline::~ScopedNoCallDeadline() { current_deadline = previous_; }

}  // namespace sip
