#!/usr/bin/env bash
# Prints the person's documents as a browser does and reads the result back:
#   - both on A4 (the paper size comes from the document's own @page rule);
#   - the copy of a long plan runs over several pages, and every page that shows rows of
#     the goals table also shows its column headings; every page after the first names
#     whose plan it is, and every page says "Sida N av M";
#   - the invitation letter fits on one page;
#   - at a phone's width (400 px) neither is wider than the screen.
#   print_test.sh DOCUMENT_SAMPLES_BINARY
set -euo pipefail
samples=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || fail "chromium is not installed (scripts/setup.sh installs it)"
command -v pdftotext >/dev/null || fail "pdftotext is not installed (poppler-utils; scripts/setup.sh)"

"$samples" "$work"
chrome() {
  # A profile of its own per run; no sandbox when run as root (CI), no GPU.
  "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}
pages_of() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }

for doc in plan_copy invitation; do
  chrome --no-pdf-header-footer --print-to-pdf="$work/$doc.pdf" "file://$work/$doc.html"
  [ -s "$work/$doc.pdf" ] || { cat "$work/chromium.log" >&2; fail "no PDF of $doc"; }
  size=$(pdfinfo "$work/$doc.pdf" | sed -n 's/^Page size: *//p')
  # pdfinfo names the paper when it is within a point of a standard size.
  case "$size" in
    *"(A4)") ;;
    *) fail "$doc prints on $size, not A4 (595 x 842 pts)" ;;
  esac
done

pages=$(pages_of "$work/plan_copy.pdf")
[ "$pages" -ge 3 ] && [ "$pages" -le 8 ] || fail "the copy of the long plan has $pages pages, expected 3-8"
table_pages=0
for p in $(seq 1 "$pages"); do
  text=$(pdftotext -layout -f "$p" -l "$p" "$work/plan_copy.pdf" -)
  grep -q "Sida $p av $pages" <<<"$text" || fail "page $p of the copy has no \"Sida $p av $pages\""
  if [ "$p" -gt 1 ]; then
    grep -q "Planen tillhör Tolvan Tolvansson" <<<"$text" ||
      fail "page $p of the copy does not say whose plan it is"
  fi
  if grep -q "INSATS-" <<<"$text"; then
    table_pages=$((table_pages + 1))
    for heading in "Delmål" "Insats/aktivitet" "Ansvarig" "Uppföljning"; do
      grep -q "$heading" <<<"$text" ||
        fail "page $p shows rows of the goals table without the heading \"$heading\""
    done
  fi
done
[ "$table_pages" -ge 2 ] || fail "the goals table should run over at least two pages, it is on $table_pages"
# (Whole texts are read first: grep -q ending a pipe early would fail it under pipefail.)
all=$(pdftotext "$work/plan_copy.pdf" -)
for g in 1 12; do
  grep -q "INSATS-$g-3" <<<"$all" || fail "intervention $g-3 is missing from the PDF"
done
echo "ok: the copy of the plan prints on $pages A4 pages; the table's $table_pages pages have their headings"

letter_pages=$(pages_of "$work/invitation.pdf")
[ "$letter_pages" = 1 ] || fail "the invitation letter takes $letter_pages pages, not one"
letter=$(pdftotext "$work/invitation.pdf" -)
grep -q "måndag 29 mars 2027" <<<"$letter" || fail "the letter's day is missing"
echo "ok: the invitation letter prints on one A4 page"

# A phone: the page must not be wider than a 400 px screen. The measurement is added to a
# copy of each document (the documents themselves carry no script).
for doc in plan_copy invitation; do
  sed 's|</body>|<script>document.body.setAttribute("data-overflow", String(document.documentElement.scrollWidth - window.innerWidth))</script></body>|' \
    "$work/$doc.html" >"$work/$doc.phone.html"
  dom=$(chrome --window-size=400,900 --dump-dom "file://$work/$doc.phone.html")
  overflow=$(echo "$dom" | sed -n 's/.*data-overflow="\(-\?[0-9]*\)".*/\1/p' | head -1)
  [ -n "$overflow" ] || fail "no measurement of $doc at 400 px"
  [ "$overflow" -le 0 ] || fail "$doc is $overflow px wider than a 400 px screen"
done
echo "ok: both documents fit a 400 px screen"
