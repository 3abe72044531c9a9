#include "common/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sip {
namespace {

constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
constexpr char kPreconditionUrl[] = "type.googleapis.com/google.rpc.PreconditionFailure";
constexpr size_t kMaxMessageBytes = 1024;

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kUnknown) {
    // The cause is logged by the caller; the client learns only that it is ours.
    message = "internal error; it has been logged, please retry later or report it";
  }
  // A message is ours, but may still carry a bounded piece of what the caller sent; a
  // status header must stay far below HTTP/2 header limits whatever happens.
  if (message.size() > kMaxMessageBytes) {
    size_t cut = kMaxMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message = absl::StrCat(message.substr(0, cut), "…");
  }
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonOf(status));
  info.set_domain(std::string(domain));
  rpc_status.add_details()->PackFrom(info);
  if (auto payload = status.GetPayload(kBadRequestUrl)) {
    google::rpc::BadRequest bad_request;
    if (bad_request.ParseFromString(std::string(*payload))) {
      rpc_status.add_details()->PackFrom(bad_request);
    }
  }
  if (auto payload = status.GetPayload(kPreconditionUrl)) {
    google::rpc::PreconditionFailure failure;
    if (failure.ParseFromString(std::string(*payload))) {
      rpc_status.add_details()->PackFrom(failure);
    }
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message,
                      rpc_status.SerializeAsString());
}

std::string GrpcReasonOf(const grpc::Status& status) {
  if (status.ok()) return "";
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

}  // namespace sip
