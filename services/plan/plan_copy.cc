#include "services/plan/plan_copy.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/proto_convert.h"
#include "common/calendar.h"
#include "common/language.h"
#include "common/swedish_names.h"
#include "services/plan/plan.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::common::v1;
namespace consentpb = ::sip::consent::v1;
namespace meetingpb = ::sip::meeting::v1;
using document::OtherPartyName;
using document::PrincipalKindName;
using document::SwedishDate;
using document::UnitName;

std::string Or(const std::string& value, const char* fallback = "Ej angivet") {
  return value.empty() ? fallback : value;
}

std::string Day(const google::protobuf::Timestamp& t) {
  return SwedishDate(DayInSweden(TimeOf(t)));
}

std::string Day(const cpb::Date& d) {
  auto day = DayFromProto(d);
  return day ? SwedishDate(*day) : "Ej angivet";
}

const char* NoticedBy(pb::NeedNoticedBy n) {
  switch (n) {
    case pb::NEED_NOTICED_BY_SCHOOL: return "Skola";
    case pb::NEED_NOTICED_BY_SOCIAL_SERVICES: return "Socialtjänst";
    case pb::NEED_NOTICED_BY_REGIONAL_HEALTH_CARE: return "Regional hälso- och sjukvård";
    case pb::NEED_NOTICED_BY_MUNICIPAL_HEALTH_CARE: return "Kommunal hälso- och sjukvård";
    case pb::NEED_NOTICED_BY_INDIVIDUAL: return "Jag själv";
    case pb::NEED_NOTICED_BY_RELATIVE: return "Närstående";
    case pb::NEED_NOTICED_BY_OTHER: return "Annan";
    default: return "Ej angivet";
  }
}

const char* RepresentativeRole(pb::RepresentativeRole r) {
  switch (r) {
    case pb::REPRESENTATIVE_ROLE_GUARDIAN: return "Vårdnadshavare";
    case pb::REPRESENTATIVE_ROLE_TRUSTEE: return "God man";
    case pb::REPRESENTATIVE_ROLE_ADMINISTRATOR: return "Förvaltare";
    default: return "Företrädare";
  }
}

const char* RevisionReasonText(pb::RevisionReason r) {
  switch (r) {
    case pb::REVISION_REASON_FOLLOW_UP: return "efter uppföljning";
    case pb::REVISION_REASON_MOVED_MUNICIPALITY: return "flytt till annan kommun";
    case pb::REVISION_REASON_CHANGED_HEALTH_CENTRE: return "byte av vårdcentral";
    case pb::REVISION_REASON_NEW_PARTY: return "ny aktör av avgörande betydelse";
    case pb::REVISION_REASON_OTHER: return "annat skäl";
    default: return "";
  }
}

const char* ClosureReasonText(pb::ClosureReason r) {
  switch (r) {
    case pb::CLOSURE_REASON_GOALS_MET: return "målen är uppnådda";
    case pb::CLOSURE_REASON_NO_LONGER_NEEDED: return "samordnade insatser behövs inte längre";
    case pb::CLOSURE_REASON_CONSENT_WITHDRAWN: return "samtycket har återkallats";
    case pb::CLOSURE_REASON_CONSENT_REFUSED: return "samtycke till planen gavs inte";
    case pb::CLOSURE_REASON_MOVED_OUT_OF_REGION: return "flytt från regionen";
    case pb::CLOSURE_REASON_EXPIRED: return "planen har inte följts upp inom 12 månader (förverkad)";
    case pb::CLOSURE_REASON_REPLACED: return "ersatt av en ny plan";
    default: return "";
  }
}

const char* DecisionText(pb::FollowUpDecision d) {
  switch (d) {
    case pb::FOLLOW_UP_DECISION_CONTINUE: return "planen fortsätter som den är";
    case pb::FOLLOW_UP_DECISION_REVISE: return "planen revideras";
    case pb::FOLLOW_UP_DECISION_CLOSE: return "planen avslutas";
    default: return "";
  }
}

std::string Responsible(const pb::Intervention& in) {
  switch (in.responsible_principal()) {
    case cpb::PRINCIPAL_KIND_MUNICIPALITY:
    case cpb::PRINCIPAL_KIND_REGION:
      return in.has_responsible_unit()
                 ? absl::StrCat(PrincipalKindName(in.responsible_principal()), ", ",
                                UnitName(in.responsible_unit()))
                 : PrincipalKindName(in.responsible_principal());
    case cpb::PRINCIPAL_KIND_OTHER:
      return in.has_responsible_other() ? OtherPartyName(in.responsible_other()) : "Annan aktör";
    default:
      return "Ej angivet";
  }
}

std::string Giver(const consentpb::ConsentGiver& g) {
  switch (g.role()) {
    case consentpb::GIVER_ROLE_INDIVIDUAL: return "Jag";
    case consentpb::GIVER_ROLE_GUARDIAN: return absl::StrCat("Min vårdnadshavare ", g.name());
    case consentpb::GIVER_ROLE_TRUSTEE: return absl::StrCat("Min gode man ", g.name());
    case consentpb::GIVER_ROLE_ADMINISTRATOR: return absl::StrCat("Min förvaltare ", g.name());
    default: return "Någon";
  }
}

const char* Form(cpb::CommunicationForm f) {
  return f == cpb::COMMUNICATION_FORM_ORAL ? "muntligt" : "skriftligt";
}

// One line per consent: who gave it, how, when, for whom, and whether it holds.
std::string ConsentLine(const consentpb::Consent& c) {
  std::string who = Giver(c.giver());
  if (c.has_second_guardian()) absl::StrAppend(&who, " och ", c.second_guardian().name());
  std::vector<std::string> covered;
  for (const cpb::Unit& u : c.covered_units()) covered.push_back(UnitName(u));
  for (const cpb::OtherParty& o : c.covered_others()) covered.push_back(OtherPartyName(o));
  if (c.state() == consentpb::CONSENT_STATE_REFUSED) {
    return absl::StrCat(who, " sa nej till samtycke ", Form(c.form()), " ",
                        Day(c.decision_time()), ".");
  }
  std::string line = absl::StrCat(who, " gav samtycke ", Form(c.form()), " ",
                                  Day(c.decision_time()));
  if (!covered.empty()) absl::StrAppend(&line, " för ", absl::StrJoin(covered, ", "));
  switch (c.state()) {
    case consentpb::CONSENT_STATE_WITHDRAWN:
      absl::StrAppend(&line, ". Samtycket återkallades ", Day(c.withdrawal().withdraw_time()), ".");
      break;
    case consentpb::CONSENT_STATE_EXPIRED:
      absl::StrAppend(&line, ". Samtycket gällde till ", Day(c.valid_until()), ".");
      break;
    default:
      absl::StrAppend(&line, c.has_valid_until() ? absl::StrCat(", till ", Day(c.valid_until()))
                                                 : "",
                      ". Samtycket gäller.");
  }
  return line;
}

}  // namespace

document::Document CopyDocument(const pb::PlanRevision& revision, const CopyContext& context) {
  const pb::Plan& p = revision.snapshot();
  document::Document doc;
  // The copy says which kind of SIP it is: the law's, or one within one principal.
  doc.title = p.kind() == pb::PLAN_KIND_INTERNAL
                  ? "Samordnad individuell plan (SIP) – intern SIP inom en huvudman"
                  : "Samordnad individuell plan (SIP)";
  doc.subtitle = absl::StrCat("Min kopia av planen. Version ", p.revision(), ", ",
                              p.revision() <= 1 ? "upprättad " : "reviderad ",
                              Day(revision.create_time()));
  if (p.revision() > 1 && revision.reason() != pb::REVISION_REASON_UNSPECIFIED) {
    absl::StrAppend(&doc.subtitle, " (", RevisionReasonText(revision.reason()), ")");
  }

  const pb::Individual& ind = p.individual();
  const std::string& pin = ind.personal_identity_number();
  const std::string pin_shown =
      pin.size() == 12 ? absl::StrCat(pin.substr(0, 8), "-", pin.substr(8)) : pin;
  doc.running_head = absl::StrCat("Planen tillhör ", Or(ind.name(), ""),
                                  pin_shown.empty() ? "" : absl::StrCat(", ", pin_shown));
  std::vector<std::pair<std::string, std::string>> whose = {
      {"Namn", Or(ind.name())}, {"Personnummer", Or(pin_shown)},
      {"Adress", Or(ind.address())}, {"Telefon", Or(ind.phone())}};
  for (const pb::Representative& r : ind.representatives()) {
    whose.emplace_back(RepresentativeRole(r.role()),
                       r.phone().empty() ? r.name() : absl::StrCat(r.name(), ", telefon ", r.phone()));
  }
  if (ind.interpreter_needed()) {
    whose.emplace_back("Tolk", ind.preferred_language().empty()
                                   ? "Jag behöver tolk"
                                   : absl::StrCat("Jag behöver tolk på ",
                                                  SwedishLanguageName(ind.preferred_language())));
  }
  doc.Add("Planen tillhör").Facts(std::move(whose));

  doc.Add("Behov uppmärksammat av")
      .Paragraph(p.need_noticed_by() == pb::NEED_NOTICED_BY_OTHER
                     ? absl::StrCat("Annan: ", p.need_noticed_by_other())
                     : NoticedBy(p.need_noticed_by()));

  // The meeting where the plan was made: day, time and place when the meeting service
  // booked it; the day alone otherwise.
  document::Section& meeting = doc.Add("SIP-möte");
  if (context.meeting && context.meeting->has_details()) {
    const meetingpb::MeetingDetails& d = context.meeting->details();
    const absl::Time start = TimeOf(context.meeting->has_held() ? context.meeting->held().start_time()
                                                               : d.start_time());
    const absl::Time end = TimeOf(context.meeting->has_held() ? context.meeting->held().end_time()
                                                             : d.end_time());
    std::string place;
    switch (d.mode()) {
      case meetingpb::MEETING_MODE_IN_PERSON: place = d.location(); break;
      case meetingpb::MEETING_MODE_VIDEO: place = "Digitalt möte (video)"; break;
      case meetingpb::MEETING_MODE_TELEPHONE: place = "Per telefon"; break;
      default: break;
    }
    meeting.Paragraph("Planen upprättades vid SIP-mötet:");
    meeting.Facts({{"Dag", document::SwedishWeekdayDate(start)},
                   {"Tid", absl::StrCat(document::SwedishClock(start), "–",
                                        document::SwedishClock(end))},
                   {"Plats", place}});
  } else {
    meeting.Paragraph(absl::StrCat(
        "Planen upprättades vid SIP-mötet ",
        Day(p.has_establishing_meeting() ? p.establishing_meeting().held_time()
                                         : p.establish_time()),
        "."));
  }

  std::vector<std::string> consents;
  for (const consentpb::Consent& c : context.consents) consents.push_back(ConsentLine(c));
  doc.Add("Mitt samtycke").List(std::move(consents), "Inget samtycke är registrerat.");

  doc.Add("Vad är viktigt för mig? (långsiktigt mål)").Paragraph(Or(p.long_term_goal()));
  doc.Add("Det här fungerar bra för mig").Paragraph(Or(p.what_works()));
  doc.Add("Det här fungerar inte för mig").Paragraph(Or(p.what_does_not_work()));
  doc.Add("Närståendes behov").Paragraph(Or(p.relatives_needs()));
  doc.Add("Det här kan jag göra själv").Paragraph(Or(p.own_contribution()));
  doc.Add("Mina behov").List(std::vector<std::string>(p.needs().begin(), p.needs().end()),
                             "Ej angivet");

  document::Table table;
  table.headings = {"Delmål", "Insats/aktivitet (vad och när)", "Ansvarig", "Uppföljning"};
  table.group_by_first = true;
  for (int g = 0; g < p.goals_size(); ++g) {
    const pb::Goal& goal = p.goals(g);
    const std::string goal_text = absl::StrCat(g + 1, ". ", goal.text());
    if (goal.interventions().empty()) table.rows.push_back({goal_text, "–", "–", "–"});
    for (const pb::Intervention& in : goal.interventions()) {
      const std::string what = in.timing().empty()
                                   ? in.description()
                                   : absl::StrCat(in.description(), " (", in.timing(), ")");
      table.rows.push_back({goal_text, what, Responsible(in), Or(in.follow_up(), "–")});
    }
  }
  doc.Add("Delmål, insatser, ansvar och uppföljning").AddTable(std::move(table));

  std::vector<std::string> participants;
  for (const pb::Participant& part : p.participants()) {
    std::string who = part.has_unit() ? absl::StrCat(PrincipalKindName(part.unit().principal()),
                                                     ", ", UnitName(part.unit()))
                                      : OtherPartyName(part.other());
    if (!part.role().empty()) absl::StrAppend(&who, " – ", part.role());
    participants.push_back(std::move(who));
  }
  if (!participants.empty()) doc.Add("De som deltar").List(std::move(participants));

  const pb::OverallResponsibility& o = p.overall_responsibility();
  doc.Add("Övergripande ansvar och samordningsansvarig")
      .Facts({{"Huvudman med övergripande ansvar",
               absl::StrCat(PrincipalKindName(o.principal()),
                            o.has_unit() ? absl::StrCat(", ", UnitName(o.unit())) : "")},
              {"Samordningsansvarig", Or(o.coordinator_contact())}});

  std::vector<std::string> held;
  for (const pb::FollowUp& f : context.follow_ups) {
    held.push_back(absl::StrCat(Day(f.follow_up_date()), ": ", DecisionText(f.decision()), "."));
  }
  document::Section& follow_ups = doc.Add("Uppföljning");
  follow_ups.List(std::move(held), "Planen har inte följts upp än.");
  follow_ups.Paragraph(p.has_next_follow_up_date()
                           ? absl::StrCat("Nästa uppföljning: senast ", Day(p.next_follow_up_date()),
                                          ". Planen följs upp minst en gång om året.")
                           : "Planen följs upp minst en gång om året.");

  if (p.state() == cpb::PLAN_STATE_CLOSED) {
    document::Section& closed = doc.Add("Planen är avslutad");
    closed.Paragraph(absl::StrCat("Avslutad ", Day(p.closure().close_time()), ": ",
                                  ClosureReasonText(p.closure().reason()), "."));
    if (!p.closure().note().empty()) closed.Paragraph(p.closure().note());
  }

  doc.Add("Vart vänder jag mig?")
      .Paragraph(absl::StrCat(
          "Om jag har frågor om planen, eller om något ändras för mig, kontaktar jag min "
          "samordningsansvarige",
          o.coordinator_contact().empty() ? "" : absl::StrCat(" (", o.coordinator_contact(), ")"),
          o.has_unit() ? absl::StrCat(" på ", UnitName(o.unit())) : "", "."))
      .Paragraph(
          "Om behovet av samordning kommer tillbaka efter att planen avslutats kan jag, en "
          "närstående eller min företrädare be om en ny SIP hos kommunen eller regionen.")
      .Paragraph("Den här planen ersätter inte kommunens och regionens egen dokumentation.");
  return doc;
}

std::string RenderCopyText(const pb::PlanRevision& revision, const CopyContext& context) {
  return document::RenderText(CopyDocument(revision, context));
}

std::string RenderCopyHtml(const pb::PlanRevision& revision, const CopyContext& context) {
  return document::RenderHtml(CopyDocument(revision, context));
}

}  // namespace sip::plan
