#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Abseil 20220623 has no status macros; these are the usual pair.

// Returns the status of `expr` from the enclosing function when it is not OK.
#define SIP_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status sip_status_ = (expr);           \
    if (!sip_status_.ok()) return sip_status_;     \
  } while (false)

#define SIP_STATUS_CONCAT_INNER_(a, b) a##b
#define SIP_STATUS_CONCAT_(a, b) SIP_STATUS_CONCAT_INNER_(a, b)

// `SIP_ASSIGN_OR_RETURN(auto x, F());` assigns the value of the StatusOr returned by F()
// or returns its status from the enclosing function.
#define SIP_ASSIGN_OR_RETURN(lhs, rexpr) \
  SIP_ASSIGN_OR_RETURN_IMPL_(SIP_STATUS_CONCAT_(sip_statusor_, __LINE__), lhs, rexpr)

#define SIP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)
