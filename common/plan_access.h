#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/access_log.h"
#include "common/authorizer.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/event_consumer.h"
#include "common/model.h"
#include "pqxx/pqxx"
#include "sip/consent/v1/consent.pb.h"
#include "sip/meeting/v1/meeting.pb.h"
#include "sip/plan/v1/plan.pb.h"

// The access projection: what every service keeps locally of each plan to decide who
// sees it (common/authorizer.h), so that deciding costs no call to another service.
//   - who takes part (`access_plans`): from the plan service's events, each of which
//     carries the plan's parties after the change (PlanEvent.parties);
//   - what the person's consent covers (`access_coverage`): from the consent service's
//     events, each of which carries the plan's coverage after the change
//     (ConsentEvent.coverage), every covered unit with the time its coverage ends.
//   - who is invited to the plan's meetings (`access_invited`): from the meeting service's
//     events (scheduled, invitation added, forwarded); an invited unit takes part. The
//     meeting service writes this half in the transaction of the change.
// The plan and consent services write their own half in the transaction of the change
// (so it is never behind), the other half from the other's events; meeting and
// lifecycle write both from events; plan and lifecycle also follow the invitations. Both halves are whole-state replacements, so applying
// the latest event is enough and the order between the two sources does not matter.
namespace sip::authz {

// Statements of the projection; every pool prepares them.
const std::vector<db::PreparedStatement>& AccessStatements();

// A plan id from a resource name ("plans/{plan}" or "plans/{plan}/…") or a bare id.
std::string PlanIdOf(const std::string& name);

// Replaces the plan's parties, or its coverage, in the caller's transaction.
void WriteParties(pqxx::work& txn, const std::string& plan_id,
                  const sip::plan::v1::PlanParties& parties);
void WriteCoverage(pqxx::work& txn, const std::string& plan_id,
                   const sip::consent::v1::PlanCoverage& coverage);

// Applies one of the plan service's (ApplyPlanEvent) or the consent service's
// (ApplyConsentEvent) events as the common event consumer reads them (a serialized
// PlanEvent / ConsentEvent). INTERNAL for an unreadable payload.
absl::Status ApplyPlanEvent(pqxx::work& txn, const std::string& payload);
absl::Status ApplyConsentEvent(pqxx::work& txn, const std::string& payload);
// The units a meeting event invites (scheduled, invitation added, forwarded), added to
// the plan's invited units; any other meeting event changes nothing here.
absl::Status ApplyMeetingEvent(pqxx::work& txn, const std::string& payload);

// An event consumer's Apply for the plan service's (PlanEventsToAccess) or the consent
// service's (ConsentEventsToAccess) events: keeps the access projection, then applies
// `then`, the service's own use of the same events, when given.
EventConsumer::Apply PlanEventsToAccess(EventConsumer::Apply then = nullptr);
EventConsumer::Apply ConsentEventsToAccess(EventConsumer::Apply then = nullptr);
EventConsumer::Apply MeetingEventsToAccess(EventConsumer::Apply then = nullptr);

// What the service knows of `plan_id` at `now` (coverage that ended is left out; the
// invited units among those taking part); nullopt when it knows neither the parties nor
// a consent decision. One statement.
std::optional<PlanAccess> ReadAccess(pqxx::transaction_base& txn, const std::string& plan_id,
                                     absl::Time now);

// A SQL condition true when the plan in column `plan_column` is visible to the unit in
// parameter `unit_param` at the time in parameter `time_param` (a timestamptz literal):
// the rule of Authorize for reads, for lists filtered in their query.
std::string VisibleToUnitSql(const std::string& plan_column, const std::string& unit_param,
                             const std::string& time_param);

// Who asks, from the authenticated caller.
Subject SubjectOf(const Actor& caller);

// Decides access to one plan before a service answers: reads the projection, asks
// Authorize, and, when it refuses, first brings the projection up to date with its
// sources (`catch_up`: the event consumers' CatchUp) and asks once more, so a change
// made a moment ago in another service (the plan just created, the consent just given)
// is seen at once and not only at the consumer's next poll.
class PlanGate final {
 public:
  using CatchUp = std::function<absl::Status()>;
  // Every plan the gate decides on, allowed or not, is noted for the call's entry in
  // `log` (access_log.h), when given.
  PlanGate(db::Pool* pool, const Clock* clock, std::vector<CatchUp> catch_up = {},
           accesslog::Log* log = nullptr)
      : pool_(pool), clock_(clock), catch_up_(std::move(catch_up)), log_(log) {}

  // OK, or Authorize's refusal (PERMISSION_DENIED, also for a plan that does not exist).
  absl::Status Check(const Actor& caller, Action action, const std::string& plan_id);

  // True while the person's consent does not exclude `unit_hsa_id` from `plan_id`: no
  // consent decision is recorded yet, or the consent covers the unit now. What an
  // exception to the read rule (an invited unit) must still respect: after a withdrawal,
  // or a scope change that leaves the unit out, nothing under the plan is the unit's.
  absl::StatusOr<bool> ConsentAllows(const std::string& unit_hsa_id, const std::string& plan_id);

  // Notes that the call answers with something of `plan_id` it read without a Check (an
  // item of a list).
  void NoteRead(const std::string& plan_id) { accesslog::Note(log_, plan_id); }

 private:
  absl::StatusOr<std::optional<PlanAccess>> Read(const std::string& plan_id);

  db::Pool* pool_;
  const Clock* clock_;
  std::vector<CatchUp> catch_up_;
  accesslog::Log* log_;
};

}  // namespace sip::authz
