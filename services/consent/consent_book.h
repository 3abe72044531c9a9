#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/outbox.h"
#include "common/plan_access.h"
#include "services/consent/consent.h"
#include "services/consent/consent_store.h"
#include "common/peer_facts.h"

namespace sip::consent {

// The consent service's use cases: takes validated domain input and the caller, applies
// the rules of consent.h at the clock's time, and stores the result with its event.
// Plain C++ over the store; the gRPC adapter only translates.
class ConsentBook final {
 public:
  // `gate` decides who sees and changes a plan's consents, before anything else is read:
  // a unit that may not see the plan gets PERMISSION_DENIED NOT_VISIBLE, whether the plan
  // exists or not.
  ConsentBook(ConsentStore* store, PlanReader* plans, const Clock* clock,
              authz::PlanGate* gate)
      : store_(store), plans_(plans), clock_(clock), gate_(gate) {}

  // Record and RecordRefusal first ask the plan service: an unknown plan is NOT_FOUND, a
  // closed one FAILED_PRECONDITION (PLAN_CLOSED), and whether the individual is a minor
  // follows from the personnummer's birth date at the decision time (DecideMinority).
  absl::StatusOr<Consent> Record(const std::string& plan_id, ConsentInput input,
                                 const Actor& caller,
                                 const std::optional<db::RequestKey>& key);
  absl::StatusOr<Consent> RecordRefusal(const std::string& plan_id, RefusalInput input,
                                        const Actor& caller,
                                        const std::optional<db::RequestKey>& key);
  // `etag`: when not empty, must match the consent's current etag (else ABORTED).
  absl::StatusOr<Consent> ChangeScope(const std::string& plan_id, const std::string& consent_id,
                                      ScopeChangeInput input, const std::string& etag,
                                      const Actor& caller,
                                      const std::optional<db::RequestKey>& key);
  absl::StatusOr<Consent> Withdraw(const std::string& plan_id, const std::string& consent_id,
                                   WithdrawalInput input, const std::string& etag,
                                   const Actor& caller,
                                   const std::optional<db::RequestKey>& key);
  absl::StatusOr<Consent> Get(const std::string& plan_id, const std::string& consent_id,
                              const Actor& caller);
  absl::StatusOr<ConsentStore::Page> List(const std::string& plan_id, const Actor& caller,
                                          int page_size,
                                          const std::optional<PageCursor>& after);

  struct CheckResult {
    std::vector<UnitCoverage> units;
    std::vector<OtherCoverage> others;
    absl::Time check_time;
  };
  absl::StatusOr<CheckResult> Check(const std::string& plan_id, const Actor& caller,
                                    const std::vector<std::string>& unit_hsa_ids,
                                    const std::vector<OtherParty>& others = {});

  absl::StatusOr<std::vector<db::StoredEvent>> Events(int64_t after, int limit, const std::string& reader);

  absl::Time Now() const { return clock_->Now(); }

 private:
  // The plan's facts, after answering a retry of a completed call from the request log.
  absl::StatusOr<PlanFacts> OpenPlan(const std::string& plan_id);

  ConsentStore* store_;
  PlanReader* plans_;
  const Clock* clock_;
  authz::PlanGate* gate_;
};

// Event type names in the outbox.
inline constexpr char kEventRecorded[] = "consent.recorded";
inline constexpr char kEventRefused[] = "consent.refused";
inline constexpr char kEventScopeChanged[] = "consent.scope_changed";
inline constexpr char kEventWithdrawn[] = "consent.withdrawn";

}  // namespace sip::consent
