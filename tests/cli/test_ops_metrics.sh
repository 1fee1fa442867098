#!/bin/sh
# tests/cli/test_ops_metrics.sh - `faultline run --metrics FILE.om`: the
# OpenMetrics file loads with promtool's strict parser (tsdb
# create-blocks-from openmetrics) into blocks holding the samples; it
# carries the dcgm-exporter families with gpu/UUID/Hostname labels and
# the Xid of the storm; the cordoned-node count it shows peaks at the
# summary's quarantined_nodes.max (within one sample); identical runs
# write identical files; the example rules pass promtool check rules;
# bad --metrics arguments exit 2. promtool comes from Debian's
# prometheus package (cli/bootstrap.sh test): its absence is a failure.
T=${TMPDIR:-/tmp}/fl-ops-om.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
F=$FAULTLINE
S=$FL_SOURCE_DIR/scenarios/burst.lua
n=0
fails=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
no () { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
echo "1..8"
run () { # out om
  $F run "$S" --seed 7 --set burst=400 --set days=2 --no-plots --no-pcap \
    --no-wall-seconds -q -o "$1" --metrics "$2" 2>"$T/err"
}
if run "$T/a" "$T/a.om" && [ "$(tail -n 1 "$T/a.om")" = "# EOF" ]; then
  ok "--metrics writes an OpenMetrics file ending in # EOF"
else no "--metrics writes an OpenMetrics file ending in # EOF"; sed 's/^/# /' "$T/err"; fi
if command -v promtool >/dev/null 2>&1 &&
   promtool tsdb create-blocks-from openmetrics "$T/a.om" "$T/tsdb" >"$T/prom" 2>&1 &&
   promtool tsdb list "$T/tsdb" >"$T/list" 2>&1 &&
   awk 'NR>1 {s += $(NF-2)} END {exit !(s > 0)}' "$T/list"; then
  ok "promtool tsdb create-blocks-from openmetrics loads it (samples in blocks)"
else
  no "promtool tsdb create-blocks-from openmetrics loads it (samples in blocks)"
  command -v promtool >/dev/null 2>&1 || echo "# promtool not found: install Debian's prometheus package"
  sed 's/^/# /' "$T/prom" "$T/list" 2>/dev/null | tail -5
fi
python3 - "$T/a.om" "$T/a/summary.json" >"$T/py" 2>&1 <<'PY'
import json, re, sys
from collections import defaultdict
om, summ = sys.argv[1], json.load(open(sys.argv[2]))
types, samples = {}, defaultdict(list)
pat = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})? (\S+) (\S+)$')
for line in open(om):
    if line.startswith("# TYPE "):
        _, _, name, typ = line.split()
        types[name] = typ
        continue
    if line.startswith("#"):
        continue
    m = pat.match(line.rstrip("\n"))
    assert m, line
    samples[m.group(1)].append((float(m.group(4)), m.group(2) or "", float(m.group(3))))
for fam in ("DCGM_FI_DEV_XID_ERRORS", "kube_node_spec_unschedulable", "faultline_nodes"):
    assert fam in types, fam
xid = samples["DCGM_FI_DEV_XID_ERRORS"]
assert all(re.search(r'gpu="\d+",UUID="GPU-[0-9a-f-]{36}",Hostname="[^"]+"', l) for _, l, _ in xid)
assert any(v == 119 for _, _, v in xid), "the storm's Xid 119"
# per series, timestamps strictly increase
last = {}
for fam, rows in samples.items():
    for ts, l, v in rows:
        k = fam + l
        assert k not in last or ts > last[k], (k, ts)
        last[k] = ts
# the cordoned count at each sample never exceeds, and reaches within 10%,
# the summary's max
by_t = defaultdict(float)
for ts, l, v in samples["kube_node_spec_unschedulable"]:
    by_t[ts] += v
peak = max(by_t.values())
qmax = summ["remediation"]["quarantined_nodes"]["max"]
assert peak <= qmax and peak >= 0.9 * qmax, (peak, qmax)
# the node states always add up to the cluster
tot = defaultdict(float)
for ts, l, v in samples["faultline_nodes"]:
    tot[ts] += v
assert set(tot.values()) == {summ["cluster"]["nodes"]}, set(tot.values())
print("ok")
PY
[ $? -eq 0 ] && ok "dcgm-exporter families and labels, Xid 119, cordoned peak = summary, states add up" \
  || { no "dcgm-exporter families and labels, Xid 119, cordoned peak = summary, states add up"; sed 's/^/# /' "$T/py"; }
run "$T/b" "$T/b.om"
cmp -s "$T/a.om" "$T/b.om" && ok "identical runs, identical OpenMetrics" || no "identical runs, identical OpenMetrics"
cmp -s "$T/a/summary.json" "$T/b/summary.json" && ok "--metrics leaves summary.json alone" || no "--metrics leaves summary.json alone"
if promtool check rules "$FL_SOURCE_DIR/docs/examples/alerts/gpu.rules.yml" >"$T/rules" 2>&1; then
  ok "docs/examples/alerts/gpu.rules.yml passes promtool check rules"
else no "docs/examples/alerts/gpu.rules.yml passes promtool check rules"; sed 's/^/# /' "$T/rules"; fi
$F run "$S" -q --no-plots --no-pcap -o "$T/c" --metrics "$T/missing/x.om" 2>"$T/err"
rc=$?
[ $rc -eq 2 ] && grep -q "missing" "$T/err" && [ ! -e "$T/c" ] \
  && ok "--metrics in a missing folder: exit 2, names it, nothing written" \
  || no "--metrics in a missing folder: exit 2 (got $rc)"
$F run "$S" -q --no-plots --no-pcap -o "$T/d" --metrics "$T/d.om" --metrics-interval 0 2>"$T/err"
rc=$?
[ $rc -eq 2 ] && grep -q "metrics-interval" "$T/err" && [ ! -e "$T/d.om" ] \
  && ok "--metrics-interval 0: exit 2" || no "--metrics-interval 0: exit 2 (got $rc)"
exit $((fails > 0))
