#!/bin/sh
# tests/cli/test_plots.sh - `faultline plot DIR` end to end (TAP).
#
# On a copy of tests/data/run-sample: the five plots appear as PNG and SVG
# with their scripts and data files, and the kept scripts re-render by
# hand; the interruption marks are exactly the main job's rows of
# interruptions.csv (counted here with awk, independently); causes are
# sorted; empty CSV fields become NaN. Bad input exits 2 naming the file
# (and line); a missing gnuplot is a one-line warning and exit 0; a failing
# gnuplot exits 2 (the environment, docs/cli.md) with its stderr and
# leaves no partial image.
set -u
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
SAMPLE="$FL_SOURCE_DIR/tests/data/run-sample"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../tap.sh"
PLOTS="node-states healthy-gpus main-job-progress main-job-ettr interruptions-by-cause"

echo "1..23"

"$FAULTLINE" plot --help > "$T/help" 2>&1
check_that "plot --help exits 0 with an example" \
  grep -q 'faultline plot results/' "$T/help"

cp -R "$SAMPLE" "$T/run"
"$FAULTLINE" plot "$T/run" > "$T/out" 2> "$T/err"
rc=$?
check_that "plot on the sample run exits 0 and prints nothing" \
  test "$rc" -eq 0 -a ! -s "$T/out" -a ! -s "$T/err"

all=1
for p in $PLOTS; do
  for e in gp png svg; do
    test -s "$T/run/plots/$p.$e" || { all=0; echo "# missing $p.$e"; }
  done
  head -c 8 "$T/run/plots/$p.png" 2>/dev/null | od -An -c | grep -q 'P   N   G' \
    || { all=0; echo "# $p.png is not a PNG"; }
  grep -q '<svg' "$T/run/plots/$p.svg" 2>/dev/null \
    || { all=0; echo "# $p.svg is not an SVG"; }
done
check_that "five plots, each as .gp, PNG and SVG" test "$all" -eq 1

check_that "no temporary file left in plots/" \
  test -z "$(ls "$T/run/plots" | grep -e '\.tmp')"

# The kept scripts re-render by hand, as the docs say.
rm -f "$T/run/plots/main-job-ettr.png"
(cd "$T/run/plots" && gnuplot main-job-ettr.gp) > /dev/null 2>&1
check_that "a kept script re-renders with plain 'gnuplot NAME.gp'" \
  test -s "$T/run/plots/main-job-ettr.png"

# Interruption marks: rows of interruptions.csv whose job is the main job
# (the job with the most GPUs in jobs.csv: column 4).
main=$(awk -F, 'NR > 1 && $4 + 0 > best { best = $4 + 0; name = $1 } END { print name }' \
  "$SAMPLE/jobs.csv")
want=$(awk -F, -v j="$main" 'NR > 1 && $2 == j' "$SAMPLE/interruptions.csv" | wc -l)
got=$(grep -vc '^#' "$T/run/plots/interruptions.dat")
check_that "interruption marks = the main job's rows ($got = $want, job $main)" \
  test "$want" -gt 0 -a "$got" -eq "$want"

# Causes most frequent first, same total as the CSV.
sorted=$(grep -v '^#' "$T/run/plots/by_cause.dat" | awk '{ print $NF }' | sort -rn | tr '\n' ' ')
asis=$(grep -v '^#' "$T/run/plots/by_cause.dat" | awk '{ print $NF }' | tr '\n' ' ')
sum_dat=$(grep -v '^#' "$T/run/plots/by_cause.dat" | awk '{ s += $NF } END { print s }')
sum_csv=$(awk -F, 'NR > 1 { s += $NF } END { print s }' "$SAMPLE/interruptions_by_cause.csv")
check_that "causes sorted by count, totals match ($sum_dat)" \
  test "$sorted" = "$asis" -a "$sum_dat" = "$sum_csv"

# Row 1 of the sample has empty fabric_bw_lost and main_job_ettr.
first=$(grep -v '^#' "$T/run/plots/timeseries.dat" | head -1)
check_that "empty CSV fields become NaN in timeseries.dat" \
  sh -c "echo '$first' | awk '{ exit !(\$15 == \"NaN\" && \$17 == \"NaN\") }'"

# Interruption rate: the main job's marks, binned; every mark in one bin.
binned=$(grep -v '^#' "$T/run/plots/interruption_rate.dat" | awk '{ s += $3 } END { print s }')
check_that "interruption_rate.dat counts every mark once ($binned = $got)" \
  test "$binned" = "$got"
# The rate is count / bin width in days, bin by bin.
check_that "interruption_rate.dat: rate = count / width in days" \
  sh -c "grep -v '^#' '$T/run/plots/interruption_rate.dat' | awk '{ r = \$3 / (\$2 / 24); if (r - \$4 > 1e-6 || \$4 - r > 1e-6) bad = 1 } END { exit bad }'"
check_that "main-job-progress plots the rate, not a line per interruption" \
  sh -c "grep -q \"interruption_rate.dat' using\" '$T/run/plots/main-job-progress.gp' && ! grep -q impulses '$T/run/plots/main-job-progress.gp'"

# Thousands of interruptions (a 100k-GPU year): still at most 100 bins.
cp -R "$SAMPLE" "$T/many"
awk -F, -v j="$main" 'NR > 1 && $2 == j' "$SAMPLE/interruptions.csv" | head -1 > "$T/row"
awk -v n=6000 -F, 'NR == 1 { for (i = 0; i < n; i++) { $1 = sprintf("%.4f", i * 1296 / n); print } }' OFS=, "$T/row" \
  >> "$T/many/interruptions.csv"
"$FAULTLINE" plot "$T/many" > /dev/null 2>&1
bins=$(grep -vc '^#' "$T/many/plots/interruption_rate.dat")
sum=$(grep -v '^#' "$T/many/plots/interruption_rate.dat" | awk '{ s += $3 } END { print s }')
check_that "6,000 more interruptions: $bins bins (<= 100) holding all $sum" \
  test "$bins" -le 100 -a "$sum" -eq $((got + 6000)) -a -s "$T/many/plots/main-job-progress.png"

# Node states are stacked areas, one band per state that occurs.
check_that "node-states is stacked filled steps" \
  sh -c "grep -q 'with fillsteps' '$T/run/plots/node-states.gp' && ! grep -q 'with steps' '$T/run/plots/node-states.gp'"

# A subtitle with the scenario file name and the seed on every plot.
sub_ok=1
for p in $PLOTS; do
  grep -q "set label 1001 'llama3-16k.lua, seed 7," "$T/run/plots/$p.gp" || { sub_ok=0; echo "# no subtitle in $p.gp"; }
done
check_that "every plot has the subtitle (scenario file, seed)" test "$sub_ok" -eq 1

# Causes: horizontal bars named in full (no rotated, clipped labels), and
# an x range that leaves room for the largest count's label.
max=$(grep -v '^#' "$T/run/plots/by_cause.dat" | awk '{ if ($NF > m) m = $NF } END { print m }')
xmax=$(sed -n 's/^set xrange \[0:\([0-9.e+]*\)\]/\1/p' "$T/run/plots/interruptions-by-cause.gp")
check_that "causes: horizontal bars, x range past the largest count ($xmax > $max)" \
  sh -c "grep -q 'ytic(1) with boxxyerror' '$T/run/plots/interruptions-by-cause.gp' && ! grep -q 'rotate' '$T/run/plots/interruptions-by-cause.gp' && awk 'BEGIN { exit !($xmax > $max * 1.05) }'"

# Missing gnuplot: PATH without it.
cp -R "$SAMPLE" "$T/nognu"
PATH=/nonexistent "$FAULTLINE" plot "$T/nognu" > "$T/out" 2> "$T/err"
rc=$?
check_that "without gnuplot: exit 0 and the one-line warning" \
  sh -c "test $rc -eq 0 && test \"\$(cat '$T/err')\" = 'faultline: gnuplot not found; wrote data files only'"
check_that "without gnuplot: scripts and data written, no image" \
  sh -c "test -s '$T/nognu/plots/timeseries.dat' && test -s '$T/nognu/plots/node-states.gp' && ! ls '$T/nognu/plots/'*.png >/dev/null 2>&1"

mkdir "$T/empty"
"$FAULTLINE" plot "$T/empty" > "$T/out" 2> "$T/err"
rc=$?
check_that "a folder without timeseries.csv: exit 2 naming it" \
  sh -c "test $rc -eq 2 && grep -q 'timeseries.csv' '$T/err'"

cp -R "$SAMPLE" "$T/bad"
printf '9,1,2,3\n' >> "$T/bad/timeseries.csv"
line=$(wc -l < "$T/bad/timeseries.csv")
"$FAULTLINE" plot "$T/bad" > "$T/out" 2> "$T/err"
rc=$?
check_that "a short row: exit 2 naming file:line ($line)" \
  sh -c "test $rc -eq 2 && grep -q 'timeseries.csv:$line:' '$T/err'"

cp -R "$SAMPLE" "$T/quote"
printf '1,"pretrain,node0001,Faulty GPU,xid79,1,2\n' >> "$T/quote/interruptions.csv"
line=$(wc -l < "$T/quote/interruptions.csv")
"$FAULTLINE" plot "$T/quote" > "$T/out" 2> "$T/err"
rc=$?
check_that "an unterminated quote: exit 2 naming file:line" \
  sh -c "test $rc -eq 2 && grep -q 'interruptions.csv:$line:.*unterminated' '$T/err'"

cp -R "$SAMPLE" "$T/word"
sed '3s/^3,/three,/' "$SAMPLE/timeseries.csv" > "$T/word/timeseries.csv"
"$FAULTLINE" plot "$T/word" > "$T/out" 2> "$T/err"
rc=$?
check_that "a word in a number column: exit 2 naming line, column and value" \
  sh -c "test $rc -eq 2 && grep -q \"timeseries.csv:3: column 't_h': 'three'\" '$T/err'"

# A gnuplot that fails: its stderr in the message, exit 2, no image.
cat > "$T/fakegnuplot" <<'EOF'
#!/bin/sh
case "$*" in *"set terminal pngcairo"*) exit 0 ;; esac
echo "line 12: undefined variable: boom" >&2
exit 1
EOF
chmod +x "$T/fakegnuplot"
cp -R "$SAMPLE" "$T/fail"
FAULTLINE_GNUPLOT="$T/fakegnuplot" "$FAULTLINE" plot "$T/fail" > "$T/out" 2> "$T/err"
rc=$?
check_that "a failing gnuplot: exit 2 with its stderr" \
  sh -c "test $rc -eq 2 && grep -q 'undefined variable: boom' '$T/err'"
check_that "a failing gnuplot leaves no image or temporary" \
  sh -c "! ls '$T/fail/plots/' | grep -q -e png -e svg -e tmp"

exit $failed
