#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/caller.h"
#include "common/errors.h"
#include "common/log.h"
#include "grpcpp/server_context.h"

namespace sip {

// The frame of every unary handler: reads the caller from the metadata, runs `fn(caller)`
// (returning absl::Status), logs a server fault with its cause, and maps the status to
// gRPC with its google.rpc.Status details under ErrorInfo `domain`.
template <typename Fn>
grpc::Status HandleCall(grpc::ServerContext* context, absl::string_view domain, Fn&& fn) {
  absl::StatusOr<Caller> caller = CallerFromContext(*context);
  absl::Status status = caller.ok() ? std::forward<Fn>(fn)(*caller) : caller.status();
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kUnknown) {
    // The interceptor's "rpc" line names the method; this one keeps the cause, which the
    // client does not see.
    log::Error("internal_error", {{"peer", context->peer()},
                                  {"cause", std::string(status.message())}});
  }
  return ToGrpcStatus(status, domain);
}

}  // namespace sip
