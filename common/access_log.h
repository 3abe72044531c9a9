#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db.h"
#include "pqxx/pqxx"

// The access log (patientdatalagen): one entry per read or write of a person's data —
// when, which user of which unit through which system, which plan, what (method and
// resource), with what outcome. Never a personnummer or a name: plan ids and HSA-ids only.
//
// Tamper-evident by a hash chain. A chain cannot be extended inside the statement of a
// concurrent read (one statement has one snapshot: two reads would chain onto the same
// predecessor), so an entry is written durably with its access, unchained, and a chainer
// then gives every committed unchained entry, in order and one chainer at a time, its
// position and its hash over the previous entry's hash and its own fields. Verify
// recomputes the chain and names the first entry that does not match.
//
// Not yet written by the services (issue 10 continues): the library, its table (common
// migration common_0007_access_log) and its tests come first.
namespace sip::accesslog {

struct Entry {
  absl::Time time;
  std::string plan_id;
  std::string user_id;
  std::string unit_hsa_id;
  std::string system;    // the calling system (mutual-TLS identity)
  std::string method;    // e.g. "GetPlan"
  std::string resource;  // e.g. "plans/…/revisions/2"
  std::string outcome;   // the gRPC code's name, e.g. "OK", "PERMISSION_DENIED"
};

// Statements of the log; every pool prepares them.
const std::vector<db::PreparedStatement>& Statements();

// Appends `entry` in the caller's transaction (a write's entry commits with the write).
void Append(pqxx::transaction_base& txn, const Entry& entry);

// The hash of an entry at `position` after `prev_hash`: SHA-256, hex, over the fields
// joined unambiguously (each length-prefixed).
std::string HashOf(const std::string& prev_hash, int64_t position, const Entry& entry);

// Chains up to `limit` committed unchained entries, in order; one chainer at a time (the
// others wait for it). Returns how many it chained.
absl::StatusOr<int> ChainOnce(db::Pool& pool, int limit);

struct Verification {
  int64_t verified = 0;                  // chained entries that match
  std::optional<int64_t> first_broken;   // position of the first that does not
  int64_t unchained = 0;                 // entries not yet chained
};
// Recomputes the chain from its first kept entry (retention removes the oldest; the first
// kept entry's prev_hash is taken as given) and names the first broken entry: one whose
// fields or hash were changed, or whose predecessor was removed or changed.
absl::StatusOr<Verification> Verify(db::Pool& pool);

// Removes chained entries older than `before` (retention); the chain of those kept still
// verifies. Returns how many it removed.
absl::StatusOr<int64_t> RemoveBefore(db::Pool& pool, absl::Time before);

}  // namespace sip::accesslog
