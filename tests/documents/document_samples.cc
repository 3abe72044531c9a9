// Writes the two documents a person holds, as the services render them, for the print
// test (print_test.sh): the copy of a plan whose goals table runs over several A4 pages,
// and an invitation letter. Usage: document_samples OUT_DIR
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/calendar.h"
#include "common/document.h"
#include "common/model.h"
#include "common/proto_convert.h"
#include "services/meeting/invitation.h"
#include "services/meeting/meeting.h"
#include "services/plan/plan.h"
#include "services/plan/plan_copy.h"
#include "services/plan/plan_test_data.h"

namespace {

namespace cpb = ::sip::common::v1;

bool Write(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  return static_cast<bool>(out);
}

// A plan with twelve goals of three interventions each: the table needs several pages.
sip::plan::v1::PlanRevision LongPlan() {
  namespace pb = ::sip::plan::v1;
  pb::Plan input = sip::plan::testdata::CompletePlan();
  input.mutable_individual()->set_interpreter_needed(true);
  input.mutable_individual()->set_preferred_language("ar");
  input.clear_goals();
  for (int g = 1; g <= 12; ++g) {
    pb::Goal* goal = input.add_goals();
    goal->set_text(absl::StrCat("Mål ", g, ": jag klarar en sak till i vardagen på egen hand"));
    for (int i = 1; i <= 3; ++i) {
      pb::Intervention* in = goal->add_interventions();
      in->set_description(absl::StrCat("INSATS-", g, "-", i,
                                       " stöd och träning tillsammans med personal, två gånger i "
                                       "veckan under hösten"));
      in->set_timing("Från januari");
      in->set_responsible_principal(i == 2 ? cpb::PRINCIPAL_KIND_MUNICIPALITY
                                           : cpb::PRINCIPAL_KIND_REGION);
      sip::plan::testdata::SetUnit(in->mutable_responsible_unit(),
                                   i == 2 ? sip::plan::testdata::kSoc : sip::plan::testdata::kVc,
                                   in->responsible_principal(),
                                   i == 2 ? "Socialtjänsten Kungälv" : "Vårdcentralen Kungälv");
      in->set_follow_up("Vid uppföljningen i maj");
    }
  }
  const absl::Time now = sip::plan::testdata::kNow;
  pb::Plan plan = *sip::plan::NewPlan(input, sip::plan::testdata::kCaller, now);
  return *sip::plan::Establish(plan, "p1", {}, sip::plan::testdata::kCaller, now);
}

sip::meeting::v1::Meeting Meeting() {
  namespace pb = ::sip::meeting::v1;
  pb::ScheduleMeetingRequest r;
  r.set_kind(pb::MEETING_KIND_INITIAL);
  const absl::Time start =
      absl::FromCivil(absl::CivilSecond(2027, 3, 29, 10, 0, 0), sip::Stockholm());
  sip::ToProto(start, r.mutable_details()->mutable_start_time());
  sip::ToProto(start + absl::Hours(2), r.mutable_details()->mutable_end_time());
  r.mutable_details()->set_mode(pb::MEETING_MODE_IN_PERSON);
  r.mutable_details()->set_location("Vårdcentralen Kungälv, Västra Gatan 12, rum 3");
  r.mutable_details()->set_purpose("Jag vill kunna bo kvar i min lägenhet och må bättre");
  r.mutable_details()->add_questions("Vem hjälper mig med medicinerna?");
  r.mutable_details()->add_questions("Hur får jag stöd i vardagen när mamma inte kan?");
  r.mutable_details()->set_interpreter_needed(true);
  r.mutable_details()->set_interpreter_language("ar");
  for (auto [hsa, principal, name] :
       {std::tuple{sip::plan::testdata::kVc, cpb::PRINCIPAL_KIND_REGION, "Vårdcentralen Kungälv"},
        std::tuple{sip::plan::testdata::kSoc, cpb::PRINCIPAL_KIND_MUNICIPALITY,
                   "Socialtjänsten Kungälv"}}) {
    sip::plan::testdata::SetUnit(r.add_invitees()->mutable_unit(), hsa, principal, name);
  }
  r.add_invitees()->set_individual(true);
  r.mutable_meeting_leader()->set_name("Eva Berg");
  r.mutable_meeting_leader()->set_role("Oberoende mötesledare");
  int n = 0;
  return *sip::meeting::NewMeeting(r, {"p1"}, sip::plan::testdata::kCaller,
                                   start - absl::Hours(24 * 14),
                                   [&n] { return absl::StrCat("id", ++n); });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: document_samples OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  const sip::meeting::v1::Meeting meeting = Meeting();
  const bool ok =
      Write(dir + "/plan_copy.html", sip::plan::RenderCopyHtml(LongPlan())) &&
      Write(dir + "/invitation.html",
            sip::document::RenderHtml(sip::meeting::InvitationLetter(meeting, meeting.invitations(2))));
  if (!ok) std::cerr << "document_samples: cannot write to " << dir << "\n";
  return ok ? 0 : 1;
}
