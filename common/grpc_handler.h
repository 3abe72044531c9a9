#pragma once

#include <utility>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/access_log.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/request_guard.h"
#include "common/service_client.h"
#include "common/status_macros.h"
#include "grpcpp/server_context.h"

namespace sip {

// The frame of every unary handler: authenticates the caller (caller.h), refuses a service
// acting on its own what it may not do (ServiceMayCall), holds the request
// to the suite's limits (CheckRequestShape: no NUL, bounded text and lists, sane years),
// runs `fn(caller)` (returning absl::Status), logs a server fault with its cause, and maps
// the status to gRPC with its google.rpc.Status details under ErrorInfo `domain`.
template <typename Request, typename Fn>
grpc::Status HandleCall(grpc::ServerContext* context, absl::string_view domain,
                        const Request& request, Fn&& fn) {
  // Calls this one makes to other services end no later than it must.
  ScopedCallDeadline deadline(absl::FromChrono(context->deadline()));
  absl::StatusOr<Caller> caller = CallerFromContext(*context);
  absl::Status status = caller.status();
  // A service acting on its own only reads, or does its own job (lifecycle closing).
  if (status.ok()) status = ServiceMayCall(*caller, Request::descriptor()->name());
  if (status.ok()) status = CheckRequestShape(request);
  if (status.ok()) {
    // Calls this one makes to other services for the user pass the user's token on.
    ScopedCaller for_user(*caller);
    // Every plan the call touches is logged before the answer leaves (access_log.h).
    accesslog::CallRecord record(*caller, MethodOf(*Request::descriptor()),
                                 ResourceNameOf(request));
    status = record.Finish(std::forward<Fn>(fn)(*caller));
  }
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kUnknown) {
    // The interceptor's "rpc" line names the method; this one keeps the cause, which the
    // client does not see.
    log::Error("internal_error", {{"peer", context->peer()},
                                  {"cause", std::string(status.message())}});
  }
  return ToGrpcStatus(status, domain);
}

// The idempotency key of a mutating request: none without a request_id; otherwise the
// method, the id (validated) and the request's bytes as its fingerprint.
template <typename Request>
absl::StatusOr<std::optional<db::RequestKey>> RequestKeyOf(absl::string_view method,
                                                           const Request& request) {
  if (request.request_id().empty()) return std::optional<db::RequestKey>();
  SIP_RETURN_IF_ERROR(db::ValidateRequestId(request.request_id(), "request_id"));
  return std::optional<db::RequestKey>(
      db::RequestKey{std::string(method), request.request_id(), Fingerprint(request)});
}

// Serves ListEvents the same way for every service: only to the suite's services and the
// integrating systems configuration allows (MayReadEvents); validates the cursor and page size,
// reads with `read(after, limit, reader)` and fills the response's events (the stored
// payload with sequence and time set) and last_sequence. `reader` is the calling suite
// service ("lifecycle", …) or empty for any other caller: a service's reads acknowledge
// its cursor, which outbox retention respects (retention.h).
template <typename Request, typename Response, typename ReadFn>
absl::Status ServeEvents(const Request& request, Response* response, const Caller& caller,
                         ReadFn read) {
  SIP_RETURN_IF_ERROR(MayReadEvents(caller));
  if (request.after_sequence() < 0) {
    return InvalidField("after_sequence", "must not be negative; 0 reads from the first event");
  }
  SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size(), 100, 1000));
  SIP_ASSIGN_OR_RETURN(std::vector<db::StoredEvent> events,
                       read(request.after_sequence(), page_size, caller.service));
  response->set_last_sequence(request.after_sequence());
  for (const db::StoredEvent& stored : events) {
    auto* event = response->add_events();
    if (!event->ParseFromString(stored.payload)) {
      return absl::InternalError(absl::StrCat("event ", stored.seq, " has an unreadable payload"));
    }
    event->set_sequence(stored.seq);
    ToProto(stored.event_time, event->mutable_event_time());
    response->set_last_sequence(stored.seq);
  }
  return absl::OkStatus();
}

}  // namespace sip
