#include "services/meeting/invitation.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/proto_convert.h"
#include "common/calendar.h"
#include "common/language.h"
#include "common/swedish_names.h"

namespace sip::meeting {
namespace {

namespace cpb = ::sip::common::v1;
using document::SwedishClock;
using document::SwedishWeekdayDate;
using document::UnitName;
using document::UnitWithPrincipal;

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

std::string InviteeName(const pb::Invitee& in) {
  switch (in.invitee_case()) {
    case pb::Invitee::kUnit: return UnitWithPrincipal(in.unit());
    case pb::Invitee::kIndividual: return "Den som planen gäller";
    case pb::Invitee::kOther: return document::OtherPartyName(in.other());
    default: return "";
  }
}

std::string Person(const pb::MeetingPerson& p) {
  std::string out = p.name();
  if (!p.role().empty()) absl::StrAppend(&out, ", ", p.role());
  if (p.has_unit()) absl::StrAppend(&out, " (", UnitName(p.unit()), ")");
  return out;
}

// "onsdag 2 december 2026", "10.00–12.00": the end's day too when it differs.
std::pair<std::string, std::string> When(const pb::MeetingDetails& d) {
  const absl::Time start = TimeOf(d.start_time());
  const absl::Time end = TimeOf(d.end_time());
  std::string time = absl::StrCat(SwedishClock(start), "–", SwedishClock(end));
  if (DayInSweden(end) != DayInSweden(start)) {
    time = absl::StrCat(SwedishClock(start), " – ", SwedishWeekdayDate(end), " ", SwedishClock(end));
  }
  return {SwedishWeekdayDate(start), time};
}

std::string Where(const pb::MeetingDetails& d) {
  switch (d.mode()) {
    case pb::MEETING_MODE_IN_PERSON: return d.location();
    case pb::MEETING_MODE_VIDEO: return absl::StrCat("Digitalt möte (video): ", d.video_link());
    case pb::MEETING_MODE_TELEPHONE: return "Per telefon: den som kallar ringer upp";
    default: return "";
  }
}

// Who convened, by name: the caller's headers carry only the unit's HSA-id, so the name
// the meeting's own invitations give that unit, when one does.
std::string ConvenerName(const pb::Meeting& m) {
  const cpb::Unit& convener = m.convener().unit();
  if (!convener.display_name().empty()) return convener.display_name();
  for (const pb::Invitation& inv : m.invitations()) {
    if (inv.invitee().has_unit() && inv.invitee().unit().hsa_id() == convener.hsa_id() &&
        !inv.invitee().unit().display_name().empty()) {
      return inv.invitee().unit().display_name();
    }
  }
  return UnitName(convener);
}

// ---- iCalendar (RFC 5545) ----

// TEXT value escaping (3.3.11).
std::string IcsText(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

// A parameter value (3.2): quoted, without the characters a quoted value cannot hold.
std::string IcsParam(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c != '"' && c != '\r' && c != '\n') out += c;
  }
  return out + "\"";
}

// Appends a content line folded at 75 octets (3.1), never inside a UTF-8 sequence.
void Line(std::string& out, const std::string& line) {
  size_t pos = 0;
  size_t limit = 75;
  while (line.size() - pos > limit) {
    size_t cut = pos + limit;
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    absl::StrAppend(&out, line.substr(pos, cut - pos), "\r\n ");
    pos = cut;
    limit = 74;  // the leading space counts
  }
  absl::StrAppend(&out, line.substr(pos), "\r\n");
}

std::string LocalStamp(absl::Time t) { return absl::FormatTime("%Y%m%dT%H%M%S", t, Stockholm()); }
std::string UtcStamp(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
}

// Europe/Stockholm as EU summer time defines it since 1996.
constexpr const char* kStockholmZone[] = {
    "BEGIN:VTIMEZONE",       "TZID:Europe/Stockholm",
    "BEGIN:DAYLIGHT",        "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",      "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",          "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",    "TZOFFSETTO:+0100",
    "TZNAME:CET",            "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
};

// A unit as a calendar address: its HSA-id as a URN (units have no shared mail address
// the suite may know).
std::string UnitAddress(const cpb::Unit& u) { return absl::StrCat("urn:x-hsa-id:", u.hsa_id()); }

}  // namespace

document::Document InvitationLetter(const pb::Meeting& meeting, const pb::Invitation& inv) {
  const pb::MeetingDetails& d = inv.sent();
  const pb::Invitee& to = inv.invitee();
  const bool unit = to.has_unit();
  const bool cancelled = inv.state() == pb::INVITATION_STATE_CANCELLED ||
                         meeting.state() == pb::MEETING_STATE_CANCELLED;
  const bool follow_up = meeting.kind() == pb::MEETING_KIND_FOLLOW_UP;
  const std::string what = follow_up ? "uppföljning av en samordnad individuell plan (SIP)"
                                     : "SIP-möte (samordnad individuell plan)";
  document::Document doc;
  doc.title = cancelled ? absl::StrCat("Inställt: ", follow_up ? "uppföljning av SIP" : "SIP-möte")
                        : absl::StrCat("Kallelse till ", what);
  doc.subtitle = absl::StrCat("Till: ", InviteeName(to));
  doc.running_head = absl::StrCat("Kallelse till ", InviteeName(to));
  const auto [day, time] = When(d);

  if (cancelled) {
    document::Section& s = doc.Add("Mötet blir inte av");
    s.Paragraph(absl::StrCat("Mötet ", day, " kl. ", time, " är inställt."));
    if (!meeting.cancel_reason().empty()) s.Facts({{"Skäl", meeting.cancel_reason()}});
    s.Paragraph(unit ? "Ni behöver inte svara. Kalenderhändelsen tas bort."
                     : "Du behöver inte göra något. Du får en ny kallelse om ett nytt möte bokas.");
  } else if (inv.sequence() > 0) {
    document::Section& s = doc.Add("Mötet har ändrats");
    s.Paragraph("Den här kallelsen ersätter den du fick tidigare: se tid och plats nedan.");
    if (!meeting.reschedule_reason().empty()) s.Facts({{"Skäl", meeting.reschedule_reason()}});
  }

  document::Section& intro = doc.Add(follow_up ? "Uppföljning av planen"
                                                    : unit ? "Varför ni kallas" : "Varför du kallas");
  switch (to.invitee_case()) {
    case pb::Invitee::kUnit:
      intro.Paragraph(absl::StrCat(
          "Er enhet kallas till ", what,
          ". Skicka personal med rätt kompetens och mandat att besluta om era insatser, så att "
          "planen kan göras klar på mötet."));
      if (to.as_health_centre()) {
        intro.Paragraph(
            "Ni kallas som vårdcentral: personen har ingen pågående kontakt med regionens "
            "hälso- och sjukvård, så vårdcentralen företräder regionen på mötet.");
      }
      break;
    case pb::Invitee::kIndividual:
      intro.Paragraph(absl::StrCat(
          "Du är välkommen till ", what,
          ". På mötet planerar du tillsammans med kommunen och regionen vilken hjälp du ska få "
          "och vem som gör vad. Du får gärna ta med en närstående eller någon annan du litar på."));
      break;
    default:
      intro.Paragraph(absl::StrCat(
          "Du är inbjuden till ", what,
          " för den person du är närstående till eller företräder, med personens samtycke."));
  }

  document::Section& when = doc.Add("Tid och plats");
  when.Facts({{"Dag", day}, {"Tid", time}, {"Plats", Where(d)}});
  if (d.interpreter_needed()) {
    when.Paragraph(absl::StrCat("Tolk på ", SwedishLanguageName(d.interpreter_language()),
                                " finns med på mötet."));
  }

  doc.Add("Det här är viktigt för personen (långsiktigt mål)").Paragraph(d.purpose());
  doc.Add("Frågor att ta upp på mötet")
      .List(std::vector<std::string>(d.questions().begin(), d.questions().end()));

  document::Section& people = doc.Add("Mötesledare och dokumentation");
  people.Facts({{"Mötesledare", meeting.has_meeting_leader() ? Person(meeting.meeting_leader()) : ""},
                {"Dokumenterar", meeting.has_documenter() ? Person(meeting.documenter()) : ""},
                {"Kallad av", ConvenerName(meeting)}});

  std::vector<std::string> others;
  for (const pb::Invitation& other : meeting.invitations()) {
    if (other.name() == inv.name() || other.state() == pb::INVITATION_STATE_FORWARDED) continue;
    others.push_back(InviteeName(other.invitee()));
  }
  doc.Add("Andra som är kallade").List(std::move(others), "Inga andra är kallade.");

  if (!cancelled) {
    document::Section& answer = doc.Add(unit ? "Så svarar ni" : "Så svarar du");
    if (unit) {
      answer.Paragraph(
          "Svara i SIP-stödets inkorg: acceptera och ange vem som kommer och i vilken roll, "
          "eller vidarebefordra kallelsen till rätt enhet inom er huvudman. Kallelsen kan inte "
          "avböjas: skyldigheten att delta ligger på huvudmannen.");
    } else {
      answer.Paragraph(absl::StrCat(
          "Du behöver inte svara. Om tiden inte passar, eller om du har frågor, kontakta ",
          ConvenerName(meeting), " som har kallat till mötet."));
    }
  }
  return doc;
}

std::string InvitationICalendar(const pb::Meeting& meeting, const pb::Invitation& inv,
                                absl::Time now) {
  const pb::MeetingDetails& d = inv.sent();
  const bool cancelled = inv.state() == pb::INVITATION_STATE_CANCELLED ||
                         meeting.state() == pb::MEETING_STATE_CANCELLED;
  std::string out;
  Line(out, "BEGIN:VCALENDAR");
  Line(out, "VERSION:2.0");
  Line(out, "PRODID:-//SIP service suite//meeting//SV");
  Line(out, "CALSCALE:GREGORIAN");
  Line(out, cancelled ? "METHOD:CANCEL" : "METHOD:REQUEST");
  for (const char* line : kStockholmZone) Line(out, line);
  Line(out, "BEGIN:VEVENT");
  // One event per meeting: the UID stays through every change, SEQUENCE counts them.
  const std::string plan_id = IdOf(meeting.name().substr(0, meeting.name().find("/meetings/")));
  Line(out, absl::StrCat("UID:", IdOf(meeting.name()), ".", plan_id, "@meeting.sip"));
  Line(out, absl::StrCat("SEQUENCE:", inv.sequence()));
  Line(out, absl::StrCat("DTSTAMP:", UtcStamp(now)));
  Line(out, absl::StrCat("DTSTART;TZID=Europe/Stockholm:", LocalStamp(TimeOf(d.start_time()))));
  Line(out, absl::StrCat("DTEND;TZID=Europe/Stockholm:", LocalStamp(TimeOf(d.end_time()))));
  Line(out, absl::StrCat("SUMMARY:", IcsText(meeting.kind() == pb::MEETING_KIND_FOLLOW_UP
                                                 ? "Uppföljning av SIP"
                                                 : "SIP-möte (samordnad individuell plan)")));
  if (d.mode() == pb::MEETING_MODE_IN_PERSON) Line(out, absl::StrCat("LOCATION:", IcsText(d.location())));
  if (d.mode() == pb::MEETING_MODE_VIDEO) {
    Line(out, absl::StrCat("LOCATION:", IcsText(d.video_link())));
    Line(out, absl::StrCat("URL:", d.video_link()));
  }
  if (d.mode() == pb::MEETING_MODE_TELEPHONE) Line(out, "LOCATION:Per telefon");
  std::string description = absl::StrCat("Det här är viktigt för personen: ", d.purpose(), "\n",
                                         "Frågor att ta upp:\n");
  for (const std::string& q : d.questions()) absl::StrAppend(&description, "- ", q, "\n");
  if (d.interpreter_needed()) {
    absl::StrAppend(&description, "Tolk på ", SwedishLanguageName(d.interpreter_language()),
                    " finns med.\n");
  }
  if (cancelled && !meeting.cancel_reason().empty()) {
    absl::StrAppend(&description, "Inställt: ", meeting.cancel_reason(), "\n");
  }
  Line(out, absl::StrCat("DESCRIPTION:", IcsText(description)));
  Line(out, absl::StrCat("ORGANIZER;CN=", IcsParam(ConvenerName(meeting)), ":",
                         UnitAddress(meeting.convener().unit())));
  if (inv.invitee().has_unit()) {
    const char* partstat = inv.state() == pb::INVITATION_STATE_ACCEPTED ? "ACCEPTED"
                                                                        : "NEEDS-ACTION";
    Line(out, absl::StrCat("ATTENDEE;CN=", IcsParam(UnitName(inv.invitee().unit())),
                           ";ROLE=REQ-PARTICIPANT;PARTSTAT=", partstat, ":",
                           UnitAddress(inv.invitee().unit())));
  }
  Line(out, cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
  Line(out, "END:VEVENT");
  Line(out, "END:VCALENDAR");
  return out;
}

}  // namespace sip::meeting
