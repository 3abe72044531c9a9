#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/document.h"
#include "services/meeting/meeting.h"

// The written invitation (kallelse) to one invitee, from what was sent to it: a Swedish
// letter (the common document, as text or HTML) and an iCalendar event (RFC 5545).
namespace sip::meeting {

// The letter: what the meeting is for (the purpose as the person's goal), the questions,
// when and where or how, the interpreter, the meeting leader and documenter, who else is
// invited, and how to answer — a unit answers in its inbox and cannot decline; the person
// and relatives are told whom to call. A rescheduled invitation says it replaces the
// earlier one (and why); a cancelled one says the meeting will not take place and why.
document::Document InvitationLetter(const pb::Meeting& meeting, const pb::Invitation& invitation);

// The calendar entry: one VEVENT with the meeting's UID (the same for every change and
// every invitee), the invitation's SEQUENCE, times in Europe/Stockholm with its
// VTIMEZONE, METHOD:REQUEST — or METHOD:CANCEL and STATUS:CANCELLED once cancelled.
// `now` is its DTSTAMP. CRLF lines folded at 75 octets, text escaped.
std::string InvitationICalendar(const pb::Meeting& meeting, const pb::Invitation& invitation,
                                absl::Time now);

}  // namespace sip::meeting
