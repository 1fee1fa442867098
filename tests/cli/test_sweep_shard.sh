#!/bin/sh
# tests/cli/test_sweep_shard.sh - sharded sweeps and `faultline merge` (TAP):
# a tiny scenario over 5 seeds x 2 grid points, run whole with 1 and 2
# threads and as 3 shards (each with its own thread count) merged, gives
# byte-identical sweep.json, sweep.csv, point summaries, plot data and
# replica summaries (--no-wall-seconds), and the same rows in
# results.sqlite; the shards split the replicas round-robin with none
# lost or repeated; merge refuses shards of another sweep, missing and
# duplicated shard numbers, naming them (exit 2, nothing written); a
# query of results.sqlite gives the means of sweep.json; `faultline
# compare` of two sweep folders: a sweep against itself is no regression
# (exit 0), against a sweep with 5x the failure rate every point regresses
# beyond its interval (exit 1, the JSON says so per point), points on one
# side only are listed and not compared, a sweep against a run is refused
# (exit 2). Not here: resume (test_sweep_resume.sh).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"
echo "1..21"

cat > "$tmp/s.lua" <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 64 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 64, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 2, "simulated days")), sample_every = hours (1) }
LUA
cd "$tmp" || exit 1
export FAULTLINE_GNUPLOT=/nonexistent/gnuplot
sweep () { "$FAULTLINE" sweep s.lua --seeds 1-5 --grid spares=2,8 --set days=2 \
  --no-wall-seconds -q "$@"; }

sweep -j 1 -o whole1 2> whole1.err && sweep -j 2 -o whole2 2> whole2.err
check $? "an unsharded sweep with 1 and 2 threads exits 0"
sweep -j 2 --shard 1/3 -o sh1 && sweep -j 1 --shard 2/3 -o sh2 \
  && sweep -j 3 --shard 3/3 -o sh3
check $? "shards 1/3, 2/3, 3/3 exit 0"
[ ! -e sh1/sweep.json ] && [ -s sh1/shard.json ] && [ -s sh1/results.sqlite ]
check $? "a shard writes shard.json and results.sqlite, no sweep.json"
# round-robin: replica i (point-major, seed-minor) goes to shard i % 3 + 1
want1="spares=2/seed-1 spares=2/seed-4 spares=8/seed-2 spares=8/seed-5"
got1=$(cd sh1 && ls -d spares=*/seed-* | tr '\n' ' ' | sed 's/ $//')
total=$(ls -d sh1/spares=*/seed-* sh2/spares=*/seed-* sh3/spares=*/seed-* | wc -l)
dups=$(cd "$tmp" && for s in sh1 sh2 sh3; do (cd $s && ls -d spares=*/seed-*); done | sort | uniq -d | wc -l)
[ "$got1" = "$want1" ] && [ "$total" -eq 10 ] && [ "$dups" -eq 0 ]
check $? "the shards split the 10 replicas round-robin, none twice ($got1; $total, $dups)"

"$FAULTLINE" merge -o merged sh3 sh1 sh2 > merge.out 2> merge.err
check $? "merge of the three shards (any order) exits 0"
same=0
for f in sweep.json sweep.csv shard.json plots/ettr.dat plots/ettr.gp \
         spares=2/summary.json spares=8/summary.json; do
  cmp -s "whole1/$f" "merged/$f" && cmp -s "whole1/$f" "whole2/$f" || { same=1; echo "# differs: $f"; }
done
check $same "sweep.json, sweep.csv, shard.json, plots and point summaries: merged = whole (1 and 2 threads)"
diff -r -x results.sqlite whole1 merged > /dev/null
check $? "the whole folder but results.sqlite is byte-identical to the unsharded one"
q="SELECT * FROM replicas ORDER BY point, seed; SELECT * FROM point_stats ORDER BY point, metric; SELECT * FROM points ORDER BY idx; SELECT sweep_id, shard, shards FROM sweep"
[ "$(sqlite3 whole1/results.sqlite "$q")" = "$(sqlite3 merged/results.sqlite "$q")" ] \
  && [ "$(sqlite3 merged/results.sqlite 'SELECT count(*) FROM replicas')" -eq 10 ]
check $? "results.sqlite: the same 10 replica rows, point rows and sweep row merged as whole"

# a planner's query: mean ETTR per spares value, from the replica rows
sqlite3 -separator ' ' merged/results.sqlite \
  "SELECT spares, avg(ettr), count(*) FROM replicas GROUP BY spares ORDER BY spares" > q.out
awk -v f=merged/sweep.json 'BEGIN {
  while ((getline l < f) > 0) {
    if (l ~ /"name": /) { split(l, a, "\""); cur = a[4] }
    if (l ~ /"ettr": \{/) inm = 1
    else if (inm && l ~ /"mean": /) { v = l; sub(/.*"mean": /, "", v); sub(/,$/, "", v); mean[cur] = v; inm = 0 }
  } }
  { p = "spares=" $1; d = $2 - mean[p]; if (d < 0) d = -d;
    if ($3 != 5 || d > 1e-12) { print "# " p, $2, mean[p], $3; bad = 1 } ; rows++ }
  END { exit (bad || rows != 2) }' q.out
check $? "SELECT spares, avg(ettr) ... GROUP BY spares = sweep.json's means, n = 5"
sqlite3 merged/results.sqlite "SELECT mean FROM point_stats WHERE point = 'spares=8' AND metric = 'ettr'" > q2.out
awk 'NR == 1 && $1 > 0 && $1 <= 1 { ok = 1 } END { exit !ok }' q2.out
check $? "point_stats holds the point means (spares=8 ettr $(cat q2.out))"

# refusals: exit 2, a message naming the shards, nothing written
refuse () { # name expected-text args...
  name=$1; word=$2; shift 2
  "$FAULTLINE" merge -o "m-$name" "$@" 2> "m-$name.err"
  rc=$?
  [ $rc -eq 2 ] && grep -q -- "$word" "m-$name.err" && [ ! -e "m-$name" ] \
    && ! ls -d "m-$name".partial-* > /dev/null 2>&1
  check $? "merge $name: exit 2 (rc $rc), names '$word', nothing written"
  [ $rc -eq 2 ] || sed 's/^/# /' "m-$name.err"
}
refuse missing "missing shards of 3: 2" sh1 sh3
cp -r sh1 sh1b
refuse duplicated "shard 1 (sh1 and sh1b)" sh1 sh2 sh3 sh1b
sweep -j 1 --seeds 1-4 --shard 2/3 -o other 2> /dev/null
refuse other-sweep "different sweeps" sh1 other sh3
refuse not-a-shard "no shard.json" sh1 sh2 sh3 whole1/spares=2

sweep --shard 4/3 -o bad-shard 2> bad-shard.err
rc=$?
[ $rc -eq 2 ] && grep -q "4/3" bad-shard.err && [ ! -e bad-shard ]
check $? "--shard 4/3: exit 2 (rc $rc) naming it, nothing written"
"$FAULTLINE" merge --help > help.out 2>&1 && grep -q "faultline merge -o" help.out \
  && "$FAULTLINE" --help | grep -q "^  merge "
check $? "merge --help has an example; faultline --help lists merge"

# merge --wait: a shard that appears later is waited for
"$FAULTLINE" merge --wait 600 -q -o waited sh1 sh2 late3 2> waited.err &
mpid=$!
sleep 1
cp -r sh3 late3.tmp && mv late3.tmp late3
wait $mpid
rc=$?
[ $rc -eq 0 ] && cmp -s waited/sweep.json whole1/sweep.json
check $? "merge --wait: a shard folder that appears later is waited for (rc $rc), same sweep.json"

# compare two sweeps, point by point
"$FAULTLINE" compare whole1 merged > cmp-same.out
check $? "compare of a sweep with its merged twin: exit 0"
sweep -j 2 --set rate_scale=200 -o worse
"$FAULTLINE" compare whole1 worse > cmp-worse.out
rc=$?
"$FAULTLINE" compare whole1 worse --json > cmp-worse.json
[ $rc -eq 1 ] && grep -q "^spares=2 .*ettr .*REGRESSION" cmp-worse.out \
  && grep -q "^spares=8 .*ettr .*REGRESSION" cmp-worse.out \
  && [ "$(grep -c '"regression": true' cmp-worse.json)" -eq 3 ] \
  && grep -q '"baseline_ci95_low": ' cmp-worse.json
check $? "5x the failure rate: exit 1 (rc $rc), ETTR regressed at both points beyond the CI"
[ $rc -eq 1 ] || sed 's/^/# /' cmp-worse.out
"$FAULTLINE" sweep s.lua --seeds 1-5 --grid spares=8,16 --set days=2 \
  --no-wall-seconds -q -o other-grid
"$FAULTLINE" compare whole1 other-grid > cmp-grid.out
rc=$?
[ $rc -eq 0 ] && grep -q "^spares=2 .*only in the baseline" cmp-grid.out \
  && grep -q "^spares=16 .*only in the candidate" cmp-grid.out \
  && grep -q "^spares=8 .*ettr" cmp-grid.out
check $? "points on one side only are listed, the shared one compared (rc $rc)"
"$FAULTLINE" compare whole1 whole1/spares=2/seed-1 > /dev/null 2> cmp-bad.err
rc=$?
[ $rc -eq 2 ] && grep -q "not a sweep folder" cmp-bad.err
check $? "a sweep against a run: exit 2 (rc $rc)"
