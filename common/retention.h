#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/periodic.h"

// Retention of the outbox and the request log, so that neither grows without bound.
//   - An outbox event is removed once it is older than `outbox_retention` and every
//     reader (a suite service that reads this service's ListEvents; event_readers) has
//     acknowledged it. The newest numbered event always stays: positions continue from it.
//     A reader whose cursor is behind what was removed gets FAILED_PRECONDITION
//     `EVENTS_PRUNED` instead of a silent gap (outbox.h). A reader that has never read is
//     not known and is protected only by the age limit.
//   - A request-log row (an answer kept for a retry with the same request_id) is removed
//     once older than `request_log_retention`; a retry after that runs as a new request.
// Each pass removes at most `batch` rows per table per statement, and repeats while a
// batch was full, so that no transaction holds many locks.
namespace sip::db {

struct RetentionOptions {
  absl::Duration outbox_retention = absl::Hours(24 * 30);
  absl::Duration request_log_retention = absl::Hours(24 * 7);
  int batch = 5000;
};

struct Removed {
  int64_t events = 0;
  int64_t requests = 0;
};

// One pass at `now`: every batch until less than a full one is left. Counts
// sip_retention_removed_total{table}.
absl::StatusOr<Removed> RemoveExpired(Pool& pool, absl::Time now, const RetentionOptions& options);

// What the outbox holds, for the metrics: rows kept, the newest position, and how far
// each reader is behind it. One statement.
struct OutboxFigures {
  int64_t events = 0;
  int64_t head = 0;
  std::vector<std::pair<std::string, int64_t>> reader_lag;  // reader → events behind
};
absl::StatusOr<OutboxFigures> ReadOutboxFigures(Pool& pool);

// Runs RemoveExpired every `interval`, and refreshes the outbox gauges (sip_outbox_events,
// sip_outbox_head_sequence, sip_outbox_reader_lag_events{reader}) every 15 s.
class Housekeeping final {
 public:
  Housekeeping(Pool* pool, const Clock* clock, RetentionOptions options, absl::Duration interval);
  void Start();
  void Stop();

 private:
  Pool* pool_;
  const Clock* clock_;
  const RetentionOptions options_;
  PeriodicTask retention_;
  PeriodicTask figures_;
};

}  // namespace sip::db
