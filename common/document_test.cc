// The common document: one model, text and HTML; tables grouped and headed on every
// printed page, owner and page numbers in the page margins, everything escaped.
#include "common/document.h"

#include "common/calendar.h"
#include "common/language.h"
#include "common/swedish_names.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sip::document {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Document Sample() {
  Document doc;
  doc.title = "Samordnad individuell plan (SIP)";
  doc.subtitle = "Min kopia";
  doc.running_head = "Planen tillhör Anna \"Nina\" </style> Andersson";
  doc.Add("Mina behov").List({"Hjälp med mat", "Stöd <hemma>"});
  doc.Add("Tomt").List({}, "Inga behov angivna.");
  doc.Add("Fakta").Facts({{"Namn", "Anna"}, {"Telefon", ""}});
  Table t;
  t.headings = {"Delmål", "Insats", "Ansvarig"};
  t.group_by_first = true;
  t.rows = {{"1. Äta", "Matlåda", "Kommunen"}, {"1. Äta", "Dietist", "Regionen"},
            {"2. Sova", "Sömnskola", "Regionen"}};
  doc.Add("Delmål").AddTable(t);
  return doc;
}

TEST(DocumentTest, TextShowsGroupsOnceAndListsAsLists) {
  const std::string text = RenderText(Sample());
  EXPECT_THAT(text, HasSubstr("Mina behov\n----------\n- Hjälp med mat\n- Stöd <hemma>\n"));
  EXPECT_THAT(text, HasSubstr("Inga behov angivna."));
  EXPECT_THAT(text, HasSubstr("Namn: Anna\n"));
  EXPECT_THAT(text, Not(HasSubstr("Telefon"))) << "an empty fact is left out";
  EXPECT_THAT(text, HasSubstr("Delmål: 1. Äta\n  Insats: Matlåda\n  Ansvarig: Kommunen\n\n"
                              "  Insats: Dietist\n"));
  EXPECT_EQ(text.find("1. Äta"), text.rfind("1. Äta")) << "the goal once";
}

TEST(DocumentTest, HtmlPrintsOnA4WithHeadedTablesAndReadsOnAPhone) {
  const std::string html = RenderHtml(Sample());
  EXPECT_THAT(html, HasSubstr("@page{size:A4"));
  EXPECT_THAT(html, HasSubstr("counter(page)"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"viewport\" content=\"width=device-width"));
  EXPECT_THAT(html, HasSubstr("<thead><tr><th scope=\"col\">Delmål</th>"));
  EXPECT_THAT(html, HasSubstr("<td rowspan=\"2\" data-label=\"Delmål\">1. Äta</td>"));
  EXPECT_EQ(html.find(">1. Äta<"), html.rfind(">1. Äta<"));
  EXPECT_THAT(html, HasSubstr("<td data-label=\"Delmål\">2. Sova</td>"));
  EXPECT_THAT(html, HasSubstr("<li>Stöd &lt;hemma&gt;</li>"));
  EXPECT_THAT(html, HasSubstr("max-width:40em"));
  // The owner in the page margin: a CSS string that no value can end.
  EXPECT_THAT(html, HasSubstr("Planen tillhör Anna \\22 Nina\\22  \\3c /style\\3e  Andersson"));
  EXPECT_EQ(html.find("</style>"), html.rfind("</style>"));
}

TEST(DocumentTest, SwedishDatesTimesAndNames) {
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2027, 3, 28, 9, 5, 0), Stockholm());
  EXPECT_EQ(SwedishWeekdayDate(t), "söndag 28 mars 2027");
  EXPECT_EQ(SwedishClock(t), "09.05");
  EXPECT_EQ(SwedishLanguageName("fi"), "finska");
  EXPECT_EQ(SwedishLanguageName("ar-SY"), "arabiska");
  EXPECT_EQ(SwedishLanguageName("sgn-SE"), "svenskt teckenspråk");
  EXPECT_EQ(SwedishLanguageName("xx"), "språket med koden xx");
  sip::common::v1::Unit u;
  u.set_hsa_id("SE2120001652-S1");
  u.set_principal(sip::common::v1::PRINCIPAL_KIND_MUNICIPALITY);
  u.set_principal_code("1482");
  EXPECT_EQ(UnitWithPrincipal(u), "SE2120001652-S1, Kungälv (kommun)");
}

}  // namespace
}  // namespace sip::document
