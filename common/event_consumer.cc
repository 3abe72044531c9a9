#include "common/event_consumer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/outbox.h"

namespace sip {

EventConsumer::EventConsumer(db::Pool* pool, const Clock* clock, Options options, Fetch fetch,
                             Apply apply)
    : pool_(pool),
      clock_(clock),
      options_(std::move(options)),
      fetch_(std::move(fetch)),
      apply_(std::move(apply)) {}

EventConsumer::~EventConsumer() { Stop(); }

absl::StatusOr<int64_t> EventConsumer::Cursor() {
  return pool_->InTransaction<int64_t>([&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
    const pqxx::result rows = txn.exec_prepared("sip_cursor_read", options_.source);
    return rows.empty() ? int64_t{0} : rows[0][0].as<int64_t>();
  });
}

absl::StatusOr<int> EventConsumer::PollOnce() {
  absl::StatusOr<int64_t> cursor = Cursor();
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<std::vector<SourceEvent>> events = fetch_(*cursor, options_.page_size);
  if (!events.ok()) return events.status();
  if (events->empty()) return 0;
  return pool_->InTransaction<int>([&](pqxx::work& txn) -> absl::StatusOr<int> {
    // The lock every replica queues on; the row is made on first use.
    const int64_t applied_up_to =
        txn.exec_prepared1("sip_cursor_lock", options_.source, db::ToSqlTime(clock_->Now()))[0]
            .as<int64_t>();
    int64_t last = applied_up_to;
    int applied = 0;
    for (const SourceEvent& event : *events) {
      if (event.sequence <= last) continue;  // applied already, here or by another replica
      absl::Status status = apply_(txn, event);
      if (!status.ok()) {
        log::Warn("event_apply_failed", {{"source", options_.source},
                                         {"sequence", event.sequence},
                                         {"code", absl::StatusCodeToString(status.code())}});
        return status;
      }
      last = event.sequence;
      ++applied;
    }
    if (last != applied_up_to) {
      txn.exec_prepared0("sip_cursor_advance", options_.source, last,
                         db::ToSqlTime(clock_->Now()));
    }
    return applied;
  });
}

absl::Status EventConsumer::CatchUp(int max_pages) {
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(tickets_mu_);
    ticket = ++tickets_;
  }
  std::lock_guard<std::mutex> one_at_a_time(catch_up_mu_);
  uint64_t begins_after;
  {
    std::lock_guard<std::mutex> lock(tickets_mu_);
    if (covered_ >= ticket) return absl::OkStatus();  // began after this call asked
    begins_after = tickets_;
  }
  for (int page = 0; page < max_pages; ++page) {
    absl::StatusOr<int> applied = PollOnce();
    if (!applied.ok()) return applied.status();
    if (*applied < options_.page_size) break;
  }
  std::lock_guard<std::mutex> lock(tickets_mu_);
  covered_ = std::max(covered_, begins_after);
  return absl::OkStatus();
}

void EventConsumer::Start() {
  task_ = std::make_unique<PeriodicTask>(
      [this] {
        absl::StatusOr<int> applied = PollOnce();
        if (!applied.ok()) {
          log::Warn("event_poll_failed",
                    {{"source", options_.source},
                     {"code", absl::StatusCodeToString(applied.status().code())}});
          return false;
        }
        return *applied == options_.page_size;  // a full page: more is waiting
      },
      options_.idle_poll);
  task_->Start();
}

void EventConsumer::Stop() {
  if (task_) task_->Stop();
}

}  // namespace sip
