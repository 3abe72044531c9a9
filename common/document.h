#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

// Documents a person holds — the copy of their plan, the written invitation to a meeting
// — as data, rendered one way for every service: as plain text, and as a self-contained
// HTML page that prints on A4 (page size and margins, the document's owner and "Sida N av
// M" on every page, a table's column headings repeated on each page it spans, no heading
// left alone at the foot of a page) and reads on a phone (viewport, tables stacked
// into labelled cards on a narrow screen). Every value is escaped; no script, no external
// resource.
namespace sip::document {

// A table with column headings. Consecutive rows whose first cell is the same form a group
// when `group_by_first`: the first cell is shown once for the group (a goal over its
// interventions).
struct Table {
  std::vector<std::string> headings;
  std::vector<std::vector<std::string>> rows;
  bool group_by_first = false;
};

// One block of a section, in order.
struct Block {
  enum class Kind { kParagraph, kFacts, kList, kTable };
  Kind kind = Kind::kParagraph;
  std::string text;                                        // kParagraph
  std::vector<std::pair<std::string, std::string>> facts;  // kFacts: label, value
  std::vector<std::string> items;                          // kList
  Table table = {};                                        // kTable
};

struct Section {
  std::string heading;
  std::vector<Block> blocks;

  Section& Paragraph(std::string text);
  // "Label: value" lines; an empty value is left out.
  Section& Facts(std::vector<std::pair<std::string, std::string>> facts);
  // A bulleted list; `when_empty` as a paragraph when there are no items.
  Section& List(std::vector<std::string> items, std::string when_empty = "");
  Section& AddTable(Table table);
};

struct Document {
  std::string title;
  std::string subtitle;
  // Whose document it is, printed at the top of every page after the first, e.g.
  // "Planen tillhör Anna Andersson" (empty: nothing).
  std::string running_head;
  std::vector<Section> sections;

  Section& Add(std::string heading);
};

std::string RenderText(const Document& doc);
std::string RenderHtml(const Document& doc);

// Swedish dates and times, in Sweden's time zone: "2 december 2026", "onsdag 2 december
// 2026", "10.00".
std::string SwedishDate(absl::CivilDay day);
std::string SwedishWeekdayDate(absl::Time t);
std::string SwedishClock(absl::Time t);

}  // namespace sip::document
