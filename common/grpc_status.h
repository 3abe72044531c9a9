#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace sip {

// The one mapping from absl::Status to grpc::Status, at the adapter edge only (the domain
// and stores know nothing of gRPC): same code and message (at most 1 KiB), and a
// serialized google.rpc.Status with an ErrorInfo (reason, `domain`) and the BadRequest or
// PreconditionFailure the status carries. Internal errors are not shown to the caller
// verbatim.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain);

// The ErrorInfo reason a gRPC status carries in its google.rpc.Status details; empty when
// none (OK, or a status from outside the suite).
std::string GrpcReasonOf(const grpc::Status& status);

}  // namespace sip
