#!/bin/sh
# tests/cli/test_sweep.sh - `faultline sweep` end to end (TAP): a tiny
# scenario (68 nodes, 2 days) over seeds 1-3 and a 2-point grid gives
# byte-identical sweep.json, sweep.csv and summary.json files with 1 and 2
# threads; a replica's summary.json equals `faultline run` with the same
# seed and --sets; the mean, sd and 95% CI in sweep.json match values
# recomputed here (awk) from the replicas' summary.json files; bad input
# exits 2 naming the value and leaves nothing behind; a replica that fails
# leaves nothing behind. Against a ThreadSanitizer build (docs/sweep.md,
# "Thread safety") one more check: no sweep above drew a report. Not here:
# thread safety of the library in isolation (tests/output/test_sweep.c).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"

have_gnuplot=0
command -v gnuplot > /dev/null 2>&1 && have_gnuplot=1
# A ThreadSanitizer build: keep every report (the last check fails on
# any); GLib 2.74's slice allocator hands memory between threads behind a
# lock TSan cannot see, so it is replaced by malloc.
tsan=0
if ldd "$FAULTLINE" 2> /dev/null | grep -q libtsan; then
  tsan=1
  export G_SLICE=always-malloc
  export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS }halt_on_error=0 log_path=$tmp/tsan"
fi
echo "1..$((31 + have_gnuplot + tsan))"

cat > "$tmp/s.lua" <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 64 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
policy { health = param ("health", "standard", "health policy") }
job { name = "train", nodes = 64, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 4, "simulated days")), sample_every = hours (1) }
LUA
cd "$tmp" || exit 1
sweep () { "$FAULTLINE" sweep s.lua --seeds 1-3 --grid spares=2,8 --set days=2 \
  --no-wall-seconds "$@"; }

# 1 and 2 threads: the same bytes
sweep --threads 1 -o t1 -q 2> t1.err
rc1=$?
sweep --threads 2 -o t2 2> t2.err > t2.out
rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -s t1/sweep.json ] && [ -s t2/sweep.json ]
check $? "sweep with --threads 1 and 2 exits 0 (rc $rc1, $rc2)"
[ $rc1 -ne 0 ] && sed 's/^/# /' t1.err
cmp -s t1/sweep.json t2/sweep.json && cmp -s t1/sweep.csv t2/sweep.csv
check $? "sweep.json and sweep.csv are byte-identical with 1 and 2 threads"
# the scenario as a run records it: relative to the current folder, even
# when given by its absolute path; a shipped scenario found by its name
"$FAULTLINE" sweep "$tmp/s.lua" --seeds 1 --set days=1 --no-wall-seconds -o abs -q 2> /dev/null
grep -q '"scenario": "s.lua"' abs/sweep.json && grep -q '"scenario": "s.lua"' abs/base/summary.json
check $? "sweep.json and the point's summary.json name the scenario as run does (s.lua)"
"$FAULTLINE" sweep spares --seeds 1 --set days=1 --no-wall-seconds -o shelf -q 2> shelf.err
rc=$?
[ $rc -eq 0 ] && grep -q '"scenario": "scenarios/spares.lua"' shelf/sweep.json
check $? "sweep finds a shipped scenario by name, as run does (rc $rc)"
[ $rc -ne 0 ] && sed 's/^/# /' shelf.err
files=$(cd t1 && find . -name summary.json | sort)
count=$(echo "$files" | wc -l)
[ "$count" -eq 8 ]
check $? "6 replica + 2 point summary.json files ($count)"
same=0
[ "$count" -eq 8 ] || same=1
for f in $files; do cmp -s "t1/$f" "t2/$f" || same=1; done
check $same "every summary.json is byte-identical with 1 and 2 threads"
for p in "spares=2" "spares=8"; do
  for s in 1 2 3; do
    [ -s "t1/$p/seed-$s/timeseries.csv" ] && [ -s "t1/$p/seed-$s/jobs.csv" ] || same=2
  done
done
[ $same -ne 2 ] && [ ! -e "t1/spares=2/seed-1/plots" ] && [ ! -e "t1/spares=2/seed-1/fabric.pcap" ]
check $? "each replica folder holds the run's CSV files, no plots or pcap by default"
[ -d t1 ] && ! ls -a | grep -q partial
check $? "no staging folder is left next to the output"

# a replica equals `faultline run` with the same seed and sets
"$FAULTLINE" run s.lua --seed 2 --set days=2 --set spares=8 -q --no-plots \
  --no-pcap --no-wall-seconds -o run2 2> run2.err \
  && cmp -s run2/summary.json "t1/spares=8/seed-2/summary.json"
check $? "replica spares=8/seed-2 summary.json equals faultline run --seed 2"

# progress and the table
grep -q "6/6 replicas done" t2.err
check $? "progress on stderr reaches 6/6 replicas"
# not a terminal: whole lines (no carriage return), the start and the end,
# each with points, replicas, runs/s, threads and the ETA
cr=$(printf '\r')
! grep -q "$cr" t2.err \
  && grep -q "^sweep: 0/2 points, 0/6 replicas done, - runs/s, 2 threads, elapsed [0-9]* s, eta -$" t2.err \
  && grep -q "^sweep: 2/2 points, 6/6 replicas done, [0-9.]* runs/s, 2 threads, elapsed .*, eta 0 s$" t2.err
check $? "progress in a log: one whole line at the start and at the end, points, runs/s, ETA"
grep -q "^spares=8 " t2.out && [ ! -s t1.err ]
check $? "a summary table on stdout; -q prints nothing"

# mean, sd, CI recomputed from the replicas
metric () { # file key -> value (null stays null)
  sed -n "s/^    \"$2\": \([^,]*\),*\$/\1/p" "$1"
}
stat_of () { # point metric stat -> value in t1/sweep.json
  awk -v p="$1" -v m="$2" -v s="$3" '
    /"name": / { gsub(/[",]/, "", $2); cur = $2 }
    $1 == "\"" m "\":" && $2 == "{" { inm = (cur == p); next }
    inm && $1 == "\"" s "\":" { v = $2; sub(/,$/, "", v); print v; exit }
    /^ *}/ { inm = 0 }' t1/sweep.json
}
for p in "spares=2" "spares=8"; do
  for m in ettr lost_gpu_hours interruptions; do
    vals=""
    for s in 1 2 3; do vals="$vals $(metric "t1/$p/seed-$s/summary.json" "$m")"; done
    mean=$(stat_of "$p" "$m" mean)
    sd=$(stat_of "$p" "$m" sd)
    lo=$(stat_of "$p" "$m" ci95_low)
    hi=$(stat_of "$p" "$m" ci95_high)
    # t(0.975, 2) = 4.302652730 (NIST/SEMATECH table); tolerance: 1e-12
    # relative, the rounding of a few double operations.
    echo "$vals" | awk -v mean="$mean" -v sd="$sd" -v lo="$lo" -v hi="$hi" '
      function bad(a, b) { d = a - b; if (d < 0) d = -d; s = (b < 0 ? -b : b);
                           return d > 1e-12 * (s > 1 ? s : 1) }
      { n = NF; for (i = 1; i <= n; i++) sum += $i; mu = sum / n;
        for (i = 1; i <= n; i++) ss += ($i - mu) ^ 2; sdv = sqrt(ss / (n - 1));
        h = 4.302652730 * sdv / sqrt(n);
        if (mean == "" || bad(mean, mu) || bad(sd, sdv) || bad(lo, mu - h) ||
            bad(hi, mu + h)) { print "# got", mean, sd, lo, hi, "want", mu, sdv, mu - h, mu + h; exit 1 } }'
    check $? "$p $m: mean, sd and 95% CI match the replicas ($vals)"
  done
done

# a point's summary.json from its replicas (python3, independent of the
# aggregation's code): "replicas" is each seed's metrics in seed order; a
# number's mean; a by-cause object: the members of every replica in order
# of first appearance, each the mean with 0 where a replica lacks it
python3 - t1 <<'PY'
import json, math, sys
bad = []
for p in ("spares=2", "spares=8"):
    pt = json.load(open(f"{sys.argv[1]}/{p}/summary.json"))
    reps = [json.load(open(f"{sys.argv[1]}/{p}/seed-{s}/summary.json"))["metrics"]
            for s in (1, 2, 3)]
    if pt["replicas"] != reps:
        bad.append(f"{p}: replicas differ from the seeds' metrics")
    close = lambda a, b: (a is None and b is None) or (
        a is not None and b is not None and abs(a - b) <= 1e-12 * max(1, abs(b)))
    for k, v in pt["metrics"].items():
        if isinstance(v, dict) and k.endswith("_by_cause"):
            union = []
            for r in reps:
                union += [c for c in r.get(k, {}) if c not in union]
            if list(v) != union:
                bad.append(f"{p} {k}: members {list(v)}, want {union}")
            for c in union:
                want = sum(r.get(k, {}).get(c, 0) for r in reps) / len(reps)
                if not close(v.get(c), want):
                    bad.append(f"{p} {k}.{c}: {v.get(c)}, want {want}")
        elif isinstance(v, (int, float)) or v is None:
            xs = [r[k] for r in reps if isinstance(r.get(k), (int, float))]
            want = sum(xs) / len(xs) if xs else None
            if not close(v, want):
                bad.append(f"{p} {k}: {v}, want {want}")
for b in bad:
    print("#", b)
sys.exit(1 if bad else 0)
PY
check $? "each point's summary.json: the seeds' metrics, their means, by-cause members merged with 0 for absent"

# the plot data: one line per grid value, the means of sweep.json
grep -v '^#' t1/plots/ettr.dat | awk 'NF' > ettr.rows
[ "$(wc -l < ettr.rows)" -eq 2 ] \
  && [ "$(awk 'NR == 1 { print $2 }' ettr.rows)" = "$(printf '%.10g' "$(stat_of spares=2 ettr mean)")" ]
check $? "plots/ettr.dat has the two points and the mean ETTR"
# every headline metric has its plot: mean line and 95% CI band, the
# values of sweep.json
allm=0
for m in ettr goodput gpu_availability interruptions mtti_hours mttr_hours lost_gpu_hours; do
  [ -s "t1/plots/$m.gp" ] && grep -q "'$m.dat' index 0 using 1:3:4 with filledcurves" "t1/plots/$m.gp" \
    || { allm=1; echo "# no CI band plot for $m"; continue; }
  row=$(grep -v '^#' "t1/plots/$m.dat" | awk 'NF' | head -1)
  want="$(printf '%.10g' "$(stat_of spares=2 "$m" mean)")"
  [ "$(echo "$row" | awk '{ print $2 }')" = "$want" ] || { allm=1; echo "# $m: $row, want mean $want"; }
done
check $allm "plots/ for each headline metric: the mean and a CI band, as in sweep.json"
if [ $have_gnuplot -eq 1 ]; then
  [ -s t1/plots/ettr.png ] && [ -s t1/plots/ettr.svg ]
  check $? "gnuplot rendered plots/ettr.png and .svg"
fi
FAULTLINE_GNUPLOT=/nonexistent/gnuplot sweep --threads 2 -o nognu -q 2> nognu.err
rc=$?
[ $rc -eq 0 ] && [ -s nognu/plots/ettr.gp ] && grep -q "gnuplot not found" nognu.err \
  && cmp -s nognu/sweep.json t1/sweep.json
check $? "gnuplot missing: a warning, exit 0 (rc $rc), same sweep.json"

# bad input: exit 2, the value named, nothing left
bad () { # name expected-word args...
  name=$1; word=$2; shift 2
  "$FAULTLINE" sweep s.lua -q -o "bad-$name" "$@" 2> "bad-$name.err"
  rc=$?
  [ $rc -eq 2 ] && grep -q -- "$word" "bad-$name.err" && [ "$(wc -l < "bad-$name.err")" -eq 1 ] \
    && [ ! -e "bad-$name" ] && ! ls -d "bad-$name".partial-* > /dev/null 2>&1
  check $? "$name: exit 2 (rc $rc), one line naming '$word', nothing left"
}
bad backward-seeds "5-1" --seeds 5-1
bad word-seeds "abc" --seeds abc
bad empty-grid "spares=" --grid spares=
bad unknown-key "spraes" --seeds 1-2 --grid spraes=1,2
bad threads-0 "threads 0" --threads 0
bad bad-value "many" --grid spares=2,many
mkdir full && echo x > full/keep
"$FAULTLINE" sweep s.lua -q --seeds 1 -o full 2> full.err
rc=$?
[ $rc -eq 2 ] && grep -q "full" full.err && [ "$(ls full)" = keep ]
check $? "a non-empty output folder: exit 2 (rc $rc), folder untouched"

# a replica that fails: exit 2, nothing left
cat > boom.lua <<'LUA'
cluster { nodes = 16 }
failures { source = "none" }
job { name = "train", nodes = 8 }
run { length = days (1) }
local boom = param ("boom", false, "raise an error at hour 1")
at (hours (1), function () if boom then error ("boom at hour 1") end end)
LUA
"$FAULTLINE" sweep boom.lua -q --seeds 1-2 --grid boom=false,true --threads 2 -o boom 2> boom.err
rc=$?
[ $rc -eq 2 ] && grep -q "boom=true" boom.err && [ ! -e boom ] \
  && ! ls -d boom.partial-* > /dev/null 2>&1
check $? "a failing replica: exit 2 (rc $rc), names its point, nothing left"

# help
"$FAULTLINE" sweep --help > help.out 2>&1 && grep -q -- "--grid spares=" help.out \
  && "$FAULTLINE" --help | grep -q "^  sweep "
check $? "sweep --help has examples; faultline --help lists sweep"

# ThreadSanitizer: not one report in any run above
if [ $tsan -eq 1 ]; then
  reports=$(cat "$tmp"/tsan.* 2> /dev/null | grep -c "WARNING: ThreadSanitizer")
  [ "$reports" -eq 0 ]
  check $? "ThreadSanitizer: no data race reported by any sweep ($reports reports)"
  [ "$reports" -eq 0 ] || grep -h -e "WARNING: ThreadSanitizer" -e "^    #[0-3] " \
    -e "^SUMMARY" "$tmp"/tsan.* | head -60 | sed 's/^/# /'
fi
