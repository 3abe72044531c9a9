#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/document.h"
#include "sip/consent/v1/consent.pb.h"
#include "sip/meeting/v1/meeting.pb.h"
#include "sip/plan/v1/plan.pb.h"

// The individual's copy of their plan (JO: the person can get a copy), in Swedish and in
// the person's own voice ("jag", as the regional form's headings are), with every section
// of the regional SIP form: whose plan it is, who noticed the need, the meeting (day, time
// and place), the consent, the long-term goal, needs, the goals / interventions /
// responsible / follow-up table, overall responsibility and coordinator, the follow-ups
// held and the next one, and where to turn. Rendered by the common document (text, or
// HTML that prints on A4 and reads on a phone), as the meeting's letter is.
namespace sip::plan {

// What the copy shows besides the revision, read from the other services and the plan's
// own follow-ups by the plan book.
struct CopyContext {
  // The meeting the plan was established at, when it was booked through the meeting
  // service.
  std::optional<sip::meeting::v1::Meeting> meeting;
  // The person's consents, as the consent service lists them.
  std::vector<sip::consent::v1::Consent> consents;
  // The follow-ups held, newest first.
  std::vector<sip::plan::v1::FollowUp> follow_ups;
};

document::Document CopyDocument(const sip::plan::v1::PlanRevision& revision,
                                const CopyContext& context);
std::string RenderCopyText(const sip::plan::v1::PlanRevision& revision,
                           const CopyContext& context = {});
// A self-contained HTML document (inline style, no scripts, every value escaped).
std::string RenderCopyHtml(const sip::plan::v1::PlanRevision& revision,
                           const CopyContext& context = {});

}  // namespace sip::plan
