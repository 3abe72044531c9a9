#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace sip {

// A BCP 47 language tag as the suite takes them: a 2–3 letter lower-case language,
// optionally followed by "-" and subtags of 1–8 letters or digits ("sv", "ar", "zh-Hant").
bool IsLanguageTag(absl::string_view tag);

// The Swedish name of the language of `tag` (its primary subtag), as a letter to a person
// says it: "fi" → "finska", "ar" → "arabiska", "sgn-SE"/"swl" → "svenskt teckenspråk".
// The table holds Sweden's national minority languages and the languages most asked of
// interpreters in Swedish health care and social services; any other tag gives
// "språket med koden <tag>", never a wrong name.
std::string SwedishLanguageName(absl::string_view tag);

}  // namespace sip
