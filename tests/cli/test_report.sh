#!/bin/sh
# tests/cli/test_report.sh - `faultline report DIR [-o FILE]` end to end
# (TAP).
#
# On a copy of tests/data/run-sample: the report is one HTML file with no
# external resource and no script; every plot is inlined; strings from the
# run are escaped; the interruption table stops at 500 rows and gives the
# count. Then a headless Chromium loads it: the DOM holds the summary
# table with the ETTR value read from summary.json, and a screenshot is a
# PNG. A missing Chromium is "not ok ... # chromium missing": a check_that that
# did not run never passes. Bad input exits 2 naming the file.
set -u
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
SAMPLE="$FL_SOURCE_DIR/tests/data/run-sample"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../tap.sh"

echo "1..15"

"$FAULTLINE" report --help > "$T/help" 2>&1
check_that "report --help exits 0 with an example" \
  grep -q 'faultline report results/' "$T/help"

cp -R "$SAMPLE" "$T/run"
"$FAULTLINE" report "$T/run" > "$T/out" 2> "$T/err"
rc=$?
R="$T/run/report.html"
check_that "report exits 0 and writes DIR/report.html" test "$rc" -eq 0 -a -s "$R"

check_that "no external resource, no script" \
  sh -c "! grep -Eiq '(src|href)=\"(https?:|//)|<script|<link|@import|url\\(' '$R'"

imgs=$(grep -o 'src="data:image/png;base64,' "$R" | wc -l)
check_that "the five plots are inlined as PNG data URIs ($imgs)" test "$imgs" -eq 5

# Escaping: hostile strings in summary.json and jobs.csv.
cp -R "$SAMPLE" "$T/evil"
sed 's|"scenario": "scenarios/llama3-16k.lua"|"scenario": "<script>alert(1)</script>"|' \
  "$SAMPLE/summary.json" > "$T/evil/summary.json"
printf '"<img src=x onerror=alert(2)> & co",9,1,8,0,0,1,1,1,0,0,0,0,0,0,0,true,1\n' \
  >> "$T/evil/jobs.csv"
"$FAULTLINE" report "$T/evil" --no-plots > /dev/null 2>&1
check_that "strings from the run are escaped" \
  sh -c "grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$T/evil/report.html' && grep -q '&lt;img src=x onerror=alert(2)&gt; &amp; co' '$T/evil/report.html' && ! grep -q '<script' '$T/evil/report.html' && ! grep -q '<img src=x' '$T/evil/report.html'"

# 1200 interruptions: 500 rows shown, the count given.
cp -R "$SAMPLE" "$T/many"
awk -F, 'NR > 1' "$SAMPLE/interruptions.csv" | head -1 > "$T/row"
i=$(($(wc -l < "$SAMPLE/interruptions.csv") - 1))
while [ "$i" -lt 1200 ]; do cat "$T/row"; i=$((i + 1)); done >> "$T/many/interruptions.csv"
"$FAULTLINE" report "$T/many" --no-plots > /dev/null 2>&1
rows=$(awk '/<h2 id="interruptions">/ { on = 1 } /<h2 id="jobs">/ { on = 0 } on && /^<tr>/' \
  "$T/many/report.html" | wc -l)
check_that "interruptions: 500 data rows of 1200 ($rows)" test "$rows" -eq 500
check_that "interruptions: the total is stated" \
  grep -q '1200 rows; the first 500 are shown' "$T/many/report.html"

"$FAULTLINE" report "$T/run" -o "$T/elsewhere.html" --no-plots > /dev/null 2>&1
check_that "-o FILE writes there" test -s "$T/elsewhere.html"

mkdir "$T/empty"
"$FAULTLINE" report "$T/empty" > "$T/out" 2> "$T/err"
rc=$?
check_that "no summary.json: exit 2 naming it" \
  sh -c "test $rc -eq 2 && grep -q 'summary.json' '$T/err'"

cp -R "$SAMPLE" "$T/badjson"
printf '{"seed": 7,\n "metrics": {"ettr": 0.9,}\n' > "$T/badjson/summary.json"
"$FAULTLINE" report "$T/badjson" --no-plots > "$T/out" 2> "$T/err"
rc=$?
check_that "malformed summary.json: exit 2 naming it" \
  sh -c "test $rc -eq 2 && grep -q 'summary.json' '$T/err'"

cp -R "$SAMPLE" "$T/badcsv"
printf 'x,1\n' >> "$T/badcsv/jobs.csv"
"$FAULTLINE" report "$T/badcsv" --no-plots > "$T/out" 2> "$T/err"
rc=$?
check_that "malformed jobs.csv: exit 2 naming file:line" \
  sh -c "test $rc -eq 2 && grep -q 'jobs.csv:5:' '$T/err'"

# Headless Chromium.
CHROMIUM=""
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" > /dev/null 2>&1; then CHROMIUM=$c; break; fi
done
if [ -z "$CHROMIUM" ]; then
  for d in "DOM holds the summary table" "DOM holds the ETTR of summary.json" \
           "DOM holds five inlined images" "screenshot is a PNG"; do
    not_ok "$d # chromium missing (apt-get install chromium; cli/bootstrap.sh)"
  done
  exit 1
fi
chrome () {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$T")" "$@"
}
chrome --dump-dom "file://$R" > "$T/dom.html" 2> "$T/chrome.err"
check_that "DOM holds the summary table" \
  sh -c "grep -q '<h3 id=\"metrics\">Headline metrics</h3>' '$T/dom.html' && grep -q 'class=\"summary\"' '$T/dom.html'"
ettr=$(sed -n 's/.*"ettr": *\([0-9.eE+-]*\).*/\1/p' "$SAMPLE/summary.json" | head -1)
check_that "DOM holds the ETTR of summary.json ($ettr)" \
  sh -c "test -n '$ettr' && grep -q '<th>metrics.ettr</th><td class=\"num\">$ettr' '$T/dom.html'"
dimgs=$(grep -o '<img alt="[a-z-]*" src="data:image/png' "$T/dom.html" | wc -l)
check_that "DOM holds five inlined images ($dimgs)" test "$dimgs" -eq 5
chrome --window-size=1280,2400 --screenshot="$T/shot.png" "file://$R" \
  > /dev/null 2>> "$T/chrome.err"
check_that "screenshot is a PNG" \
  sh -c "test -s '$T/shot.png' && head -c 8 '$T/shot.png' | od -An -c | grep -q 'P   N   G'"

exit $failed
