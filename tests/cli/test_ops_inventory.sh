#!/bin/sh
# tests/cli/test_ops_inventory.sh - cluster { inventory = "nodes.json" }: a
# scenario runs on the nodes of `kubectl get nodes -o json`
# (scenarios/data/dgx-h100-64.nodes.json: 64 DGX H100 in two SUs of 32,
# racks of 4 in one hall, three control-plane nodes without GPUs).
#  - the topology has the inventory's nodes, GPUs, SUs, racks and rows, the
#    control-plane nodes left out;
#  - a run's events and health events name the inventory's nodes, and the
#    scenario's fail() finds them by those names (glob included);
#  - a group label set to "" falls back to the scenario's size;
#  - a relative inventory path is looked up beside the scenario;
#  - the same seed gives the same summary.
# Bad inventories (exit 2, file:line) are in test_badinput.sh.
. "$FL_SOURCE_DIR/tests/tap.sh"
T=${TMPDIR:-/tmp}/fl-ops-inv.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
F=$FAULTLINE
INV=$FL_SOURCE_DIR/scenarios/data/dgx-h100-64.nodes.json
cp "$INV" "$T/nodes.json"
cat > "$T/k8s.lua" <<'LUA'
cluster { inventory = "nodes.json", technicians = 2 }
failures { source = "none" }
job { name = "train", nodes = 60, checkpoint_every = minutes (30),
      checkpoint_cost = seconds (30), restart = minutes (5) }
at (hours (6), function () fail ("dgx-r105-n?") end)
at (hours (9), function () fail ("dgx-r110-n3/gpu5") end)
run { length = days (2) }
LUA
plan 6
$F topo "$T/k8s.lua" >"$T/topo" 2>"$T/err"
rc=$?
grep -Eq '^nodes +64 +2 SUs of up to 32 nodes' "$T/topo" && grep -Eq '^gpus +512 +8 per node' "$T/topo" \
  && grep -Eq '^racks +16 +4 nodes each' "$T/topo" && grep -Eq '^rows +1 +16 racks each' "$T/topo"
check $(( rc | $? )) "topo: 64 nodes of 8 GPUs, 2 SUs of 32, 16 racks of 4, one row (path beside the scenario)"
[ $rc -eq 0 ] || diag <"$T/err"
$F topo "$T/k8s.lua" --format json >"$T/topo.json" 2>"$T/err"
python3 - "$T/topo.json" <<'PY' >"$T/py" 2>&1
import json, sys
t = json.load(open(sys.argv[1]))
c = t["counts"]
assert (c["nodes"], c["sus"], c["racks"]) == (64, 2, 16), c
PY
check $? "topo --format json agrees"
cd "$T" || exit 2
$F run k8s.lua --seed 5 -q --no-plots --no-pcap --no-wall-seconds --events --health-events -o run1 2>"$T/err"
check $? "the scenario runs on the inventory"
diag <"$T/err"
python3 - "$T/run1" "$INV" <<'PY' >"$T/py" 2>&1
import json, sys
run, inv = sys.argv[1], json.load(open(sys.argv[2]))
gpu_nodes = {i["metadata"]["name"] for i in inv["items"]
             if "nvidia.com/gpu" in i["status"]["capacity"]}
assert len(gpu_nodes) == 64
failed, named = [], set()
for line in open(run + "/events.jsonl"):
    e = json.loads(line)
    for k in ("component", "node"):
        v = e.get(k)
        if isinstance(v, str) and v.startswith("dgx-"):
            named.add(v.split("/")[0])
    if e.get("event") == "component_failed":
        failed.append(e.get("component"))
assert named and named <= gpu_nodes, sorted(named - gpu_nodes)[:5]
want = {"dgx-r105-n1", "dgx-r105-n2", "dgx-r105-n3", "dgx-r105-n4", "dgx-r110-n3/gpu5"}
assert want <= set(failed), (sorted(failed), want)
hn = {json.loads(l)["nodeName"] for l in open(run + "/health_events.jsonl")}
assert hn and hn <= gpu_nodes, sorted(hn)
print("ok", len(named), "nodes named,", len(failed), "failures")
PY
check $? "events and health events name the inventory's nodes; fail() found them ($(tail -1 "$T/py"))"
[ "$(tail -1 "$T/py" | cut -c1-2)" = ok ] || diag <"$T/py"
$F run k8s.lua --seed 5 -q --no-plots --no-pcap --no-wall-seconds -o run2 2>/dev/null
cmp -s run1/summary.json run2/summary.json
check $? "the same seed, the same summary"
sed 's/^cluster {/cluster { inventory_rack_label = "", nodes_per_rack = 8, inventory_su_label = "", su_size = 16,/' \
  k8s.lua > k8s2.lua
$F topo k8s2.lua >"$T/topo2" 2>"$T/err"
grep -Eq '^racks +8 +8 nodes each' "$T/topo2" && grep -Eq '^nodes +64 +4 SUs of up to 16' "$T/topo2"
check $? "labels set to \"\": racks and SUs from the scenario (8 racks of 8, 4 SUs of 16)"
grep -q . "$T/topo2" || diag <"$T/err"
tap_done
