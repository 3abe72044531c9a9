#include "common/model_json.h"

#include <stdexcept>

namespace sip {
namespace {

constexpr const char* kOtherPartyKinds[] = {
    "RELATIVE", "SOCIAL_INSURANCE_AGENCY", "EMPLOYMENT_SERVICE", "SCHOOL",
    "PRIVATE_PROVIDER", "LEGAL_REPRESENTATIVE", "OTHER"};

OtherPartyKind OtherPartyKindFromName(const std::string& name) {
  for (size_t i = 0; i < std::size(kOtherPartyKinds); ++i) {
    if (name == kOtherPartyKinds[i]) return static_cast<OtherPartyKind>(i);
  }
  throw std::invalid_argument("unknown other party kind " + name);
}

}  // namespace

const char* PrincipalKindName(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kMunicipality: return "MUNICIPALITY";
    case PrincipalKind::kRegion: return "REGION";
    case PrincipalKind::kOther: return "OTHER";
  }
  return "OTHER";
}

std::optional<PrincipalKind> ParsePrincipalKind(absl::string_view name) {
  if (name == "MUNICIPALITY") return PrincipalKind::kMunicipality;
  if (name == "REGION") return PrincipalKind::kRegion;
  if (name == "OTHER") return PrincipalKind::kOther;
  return std::nullopt;
}

PrincipalKind PrincipalKindFromName(const std::string& name) {
  const std::optional<PrincipalKind> kind = ParsePrincipalKind(name);
  if (!kind) throw std::invalid_argument("unknown principal kind " + name);
  return *kind;
}

const char* CommunicationFormName(CommunicationForm form) {
  return form == CommunicationForm::kWritten ? "WRITTEN" : "ORAL";
}

CommunicationForm CommunicationFormFromName(const std::string& name) {
  if (name == "WRITTEN") return CommunicationForm::kWritten;
  if (name == "ORAL") return CommunicationForm::kOral;
  throw std::invalid_argument("unknown communication form " + name);
}

void to_json(nlohmann::json& j, const Unit& u) {
  j = {{"hsa_id", u.hsa_id}, {"principal", PrincipalKindName(u.principal)}};
  if (!u.display_name.empty()) j["display_name"] = u.display_name;
  if (!u.principal_code.empty()) j["principal_code"] = u.principal_code;
}

void from_json(const nlohmann::json& j, Unit& u) {
  u.hsa_id = j.at("hsa_id").get<std::string>();
  u.principal = PrincipalKindFromName(j.at("principal").get<std::string>());
  u.display_name = j.value("display_name", "");
  u.principal_code = j.value("principal_code", "");
}

void to_json(nlohmann::json& j, const Actor& a) {
  j = {{"unit", a.unit}, {"user_id", a.user_id}};
}

void from_json(const nlohmann::json& j, Actor& a) {
  a.unit = j.at("unit").get<Unit>();
  a.user_id = j.at("user_id").get<std::string>();
}

void to_json(nlohmann::json& j, const OtherParty& p) {
  j = {{"kind", kOtherPartyKinds[static_cast<int>(p.kind)]}};
  if (!p.description.empty()) j["description"] = p.description;
}

void from_json(const nlohmann::json& j, OtherParty& p) {
  p.kind = OtherPartyKindFromName(j.at("kind").get<std::string>());
  p.description = j.value("description", "");
}

nlohmann::json TimeToJson(absl::Time t) { return absl::ToUnixMicros(t); }

absl::Time TimeFromJson(const nlohmann::json& j) {
  return absl::FromUnixMicros(j.get<int64_t>());
}

nlohmann::json OptionalTimeToJson(const std::optional<absl::Time>& t) {
  return t ? TimeToJson(*t) : nlohmann::json(nullptr);
}

std::optional<absl::Time> OptionalTimeFromJson(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  return TimeFromJson(j);
}

}  // namespace sip
