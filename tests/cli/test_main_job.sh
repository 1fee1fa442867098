#!/bin/sh
# tests/cli/test_main_job.sh - what users measure is in the summary (TAP):
# the main job's own figures, each job{}'s completion time, and `failures`
# without a script's fail()s. Each figure is checked against the run's own
# tables (jobs.csv, interruptions.csv, events.jsonl), which are written by
# other code, so a summary that picked the wrong job or miscounted fails.
#  1. job{ main = true } names the main job even when a larger job runs:
#     summary.json main_job, main_job_ettr = its ETTR in jobs.csv,
#     main_job_interruptions = its rows in interruptions.csv,
#     main_job_lost_hours = its lost_h + restart_h, mtti_hours its own;
#  2. without main, the largest job is the main job;
#  3. job_completion_hours: every job{} in order, end_h - submit_h of the
#     jobs that completed, null for one that did not; the main job's equals
#     main_job_completion_hours;
#  4. failures counts the drawn failures only: with failures{source="none"}
#     and 5 nodes failed by the script, failures = 0, failures_scripted = 5;
#     with background failures, failures + failures_scripted = the
#     component_failed events, and failures_by_cause sums to failures;
#  5. two jobs marked main: exit 2 naming both, no summary written;
#  6. sweep.json: job_completion_hours.NAME with n = the replicas where it
#     completed and a CI, main_job_ettr with a CI.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..6"
n=0
check () { # description, then the command's status
  n=$((n + 1))
  if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
run () { # scenario outdir [args]
  s=$1 o=$2
  shift 2
  "$FAULTLINE" run "$s" -q --no-plots --no-pcap --seed 3 -o "$o" "$@" \
    > "$o.log" 2>&1 || { sed 's/^/# /' "$o.log"; return 1; }
}

# A 20-day run on 256 GPUs at 20x the Llama 3 rates: the large job is
# interrupted often, the small marked one a few times; "late" is submitted
# too late to finish.
cat > "$tmp/jobs.lua" <<'EOF'
cluster { gpus = 256, spares = 2 }
failures { source = "llama3", scale = 20 }
run { length = days (20) }
local mark = param ("mark", true)
job { name = "big", nodes = 20, work = days (5) }
job { name = "small", nodes = 6, work = days (4), main = mark }
job { name = "late", nodes = 4, work = days (4), submit = days (18) }
EOF
run "$tmp/jobs.lua" "$tmp/a"
run "$tmp/jobs.lua" "$tmp/b" --set mark=false

cat > "$tmp/check.py" <<'EOF'
import csv, json, math, sys
d, want = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/summary.json"))
m = s["metrics"]
jobs = {r["name"]: r for r in csv.DictReader(open(d + "/jobs.csv"))}
rows = list(csv.DictReader(open(d + "/interruptions.csv")))
def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))
j = jobs[want]
bad = []
if s["main_job"] != want:
    bad.append("main_job %r" % s["main_job"])
if not close(m["main_job_ettr"], float(j["ettr"])):
    bad.append("main_job_ettr %r vs %r" % (m["main_job_ettr"], j["ettr"]))
k = sum(1 for r in rows if r["job"] == want)
if m["main_job_interruptions"] != k or int(j["interruptions"]) != k or k == 0:
    bad.append("main_job_interruptions %r, rows %d" % (m["main_job_interruptions"], k))
lost = float(j["lost_h"]) + float(j["restart_h"])
if not close(m["main_job_lost_hours"], lost) or lost <= 0:
    bad.append("main_job_lost_hours %r vs %r" % (m["main_job_lost_hours"], lost))
others = sum(1 for r in rows if r["job"] != want)
if others == 0:
    bad.append("no other job was interrupted: the test proves nothing")
print("# %s: main %s, %d of %d interruptions, ettr %.4f (cluster %.4f)"
      % (d, want, k, len(rows), m["main_job_ettr"], m["ettr"]))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
python3 "$tmp/check.py" "$tmp/a" small
check "job{ main = true } names the main job and its own figures" $?
python3 "$tmp/check.py" "$tmp/b" big
check "without main, the largest job is the main job" $?

python3 - "$tmp/a" <<'EOF'
import csv, json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
m = s["metrics"]
jobs = {r["name"]: r for r in csv.DictReader(open(d + "/jobs.csv"))}
c = m["job_completion_hours"]
bad = []
if list(c) != ["big", "small", "late"]:
    bad.append("jobs %r" % list(c))
for name, r in jobs.items():
    if r["completed"] == "1":
        want = float(r["end_h"]) - float(r["submit_h"])
        if c[name] is None or abs(c[name] - want) > 1e-9 * want:
            bad.append("%s: %r vs %r" % (name, c[name], want))
        if c[name] is not None and c[name] < float(r["work_h"]):
            bad.append("%s completed faster than its work" % name)
    elif c.get(name) is not None:
        bad.append("%s did not complete but has %r" % (name, c[name]))
if jobs["late"]["completed"] != "0" or jobs["small"]["completed"] != "1":
    bad.append("the scenario no longer has a completed and a late job")
if m["main_job_completion_hours"] != c["small"]:
    bad.append("main_job_completion_hours %r" % m["main_job_completion_hours"])
print("# completion hours %r" % c)
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
check "job_completion_hours: every job{}, null when not completed" $?

cat > "$tmp/scripted.lua" <<'EOF'
cluster { gpus = 256 }
failures { source = param ("source", "none"), scale = 20 }
run { length = days (10) }
job { name = "train", nodes = 24 }
at (days (1), function ()
  for i = 0, 4 do fail (string.format ("node%04d", i * 3)) end
end)
EOF
run "$tmp/scripted.lua" "$tmp/s" --events
run "$tmp/scripted.lua" "$tmp/t" --events --set source=llama3
python3 - "$tmp/s" "$tmp/t" <<'EOF'
import json, sys
bad = []
for d, drawn in ((sys.argv[1], False), (sys.argv[2], True)):
    m = json.load(open(d + "/summary.json"))["metrics"]
    ev = [json.loads(l) for l in open(d + "/events.jsonl")]
    comp = sum(1 for e in ev if e.get("kind", e.get("event")) == "component_failed")
    if m["failures_scripted"] != 5:
        bad.append("%s: failures_scripted %r" % (d, m["failures_scripted"]))
    if m["failures"] + m["failures_scripted"] != comp:
        bad.append("%s: %d + %d != %d component_failed events"
                   % (d, m["failures"], m["failures_scripted"], comp))
    if sum(m["failures_by_cause"].values()) != m["failures"]:
        bad.append("%s: failures_by_cause sums to %d" % (d, sum(m["failures_by_cause"].values())))
    if drawn != (m["failures"] > 0):
        bad.append("%s: failures %r" % (d, m["failures"]))
    print("# %s: failures %d, scripted %d, component_failed %d"
          % (d, m["failures"], m["failures_scripted"], comp))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
check "failures counts drawn failures, failures_scripted the script's" $?

cat > "$tmp/two.lua" <<'EOF'
cluster { gpus = 256 }
job { name = "one", nodes = 4, main = true }
job { name = "two", nodes = 4, main = true }
EOF
"$FAULTLINE" run "$tmp/two.lua" -q --no-plots -o "$tmp/two" > "$tmp/two.log" 2>&1
st=$?
sed 's/^/# /' "$tmp/two.log"
[ $st -eq 2 ] && grep -q "two" "$tmp/two.log" && grep -q "'one' is already the main job" "$tmp/two.log" \
  && [ ! -e "$tmp/two/summary.json" ]
check "two jobs marked main: exit 2 naming both" $?

"$FAULTLINE" sweep "$tmp/jobs.lua" --seeds 1-3 -q -o "$tmp/sw" \
  > "$tmp/sw.log" 2>&1 || sed 's/^/# /' "$tmp/sw.log"
python3 - "$tmp/sw" <<'EOF'
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/sweep.json"))["points"][0]["metrics"]
reps = json.load(open(d + "/base/summary.json"))["replicas"]
bad = []
for name in ("big", "small", "late"):
    k = "job_completion_hours." + name
    vals = [r["job_completion_hours"][name] for r in reps]
    done = [v for v in vals if v is not None]
    st = p.get(k)
    if st is None or st["n"] != len(done):
        bad.append("%s: %r (values %r)" % (k, st, vals))
        continue
    if len(done) >= 2 and not (st["ci95_low"] <= st["mean"] <= st["ci95_high"]
                               and abs(st["mean"] - sum(done) / len(done)) < 1e-9 * st["mean"]):
        bad.append("%s: %r" % (k, st))
if p["job_completion_hours.late"]["n"] != 0 or p["job_completion_hours.small"]["n"] != 3:
    bad.append("expected small to complete and late not, in all 3 replicas")
if p["main_job_ettr"]["n"] != 3 or p["main_job_ettr"]["ci95_low"] is None:
    bad.append("main_job_ettr %r" % p["main_job_ettr"])
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
check "sweep.json: each job's completion time and the main job's ETTR with CIs" $?
