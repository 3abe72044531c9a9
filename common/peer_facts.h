#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "sip/common/v1/common.pb.h"
#include "sip/consent/v1/consent.pb.h"
#include "sip/meeting/v1/meeting.pb.h"
#include "sip/plan/v1/plan.pb.h"

// What the services of the suite ask each other, as plain C++ (no gRPC): the interfaces
// domain code and books are written against. The gRPC clients are in peer_clients.h.
namespace sip {

// One unit's or other party's consent answer, as the consent service gives it.
struct ConsentAnswer {
  // The unit's HSA-id, or the other party as people name it ("Närstående: Dotter").
  std::string subject;
  bool covered = false;
  // e.g. "COVERED", "WITHDRAWN", "UNIT_NOT_IN_SCOPE", "NO_CONSENT".
  std::string reason;
};

// OK when `answers` (the consent service's) cover every one of `subjects` (units' HSA-ids
// and other parties' names); otherwise FAILED_PRECONDITION `CONSENT_NOT_ACTIVE` with a
// PreconditionFailure naming each that is not covered. One the answers leave out is not
// covered.
absl::Status RequireConsent(const std::vector<std::string>& subjects,
                            const std::vector<ConsentAnswer>& answers);

// Asks whether the person's consent covers units of a plan now.
class ConsentChecker {
 public:
  virtual ~ConsentChecker() = default;
  // One answer per unit asked. UNAVAILABLE when the consent service cannot answer.
  virtual absl::StatusOr<std::vector<ConsentAnswer>> Check(
      const std::string& plan_id, const std::vector<std::string>& unit_hsa_ids,
      const Actor& caller) = 0;
  // One answer per relative or other party asked, in order, each answer's subject the
  // party's name as people read it.
  virtual absl::StatusOr<std::vector<ConsentAnswer>> CheckOthers(
      const std::string& plan_id, const std::vector<sip::common::v1::OtherParty>& others,
      const Actor& caller) = 0;
};

// What another service must know of a plan before acting on it.
struct PlanFacts {
  bool closed = false;
  // The individual's birth date, from the personnummer or samordningsnummer; none for a
  // person with protected identity (the plan stores no number).
  std::optional<absl::CivilDay> birth_date = {};
  // The person has protected identity: no names, no digital invitations or copies.
  bool protected_identity = false;
  // A statutory SIP (both principals) rather than one internal to one principal.
  bool statutory = true;
  // When the need was noticed ("start without delay", the 3-week target).
  std::optional<absl::Time> need_noticed_time = {};
};

// Asks the plan service about a plan. NOT_FOUND (reason PLAN_NOT_FOUND) for an unknown
// plan; UNAVAILABLE when the plan service cannot answer.
class PlanReader {
 public:
  virtual ~PlanReader() = default;
  virtual absl::StatusOr<PlanFacts> Facts(const std::string& plan_id, const Actor& caller) = 0;
};

// The person's consents as the consent service records them, for the copy of the plan
// (who gave it, in what form, what it covers, whether it still holds).
class ConsentRecords {
 public:
  virtual ~ConsentRecords() = default;
  virtual absl::StatusOr<std::vector<sip::consent::v1::Consent>> List(const std::string& plan_id,
                                                                      const Actor& caller) = 0;
};

// A meeting as the meeting service holds it ("plans/{plan}/meetings/{meeting}"), for the
// copy of the plan (when and where the plan was established). NOT_FOUND when unknown.
class MeetingReader {
 public:
  virtual ~MeetingReader() = default;
  virtual absl::StatusOr<sip::meeting::v1::Meeting> Get(const std::string& name,
                                                        const Actor& caller) = 0;
};

// Closes plans on behalf of the lifecycle service (expiry, withdrawn consent, a move out
// of the region). Retried safely: the same `request_id` closes once.
class PlanCloser {
 public:
  virtual ~PlanCloser() = default;
  // OK once the plan is closed — also when it already was (reason PLAN_CLOSED).
  virtual absl::Status Close(const std::string& plan_id, sip::plan::v1::ClosureReason reason,
                             const std::string& note, const std::string& request_id,
                             const Actor& caller) = 0;
};

}  // namespace sip
