#pragma once

#include <string>

#include "sip/common/v1/common.pb.h"

// How the documents people hold name the common contract's things, in Swedish: a unit
// with its principal (named from SCB's list), another party, a principal's kind. Shared by the plan's copy and the meeting's invitation letter.
namespace sip::document {

// "Kommunen", "Regionen", "Annan aktör".
const char* PrincipalKindName(sip::common::v1::PrincipalKind kind);
// The principal by its code: "Kungälv (kommun)" (the genitive of a municipality's name
// is irregular — Falun's is "Falu kommun" — so it is not formed), "Västra
// Götalandsregionen"; the kind's name when the code is unknown.
std::string PrincipalName(sip::common::v1::PrincipalKind kind, const std::string& code);
// The unit's name as shown to people, else its HSA-id.
std::string UnitName(const sip::common::v1::Unit& unit);
// The unit with its principal: "Vårdcentralen Kungälv, Västra Götalandsregionen".
std::string UnitWithPrincipal(const sip::common::v1::Unit& unit);
// "Närstående: Dotter", "Försäkringskassan, Göteborg".
std::string OtherPartyName(const sip::common::v1::OtherParty& other);

}  // namespace sip::document
