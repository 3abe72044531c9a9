#include "common/event_consumer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/outbox.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace sip {
namespace {

// Per source service (metrics.h).
struct ConsumerMetrics {
  prometheus::Family<prometheus::Gauge>& lag = prometheus::BuildGauge()
      .Name("sip_event_consumer_lag_seconds")
      .Help("Age of the oldest event of the source not yet applied; 0 when caught up")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Gauge>& caught_up = prometheus::BuildGauge()
      .Name("sip_event_consumer_caught_up_timestamp_seconds")
      .Help("When the consumer last found nothing more waiting at the source")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Gauge>& cursor = prometheus::BuildGauge()
      .Name("sip_event_consumer_cursor")
      .Help("The last sequence of the source applied here")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Counter>& applied = prometheus::BuildCounter()
      .Name("sip_event_consumer_events_applied_total")
      .Help("Events of the source applied here")
      .Register(*metrics::Registry());
  prometheus::Family<prometheus::Counter>& failures = prometheus::BuildCounter()
      .Name("sip_event_consumer_failures_total")
      .Help("Polls that failed: the source unreachable or an event not applicable")
      .Register(*metrics::Registry());
};

ConsumerMetrics& Metrics() {
  static ConsumerMetrics* const kMetrics = new ConsumerMetrics();
  return *kMetrics;
}

}  // namespace

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
    const pqxx::result rows = db::Exec(txn, "sip_cursor_read", options_.source);
    return rows.empty() ? int64_t{0} : rows[0][0].as<int64_t>();
  });
}

absl::StatusOr<int> EventConsumer::PollOnce() {
  absl::StatusOr<int> applied = ApplyNextPage();
  ConsumerMetrics& m = Metrics();
  const prometheus::Labels source = {{"source", options_.source}};
  prometheus::Counter& failures = m.failures.Add(source);  // 0 until the first failure
  m.applied.Add(source);
  if (!applied.ok()) failures.Increment();
  return applied;
}

absl::StatusOr<int> EventConsumer::ApplyNextPage() {
  ConsumerMetrics& m = Metrics();
  const prometheus::Labels source = {{"source", options_.source}};
  const absl::Time now = clock_->Now();
  {
    std::lock_guard<std::mutex> lock(tickets_mu_);
    if (last_caught_up_ == absl::InfinitePast()) last_caught_up_ = now;
    // Until this poll says otherwise, events may have waited since the last catch-up.
    m.lag.Add(source).Set(absl::ToDoubleSeconds(now - last_caught_up_));
  }
  absl::StatusOr<int64_t> cursor = Cursor();
  if (!cursor.ok()) return cursor.status();
  m.cursor.Add(source).Set(static_cast<double>(*cursor));
  absl::StatusOr<std::vector<SourceEvent>> events = fetch_(*cursor, options_.page_size);
  if (!events.ok()) return events.status();
  auto note_progress = [&](int applied, int64_t last) {
    std::lock_guard<std::mutex> lock(tickets_mu_);
    m.cursor.Add(source).Set(static_cast<double>(last));
    if (applied > 0) m.applied.Add(source).Increment(applied);
    if (static_cast<int>(events->size()) < options_.page_size) {
      last_caught_up_ = now;
      metrics::SetTimestamp(m.caught_up.Add(source), now);
      m.lag.Add(source).Set(0);
    } else {
      // A full page: what follows it is at least as old as its last event.
      m.lag.Add(source).Set(
          std::max(0.0, absl::ToDoubleSeconds(now - events->back().event_time)));
    }
  };
  if (events->empty()) {
    note_progress(0, *cursor);
    return 0;
  }
  absl::StatusOr<std::pair<int, int64_t>> done = pool_->InTransaction<std::pair<int, int64_t>>(
      [&](pqxx::work& txn) -> absl::StatusOr<std::pair<int, int64_t>> {
    // The lock every replica queues on; the row is made on first use.
    const int64_t applied_up_to =
        db::Exec1(txn, "sip_cursor_lock", options_.source, db::ToSqlTime(clock_->Now()))[0]
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
      db::Exec0(txn, "sip_cursor_advance", options_.source, last, db::ToSqlTime(clock_->Now()));
    }
    return std::make_pair(applied, last);
  });
  if (!done.ok()) return done.status();
  note_progress(done->first, done->second);
  return done->first;
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
  for (int page = 0, aborted = 0; page < max_pages; ++page) {
    absl::StatusOr<int> applied = PollOnce();
    // A page chosen as a deadlock's victim (another consumer of this service locked the
    // same rows in another order) is simply applied again, a few times: the caller is
    // waiting on this catch-up to decide whether it may see a plan.
    if (applied.status().code() == absl::StatusCode::kAborted && ++aborted <= kCatchUpRetries) {
      --page;
      continue;
    }
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
