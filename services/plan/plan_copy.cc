#include "services/plan/plan_copy.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "services/plan/plan.h"

namespace sip::plan {
namespace {

namespace cpb = ::sip::common::v1;

// The copy as data, rendered by both formats so they cannot drift apart.
struct Row {
  std::string goal, intervention, responsible, follow_up;
};
struct Section {
  std::string heading;
  std::vector<std::string> lines;
  std::vector<Row> table;
};
struct Document {
  std::string title;
  std::string subtitle;
  std::vector<Section> sections;
};

std::string Or(const std::string& value, const char* fallback = "Ej angivet") {
  return value.empty() ? fallback : value;
}

std::string Day(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(t.seconds()), Stockholm());
}

std::string Day(const cpb::Date& d) {
  auto day = DayFromProto(d);
  return day ? absl::FormatCivilTime(*day) : "Ej angivet";
}

const char* PrincipalName(cpb::PrincipalKind p) {
  switch (p) {
    case cpb::PRINCIPAL_KIND_MUNICIPALITY: return "Kommunen";
    case cpb::PRINCIPAL_KIND_REGION: return "Regionen";
    case cpb::PRINCIPAL_KIND_OTHER: return "Annan aktör";
    default: return "Ej angivet";
  }
}

std::string UnitName(const cpb::Unit& u) {
  return u.display_name().empty() ? u.hsa_id() : u.display_name();
}

std::string OtherName(const cpb::OtherParty& o) {
  static const char* const kKinds[] = {"Annan",        "Närstående",   "Försäkringskassan",
                                       "Arbetsförmedlingen", "Skola", "Privat utförare",
                                       "Företrädare",  "Annan"};
  const int k = o.kind() >= 0 && o.kind() <= 7 ? o.kind() : 0;
  if (o.description().empty()) return kKinds[k];
  // "Försäkringskassan, Göteborg" needs no "Försäkringskassan: " in front.
  if (absl::StartsWith(o.description(), kKinds[k])) return o.description();
  return absl::StrCat(kKinds[k], ": ", o.description());
}

const char* NoticedBy(pb::NeedNoticedBy n) {
  switch (n) {
    case pb::NEED_NOTICED_BY_SCHOOL: return "Skola";
    case pb::NEED_NOTICED_BY_SOCIAL_SERVICES: return "Socialtjänst";
    case pb::NEED_NOTICED_BY_REGIONAL_HEALTH_CARE: return "Regional hälso- och sjukvård";
    case pb::NEED_NOTICED_BY_MUNICIPAL_HEALTH_CARE: return "Kommunal hälso- och sjukvård";
    case pb::NEED_NOTICED_BY_INDIVIDUAL: return "Den enskilde";
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
    case pb::CLOSURE_REASON_MOVED_OUT_OF_REGION: return "flytt från regionen";
    case pb::CLOSURE_REASON_EXPIRED: return "planen har inte följts upp inom 12 månader (förverkad)";
    case pb::CLOSURE_REASON_REPLACED: return "ersatt av en ny plan";
    default: return "";
  }
}

std::string Responsible(const pb::Intervention& in) {
  switch (in.responsible_principal()) {
    case cpb::PRINCIPAL_KIND_MUNICIPALITY:
    case cpb::PRINCIPAL_KIND_REGION:
      return in.has_responsible_unit()
                 ? absl::StrCat(PrincipalName(in.responsible_principal()), ", ",
                                UnitName(in.responsible_unit()))
                 : PrincipalName(in.responsible_principal());
    case cpb::PRINCIPAL_KIND_OTHER:
      return in.has_responsible_other() ? OtherName(in.responsible_other()) : "Annan aktör";
    default:
      return "Ej angivet";
  }
}

Document Build(const pb::PlanRevision& revision) {
  const pb::Plan& p = revision.snapshot();
  Document doc;
  // The copy says which kind of SIP it is: the law's, or one within one principal.
  doc.title = p.kind() == pb::PLAN_KIND_INTERNAL
                  ? "Samordnad individuell plan (SIP) – intern SIP inom en huvudman"
                  : "Samordnad individuell plan (SIP)";
  doc.subtitle = absl::StrCat("Kopia till den enskilde. Version ", p.revision(), ", ",
                              p.revision() <= 1 ? "upprättad " : "reviderad ",
                              Day(revision.create_time()));
  if (p.revision() > 1 && revision.reason() != pb::REVISION_REASON_UNSPECIFIED) {
    absl::StrAppend(&doc.subtitle, " (", RevisionReasonText(revision.reason()), ")");
  }

  const pb::Individual& ind = p.individual();
  Section whose{"Min plan – vems plan det är", {}, {}};
  whose.lines.push_back(absl::StrCat("Namn: ", Or(ind.name())));
  const std::string& pin = ind.personal_identity_number();
  whose.lines.push_back(absl::StrCat(
      "Personnummer: ", pin.size() == 12 ? absl::StrCat(pin.substr(0, 8), "-", pin.substr(8))
                                          : Or(pin)));
  whose.lines.push_back(absl::StrCat("Adress: ", Or(ind.address())));
  whose.lines.push_back(absl::StrCat("Telefon: ", Or(ind.phone())));
  for (const pb::Representative& r : ind.representatives()) {
    std::string line = absl::StrCat(RepresentativeRole(r.role()), ": ", r.name());
    if (!r.phone().empty()) absl::StrAppend(&line, ", telefon ", r.phone());
    whose.lines.push_back(std::move(line));
  }
  if (ind.interpreter_needed()) {
    whose.lines.push_back(absl::StrCat("Tolk behövs",
                                       ind.preferred_language().empty()
                                           ? ""
                                           : absl::StrCat(" (språk: ", ind.preferred_language(), ")")));
  }
  doc.sections.push_back(std::move(whose));

  Section noticed{"Behov uppmärksammat av", {}, {}};
  noticed.lines.push_back(p.need_noticed_by() == pb::NEED_NOTICED_BY_OTHER
                              ? absl::StrCat("Annan: ", p.need_noticed_by_other())
                              : NoticedBy(p.need_noticed_by()));
  doc.sections.push_back(std::move(noticed));

  Section meeting{"SIP-möte", {}, {}};
  // The meeting's date, not the moment the establishment was recorded.
  meeting.lines.push_back(absl::StrCat(
      "Planen upprättades vid SIP-möte ",
      Day(p.has_establishing_meeting() ? p.establishing_meeting().held_time()
                                       : p.establish_time()),
      "."));
  doc.sections.push_back(std::move(meeting));

  doc.sections.push_back({"Vad är viktigt för mig? (långsiktigt mål)", {Or(p.long_term_goal())}, {}});
  doc.sections.push_back({"Det här fungerar bra för mig", {Or(p.what_works())}, {}});
  doc.sections.push_back({"Det här fungerar inte för mig", {Or(p.what_does_not_work())}, {}});
  doc.sections.push_back({"Närståendes behov", {Or(p.relatives_needs())}, {}});
  doc.sections.push_back({"Det här kan jag göra själv", {Or(p.own_contribution())}, {}});

  Section needs{"Mina behov", {}, {}};
  for (const std::string& n : p.needs()) needs.lines.push_back(absl::StrCat("• ", n));
  doc.sections.push_back(std::move(needs));

  Section goals{"Delmål, insatser, ansvar och uppföljning", {}, {}};
  for (int g = 0; g < p.goals_size(); ++g) {
    const pb::Goal& goal = p.goals(g);
    const std::string goal_text = absl::StrCat(g + 1, ". ", goal.text());
    if (goal.interventions().empty()) goals.table.push_back({goal_text, "–", "–", "–"});
    for (const pb::Intervention& in : goal.interventions()) {
      const std::string what = in.timing().empty()
                                   ? in.description()
                                   : absl::StrCat(in.description(), " (", in.timing(), ")");
      goals.table.push_back({goal_text, what, Responsible(in), Or(in.follow_up(), "–")});
    }
  }
  doc.sections.push_back(std::move(goals));

  Section participants{"De som deltar", {}, {}};
  for (const pb::Participant& part : p.participants()) {
    std::string who = part.has_unit() ? absl::StrCat(PrincipalName(part.unit().principal()),
                                                     ", ", UnitName(part.unit()))
                                      : OtherName(part.other());
    if (!part.role().empty()) absl::StrAppend(&who, " – ", part.role());
    participants.lines.push_back(std::move(who));
  }
  if (!participants.lines.empty()) doc.sections.push_back(std::move(participants));

  const pb::OverallResponsibility& o = p.overall_responsibility();
  Section overall{"Övergripande ansvar och samordningsansvarig", {}, {}};
  overall.lines.push_back(absl::StrCat("Huvudman med övergripande ansvar: ",
                                       PrincipalName(o.principal()),
                                       o.has_unit() ? absl::StrCat(", ", UnitName(o.unit())) : ""));
  overall.lines.push_back(absl::StrCat("Samordningsansvarig: ", Or(o.coordinator_contact())));
  doc.sections.push_back(std::move(overall));

  Section next{"Nästa uppföljning", {}, {}};
  next.lines.push_back(p.has_next_follow_up_date()
                           ? absl::StrCat("Planen följs upp senast ", Day(p.next_follow_up_date()),
                                          ", och minst en gång om året.")
                           : "Planen följs upp minst en gång om året.");
  doc.sections.push_back(std::move(next));

  if (p.state() == cpb::PLAN_STATE_CLOSED) {
    doc.sections.push_back({"Planen är avslutad",
                            {absl::StrCat("Avslutad ", Day(p.closure().close_time()), ": ",
                                          ClosureReasonText(p.closure().reason()), "."),
                             Or(p.closure().note(), "")},
                            {}});
  }

  Section where{"Vart vänder jag mig?", {}, {}};
  where.lines.push_back(absl::StrCat(
      "Har du frågor om planen, eller har något ändrats för dig, kontakta din "
      "samordningsansvarige",
      o.coordinator_contact().empty() ? "" : absl::StrCat(" (", o.coordinator_contact(), ")"),
      o.has_unit() ? absl::StrCat(" på ", UnitName(o.unit())) : "", "."));
  where.lines.push_back(
      "Om behovet av samordning kommer tillbaka efter att planen avslutats kan du, en "
      "närstående eller din företrädare be om en ny SIP hos kommunen eller regionen.");
  where.lines.push_back(
      "Den här planen ersätter inte kommunens och regionens egen dokumentation.");
  doc.sections.push_back(std::move(where));
  return doc;
}

// Characters, not bytes, of UTF-8 text: the width of a heading's underline.
size_t Characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string RenderCopyText(const pb::PlanRevision& revision) {
  const Document doc = Build(revision);
  std::string out = absl::StrCat(doc.title, "\n", doc.subtitle, "\n");
  for (const Section& s : doc.sections) {
    absl::StrAppend(&out, "\n", s.heading, "\n", std::string(Characters(s.heading), '-'), "\n");
    for (const std::string& line : s.lines) {
      if (!line.empty()) absl::StrAppend(&out, line, "\n");
    }
    std::string last_goal;
    for (const Row& r : s.table) {
      absl::StrAppend(&out, "\n");
      if (r.goal != last_goal) absl::StrAppend(&out, "Delmål ", r.goal, "\n");
      last_goal = r.goal;
      absl::StrAppend(&out, "  Insats/aktivitet: ", r.intervention, "\n", "  Ansvarig: ",
                      r.responsible, "\n", "  Uppföljning: ", r.follow_up, "\n");
    }
  }
  return out;
}

std::string RenderCopyHtml(const pb::PlanRevision& revision) {
  const Document doc = Build(revision);
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
      Escape(doc.title),
      "</title>\n<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;"
      "line-height:1.4}table{border-collapse:collapse;width:100%}th,td{border:1px solid "
      "#888;padding:.4em;text-align:left;vertical-align:top}</style>\n</head>\n<body>\n<h1>",
      Escape(doc.title), "</h1>\n<p>", Escape(doc.subtitle), "</p>\n");
  for (const Section& s : doc.sections) {
    absl::StrAppend(&out, "<h2>", Escape(s.heading), "</h2>\n");
    for (const std::string& line : s.lines) {
      if (!line.empty()) absl::StrAppend(&out, "<p>", Escape(line), "</p>\n");
    }
    if (!s.table.empty()) {
      absl::StrAppend(&out,
                      "<table>\n<tr><th>Delmål</th><th>Insats/aktivitet (vad och när)</th>"
                      "<th>Ansvarig</th><th>Uppföljning</th></tr>\n");
      for (const Row& r : s.table) {
        absl::StrAppend(&out, "<tr><td>", Escape(r.goal), "</td><td>", Escape(r.intervention),
                        "</td><td>", Escape(r.responsible), "</td><td>", Escape(r.follow_up),
                        "</td></tr>\n");
      }
      absl::StrAppend(&out, "</table>\n");
    }
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

}  // namespace sip::plan
