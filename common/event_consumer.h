#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/periodic.h"
#include "common/service_client.h"
#include "pqxx/pqxx"

namespace sip {

// One event read from another service's ListEvents.
struct SourceEvent {
  int64_t sequence = 0;
  absl::Time event_time;
  std::string payload;  // the serialized event message (sip.<svc>.v1.<Svc>Event)
};

// Follows another service's events and applies each exactly once in this service's
// database, across restarts, duplicates and any number of replicas:
//   - the cursor (the last applied sequence of `source`) is a row of this service's
//     `event_cursors` table;
//   - a page is applied in one transaction that first locks that row, applies only the
//     events above it, in order, and advances it: two replicas reading the same page
//     queue on the lock, and the second finds the events applied and skips them;
//   - an `apply` that fails rolls the page back, cursor included, and the page is read
//     again on the next poll.
class EventConsumer final {
 public:
  // Reads up to `limit` events after `after`, oldest first (a ListEvents call).
  using Fetch = std::function<absl::StatusOr<std::vector<SourceEvent>>(int64_t after, int limit)>;
  // Applies one event's effect in the consumer's transaction.
  using Apply = std::function<absl::Status(pqxx::work& txn, const SourceEvent& event)>;

  struct Options {
    std::string source;  // e.g. "plan": the cursor's key
    int page_size = 100;
    absl::Duration idle_poll = absl::Seconds(1);  // wait after an empty page or an error
  };

  EventConsumer(db::Pool* pool, const Clock* clock, Options options, Fetch fetch, Apply apply);
  ~EventConsumer();

  // One poll: fetch the page after the cursor, apply what is new, advance. Returns how
  // many events this call applied (0 when caught up or another replica was first).
  // Metrics by source (sip_event_consumer_*): the lag (age of the oldest event not yet
  // applied), when last caught up, the cursor, events applied and failed polls.
  absl::StatusOr<int> PollOnce();

  // Applies what the source has now, before answering a call that depends on it (the
  // access projection when it would refuse). Polls until a page is not full. Concurrent
  // callers coalesce: one whose call began before a catch-up that is under way waits for
  // the next, and one that a catch-up begun after its call covers returns at once, so a
  // burst of refused calls costs one fetch, not one each. At most `max_pages` pages.
  // A page aborted as a deadlock's victim is applied again up to this many times.
  static constexpr int kCatchUpRetries = 3;
  absl::Status CatchUp(int max_pages = 10);

  // The cursor as stored (0 before the first event).
  absl::StatusOr<int64_t> Cursor();

  // Polls on a thread of its own until Stop(): at once while pages are full, after
  // `idle_poll` otherwise.
  void Start();
  void Stop();

 private:
  absl::StatusOr<int> ApplyNextPage();

  db::Pool* pool_;
  const Clock* clock_;
  const Options options_;
  Fetch fetch_;
  Apply apply_;
  std::unique_ptr<PeriodicTask> task_;
  // CatchUp's coalescing: tickets handed out to callers, and the highest ticket a
  // finished catch-up covered (it began after that ticket was handed out).
  std::mutex catch_up_mu_;
  std::mutex tickets_mu_;  // also guards last_caught_up_
  absl::Time last_caught_up_ = absl::InfinitePast();
  uint64_t tickets_ = 0;
  uint64_t covered_ = 0;
};

// A Fetch that calls a service's ListEvents(after_sequence, page_size) through `stub` on
// behalf of `actor` (the consuming service), with the common service client's deadline and
// error mapping.
template <typename Stub, typename Request, typename Response>
EventConsumer::Fetch ListEventsFetch(
    Stub* stub, grpc::Status (Stub::*list)(grpc::ClientContext*, const Request&, Response*),
    Actor actor, absl::Duration timeout, std::string peer) {
  return [=](int64_t after, int limit) -> absl::StatusOr<std::vector<SourceEvent>> {
    Request request;
    request.set_after_sequence(after);
    request.set_page_size(limit);
    Response response;
    auto context = PeerCallContext(actor, timeout);
    absl::Status status = FromPeerStatus((stub->*list)(context.get(), request, &response), peer);
    if (!status.ok()) return status;
    std::vector<SourceEvent> out;
    for (const auto& e : response.events()) {
      out.push_back({e.sequence(),
                     absl::FromUnixSeconds(e.event_time().seconds()) +
                         absl::Nanoseconds(e.event_time().nanos()),
                     e.SerializeAsString()});
    }
    return out;
  };
}

}  // namespace sip
