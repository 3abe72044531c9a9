#include "common/access_log.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sip::accesslog {
namespace {

constexpr char kColumns[] =
    "(extract(epoch from log_time) * 1000000)::bigint, plan_id, user_id, unit_hsa_id, system, "
    "method, resource, outcome";

Entry EntryFromRow(const pqxx::row& row, int first) {
  Entry e;
  e.time = absl::FromUnixMicros(row[first].as<int64_t>());
  e.plan_id = row[first + 1].as<std::string>();
  e.user_id = row[first + 2].as<std::string>();
  e.unit_hsa_id = row[first + 3].as<std::string>();
  e.system = row[first + 4].as<std::string>();
  e.method = row[first + 5].as<std::string>();
  e.resource = row[first + 6].as<std::string>();
  e.outcome = row[first + 7].as<std::string>();
  return e;
}

}  // namespace

const std::vector<db::PreparedStatement>& Statements() {
  static const auto* const kStatements = new std::vector<db::PreparedStatement>{
      {"sip_access_log_append",
       "INSERT INTO access_log (log_time, plan_id, user_id, unit_hsa_id, system, method, "
       "resource, outcome) VALUES ($1::timestamptz, $2, $3, $4, $5, $6, $7, $8)"},
      {"sip_access_log_chain_lock", "SELECT pg_advisory_xact_lock(hashtext('sip_access_log'))"},
      {"sip_access_log_last",
       "SELECT position, hash FROM access_log WHERE position IS NOT NULL "
       "ORDER BY position DESC LIMIT 1"},
      {"sip_access_log_unchained",
       absl::StrCat("SELECT seq, ", kColumns,
                    " FROM access_log WHERE position IS NULL ORDER BY seq LIMIT $1")},
      {"sip_access_log_seal",
       "UPDATE access_log a SET position = s.position, prev_hash = s.prev_hash, hash = s.hash "
       "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) "
       "AS s(seq, position, prev_hash, hash) WHERE a.seq = s.seq"},
      {"sip_access_log_chained",
       absl::StrCat("SELECT position, prev_hash, hash, ", kColumns,
                    " FROM access_log WHERE position IS NOT NULL ORDER BY position")},
      {"sip_access_log_unchained_count",
       "SELECT count(*) FROM access_log WHERE position IS NULL"},
      // The oldest chained entries before the first kept one; the last chained entry always
      // stays, so the chain goes on from it.
      {"sip_access_log_remove_before",
       "DELETE FROM access_log WHERE position IS NOT NULL AND position < coalesce("
       "(SELECT min(position) FROM access_log WHERE position IS NOT NULL "
       "AND log_time >= $1::timestamptz), "
       "(SELECT max(position) FROM access_log WHERE position IS NOT NULL))"},
  };
  return *kStatements;
}

void Append(pqxx::transaction_base& txn, const Entry& e) {
  txn.exec_prepared0("sip_access_log_append", db::ToSqlTime(e.time), e.plan_id, e.user_id,
                     e.unit_hsa_id, e.system, e.method, e.resource, e.outcome);
}

std::string HashOf(const std::string& prev_hash, int64_t position, const Entry& e) {
  std::string input;
  for (const std::string& part :
       {prev_hash, absl::StrCat(position), absl::StrCat(absl::ToUnixMicros(e.time)), e.plan_id,
        e.user_id, e.unit_hsa_id, e.system, e.method, e.resource, e.outcome}) {
    absl::StrAppend(&input, part.size(), ":", part, ";");
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

absl::StatusOr<int> ChainOnce(db::Pool& pool, int limit) {
  return pool.InTransaction<int>([&](pqxx::work& txn) -> absl::StatusOr<int> {
    txn.exec_prepared("sip_access_log_chain_lock");
    // After the lock, so it sees what the previous chainer committed.
    const pqxx::result last = txn.exec_prepared("sip_access_log_last");
    int64_t position = last.empty() ? 0 : last[0][0].as<int64_t>();
    std::string prev = last.empty() ? std::string() : last[0][1].as<std::string>();
    const pqxx::result rows = txn.exec_prepared("sip_access_log_unchained", limit);
    if (rows.empty()) return 0;
    std::vector<std::string> seqs, positions, prevs, hashes;
    for (const auto& row : rows) {
      ++position;
      const std::string hash = HashOf(prev, position, EntryFromRow(row, 1));
      seqs.push_back(row[0].as<std::string>());
      positions.push_back(absl::StrCat(position));
      prevs.push_back(prev);
      hashes.push_back(hash);
      prev = hash;
    }
    txn.exec_prepared0("sip_access_log_seal", db::ToSqlArray(seqs), db::ToSqlArray(positions),
                       db::ToSqlArray(prevs), db::ToSqlArray(hashes));
    return static_cast<int>(rows.size());
  });
}

absl::StatusOr<Verification> Verify(db::Pool& pool) {
  return pool.InTransaction<Verification>([&](pqxx::work& txn) -> absl::StatusOr<Verification> {
    Verification out;
    std::optional<std::string> expected_prev;  // the first kept entry's is taken as given
    std::optional<int64_t> expected_position;
    for (const auto& row : txn.exec_prepared("sip_access_log_chained")) {
      const int64_t position = row[0].as<int64_t>();
      const std::string prev = row[1].as<std::string>();
      const std::string hash = row[2].as<std::string>();
      const bool linked = (!expected_prev || prev == *expected_prev) &&
                          (!expected_position || position == *expected_position);
      if (!linked || HashOf(prev, position, EntryFromRow(row, 3)) != hash) {
        out.first_broken = position;
        break;
      }
      ++out.verified;
      expected_prev = hash;
      expected_position = position + 1;
    }
    out.unchained = txn.exec_prepared1("sip_access_log_unchained_count")[0].as<int64_t>();
    return out;
  });
}

absl::StatusOr<int64_t> RemoveBefore(db::Pool& pool, absl::Time before) {
  return pool.InTransaction<int64_t>([&](pqxx::work& txn) -> absl::StatusOr<int64_t> {
    txn.exec_prepared("sip_access_log_chain_lock");
    return static_cast<int64_t>(
        txn.exec_prepared("sip_access_log_remove_before", db::ToSqlTime(before)).affected_rows());
  });
}

}  // namespace sip::accesslog
