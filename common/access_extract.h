#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db.h"
#include "grpcpp/channel.h"
#include "sip/accesslog/v1/access_log.grpc.pb.h"

// The individual's extract of the access log (loggutdrag): the entries of one person's
// plans from the logs of all four services, and its Swedish rendering. Every service
// serves its own log (AccessLogGrpcService); the plan service, which knows whose plans
// are whose, gathers them (AccessSource).
namespace sip::accesslog {

namespace alpb = ::sip::accesslog::v1;

// At most this many entries in one extract; more is FAILED_PRECONDITION EXTRACT_TOO_LARGE.
inline constexpr int kMaxExtractEntries = 10000;

// Where the entries of one service's log come from.
class AccessSource {
 public:
  virtual ~AccessSource() = default;
  // The service's name ("plan", …).
  virtual const std::string& service() const = 0;
  // Every entry of `plan_ids` in [start, end), in the order written, at most `limit`
  // (more: FAILED_PRECONDITION EXTRACT_TOO_LARGE); UNAVAILABLE naming the service when
  // its log cannot be read.
  virtual absl::StatusOr<std::vector<alpb::AccessEntry>> Entries(
      const std::vector<std::string>& plan_ids, absl::Time start, absl::Time end, int limit) = 0;
};

// This service's own log, read from its database.
std::unique_ptr<AccessSource> LocalAccessSource(db::Pool* pool, std::string service);
// Another service's log through its AccessLogService, asked as `self` (a suite service
// acting on its own).
std::unique_ptr<AccessSource> GrpcAccessSource(std::shared_ptr<grpc::ChannelInterface> channel,
                                               std::string service, std::string self,
                                               absl::Duration timeout);

// A service whose log the extract needs but that is not configured (`flag` names how):
// FAILED_PRECONDITION EXTRACT_SOURCE_NOT_CONFIGURED.
std::unique_ptr<AccessSource> MissingAccessSource(std::string service, std::string flag);

// The entries of every source merged, oldest first (ties: by service, then as written).
absl::StatusOr<std::vector<alpb::AccessEntry>> GatherExtract(
    const std::vector<AccessSource*>& sources, const std::vector<std::string>& plan_ids,
    absl::Time start, absl::Time end);

// The extract as a person reads it, in Swedish: the period, the plans, and one line per
// access (time in Swedish time, who, which unit, through which system, what, outcome).
std::string RenderExtractSv(const std::vector<std::string>& plan_ids,
                            const std::vector<alpb::AccessEntry>& entries, absl::Time start,
                            absl::Time end);

// Serves ListAccessEntries from `pool`'s log for `service`; only to the plan service
// acting on its own.
class AccessLogGrpcService final : public alpb::AccessLogService::Service {
 public:
  AccessLogGrpcService(db::Pool* pool, std::string service)
      : pool_(pool), service_(std::move(service)) {}
  grpc::Status ListAccessEntries(grpc::ServerContext* context,
                                 const alpb::ListAccessEntriesRequest* request,
                                 alpb::ListAccessEntriesResponse* response) override;

 private:
  db::Pool* pool_;
  std::string service_;
};

}  // namespace sip::accesslog
