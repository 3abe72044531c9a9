#pragma once

#include <string>

#include "services/lifecycle/timeline.h"

// The lifecycle's timelines and deadlines in their contract form.
namespace sip::lifecycle {

// "plans/{plan}/deadlines/{number}", the number its place in the plan's deadlines.
void ToProto(const Deadline& d, const std::string& plan_id, int number, pb::Deadline* out);
void ToProto(const Timeline& t, pb::Timeline* out);

}  // namespace sip::lifecycle
