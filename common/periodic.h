#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace sip {

// Runs `step` on a thread of its own until Stop(): again at once while it says more work
// waits (returns true), after `idle` otherwise. Stop() wakes it and waits for the step in
// progress. For the background work of a service: following events, sweeping deadlines.
class PeriodicTask final {
 public:
  PeriodicTask(std::function<bool()> step, absl::Duration idle)
      : step_(std::move(step)), idle_(idle) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
  void Stop();

 private:
  std::function<bool()> step_;
  absl::Duration idle_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace sip
