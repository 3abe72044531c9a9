#include "common/swedish_names.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/principals.h"

namespace sip::document {

namespace cpb = ::sip::common::v1;

const char* PrincipalKindName(cpb::PrincipalKind kind) {
  switch (kind) {
    case cpb::PRINCIPAL_KIND_MUNICIPALITY: return "Kommunen";
    case cpb::PRINCIPAL_KIND_REGION: return "Regionen";
    case cpb::PRINCIPAL_KIND_OTHER: return "Annan aktör";
    default: return "Ej angivet";
  }
}

std::string PrincipalName(cpb::PrincipalKind kind, const std::string& code) {
  if (kind == cpb::PRINCIPAL_KIND_MUNICIPALITY) {
    if (auto name = MunicipalityName(code)) return absl::StrCat(*name, " (kommun)");
  } else if (kind == cpb::PRINCIPAL_KIND_REGION) {
    if (auto name = RegionName(code)) return *name;
  }
  return PrincipalKindName(kind);
}

std::string UnitName(const cpb::Unit& unit) {
  return unit.display_name().empty() ? unit.hsa_id() : unit.display_name();
}

std::string UnitWithPrincipal(const cpb::Unit& unit) {
  return absl::StrCat(UnitName(unit), ", ", PrincipalName(unit.principal(), unit.principal_code()));
}

std::string OtherPartyName(const cpb::OtherParty& o) {
  static const char* const kKinds[] = {"Annan",        "Närstående",   "Försäkringskassan",
                                       "Arbetsförmedlingen", "Skola", "Privat utförare",
                                       "Företrädare",  "Annan"};
  const int k = o.kind() >= 0 && o.kind() <= 7 ? o.kind() : 0;
  if (o.description().empty()) return kKinds[k];
  // "Försäkringskassan, Göteborg" needs no "Försäkringskassan: " in front.
  if (absl::StartsWith(o.description(), kKinds[k])) return o.description();
  return absl::StrCat(kKinds[k], ": ", o.description());
}

}  // namespace sip::document
