#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db.h"
#include "common/migrations.h"
#include "common/outbox.h"
#include "common/page_token.h"
#include "services/meeting/meeting.h"

namespace sip::meeting {

// The meeting service's schema, compiled in from migrations/*.sql.
const std::vector<db::Migration>& Migrations();

// A meeting as stored: the document and its version (the etag's source).
struct StoredMeeting {
  std::string meeting_id;
  pb::Meeting meeting;
  int64_t version = 1;
  // Notices the change owes the units, written with it (NoticesOf).
  std::vector<pb::Notice> notices = {};
};

// One page of a unit's inbox and where the next starts.
struct InboxPage {
  std::vector<pb::InboxItem> items;
  std::optional<PageCursor> next;
};

// The etag of a version.
std::string EtagOf(int64_t version);

// All SQL of the meeting service. Every write goes through db::RunMutation: the meeting,
// its unit invitations (the inbox index), the event and the kept answer in one
// transaction.
class MeetingStore final {
 public:
  static std::vector<db::PreparedStatement> Statements();
  explicit MeetingStore(db::Pool* pool) : pool_(pool) {}

  // Inserts a new meeting (version 1); `effect` says its event and answer.
  absl::StatusOr<std::string> Create(
      const std::optional<db::RequestKey>& key, absl::Time now,
      const std::function<absl::StatusOr<StoredMeeting>()>& make,
      const std::function<db::Effect(const StoredMeeting&)>& effect);

  // Loads the meeting locked for update with its version raised by one, lets `change`
  // change it and say its effect, and writes it back. NOT_FOUND for an unknown meeting;
  // nothing is written when `change` fails.
  absl::StatusOr<std::string> Mutate(
      const std::optional<db::RequestKey>& key, const std::string& meeting_id, absl::Time now,
      const std::function<absl::StatusOr<db::Effect>(StoredMeeting&)>& change);

  // The answer a completed call with `key` gave, without claiming the key.
  absl::StatusOr<std::optional<std::string>> PriorResult(const db::RequestKey& key);

  // One statement each.
  absl::StatusOr<StoredMeeting> Get(const std::string& meeting_id);
  absl::StatusOr<std::pair<std::vector<pb::Meeting>, std::optional<PageCursor>>> ListByPlan(
      const std::string& plan_id, std::optional<pb::MeetingState> state, int page_size,
      const std::optional<PageCursor>& after);
  // The ids of a plan's meetings still scheduled.
  absl::StatusOr<std::vector<std::string>> ScheduledOfPlan(const std::string& plan_id);

  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader);

  // A unit's inbox in one statement: its invitations (PENDING only for the "to do"
  // view), newest sent first, then its notices (not yet acknowledged for "to do"), newest
  // first. Each invitation comes with its meeting showing only that invitation.
  absl::StatusOr<InboxPage> Inbox(const std::string& unit_hsa_id, bool to_do_only,
                                  int page_size, const std::optional<PageCursor>& after);

  // Acknowledges notice `notice_id` of unit `unit_hsa_id` for `actor`: NOT_FOUND for
  // another unit's or an unknown notice, ABORTED for a stale `etag` (when set); one
  // already acknowledged is answered as it is. `answer` makes the call's answer.
  absl::StatusOr<std::string> Acknowledge(
      const std::optional<db::RequestKey>& key, const std::string& unit_hsa_id,
      const std::string& notice_id, const std::string& etag, const Actor& actor, absl::Time now);

  // In the caller's transaction (the plan-event consumer's): every meeting of `plan_id`
  // still SCHEDULED, locked, passed to `change`, written back with its notices and its
  // event. Returns how many were changed.
  using CancelFn = std::function<absl::StatusOr<std::pair<std::string, std::string>>(StoredMeeting&)>;
  absl::StatusOr<int> ChangeScheduledOfPlan(pqxx::work& txn, const std::string& plan_id,
                                            absl::Time now, const CancelFn& change);

 private:
  db::Pool* pool_;
};

}  // namespace sip::meeting
