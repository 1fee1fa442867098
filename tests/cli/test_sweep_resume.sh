#!/bin/sh
# tests/cli/test_sweep_resume.sh - a sweep killed with SIGKILL part-way and
# run again resumes (TAP): the rerun keeps every replica that had finished
# (its files untouched, not run again), runs the others, and ends with a
# sweep.json, sweep.csv and replica files byte-identical to an
# uninterrupted sweep's (--no-wall-seconds) and results.sqlite holding each
# replica exactly once; a finished sweep run again changes nothing; a
# different sweep into the folder is refused (exit 2) unless --fresh, which
# starts over; a folder in use by a running sweep is refused. The kill
# lands after a few replicas (the loop below waits for them, bounded as a
# hang guard, not a time limit on faultline).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"
echo "1..11"

cat > "$tmp/s.lua" <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 64 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 64, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 2, "simulated days")), sample_every = hours (1) }
LUA
cd "$tmp" || exit 1
export FAULTLINE_GNUPLOT=/nonexistent/gnuplot
total=40
sweep () { "$FAULTLINE" sweep s.lua --seeds 1-20 --grid spares=2,8 --set days=8 \
  --no-wall-seconds "$@"; }
done_count () { ls -d "$1"/spares=*/seed-* 2> /dev/null | grep -vc partial; }

sweep -j 2 -q -o ref
check $? "the uninterrupted sweep exits 0"

"$FAULTLINE" sweep s.lua --seeds 1-20 --grid spares=2,8 --set days=8 \
  --no-wall-seconds -j 2 -q -o k 2> /dev/null &
pid=$!
tries=0
while [ "$(done_count k)" -lt 4 ] && [ $tries -lt 6000 ] && kill -0 $pid 2> /dev/null; do
  sleep 0.02; tries=$((tries + 1))
done
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
pid=
before=$(done_count k)
[ "$before" -ge 4 ] && [ "$before" -lt $total ] && [ ! -e k/sweep.json ]
check $? "SIGKILL landed part-way: $before of $total replicas finished, no sweep.json"
# a finished replica before the resume, and its inode
first=$(ls -d k/spares=2/seed-* | grep -v partial | head -1)
ino=$(ls -i "$first/summary.json" | cut -d' ' -f1)
rows=$(sqlite3 k/results.sqlite "SELECT count(*) FROM replicas" 2> /dev/null || echo 0)
[ "$rows" -le "$before" ]
check $? "the killed sweep's database is readable and consistent ($rows rows, $before folders)"

sweep -j 2 -o k > resume.out 2> resume.err
rc=$?
[ $rc -eq 0 ] && grep -q "$total/$total replicas done ($before resumed)" resume.err
check $? "the same command resumes: exit $rc, $before resumed, $total/$total done"
[ $rc -eq 0 ] || sed 's/^/# /' resume.err
[ "$(ls -i "$first/summary.json" | cut -d' ' -f1)" = "$ino" ]
check $? "a replica finished before the kill was not run again ($first)"
diff -r -x results.sqlite ref k > diff.out
check $? "sweep.json, sweep.csv and every replica file equal the uninterrupted sweep's"
[ -s diff.out ] && head -5 diff.out | sed 's/^/# /'
[ "$(sqlite3 k/results.sqlite "SELECT count(*), count(DISTINCT point || '/' || seed) FROM replicas")" = "$total|$total" ] \
  && [ "$(sqlite3 k/results.sqlite "SELECT * FROM replicas ORDER BY point, seed")" = \
       "$(sqlite3 ref/results.sqlite "SELECT * FROM replicas ORDER BY point, seed")" ]
check $? "results.sqlite: each of the $total replicas once, the same rows as uninterrupted"

cp k/sweep.json k.before
sweep -j 1 -q -o k && cmp -s k/sweep.json k.before
check $? "a finished sweep run again exits 0 and keeps its sweep.json"

"$FAULTLINE" sweep s.lua --seeds 1-3 -q -o k 2> other.err
rc=$?
[ $rc -eq 2 ] && grep -q "another sweep" other.err && grep -q -- "--fresh" other.err \
  && cmp -s k/sweep.json k.before
check $? "another sweep into the folder: exit 2 (rc $rc), suggests --fresh, folder kept"
"$FAULTLINE" sweep s.lua --seeds 1-3 --set days=1 -q --fresh -o k --no-wall-seconds \
  && [ "$(ls -d k/*/seed-* | wc -l)" -eq 3 ] && grep -q '"seeds": \[' k/sweep.json \
  && [ "$(sqlite3 k/results.sqlite 'SELECT count(*) FROM replicas')" -eq 3 ]
check $? "--fresh starts over: 3 replicas, 3 rows"

"$FAULTLINE" sweep s.lua --seeds 1-20 --grid spares=2,8 --set days=8 \
  --no-wall-seconds -j 1 -q -o busy 2> /dev/null &
pid=$!
tries=0
while [ ! -s busy/shard.json ] && [ $tries -lt 6000 ] && kill -0 $pid 2> /dev/null; do
  sleep 0.02; tries=$((tries + 1))
done
sweep -j 1 -q -o busy 2> busy.err
rc=$?
kill -0 $pid 2> /dev/null && running=1 || running=0
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
pid=
[ $running -eq 1 ] && [ $rc -eq 2 ] && grep -q "being written by another faultline sweep" busy.err
check $? "a folder a running sweep holds is refused (exit $rc, the first still running: $running)"
