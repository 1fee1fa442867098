#!/bin/sh
# tests/cli/test_trace_replay.sh - a published fault trace injected as the
# run's failures (failure_trace{}, scenarios/trace-replay.lua) (TAP):
# * repair = "trace", no random failures: summary.json's gpu_availability
#   equals the trace's own, 1 - (sum over nodes of the union of their
#   outages) / (nodes x span), computed here in Python from the file
#   (sharing no code with faultline), to 1e-6; JSON and CSV alike; every
#   outage is a node_failed at its start and a component_repaired at its
#   end on the node it maps to; the seed changes nothing;
# * map = {...} puts the trace's nodes where it says;
# * repair = "policy": each fault_start that finds its node up is a
#   failure the health policy sees and repairs;
# * random = 1 adds random failures to the trace's;
# * bad input (a missing trace, a trace larger than the cluster, a map to
#   no node, a class mapped to a switch mode, an unknown repair, a
#   malformed trace) exits 2 naming what is wrong.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"
sc="$FL_SOURCE_DIR/scenarios/trace-replay.lua"
data="$FL_SOURCE_DIR/scenarios/data"
run () { "$FAULTLINE" run "$sc" -q --no-plots --no-wall-seconds --events "$@"; }

echo "1..13"

# The trace's own figures, independently: outages per node (a start opens,
# the matching end closes, overlaps merge, an open start lasts to the last
# event), in order of first appearance.
cat > "$tmp/trace.py" <<'PY'
import csv, json, sys

def events(path):
    if path.endswith(".json"):
        return [(str(e["node_id"]), float(e["event_time"]) * 86400.0, e["event_type"])
                for e in json.load(open(path))]
    return [(r["node_id"], float(r["event_time"]) * 86400.0, r["event_type"])
            for r in csv.DictReader(open(path))]

def outages(path):
    ev = events(path)
    span = max(t for _, t, _ in ev)
    order = []
    for node, _, _ in ev:
        if node not in order:
            order.append(node)
    out = []
    for k, node in enumerate(order):
        mine = sorted(((t, 0 if typ == "fault_start" else 1, i) for i, (nd, t, typ) in enumerate(ev) if nd == node))
        depth, start, spans = 0, None, []
        for t, end, _ in mine:
            if not end:
                if depth == 0:
                    start = t
                depth += 1
            elif depth > 0:
                depth -= 1
                if depth == 0 and t > start:
                    spans.append([start, t])
        if depth > 0 and span > start:
            spans.append([start, span])
        merged = []
        for s in spans:
            if merged and s[0] <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], s[1])
            else:
                merged.append(s)
        out += [(k, s, e) for s, e in merged]
    return order, span, out

if __name__ == "__main__":
    order, span, out = outages(sys.argv[1])
    nodes = int(sys.argv[2])
    down = sum(e - s for _, s, e in out)
    print("%.12f %d %d" % (1 - down / (nodes * span), len(out), len(order)))
PY

# 1-2: repair = "trace": the trace's availability, JSON and CSV
want=$(python3 "$tmp/trace.py" "$data/example-faults.json" 16)
wa=${want%% *}
for f in json csv; do
  run --seed 7 --set trace=data/example-faults.$f -o "$tmp/t-$f" > /dev/null 2> "$tmp/err"
  rc=$?
  got=$(python3 -c 'import json,sys; print("%.12f" % json.load(open(sys.argv[1]))["metrics"]["gpu_availability"])' "$tmp/t-$f/summary.json" 2>/dev/null)
  if [ $rc -eq 0 ] && python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= 1e-6 else 1)' "$got" "$wa"; then
    ok "repair=trace ($f): gpu_availability $got = the trace's own $wa (to 1e-6)"
  else
    not_ok "repair=trace ($f): exit $rc, gpu_availability '$got', the trace's own $wa $(head -c 200 "$tmp/err")"
  fi
done

# 3: every outage is the node's failure at its start and repair at its end
python3 - "$tmp/trace.py" "$data/example-faults.json" "$tmp/t-json" <<'PY'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("trace", sys.argv[1])
tr = importlib.util.module_from_spec(spec); spec.loader.exec_module(tr)
order, span, out = tr.outages(sys.argv[2])
ev = [json.loads(l) for l in open(sys.argv[3] + "/events.jsonl")]
fails = sorted((e["component"], round(e["time_s"], 3)) for e in ev if e["event"] == "node_failed")
reps = sorted((e["component"], round(e["time_s"], 3)) for e in ev
              if e["event"] == "component_repaired" and "/" not in e["component"])
want_f = sorted(("node%04d" % k, round(s, 3)) for k, s, _ in out)
want_r = sorted(("node%04d" % k, round(e, 3)) for k, _, e in out)
s = json.load(open(sys.argv[3] + "/summary.json"))
if fails != want_f or reps != want_r or s["metrics"]["failures"] != len(out):
    print("# failures %d/%d, repairs %d/%d, summary failures %s; first differences %s %s"
          % (len(fails), len(want_f), len(reps), len(want_r), s["metrics"]["failures"],
             sorted(set(fails) ^ set(want_f))[:3], sorted(set(reps) ^ set(want_r))[:3]))
    sys.exit(1)
PY
check $? "repair=trace: each of the trace's outages is node_failed at its start and component_repaired at its end, on node k for the trace's k-th node"

# 4: the seed changes nothing the trace decides
run --seed 1 -o "$tmp/t-seed1" > /dev/null 2>&1
python3 -c '
import json, sys
a, b = (json.load(open(p))["metrics"] for p in sys.argv[1:3])
sys.exit(0 if a["gpu_availability"] == b["gpu_availability"] and a["failures"] == b["failures"] else 1)' \
  "$tmp/t-json/summary.json" "$tmp/t-seed1/summary.json"
check $? "repair=trace: seeds 1 and 7 give the same availability and failures"

# 5: map = {...}: the trace's nodes where the map puts them (a scenario
# written for the test: two of the trace's nodes on node0015 and node0014)
cat > "$tmp/map.lua" <<LUA
local t = failure_trace { file = "$data/example-faults.json",
                          map = { node06 = "node0015", node07 = "node0014", node12 = "node0002",
                                  node03 = "node0003", node14 = "node0004", node01 = "node0005",
                                  node09 = "node0006", node15 = "node0007", node11 = "node0008",
                                  node05 = "node0009", node02 = "node0010", node00 = "node0011",
                                  node13 = "node0012", node04 = "node0013", node08 = "node0001" } }
cluster { nodes = 16, su_size = 8 }
failures { source = "none" }
policy { health = "standard", health_params = { false_positive_prob = 0 } }
run { length = t.span }
LUA
"$FAULTLINE" run "$tmp/map.lua" -q --no-plots --events -o "$tmp/map" > /dev/null 2> "$tmp/err"; rc=$?
first=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print(next(e["component"] for e in ev if e["event"] == "node_failed"))' "$tmp/map/events.jsonl" 2>/dev/null)
[ $rc -eq 0 ] && [ "$first" = node0015 ]
check $? "map: the trace's first fault (node06) lands on node0015 (got '$first', exit $rc)"

# 6: repair = "policy": the starts are failures the policy sees and repairs
run --seed 7 --set repair=policy -o "$tmp/pol" > /dev/null 2> "$tmp/err"; rc=$?
python3 - "$data/example-faults.json" "$tmp/pol" <<'PY'
import json, sys
starts = sum(1 for e in json.load(open(sys.argv[1])) if e["event_type"] == "fault_start")
s = json.load(open(sys.argv[2] + "/summary.json"))["metrics"]
ev = [json.loads(l) for l in open(sys.argv[2] + "/events.jsonl")]
acts = sum(1 for e in ev if e["event"] == "policy_action")
ok = 0 < s["failures"] <= starts and acts > 0 and s["gpu_availability"] < 1
print("# %d failures of %d starts, %d policy actions" % (s["failures"], starts, acts))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] && [ $rc -eq 0 ]
check $? "repair=policy: the fault_starts are failures (at most one per start), the policy acts on them"

# 7: random = 1 adds random failures to the trace's
run --seed 7 --set random=1 -o "$tmp/rnd" > /dev/null 2>&1
python3 -c '
import json, sys
a, b = (json.load(open(p))["metrics"]["failures"] for p in sys.argv[1:3])
sys.exit(0 if b > a else 1)' "$tmp/t-json/summary.json" "$tmp/rnd/summary.json"
check $? "random=1: more failures than the trace's alone"

# 8-13: bad input, exit 2 naming the problem
bad () { # description expected-text args...
  d=$1; want=$2; shift 2
  "$FAULTLINE" run "$@" -q --no-plots -o "$tmp/bad" > /dev/null 2> "$tmp/err"; rc=$?
  if [ $rc -eq 2 ] && grep -q "$want" "$tmp/err" && [ ! -e "$tmp/bad" ]; then
    ok "$d: exit 2, '$want', no output"
  else
    not_ok "$d: exit $rc: $(head -c 300 "$tmp/err")"
  fi
}
bad "a missing trace" "failure_trace{}: .*nosuch.json" "$sc" --set trace=nosuch.json
bad "a trace of 15 nodes on 8" "has 15 nodes, the cluster 8" "$sc" --set nodes=8
printf 'node_id,event_time,event_type\nn1,0.5,fault_start\nn1,1,fault_ended\n' > "$tmp/typo.csv"
bad "a malformed trace" "typo.csv: line 3: event_type" "$sc" --set trace="$tmp/typo.csv"
bad "an unknown repair" "unknown failure_trace repair 'sometimes' (valid: trace, policy)" "$sc" --set repair=sometimes
cat > "$tmp/badmap.lua" <<LUA
failure_trace { file = "$data/example-faults.json", map = { node06 = "node9999" } }
cluster { nodes = 16 }
LUA
bad "a map to no node" "map: 'node06' = 'node9999' is not a node" "$tmp/badmap.lua"
cat > "$tmp/badclass.lua" <<LUA
failure_trace { file = "$data/example-faults.json", classes = { PSU = "scripted_leaf" } }
cluster { nodes = 16 }
failures { source = "none" }
LUA
bad "a class mapped to a switch mode" "'PSU' = 'scripted_leaf' is a leaf mode" "$tmp/badclass.lua"
exit $failed
