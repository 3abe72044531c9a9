#pragma once

#include <string>

#include "sip/plan/v1/plan.pb.h"

// The individual's copy of their plan (JO: the person can get a copy), in Swedish, with
// every section of the regional SIP form: whose plan, need noticed by, meeting, long-term
// goal, the goals / interventions / responsible / follow-up table, overall responsibility
// and coordinator, and where to turn.
namespace sip::plan {

std::string RenderCopyText(const sip::plan::v1::PlanRevision& revision);
// A self-contained HTML document (inline style, no scripts, every value escaped).
std::string RenderCopyHtml(const sip::plan::v1::PlanRevision& revision);

}  // namespace sip::plan
