#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "services/consent/consent.h"
#include "sip/consent/v1/consent.pb.h"

// API → domain for the consent service: each conversion validates the shape and adds a
// violation named by the field's path in the request. No gRPC, no SQL: the adapter and
// the request fuzzer use them alike.
namespace sip::consent {

std::optional<GiverRole> RoleFromProto(v1::GiverRole role, const std::string& field,
                                       Violations& v);
Giver GiverFromProto(const v1::ConsentGiver& in, const std::string& field, Violations& v);
CommunicationForm FormOrDefault(sip::common::v1::CommunicationForm in, const std::string& field,
                                Violations& v);
std::optional<absl::Time> OptionalTime(bool present, const google::protobuf::Timestamp& t,
                                       const std::string& field, Violations& v);
std::vector<Unit> UnitsFromProto(const google::protobuf::RepeatedPtrField<sip::common::v1::Unit>& in,
                                 const std::string& field, Violations& v);
std::vector<OtherParty> OthersFromProto(
    const google::protobuf::RepeatedPtrField<sip::common::v1::OtherParty>& in,
    const std::string& field, Violations& v);
std::optional<HarmAssessment> HarmFromProto(const v1::Consent& in, Violations& v);

// RecordConsent's `consent` as domain input; INVALID_ARGUMENT naming every bad field.
absl::StatusOr<ConsentInput> ConsentInputFromProto(const v1::Consent& c);

}  // namespace sip::consent
