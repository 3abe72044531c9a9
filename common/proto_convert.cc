#include "common/proto_convert.h"

#include "absl/strings/str_cat.h"
#include "common/hsa_id.h"
#include "common/principals.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace sip {

std::optional<Unit> UnitFromProto(const common::v1::Unit& in, const std::string& field,
                                  Violations& violations) {
  Unit out;
  bool ok = true;
  if (!IsValidHsaId(in.hsa_id())) {
    violations.Add(field + ".hsa_id", kHsaIdFormat);
    ok = false;
  }
  out.hsa_id = in.hsa_id();
  switch (in.principal()) {
    case common::v1::PRINCIPAL_KIND_MUNICIPALITY:
      out.principal = PrincipalKind::kMunicipality;
      break;
    case common::v1::PRINCIPAL_KIND_REGION:
      out.principal = PrincipalKind::kRegion;
      break;
    case common::v1::PRINCIPAL_KIND_OTHER:
      out.principal = PrincipalKind::kOther;
      break;
    default:
      violations.Add(field + ".principal", "must be MUNICIPALITY, REGION or OTHER");
      ok = false;
  }
  if (common::v1::PrincipalKind_IsValid(in.principal()) &&
      in.principal() != common::v1::PRINCIPAL_KIND_UNSPECIFIED) {
    const std::string problem = PrincipalCodeProblem(out.principal, in.principal_code());
    if (!problem.empty()) {
      violations.Add(field + ".principal_code", problem);
      ok = false;
    }
  }
  out.principal_code = in.principal_code();
  if (in.display_name().size() > 200) {
    violations.Add(field + ".display_name", "must be at most 200 characters");
    ok = false;
  }
  out.display_name = in.display_name();
  if (!ok) return std::nullopt;
  return out;
}

common::v1::PrincipalKind ToProto(PrincipalKind in) {
  switch (in) {
    case PrincipalKind::kMunicipality: return common::v1::PRINCIPAL_KIND_MUNICIPALITY;
    case PrincipalKind::kRegion: return common::v1::PRINCIPAL_KIND_REGION;
    case PrincipalKind::kOther: return common::v1::PRINCIPAL_KIND_OTHER;
  }
  return common::v1::PRINCIPAL_KIND_UNSPECIFIED;
}

void ToProto(const Unit& in, common::v1::Unit* out) {
  out->set_hsa_id(in.hsa_id);
  out->set_principal(ToProto(in.principal));
  out->set_display_name(in.display_name);
  out->set_principal_code(in.principal_code);
}

void ToProto(const Actor& in, common::v1::Actor* out) {
  ToProto(in.unit, out->mutable_unit());
  out->set_user_id(in.user_id);
}

std::optional<OtherParty> OtherPartyFromProto(const common::v1::OtherParty& in,
                                              const std::string& field,
                                              Violations& violations) {
  OtherParty out;
  switch (in.kind()) {
    case common::v1::OTHER_PARTY_KIND_RELATIVE: out.kind = OtherPartyKind::kRelative; break;
    case common::v1::OTHER_PARTY_KIND_SOCIAL_INSURANCE_AGENCY:
      out.kind = OtherPartyKind::kSocialInsuranceAgency;
      break;
    case common::v1::OTHER_PARTY_KIND_EMPLOYMENT_SERVICE:
      out.kind = OtherPartyKind::kEmploymentService;
      break;
    case common::v1::OTHER_PARTY_KIND_SCHOOL: out.kind = OtherPartyKind::kSchool; break;
    case common::v1::OTHER_PARTY_KIND_PRIVATE_PROVIDER:
      out.kind = OtherPartyKind::kPrivateProvider;
      break;
    case common::v1::OTHER_PARTY_KIND_LEGAL_REPRESENTATIVE:
      out.kind = OtherPartyKind::kLegalRepresentative;
      break;
    case common::v1::OTHER_PARTY_KIND_OTHER: out.kind = OtherPartyKind::kOther; break;
    default:
      violations.Add(field + ".kind",
                     "must be one of RELATIVE, SOCIAL_INSURANCE_AGENCY, EMPLOYMENT_SERVICE, "
                     "SCHOOL, PRIVATE_PROVIDER, LEGAL_REPRESENTATIVE, OTHER");
      return std::nullopt;
  }
  if (out.kind == OtherPartyKind::kOther && in.description().empty()) {
    violations.Add(field + ".description", "is required for kind OTHER: say who it is");
    return std::nullopt;
  }
  if (in.description().size() > 200) {
    violations.Add(field + ".description", "must be at most 200 characters");
    return std::nullopt;
  }
  out.description = in.description();
  return out;
}

void ToProto(const OtherParty& in, common::v1::OtherParty* out) {
  static constexpr common::v1::OtherPartyKind kKinds[] = {
      common::v1::OTHER_PARTY_KIND_RELATIVE,
      common::v1::OTHER_PARTY_KIND_SOCIAL_INSURANCE_AGENCY,
      common::v1::OTHER_PARTY_KIND_EMPLOYMENT_SERVICE,
      common::v1::OTHER_PARTY_KIND_SCHOOL,
      common::v1::OTHER_PARTY_KIND_PRIVATE_PROVIDER,
      common::v1::OTHER_PARTY_KIND_LEGAL_REPRESENTATIVE,
      common::v1::OTHER_PARTY_KIND_OTHER};
  out->set_kind(kKinds[static_cast<int>(in.kind)]);
  out->set_description(in.description);
}

std::optional<CommunicationForm> FormFromProto(common::v1::CommunicationForm in,
                                               const std::string& field,
                                               Violations& violations) {
  switch (in) {
    case common::v1::COMMUNICATION_FORM_WRITTEN: return CommunicationForm::kWritten;
    case common::v1::COMMUNICATION_FORM_ORAL: return CommunicationForm::kOral;
    default:
      violations.Add(field, "must be WRITTEN or ORAL");
      return std::nullopt;
  }
}

common::v1::CommunicationForm ToProto(CommunicationForm in) {
  return in == CommunicationForm::kWritten ? common::v1::COMMUNICATION_FORM_WRITTEN
                                           : common::v1::COMMUNICATION_FORM_ORAL;
}

std::optional<absl::Time> TimeFromProto(const google::protobuf::Timestamp& in,
                                        const std::string& field, Violations& violations) {
  // 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z: the suite's sane range (the request
  // guard holds every request to it too).
  if (in.seconds() < -2208988800 || in.seconds() > 7289654399 || in.nanos() < 0 ||
      in.nanos() > 999999999) {
    violations.Add(field, "must be a time between the years 1900 and 2200");
    return std::nullopt;
  }
  return absl::FromUnixSeconds(in.seconds()) + absl::Nanoseconds(in.nanos());
}

void ToProto(absl::Time in, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(in);
  int64_t seconds = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Serializing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status FromJson(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  // Documents written by a newer release stay readable after a rollback.
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return absl::OkStatus();
}

std::string Fingerprint(const google::protobuf::Message& request) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace sip
