#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/model.h"

// Which principal (huvudman): SCB's codes for Sweden's 290 municipalities (4-digit
// kommunkod) and 21 regions (2-digit länskod), compiled in from data/scb/. "The same
// principal" means the same kind and code.
namespace sip {

// The name for a code, e.g. "1482" → "Kungälv", "14" → "Västra Götalandsregionen";
// nullopt for a code not on SCB's list.
std::optional<std::string> MunicipalityName(absl::string_view kommunkod);
std::optional<std::string> RegionName(absl::string_view lanskod);

// Every region's länskod, in SCB's order ("01" … "25"): e.g. for metrics that are to
// show 0, not nothing, for a region without events yet.
std::vector<std::string> RegionCodes();

// The region (länskod) a municipality lies in: its kommunkod's first two digits.
std::string RegionOfMunicipality(absl::string_view kommunkod);

// Empty when `code` is right for `kind`; otherwise what is wrong, for a field violation:
// MUNICIPALITY needs a kommunkod on the list, REGION a länskod on it, OTHER none.
std::string PrincipalCodeProblem(PrincipalKind kind, absl::string_view code);

namespace internal {
struct PrincipalRow {
  const char* code;
  const char* name;
};
const std::vector<PrincipalRow>& MunicipalityRows();
const std::vector<PrincipalRow>& RegionRows();
}  // namespace internal

}  // namespace sip
