#pragma once

#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"

namespace sip::testing {

// What a failed call carries in its google.rpc.Status details, for assertions.
struct ErrorDetails {
  std::string reason;
  std::string domain;
  std::vector<std::string> fields;         // BadRequest field violations
  std::vector<std::string> preconditions;  // PreconditionFailure subjects
};

inline ErrorDetails DetailsOf(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details())) << "no google.rpc.Status detail";
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    google::rpc::PreconditionFailure failure;
    if (any.UnpackTo(&info)) {
      out.reason = info.reason();
      out.domain = info.domain();
    } else if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) out.fields.push_back(v.field());
    } else if (any.UnpackTo(&failure)) {
      for (const auto& v : failure.violations()) out.preconditions.push_back(v.subject());
    }
  }
  return out;
}

}  // namespace sip::testing
