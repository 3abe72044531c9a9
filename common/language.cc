#include "common/language.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sip {

bool IsLanguageTag(absl::string_view tag) {
  std::vector<absl::string_view> parts = absl::StrSplit(tag, '-');
  if (parts[0].size() < 2 || parts[0].size() > 3) return false;
  for (char c : parts[0]) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c))) return false;
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty() || parts[i].size() > 8) return false;
    for (char c : parts[i]) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

std::string SwedishLanguageName(absl::string_view tag) {
  struct Name {
    const char* code;
    const char* swedish;
  };
  static constexpr Name kNames[] = {
      {"am", "amhariska"},     {"ar", "arabiska"},       {"bs", "bosniska"},
      {"ckb", "sorani"},       {"da", "danska"},         {"de", "tyska"},
      {"el", "grekiska"},      {"en", "engelska"},       {"es", "spanska"},
      {"et", "estniska"},      {"fa", "persiska"},       {"fi", "finska"},
      {"fit", "meänkieli"},    {"fr", "franska"},        {"he", "hebreiska"},
      {"hr", "kroatiska"},     {"hu", "ungerska"},       {"hy", "armeniska"},
      {"it", "italienska"},    {"ja", "japanska"},       {"ka", "georgiska"},
      {"kmr", "kurmanji"},     {"ku", "kurdiska"},       {"lt", "litauiska"},
      {"lv", "lettiska"},      {"mn", "mongoliska"},     {"nl", "nederländska"},
      {"no", "norska"},        {"pl", "polska"},         {"prs", "dari"},
      {"ps", "pashto"},        {"pt", "portugisiska"},   {"rmy", "romani"},
      {"rom", "romani"},       {"ro", "rumänska"},       {"ru", "ryska"},
      {"se", "nordsamiska"},   {"sma", "sydsamiska"},    {"smj", "lulesamiska"},
      {"so", "somaliska"},     {"sq", "albanska"},       {"sr", "serbiska"},
      {"sv", "svenska"},       {"swl", "svenskt teckenspråk"}, {"sw", "swahili"},
      {"th", "thailändska"},   {"ti", "tigrinja"},       {"tr", "turkiska"},
      {"uk", "ukrainska"},     {"ur", "urdu"},           {"vi", "vietnamesiska"},
      {"yi", "jiddisch"},      {"zh", "kinesiska"},
  };
  if (tag == "sgn-SE") return "svenskt teckenspråk";
  const absl::string_view primary = tag.substr(0, tag.find('-'));
  for (const Name& n : kNames) {
    if (primary == n.code) return n.swedish;
  }
  return absl::StrCat("språket med koden ", tag);
}

}  // namespace sip
