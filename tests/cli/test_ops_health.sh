#!/bin/sh
# tests/cli/test_ops_health.sh - `faultline run --health-events`: the file
# appears only when asked, every line is one JSON object with the health
# event schema's fields, GPU faults name GPU UUIDs, the reference policies'
# actions carry their Kubernetes effect, and two identical runs write
# byte-identical files. Field contracts: tests/output/test_healthevents.c.
T=${TMPDIR:-/tmp}/fl-ops-he.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
F=$FAULTLINE
S=$FL_SOURCE_DIR/scenarios/llama3-16k.lua
n=0
fails=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
no () { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
echo "1..7"
run () { # out health
  $F run "$S" --seed 3 --set days=4 --set "health=$2" --no-plots --no-pcap \
    --no-wall-seconds -q -o "$1" $3 2>"$T/err"
}
run "$T/plain" nvsentinel "" && [ ! -e "$T/plain/health_events.jsonl" ] \
  && ok "no health_events.jsonl unless asked" || no "no health_events.jsonl unless asked"
run "$T/a" nvsentinel --health-events && [ -s "$T/a/health_events.jsonl" ] \
  && ok "--health-events writes health_events.jsonl" \
  || { no "--health-events writes health_events.jsonl"; sed 's/^/# /' "$T/err"; }
python3 - "$T/a/health_events.jsonl" >"$T/py" 2>&1 <<'PY'
import json, re, sys
keys = ["agent", "componentClass", "checkName", "isFatal", "isHealthy",
        "message", "recommendedAction", "errorCode", "entitiesImpacted",
        "nodeName", "generatedTimestamp"]
actions = {"NONE", "COMPONENT_RESET", "CONTACT_SUPPORT", "RUN_FIELDDIAG",
           "RESTART_VM", "RESTART_BM", "REPLACE_VM", "RUN_DCGMEUD",
           "RESTART_APP", "UNKNOWN"}
uuid = re.compile(r"^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
lines = [json.loads(l) for l in open(sys.argv[1])]
bad = [l for l in lines if any(k not in l for k in keys)
       or l["recommendedAction"] not in actions]
assert not bad, bad[:1]
xids = [l for l in lines if l["checkName"] == "SysLogsXIDError" and "kubernetes" not in l]
assert xids, "no Xid health event"
for l in xids:
    assert l["errorCode"] and l["componentClass"] == "GPU"
    u = [e["entityValue"] for e in l["entitiesImpacted"] if e["entityType"] == "GPU_UUID"]
    assert len(u) == 1 and uuid.match(u[0]), l
    fatal = int(l["errorCode"][0]) not in (13, 31, 43, 45, 68, 63, 92, 94)
    assert l["isFatal"] == fatal, l
cordons = [l for l in lines if l.get("kubernetes", {}).get("action") == "cordon"]
assert cordons and all(c["kubernetes"]["unschedulable"] for c in cordons)
assert any("nvidia.com/gpu-xid-error:NoSchedule" in c["kubernetes"]["taints"] for c in cordons)
back = [l for l in lines if l.get("kubernetes", {}).get("action") == "return_to_service"]
assert back and all(b["isHealthy"] for b in back)
ts = [l["generatedTimestamp"] for l in lines]
assert ts == sorted(ts) and ts[0].startswith("2025-01-01T")
print(len(lines), "events")
PY
[ $? -eq 0 ] && ok "schema, Xid fatality, UUIDs, cordon taint, uncordon" \
  || { no "schema, Xid fatality, UUIDs, cordon taint, uncordon"; sed 's/^/# /' "$T/py"; }
run "$T/b" nvsentinel --health-events
cmp -s "$T/a/health_events.jsonl" "$T/b/health_events.jsonl" \
  && ok "identical runs, identical health events" || no "identical runs, identical health events"
cmp -s "$T/a/summary.json" "$T/plain/summary.json" \
  && ok "--health-events does not change summary.json" || no "--health-events does not change summary.json"
run "$T/e" eks-auto-repair --health-events && grep -q '"agent":"eks-node-auto-repair"' "$T/e/health_events.jsonl" \
  && ok "eks-auto-repair's actions are the repair controller's" || no "eks-auto-repair's actions are the repair controller's"
run "$T/s" slurm-nhc --health-events && grep -q '"message":"drain: NHC: ' "$T/s/health_events.jsonl" \
  && ok "slurm-nhc drains with an NHC: reason" || no "slurm-nhc drains with an NHC: reason"
exit $((fails > 0))
