#pragma once

#include <string>

// Domain types shared by the services, free of protobuf and SQL.

namespace sip {

// The kind of organisation (huvudman).
enum class PrincipalKind { kMunicipality, kRegion, kOther };

// An organisation unit, identified by its HSA-id.
struct Unit {
  std::string hsa_id;
  PrincipalKind principal = PrincipalKind::kOther;
  std::string display_name;
  // Which principal: the kommunkod (4 digits) or länskod (2 digits); empty for kOther.
  std::string principal_code = {};
  friend bool operator==(const Unit& a, const Unit& b) {
    return a.hsa_id == b.hsa_id && a.principal == b.principal &&
           a.display_name == b.display_name && a.principal_code == b.principal_code;
  }
};

// A user acting for a unit.
struct Actor {
  Unit unit;
  std::string user_id;
  // Set only when one of the suite's services acts on its own behalf (no user):
  // "consent", "plan", "meeting" or "lifecycle". Only the authenticator sets it, from the
  // calling system's client certificate (caller.h), and ServiceActor for a service's own
  // outgoing calls; never from a token's claims, whatever its unit or user says.
  std::string service = {};
  friend bool operator==(const Actor& a, const Actor& b) {
    return a.unit == b.unit && a.user_id == b.user_id && a.service == b.service;
  }
};

// In writing or orally.
enum class CommunicationForm { kWritten, kOral };

// A party that is not a unit of a principal.
enum class OtherPartyKind {
  kRelative,
  kSocialInsuranceAgency,
  kEmploymentService,
  kSchool,
  kPrivateProvider,
  kLegalRepresentative,
  kOther,
};

struct OtherParty {
  OtherPartyKind kind = OtherPartyKind::kOther;
  std::string description;
  friend bool operator==(const OtherParty& a, const OtherParty& b) {
    return a.kind == b.kind && a.description == b.description;
  }
};

// Who makes a call: the unit and the user acting for it (the Actor every change records),
// and how that is known. Authenticated once per call (see caller.h); every handler
// receives it.
struct Caller : Actor {
  // The user's role, from the token (e.g. CARE_PROFESSIONAL); empty in development mode.
  std::string role;
  // The calling system, by its client certificate's common name (mutual TLS); empty in
  // development mode.
  std::string system;
  // The calling system is an integrating system allowed to read the services' event feeds
  // (ListEvents) by configuration (--event_reader_systems, certificate common names).
  // The suite's own services read them without it.
  bool event_reader = false;
  // The user's bearer token as received, passed on when this service calls another for
  // the same user; empty for a service on its own and in development mode.
  std::string credential;
};

}  // namespace sip
