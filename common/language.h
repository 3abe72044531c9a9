#pragma once

#include "absl/strings/string_view.h"

namespace sip {

// A BCP 47 language tag as the suite takes them: a 2–3 letter lower-case language,
// optionally followed by "-" and subtags of 1–8 letters or digits ("sv", "ar", "zh-Hant").
bool IsLanguageTag(absl::string_view tag);

}  // namespace sip
