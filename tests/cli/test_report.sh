#!/bin/sh
# tests/cli/test_report.sh - `faultline report DIR [-o FILE]` end to end
# (TAP).
#
# On a copy of tests/data/run-sample: the report is one HTML file with no
# external resource and no script; every plot is inlined; strings from the
# run are escaped; the interruption table stops at 500 rows and gives the
# count. The headline table comes first, with the main job's and the
# fleet's ETTR rounded; params off their defaults are called out; a sweep
# folder and two runs give their pages. Bad input exits 2 naming the file.
# In a browser: test_report_browser.sh.
set -u
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
SAMPLE="$FL_SOURCE_DIR/tests/data/run-sample"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../tap.sh"

echo "1..19"

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

# The headline: a table before the first plot, the main job's and the
# fleet's ETTR rounded with their unit, from jobs.csv and summary.json.
R2="$T/run/report.html"
check_that "the headline table comes before the first plot" \
  awk '/id="headline-table"/ { h = NR } /<figure/ && !f { f = NR } END { exit !(h && f && h < f) }' "$R2"
jettr=$(awk -F, 'NR > 1 && $4 + 0 > best { best = $4 + 0; e = $NF } END { printf "%.2f", 100 * e }' "$SAMPLE/jobs.csv")
fettr=$(sed -n 's/.*"ettr": *\([0-9.eE+-]*\).*/\1/p' "$SAMPLE/summary.json" | head -1)
fettr=$(awk -v e="$fettr" 'BEGIN { printf "%.2f", 100 * e }')
check_that "headline: ETTR of the main job ($jettr %) and of the fleet ($fettr %)" \
  grep -q "<tr><th title=\"[^\"]*\">ETTR</th><td class=\"num\">$jettr %</td><td class=\"num\">$fettr %</td>" "$R2"
check_that "the scenario is named by its file name" \
  grep -q '<h1>faultline report: llama3-16k.lua</h1>' "$R2"

# Params off their defaults are called out; none: said so.
check_that "no param_defaults: 'every parameter at the scenario's default'" \
  grep -q "Every parameter at the scenario's default" "$R2"
cp -R "$SAMPLE" "$T/changed"
python3 - "$SAMPLE/summary.json" "$T/changed/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
out = {}
for k, v in s.items():
    out[k] = v
    if k == "params":
        out["param_defaults"] = {"spares": 128}
out["params"]["spares"] = 64
json.dump(out, open(sys.argv[2], "w"), indent=2)
PY
"$FAULTLINE" report "$T/changed" --no-plots > /dev/null 2>&1
check_that "param_defaults: 'spares = 64 (default 128)' called out" \
  grep -q '<li><code>spares</code> = <b>64</b> (default 128)</li>' "$T/changed/report.html"

# A sweep folder gives the sweep's page; two runs the comparison page.
cat > "$T/s.lua" <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 32 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 32, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 1, "simulated days")), sample_every = hours (1) }
LUA
(cd "$T" && "$FAULTLINE" sweep s.lua --seeds 1-3 --grid spares=2,8 -j 2 -q \
  --no-wall-seconds -o sw > /dev/null 2>&1 && "$FAULTLINE" report sw > /dev/null 2>&1)
mean=$(python3 -c 'import json,sys; p = json.load(open(sys.argv[1]))["points"][0]; print("%.2f" % (100 * p["metrics"]["ettr"]["mean"]))' "$T/sw/sweep.json" 2>/dev/null)
check_that "sweep page: a row per point with the mean ETTR ($mean %)" \
  sh -c "grep -q '<h1>faultline sweep report: s.lua</h1>' '$T/sw/report.html' && grep -q '>spares=2</a></th><td class=\"num\">$mean %' '$T/sw/report.html' && grep -q 'id=\"point-2\">spares=8</h3>' '$T/sw/report.html'"
"$FAULTLINE" report "$FL_SOURCE_DIR/tests/data/compare/baseline.json" \
  "$FL_SOURCE_DIR/tests/data/compare/regression.json" -o "$T/cmp.html" > /dev/null 2>&1
rc=$?
"$FAULTLINE" compare "$FL_SOURCE_DIR/tests/data/compare/baseline.json" \
  "$FL_SOURCE_DIR/tests/data/compare/regression.json" --format json > "$T/cmp.json" 2> /dev/null
reg=$(python3 -c 'import json,sys; print(" ".join(r["metric"] for r in json.load(open(sys.argv[1]))["metrics"] if r["verdict"] == "REGRESSION"))' "$T/cmp.json")
nbad=$(grep -o 'class="bad">REGRESSION' "$T/cmp.html" | wc -l)
check_that "comparison page: exit 0, one REGRESSION row per regressed metric ($nbad: $reg)" \
  test "$rc" -eq 0 -a -n "$reg" -a "$nbad" -eq "$(echo $reg | wc -w)"
"$FAULTLINE" report "$T/sw" "$T/run" -o "$T/mixed.html" > "$T/out" 2> "$T/err"
rc=$?
check_that "a sweep against a run: exit 2 naming both" \
  sh -c "test $rc -eq 2 && grep -q 'is a sweep folder' '$T/err' && test ! -e '$T/mixed.html'"

exit $failed
