#pragma once

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/model.h"
#include "nlohmann/json.hpp"

// JSON for the shared domain types, for stores that keep documents in jsonb columns.
// Enum values are written by name so the stored documents read well and survive
// reordering of the C++ enums.
namespace sip {

void to_json(nlohmann::json& j, const Unit& u);
void from_json(const nlohmann::json& j, Unit& u);
void to_json(nlohmann::json& j, const Actor& a);
void from_json(const nlohmann::json& j, Actor& a);
void to_json(nlohmann::json& j, const OtherParty& p);
void from_json(const nlohmann::json& j, OtherParty& p);

const char* PrincipalKindName(PrincipalKind kind);
PrincipalKind PrincipalKindFromName(const std::string& name);
// "MUNICIPALITY", "REGION" or "OTHER" as a kind; nullopt for anything else.
std::optional<PrincipalKind> ParsePrincipalKind(absl::string_view name);
const char* CommunicationFormName(CommunicationForm form);
CommunicationForm CommunicationFormFromName(const std::string& name);

// Times as integer microseconds since the Unix epoch (exact, unlike floating seconds).
nlohmann::json TimeToJson(absl::Time t);
absl::Time TimeFromJson(const nlohmann::json& j);
nlohmann::json OptionalTimeToJson(const std::optional<absl::Time>& t);
std::optional<absl::Time> OptionalTimeFromJson(const nlohmann::json& j);

}  // namespace sip
