#include "common/retention.h"

#include <string>
#include <utility>

#include "common/log.h"
#include "common/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace sip::db {
namespace {

struct RetentionMetrics {
  prometheus::Family<prometheus::Counter>& removed = prometheus::BuildCounter()
      .Name("sip_retention_removed_total")
      .Help("Rows removed by retention, by table (outbox, request_log)")
      .Register(*metrics::Registry());
  prometheus::Gauge& last_run = metrics::NewGauge(
      "sip_retention_last_success_timestamp_seconds",
      "When a retention pass last completed");
  prometheus::Gauge& events = metrics::NewGauge(
      "sip_outbox_events",
      "Events kept in the outbox");
  prometheus::Gauge& head = metrics::NewGauge(
      "sip_outbox_head_sequence",
      "The newest event's sequence number");
  prometheus::Family<prometheus::Gauge>& reader_lag = prometheus::BuildGauge()
      .Name("sip_outbox_reader_lag_events")
      .Help("Events after the last one each reading service acknowledged")
      .Register(*metrics::Registry());
};

RetentionMetrics& Metrics() {
  static RetentionMetrics* const kMetrics = new RetentionMetrics();
  return *kMetrics;
}

// Oldest first, so that a pass cut short leaves the newest rows.
const char kRemoveEvents[] =
    "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE position IS NOT NULL "
    "AND event_time < $1::timestamptz "
    "AND position <= (SELECT coalesce(min(acknowledged_sequence), 0) FROM event_readers) "
    "AND position < (SELECT max(position) FROM outbox) ORDER BY position LIMIT $2)";
const char kRemoveRequests[] =
    "DELETE FROM request_log WHERE (method, request_id) IN (SELECT method, request_id "
    "FROM request_log WHERE create_time < $1::timestamptz ORDER BY create_time LIMIT $2)";
const char kFigures[] =
    "SELECT o.n, o.head, r.reader, r.acknowledged_sequence FROM "
    "(SELECT count(*) AS n, coalesce(max(position), 0) AS head FROM outbox) o "
    "LEFT JOIN event_readers r ON true ORDER BY r.reader";

absl::StatusOr<int64_t> RemoveInBatches(Pool& pool, const std::string& statement,
                                        const std::string& sql, absl::Time before, int batch) {
  int64_t total = 0;
  while (true) {
    absl::StatusOr<int64_t> removed =
        pool.InTransaction<int64_t>([&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
          QueryTimer timer(statement);
          return static_cast<int64_t>(
              txn.exec_params(sql, ToSqlTime(before), batch).affected_rows());
        });
    if (!removed.ok()) return removed.status();
    total += *removed;
    if (*removed < batch) return total;
  }
}

}  // namespace

absl::StatusOr<Removed> RemoveExpired(Pool& pool, absl::Time now,
                                      const RetentionOptions& options) {
  static const std::string kEvents = "sip_retention_outbox";
  static const std::string kRequests = "sip_retention_request_log";
  Removed removed;
  absl::StatusOr<int64_t> events = RemoveInBatches(
      pool, kEvents, kRemoveEvents, now - options.outbox_retention, options.batch);
  if (!events.ok()) return events.status();
  removed.events = *events;
  Metrics().removed.Add({{"table", "outbox"}}).Increment(static_cast<double>(*events));
  absl::StatusOr<int64_t> requests = RemoveInBatches(
      pool, kRequests, kRemoveRequests, now - options.request_log_retention, options.batch);
  if (!requests.ok()) return requests.status();
  removed.requests = *requests;
  Metrics().removed.Add({{"table", "request_log"}}).Increment(static_cast<double>(*requests));
  metrics::SetTimestamp(Metrics().last_run, now);
  return removed;
}

absl::StatusOr<OutboxFigures> ReadOutboxFigures(Pool& pool) {
  static const std::string kStatement = "sip_outbox_figures";
  return pool.Read<OutboxFigures>(
      [&](pqxx::transaction_base& txn) -> absl::StatusOr<OutboxFigures> {
        QueryTimer timer(kStatement);
        OutboxFigures figures;
        for (const auto& row : txn.exec(kFigures)) {
          figures.events = row[0].as<int64_t>();
          figures.head = row[1].as<int64_t>();
          if (!row[2].is_null()) {
            figures.reader_lag.emplace_back(row[2].as<std::string>(),
                                            figures.head - row[3].as<int64_t>());
          }
        }
        return figures;
      });
}

Housekeeping::Housekeeping(Pool* pool, const Clock* clock, RetentionOptions options,
                           absl::Duration interval)
    : pool_(pool),
      clock_(clock),
      options_(options),
      retention_(
          [this] {
            absl::StatusOr<Removed> removed = RemoveExpired(*pool_, clock_->Now(), options_);
            if (!removed.ok()) {
              log::Warn("retention_failed",
                        {{"code", absl::StatusCodeToString(removed.status().code())}});
            } else if (removed->events > 0 || removed->requests > 0) {
              log::Info("retention", {{"events_removed", removed->events},
                                      {"requests_removed", removed->requests}});
            }
            return false;
          },
          interval),
      figures_(
          [this] {
            absl::StatusOr<OutboxFigures> figures = ReadOutboxFigures(*pool_);
            if (!figures.ok()) return false;
            RetentionMetrics& m = Metrics();
            m.events.Set(static_cast<double>(figures->events));
            m.head.Set(static_cast<double>(figures->head));
            for (const auto& [reader, lag] : figures->reader_lag) {
              m.reader_lag.Add({{"reader", reader}}).Set(static_cast<double>(lag));
            }
            return false;
          },
          absl::Seconds(15)) {}

void Housekeeping::Start() {
  retention_.Start();
  figures_.Start();
}

void Housekeeping::Stop() {
  retention_.Stop();
  figures_.Stop();
}

}  // namespace sip::db
