#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/access_extract.h"
#include "common/clock.h"
#include "common/outbox.h"
#include "common/plan_access.h"
#include "common/peer_facts.h"
#include "services/plan/plan.h"
#include "services/plan/plan_store.h"

namespace sip::plan {

// The plan service's use cases: the rules of plan.h at the clock's time, the consent
// check, and the store, with an event for every change. The gRPC adapter only translates.
class PlanBook final {
 public:
  // The copy of the plan also reads the person's consents and the establishing meeting.
  struct Peers {
    ConsentChecker* consent = nullptr;
    ConsentRecords* consents = nullptr;
    MeetingReader* meetings = nullptr;
    // The access logs an extract gathers: this service's own and the other three's.
    std::vector<accesslog::AccessSource*> access_logs;
  };
  // `gate` decides who sees and changes each plan, before anything else is read.
  PlanBook(PlanStore* store, Peers peers, const Clock* clock, authz::PlanGate* gate)
      : store_(store), consent_(peers.consent), peers_(peers), clock_(clock), gate_(gate) {}

  using Key = std::optional<db::RequestKey>;

  absl::StatusOr<pb::Plan> Create(pb::Plan input, const Actor& caller, const Key& key);
  // Every call is decided by the gate first: a unit that may not see the plan gets
  // PERMISSION_DENIED NOT_VISIBLE, whether the plan exists or not.
  absl::StatusOr<pb::Plan> Get(const std::string& plan_id, const Actor& caller);
  // Only the plans the caller's unit sees (a suite service acting on its own: all).
  absl::StatusOr<PlanStore::PlanPage> List(PlanFilter filter, const Actor& caller,
                                           int page_size,
                                           const std::optional<PageCursor>& after);
  // The individual's extract of the access log over [start, end) for the person with
  // `personal_identity_number` (canonical digits): the person's plans the caller's unit
  // sees, and every access to them in the four services' logs. A user with `role`
  // kLogReviewRole gets the person's plans a unit of its principal took part in, seen
  // now or not: the extract only, nothing else of those plans.
  absl::StatusOr<pb::GetAccessExtractResponse> AccessExtract(
      const std::string& personal_identity_number, absl::Time start, absl::Time end,
      const Actor& caller, const std::string& role = "");
  // `patch.etag()`, when set, must be current (else ABORTED).
  absl::StatusOr<pb::Plan> Update(const std::string& plan_id, const pb::Plan& patch,
                                  const google::protobuf::FieldMask& mask, const Actor& caller,
                                  const Key& key);
  // Establishes the plan at the SIP meeting `meeting` (may be empty) held at `meeting_time`
  // (default now; INVALID_ARGUMENT when in the future). One refusal lists every unmet
  // requirement: missing content and every unit the consent does not cover.
  absl::StatusOr<pb::Plan> Establish(const std::string& plan_id, const std::string& etag,
                                     const std::string& meeting,
                                     std::optional<absl::Time> meeting_time,
                                     const Actor& caller, const Key& key);
  absl::StatusOr<pb::PlanRevision> Revise(const std::string& plan_id, pb::RevisionReason reason,
                                          const std::string& note, const std::string& etag,
                                          const Actor& caller, const Key& key);
  absl::StatusOr<pb::PlanRevision> GetRevision(const std::string& plan_id, int revision,
                                               const Actor& caller);
  absl::StatusOr<std::pair<std::vector<pb::PlanRevision>, std::optional<PageCursor>>>
  ListRevisions(const std::string& plan_id, const Actor& caller, int page_size,
                const std::optional<PageCursor>& after);
  absl::StatusOr<pb::FollowUp> RecordFollowUp(const std::string& plan_id, pb::FollowUp input,
                                              const Actor& caller, const Key& key);
  absl::StatusOr<std::pair<std::vector<pb::FollowUp>, std::optional<PageCursor>>>
  ListFollowUps(const std::string& plan_id, const Actor& caller, int page_size,
                const std::optional<PageCursor>& after);
  // `etag`, when set, must be current (else ABORTED).
  absl::StatusOr<pb::Plan> RecordCircumstances(const std::string& plan_id,
                                               CircumstanceChange change,
                                               const std::string& etag, const Actor& caller,
                                               const Key& key);
  absl::StatusOr<std::pair<std::vector<pb::ChangedCircumstance>, std::optional<PageCursor>>>
  ListCircumstances(const std::string& plan_id, const Actor& caller, int page_size,
                    const std::optional<PageCursor>& after);
  absl::StatusOr<pb::Plan> Close(const std::string& plan_id, pb::Closure closure,
                                 const std::string& etag, const Actor& caller, const Key& key);

  struct Copy {
    std::string content;
    std::string media_type;
    std::string revision;
  };
  // Revision `revision` (0: the latest) as the individual's copy. FAILED_PRECONDITION for
  // protected identity (planning by telephone) and for a plan not yet established. Asks
  // the consent service for the person's consents and, when the plan was established at
  // a meeting booked there, the meeting service for it; reads the follow-ups held.
  absl::StatusOr<Copy> RenderCopy(const std::string& plan_id, int revision, bool html,
                                  const Actor& caller);

  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader);

  absl::Time Now() const { return clock_->Now(); }

 private:
  // Runs `change` under the consent rule: `units(before, after)` names the units the
  // change makes get the plan; they are asked of the consent service outside the
  // transaction, and the change commits only when each is covered and the plan did not
  // change meanwhile (ABORTED `PLAN_CHANGED`). A retry with a known request key gets the
  // first answer.
  absl::StatusOr<std::string> MutateWithConsent(
      const Key& key, const std::string& plan_id, const Actor& caller, absl::Time now,
      const std::function<std::vector<std::string>(const pb::Plan&, const pb::Plan&)>& units,
      const std::function<absl::StatusOr<Outcome>(StoredPlan&)>& change);

  PlanStore* store_;
  ConsentChecker* consent_;
  Peers peers_;
  const Clock* clock_;
  authz::PlanGate* gate_;
};

// Outbox event types.
inline constexpr char kEventInitiated[] = "plan.initiated";
inline constexpr char kEventContentUpdated[] = "plan.content_updated";
inline constexpr char kEventEstablished[] = "plan.established";
inline constexpr char kEventRevised[] = "plan.revised";
inline constexpr char kEventFollowUpRecorded[] = "plan.follow_up_recorded";
inline constexpr char kEventCircumstancesChanged[] = "plan.circumstances_changed";
inline constexpr char kEventClosed[] = "plan.closed";

}  // namespace sip::plan
