#include "common/principals.h"

namespace sip {
namespace {

std::optional<std::string> Find(const std::vector<internal::PrincipalRow>& rows,
                                absl::string_view code) {
  for (const auto& row : rows) {
    if (code == row.code) return std::string(row.name);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> MunicipalityName(absl::string_view kommunkod) {
  return Find(internal::MunicipalityRows(), kommunkod);
}

std::optional<std::string> RegionName(absl::string_view lanskod) {
  return Find(internal::RegionRows(), lanskod);
}

std::vector<std::string> RegionCodes() {
  std::vector<std::string> out;
  for (const auto& row : internal::RegionRows()) out.push_back(row.code);
  return out;
}

std::string RegionOfMunicipality(absl::string_view kommunkod) {
  return std::string(kommunkod.substr(0, 2));
}

std::string PrincipalCodeProblem(PrincipalKind kind, absl::string_view code) {
  switch (kind) {
    case PrincipalKind::kMunicipality:
      if (code.empty()) {
        return "is required for a unit of a municipality: the kommun's 4-digit kommunkod "
               "(SCB), e.g. \"1482\" for Kungälv";
      }
      if (!MunicipalityName(code)) {
        return "is not one of SCB's 290 kommunkoder (4 digits, e.g. \"1482\" for Kungälv)";
      }
      return "";
    case PrincipalKind::kRegion:
      if (code.empty()) {
        return "is required for a unit of a region: the region's 2-digit länskod (SCB), e.g. "
               "\"14\" for Västra Götalandsregionen";
      }
      if (!RegionName(code)) {
        return "is not one of SCB's 21 länskoder (2 digits, e.g. \"14\" for Västra "
               "Götalandsregionen)";
      }
      return "";
    case PrincipalKind::kOther:
      return code.empty() ? "" : "must be empty for a unit of another principal (OTHER)";
  }
  return "";
}

}  // namespace sip
