#pragma once

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/time/time.h"
#include "common/errors.h"
#include "common/model.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "sip/common/v1/common.pb.h"

// Conversions between the API's shared messages and the domain types, for the gRPC
// adapters. The *FromProto functions validate and add a violation named under `field`.
namespace sip {

std::optional<Unit> UnitFromProto(const common::v1::Unit& in, const std::string& field,
                                  Violations& violations);
void ToProto(const Unit& in, common::v1::Unit* out);
void ToProto(const Actor& in, common::v1::Actor* out);

std::optional<OtherParty> OtherPartyFromProto(const common::v1::OtherParty& in,
                                              const std::string& field,
                                              Violations& violations);
void ToProto(const OtherParty& in, common::v1::OtherParty* out);

std::optional<CommunicationForm> FormFromProto(common::v1::CommunicationForm in,
                                               const std::string& field,
                                               Violations& violations);
common::v1::CommunicationForm ToProto(CommunicationForm in);

common::v1::PrincipalKind ToProto(PrincipalKind in);

// Timestamps: a valid one (years 1900–2200, nanos 0–999999999) or a violation.
std::optional<absl::Time> TimeFromProto(const google::protobuf::Timestamp& in,
                                        const std::string& field, Violations& violations);
void ToProto(absl::Time in, google::protobuf::Timestamp* out);
// A stored or already validated timestamp as a time.
inline absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// Protobuf JSON as stores keep documents in jsonb: field names as in the .proto; unknown
// fields are ignored when read, so documents of a newer release stay readable after a
// rollback. FromJson fails with INTERNAL (a stored document is ours).
std::string ToJson(const google::protobuf::Message& message);
absl::Status FromJson(const std::string& json, google::protobuf::Message* message);

// The deterministic serialization of a request, for idempotency fingerprints.
std::string Fingerprint(const google::protobuf::Message& request);

}  // namespace sip
