#include "common/periodic.h"

namespace sip {

void PeriodicTask::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      const bool more = step_();
      lock.lock();
      if (more) continue;
      cv_.wait_for(lock, absl::ToChronoNanoseconds(idle_), [this] { return stopping_; });
    }
  });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sip
