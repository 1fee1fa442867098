#!/bin/sh
# tests/cli/test_inject.sh - no text from a run can make gnuplot run a
# command (issue 11, item 1).
#
# gnuplot runs `backquoted` text inside double-quoted strings as a shell
# command. Job names, causes, scenario names and sweep values reach the
# plot scripts and data files, so each path below feeds text that tries
# every way in (backquotes, $(...), a quote that closes the string and
# calls system(), a line break that starts a new command, an @macro, a
# comment-continuing backslash) and checks that no marker file appears.
# Each case also checks that the text really reached a .gp or .dat file,
# so the case cannot pass by not rendering. Needs gnuplot (a case without
# it is reported as a failure, never as a pass). Prints TAP.
set -u
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../tap.sh"

echo "1..9"

M="$T/marker"
# no marker may exist and the given folder must hold rendered plots
# (markers are absolute paths in $T, or relative ones in gnuplot's folder)
clean () {
  test -z "$(find "$T" -name 'marker*')" \
    && test -n "$(ls "$1" | grep '\.png$')"
}

check_that "gnuplot is on PATH (the cases below need it)" \
  sh -c 'command -v gnuplot > /dev/null'

# ---- run: job name and cause from a scenario ----
cat > "$T/evil.lua" <<EOF
cluster { gpus = 64 }
failures { source = "llama3", scale = 50 }
failure_mode ("faulty_gpu", { cause = "heat\`touch $M.c1\`\$(touch $M.c2)'; system('touch $M.c3'); x='" })
job { name = "pre\`touch $M.1\`train\$(touch $M.2)'.system('touch $M.3').'\"x\\\\", nodes = 4 }
run { length = days (2) }
EOF
"$FAULTLINE" run "$T/evil.lua" --seed 3 -q -o "$T/run" > "$T/out" 2>&1
rc=$?
check_that "run with a hostile job name and cause exits 0 (rc $rc)" test "$rc" -eq 0
check_that "run: no command ran, plots rendered" clean "$T/run/plots"
check_that "run: the job name reached main-job-progress.gp" \
  grep -q 'touch' "$T/run/plots/main-job-progress.gp"

# ---- plot and report: CSVs of a results folder ----
cp -R "$FL_SOURCE_DIR/tests/data/run-sample" "$T/rs"
# The main job (most GPUs) renamed in jobs.csv and interruptions.csv, and a
# cause with a line break, quotes and backquotes.
evil="a\`touch $M.p1\`\$(touch $M.p2)'.system('touch $M.p3').'@x"
csvq=$(printf '%s' "$evil" | sed 's/"/""/g')
sed -i "s|^pretrain,|\"$csvq\",|" "$T/rs/jobs.csv" "$T/rs/interruptions.csv"
printf '"nl\nsystem(""touch %s.p4"")\n`touch %s.p5`\\",7\n' "$M" "$M" \
  >> "$T/rs/interruptions_by_cause.csv"
find "$T" -name 'marker*' -exec rm -f {} +
"$FAULTLINE" plot "$T/rs" > "$T/out" 2>&1
rc=$?
check_that "plot on a folder with hostile CSV text exits 0 (rc $rc)" \
  test "$rc" -eq 0
check_that "plot: no command ran, plots rendered" clean "$T/rs/plots"
check_that "plot: the text reached the script and the data file" \
  sh -c "grep -q 'touch' '$T/rs/plots/main-job-progress.gp' \
         && grep -q 'touch' '$T/rs/plots/by_cause.dat'"
rm -rf "$T/rs/plots"
find "$T" -name 'marker*' -exec rm -f {} +
"$FAULTLINE" report "$T/rs" -o "$T/report.html" > "$T/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && clean "$T/rs/plots"; then
  ok "report on the same folder: exit 0, no command ran"
else
  not_ok "report on the same folder (rc $rc): $(find "$T" -name 'marker*')"
fi

# ---- sweep: grid values are labels in ettr.dat and series titles ----
cat > "$T/sw.lua" <<'EOF'
local tag = param ("tag", "a", "a free-text label")
local tag2 = param ("tag2", "a", "another one")
cluster { gpus = 64 }
failures { source = "llama3", scale = 20 }
job { name = "j", nodes = 4 }
run { length = days (1) }
EOF
find "$T" -name 'marker*' -exec rm -f {} +
"$FAULTLINE" sweep "$T/sw.lua" --seeds 1-2 -j 1 -q -o "$T/sweep" \
  --grid "tag=x\`touch marker.s1\`,y\$(touch marker.s2)'.system('touch marker.s3').'" \
  --grid "tag2=\`touch marker.s4\`,'.system('touch marker.s5').'" \
  > "$T/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && clean "$T/sweep/plots" \
   && grep -q 'touch' "$T/sweep/plots/ettr.dat"; then
  ok "sweep with hostile grid values: no command ran, ettr plot rendered"
else
  not_ok "sweep with hostile grid values (rc $rc): $(find "$T" -name 'marker*' | tr '\n' ' ')"
  sed 's/^/#   /' "$T/out" | head -5
fi
exit $failed
