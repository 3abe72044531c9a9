#include "common/document.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"

namespace sip::document {
namespace {

// Characters, not bytes, of UTF-8 text: the width of a heading's underline.
size_t Characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Html(const std::string& s) {
  std::string out;
  out.reserve(s.size());
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

// A CSS string literal's content inside <style>: quotes, backslashes, line breaks and
// angle brackets as hex escapes, so no value can end the string or the style element.
std::string CssString(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c < 0x20) {
      absl::StrAppend(&out, absl::StrFormat("\\%x ", c));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// How many rows from `r` on share the first cell (1 when not grouping).
size_t GroupSize(const Table& t, size_t r) {
  if (!t.group_by_first) return 1;
  size_t n = 1;
  while (r + n < t.rows.size() && !t.rows[r].empty() && !t.rows[r + n].empty() &&
         t.rows[r + n][0] == t.rows[r][0]) {
    ++n;
  }
  return n;
}

std::string Cell(const std::vector<std::string>& row, size_t c) {
  return c < row.size() ? row[c] : "";
}

constexpr char kStyle[] =
    // Screen: a readable column; long words and links wrap instead of widening the page
    // (break-word, not anywhere: a table column stays as wide as its longest word).
    "html{-webkit-text-size-adjust:100%}"
    "body{font-family:\"Helvetica Neue\",Arial,sans-serif;font-size:12pt;line-height:1.45;"
    "color:#111;max-width:46em;margin:0 auto;padding:1em;overflow-wrap:break-word}"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .3em;"
    "break-after:avoid;page-break-after:avoid}p,ul,dl{margin:.3em 0}"
    ".subtitle{color:#444}dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em}"
    "dt{font-weight:bold}dd{margin:0}"
    "table{border-collapse:collapse;width:100%;margin:.4em 0}"
    "th,td{border:1px solid #777;padding:.35em .5em;text-align:left;vertical-align:top}"
    "th{background:#eee}thead{display:table-header-group}"
    "tr{break-inside:avoid;page-break-inside:avoid}"
    // A phone: each row a card, each cell under its column's name.
    "@media screen and (max-width:40em){body{font-size:11pt}"
    "table,thead,tbody,tr,th,td{display:block;width:auto}thead{position:absolute;"
    "left:-9999px}tr{border:1px solid #777;margin:.6em 0}td{border:0;border-top:1px solid "
    "#ddd}td:first-child{border-top:0}td::before{content:attr(data-label);display:block;"
    "font-weight:bold;font-size:.9em;color:#444}dl{display:block}dd{margin:0 0 .4em}}"
    // Print: A4 with margins, the page number below, headings kept with what follows.
    "@media print{body{max-width:none;padding:0;font-size:11pt}a{color:inherit}}"
    "@page{size:A4;margin:20mm 18mm 20mm 18mm;"
    "@bottom-right{content:\"Sida \" counter(page) \" av \" counter(pages);font-size:9pt}}";

}  // namespace

Section& Section::Paragraph(std::string text) {
  Block b;
  b.kind = Block::Kind::kParagraph;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
  return *this;
}

Section& Section::Facts(std::vector<std::pair<std::string, std::string>> facts) {
  Block b;
  b.kind = Block::Kind::kFacts;
  for (auto& f : facts) {
    if (!f.second.empty()) b.facts.push_back(std::move(f));
  }
  if (!b.facts.empty()) blocks.push_back(std::move(b));
  return *this;
}

Section& Section::List(std::vector<std::string> items, std::string when_empty) {
  if (items.empty()) {
    if (!when_empty.empty()) Paragraph(std::move(when_empty));
    return *this;
  }
  Block b;
  b.kind = Block::Kind::kList;
  b.items = std::move(items);
  blocks.push_back(std::move(b));
  return *this;
}

Section& Section::AddTable(Table table) {
  Block b;
  b.kind = Block::Kind::kTable;
  b.table = std::move(table);
  blocks.push_back(std::move(b));
  return *this;
}

Section& Document::Add(std::string heading) {
  sections.push_back(Section{std::move(heading), {}});
  return sections.back();
}

std::string RenderText(const Document& doc) {
  std::string out = absl::StrCat(doc.title, "\n");
  if (!doc.subtitle.empty()) absl::StrAppend(&out, doc.subtitle, "\n");
  for (const Section& s : doc.sections) {
    absl::StrAppend(&out, "\n", s.heading, "\n", std::string(Characters(s.heading), '-'), "\n");
    for (const Block& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::kParagraph:
          absl::StrAppend(&out, b.text, "\n");
          break;
        case Block::Kind::kFacts:
          for (const auto& [label, value] : b.facts) absl::StrAppend(&out, label, ": ", value, "\n");
          break;
        case Block::Kind::kList:
          for (const std::string& item : b.items) absl::StrAppend(&out, "- ", item, "\n");
          break;
        case Block::Kind::kTable: {
          const Table& t = b.table;
          for (size_t r = 0; r < t.rows.size();) {
            const size_t n = GroupSize(t, r);
            absl::StrAppend(&out, "\n");
            size_t first_column = 0;
            if (t.group_by_first) {
              absl::StrAppend(&out, Cell(t.headings, 0), ": ", Cell(t.rows[r], 0), "\n");
              first_column = 1;
            }
            for (size_t i = r; i < r + n; ++i) {
              const char* indent = t.group_by_first ? "  " : "";
              for (size_t c = first_column; c < t.headings.size(); ++c) {
                absl::StrAppend(&out, indent, t.headings[c], ": ", Cell(t.rows[i], c), "\n");
              }
              if (i + 1 < r + n) absl::StrAppend(&out, "\n");
            }
            r += n;
          }
          break;
        }
      }
    }
  }
  return out;
}

std::string RenderHtml(const Document& doc) {
  std::string style = kStyle;
  if (!doc.running_head.empty()) {
    // The owner on every page but the first, which carries the title.
    absl::StrAppend(&style, "@page{@top-left{content:\"", CssString(doc.running_head),
                    "\";font-size:9pt;color:#444}}@page:first{@top-left{content:none}}");
  }
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      Html(doc.title), "</title>\n<style>", style, "</style>\n</head>\n<body>\n<h1>",
      Html(doc.title), "</h1>\n");
  if (!doc.subtitle.empty()) absl::StrAppend(&out, "<p class=\"subtitle\">", Html(doc.subtitle), "</p>\n");
  for (const Section& s : doc.sections) {
    absl::StrAppend(&out, "<section>\n<h2>", Html(s.heading), "</h2>\n");
    for (const Block& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::kParagraph:
          absl::StrAppend(&out, "<p>", Html(b.text), "</p>\n");
          break;
        case Block::Kind::kFacts:
          absl::StrAppend(&out, "<dl>\n");
          for (const auto& [label, value] : b.facts) {
            absl::StrAppend(&out, "<dt>", Html(label), "</dt><dd>", Html(value), "</dd>\n");
          }
          absl::StrAppend(&out, "</dl>\n");
          break;
        case Block::Kind::kList:
          absl::StrAppend(&out, "<ul>\n");
          for (const std::string& item : b.items) absl::StrAppend(&out, "<li>", Html(item), "</li>\n");
          absl::StrAppend(&out, "</ul>\n");
          break;
        case Block::Kind::kTable: {
          const Table& t = b.table;
          absl::StrAppend(&out, "<table>\n<thead><tr>");
          for (const std::string& h : t.headings) absl::StrAppend(&out, "<th scope=\"col\">", Html(h), "</th>");
          absl::StrAppend(&out, "</tr></thead>\n<tbody>\n");
          for (size_t r = 0; r < t.rows.size();) {
            const size_t n = GroupSize(t, r);
            for (size_t i = r; i < r + n; ++i) {
              absl::StrAppend(&out, "<tr>");
              for (size_t c = 0; c < t.headings.size(); ++c) {
                if (t.group_by_first && c == 0) {
                  if (i != r) continue;  // the group's first cell spans its rows
                  if (n > 1) {
                    absl::StrAppend(&out, "<td rowspan=\"", n, "\" data-label=\"",
                                    Html(t.headings[0]), "\">", Html(Cell(t.rows[i], 0)), "</td>");
                    continue;
                  }
                }
                absl::StrAppend(&out, "<td data-label=\"", Html(t.headings[c]), "\">",
                                Html(Cell(t.rows[i], c)), "</td>");
              }
              absl::StrAppend(&out, "</tr>\n");
            }
            r += n;
          }
          absl::StrAppend(&out, "</tbody>\n</table>\n");
          break;
        }
      }
    }
    absl::StrAppend(&out, "</section>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

std::string SwedishDate(absl::CivilDay day) {
  static const char* const kMonths[] = {"januari", "februari", "mars",      "april",
                                        "maj",     "juni",     "juli",      "augusti",
                                        "september", "oktober", "november", "december"};
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

std::string SwedishWeekdayDate(absl::Time t) {
  static const char* const kDays[] = {"måndag", "tisdag", "onsdag", "torsdag",
                                      "fredag", "lördag", "söndag"};
  const absl::CivilDay day = DayInSweden(t);
  return absl::StrCat(kDays[static_cast<int>(absl::GetWeekday(day))], " ", SwedishDate(day));
}

std::string SwedishClock(absl::Time t) {
  return absl::FormatTime("%H.%M", t, Stockholm());
}

}  // namespace sip::document
