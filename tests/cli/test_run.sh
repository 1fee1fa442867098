#!/bin/sh
# tests/cli/test_run.sh - `faultline run` end to end (TAP): every scenario of
# the shelf (scenarios/*.lua, except the year-long fleet-100k.lua) runs
# (fleet-1m.lua, a million GPUs, for one day instead of ten) and
# writes summary.json; the same seed gives a byte-identical summary and
# another seed a different one; bad --set, a syntax error, a missing file
# and an unknown option exit 2 and leave no output folder.
# Not here: the numbers of the scenarios (tests/models, tests/lua).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"

scenarios=""
for f in "$FL_SOURCE_DIR"/scenarios/*.lua; do
  [ "$(basename "$f")" = fleet-100k.lua ] && continue
  scenarios="$scenarios $f"
done
count=$(echo $scenarios | wc -w)
echo "1..$((count + 21))"

# one check per scenario: runs (10 days when it declares a days param)
for f in $scenarios; do
  name=$(basename "$f" .lua)
  set -- -q --no-plots --no-pcap --no-wall-seconds -o "$tmp/$name"
  if [ "$name" = fleet-1m ]; then set -- "$@" --set days=1
  elif grep -q 'param *( *"days"' "$f"; then set -- "$@" --set days=10; fi
  "$FAULTLINE" run "$f" "$@" 2> "$tmp/$name.err"
  rc=$?
  [ $rc -eq 0 ] && [ -s "$tmp/$name/summary.json" ]
  check $? "$name.lua runs ($*) and writes summary.json (rc $rc)"
  [ $rc -ne 0 ] && sed 's/^/# /' "$tmp/$name.err"
done

# same seed: byte-identical; another seed: different
d="$FL_SOURCE_DIR/scenarios/llama3-16k.lua"
common="-q --no-plots --no-pcap --no-wall-seconds --set days=10"
"$FAULTLINE" run "$d" $common --seed 5 -o "$tmp/a" 2>/dev/null \
  && "$FAULTLINE" run "$d" $common --seed 5 -o "$tmp/b" 2>/dev/null \
  && cmp -s "$tmp/a/summary.json" "$tmp/b/summary.json"
check $? "llama3-16k twice with seed 5: byte-identical summary.json"
"$FAULTLINE" run "$d" $common --seed 6 -o "$tmp/c" 2>/dev/null \
  && [ -s "$tmp/c/summary.json" ] && ! cmp -s "$tmp/a/summary.json" "$tmp/c/summary.json"
check $? "llama3-16k with seed 6: a different summary.json"

# param_defaults: the scenario's default of each param a --set moved, and
# only those (python3 reads the JSON)
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["params"]["days"] == 10 and s["param_defaults"] == {"days": 54} and list(s)[4] == "param_defaults" else 1)
' "$tmp/a/summary.json"
check $? "--set days=10: param_defaults is {days: 54}, right after params"
"$FAULTLINE" run "$d" -q --no-plots --no-pcap --no-wall-seconds --set days=10 \
  --set spares=128 --seed 5 -o "$tmp/same" 2>/dev/null \
  && cmp -s "$tmp/a/summary.json" "$tmp/same/summary.json"
check $? "a --set to the default value (spares=128) is not a difference"

# bad --set: exit 2, message names it, no folder
"$FAULTLINE" run "$d" -q --no-plots -o "$tmp/badset" --set spraes=3 2> "$tmp/badset.err"
rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/badset" ]
check $? "unknown --set name exits 2 (rc $rc) and leaves no output folder"
grep -q "spraes" "$tmp/badset.err"
check $? "unknown --set message names 'spraes'"

# syntax error: exit 2, file:LINE on stderr, no folder
printf 'cluster { nodes = 64 }\njob { name = "j", nodes = 8 }\nlocal x = = 3\n' > "$tmp/syntax.lua"
"$FAULTLINE" run "$tmp/syntax.lua" -q --no-plots -o "$tmp/syn" 2> "$tmp/syn.err"
rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/syn" ]
check $? "syntax error exits 2 (rc $rc) and leaves no output folder"
grep -q "syntax.lua:3:" "$tmp/syn.err"
check $? "syntax error message has syntax.lua:3:"

# missing scenario, unknown option
"$FAULTLINE" run /nonexistent.lua -q --no-plots -o "$tmp/none" 2> "$tmp/none.err"
rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/none" ]
check $? "run /nonexistent.lua exits 2 (rc $rc), no output folder"
grep -q "nonexistent.lua" "$tmp/none.err"
check $? "missing-file message names the file"
"$FAULTLINE" run --no-such-option "$d" -o "$tmp/opt" 2> /dev/null
rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/opt" ]
check $? "unknown option exits 2 (rc $rc)"

# --params: lists the param()s with the value in effect and their help,
# exits 0 and writes nothing
(cd "$tmp" && "$FAULTLINE" run "$d" --params --set spares=200 -o "$tmp/par" > "$tmp/par.out" 2> "$tmp/par.err")
rc=$?
[ $rc -eq 0 ] && [ ! -e "$tmp/par" ] && [ ! -e "$tmp/results" ]
check $? "run --params exits 0 (rc $rc) and writes no output"
grep -q "^  spares  *200  *hot spare nodes" "$tmp/par.out" && grep -q "^  days  *54 " "$tmp/par.out"
check $? "run --params shows spares = 200 (from --set) and days = 54 with their help"

# a relative trace path in a scenario is found beside the scenario file,
# whatever the current directory
mkdir -p "$tmp/beside" "$tmp/elsewhere"
cp "$FL_SOURCE_DIR/tests/data/sample.swf" "$tmp/beside/t.swf"
printf 'cluster { nodes = 64 }\nfailures { source = "none" }\nworkload { trace = "t.swf", trace_lenient = true }\nrun { length = days (2) }\n' > "$tmp/beside/s.lua"
(cd "$tmp/elsewhere" && "$FAULTLINE" run "$tmp/beside/s.lua" -q --no-plots --no-pcap -o "$tmp/beside-out" 2> "$tmp/beside.err")
rc=$?
[ $rc -eq 0 ] && grep -q '"jobs_submitted": *[1-9]' "$tmp/beside-out/summary.json"
check $? "a scenario's relative trace path is found beside it (rc $rc)"

# the trace's records in summary.json "workload_trace" and on the printed
# summary: jobs + skipped + after_end = the data lines of sample.swf; the
# cancelled ones (status 0 or 5, field 11) counted here with awk
(cd "$tmp/elsewhere" && "$FAULTLINE" run "$tmp/beside/s.lua" --no-plots --no-pcap \
  -o "$tmp/trace-out" > "$tmp/trace.out" 2> /dev/null)
data=$(awk '!/^;/ && NF' "$tmp/beside/t.swf" | wc -l)
cancelled=$(awk '!/^;/ && NF >= 11 && ($11 == 0 || $11 == 5)' "$tmp/beside/t.swf" | wc -l)
python3 - "$tmp/trace-out/summary.json" "$data" "$cancelled" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["workload_trace"]
data, cancelled = int(sys.argv[2]), int(sys.argv[3])
ok = (t["skipped"] == t["skipped_malformed"] + t["skipped_cancelled"] + t["skipped_unusable"]
      and t["jobs"] + t["skipped"] + t["after_end"] == data
      and t["skipped_cancelled"] == cancelled and t["skipped"] > 0)
print("# workload_trace", t, "data lines", data, "cancelled", cancelled)
sys.exit(0 if ok else 1)
PY
check $? "workload_trace counts every record of the trace: used, skipped (why), after the end"
grep -Eq '^  trace: [0-9]+ jobs; [1-9][0-9]* records skipped \([0-9]+ malformed, [0-9]+ cancelled, [0-9]+ unusable\)' "$tmp/trace.out"
check $? "the printed summary reports the skipped records"
! grep -q workload_trace "$tmp/a/summary.json"
check $? "a run without a trace has no workload_trace"

# progress: nothing in a log unless --progress; then lines with an ETA and
# a last one at 100%; -q wins
"$FAULTLINE" run "$d" -q --no-plots --no-pcap --set days=5 -o "$tmp/pq" --progress 2> "$tmp/pq.err"
"$FAULTLINE" run "$d" --no-plots --no-pcap --set days=5 -o "$tmp/pn" > /dev/null 2> "$tmp/pn.err"
"$FAULTLINE" run "$d" --no-plots --no-pcap --set days=5 -o "$tmp/pp" --progress > /dev/null 2> "$tmp/pp.err"
[ ! -s "$tmp/pq.err" ] && [ ! -s "$tmp/pn.err" ] \
  && grep -Eq '^run: [0-9.]+ / 5\.0 simulated days \([0-9]+%\), [0-9,]+ events, elapsed [0-9]+ s, eta ' "$tmp/pp.err" \
  && tail -1 "$tmp/pp.err" | grep -q '(100%).*eta 0 s$' \
  && ! grep -q "$(printf '\r')" "$tmp/pp.err"
check $? "progress: none in a log (or with -q), --progress gives lines with an ETA, the last at 100%"

# wall_seconds as docs/results.md says: a number >= 0 by default, null with
# --no-wall-seconds (and nothing else in the summary changes)
w="$FL_SOURCE_DIR/scenarios/spares.lua"
"$FAULTLINE" run "$w" -q --no-plots --no-pcap --set days=2 -o "$tmp/w1" 2>/dev/null
"$FAULTLINE" run "$w" -q --no-plots --no-pcap --set days=2 --no-wall-seconds -o "$tmp/w2" 2>/dev/null
grep -Eq '"wall_seconds": [0-9][0-9.eE+-]*,?$' "$tmp/w1/summary.json"
check $? "wall_seconds is a number by default"
grep -Eq '"wall_seconds": null,?$' "$tmp/w2/summary.json"
check $? "wall_seconds is null with --no-wall-seconds"
[ -s "$tmp/w1/summary.json" ] \
  && [ "$(grep -v wall_seconds "$tmp/w1/summary.json" | cksum)" = "$(grep -v wall_seconds "$tmp/w2/summary.json" | cksum)" ]
check $? "the two summaries differ in wall_seconds only"
