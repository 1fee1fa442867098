#!/bin/sh
# tests/cli/test_ops_promtest.sh - `faultline promtest` against the real
# promtool (Debian's prometheus package, cli/bootstrap.sh test: its absence
# is a failure, not a skip). A 400-node burst under NVSentinel's rules is
# written with --metrics into its run folder; promtest turns it and
# docs/examples/alerts/gpu.rules.yml into a promtool test file, and:
#  - `promtool test rules` passes on it, from another folder (the rule
#    file's path is relative to the test file);
#  - its expectations match the simulated incident, read independently
#    from the OpenMetrics file: GpuFatalXid at the burst lists exactly the
#    GPUs holding a fatal Xid then; TooManyCordonedNodes fires exactly
#    when more than 5% of the nodes were unschedulable for 10 minutes;
#  - it catches a change of the rules: with the cordoned threshold raised
#    to 50%, or the application Xid list cut, promtool test rules fails;
#  - two promtests of one run write the same bytes;
#  - bad input exits 2 naming the file (and line), writing nothing.
T=${TMPDIR:-/tmp}/fl-ops-pt.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
F=$FAULTLINE
S=$FL_SOURCE_DIR/scenarios/burst.lua
R=$FL_SOURCE_DIR/docs/examples/alerts/gpu.rules.yml
n=0
fails=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
no () { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
echo "1..14"
if ! command -v promtool >/dev/null 2>&1; then
  echo "# promtool not found: install Debian's prometheus package (sh cli/bootstrap.sh test)"
fi
$F run "$S" --seed 7 --set burst=400 --set days=2 --no-plots --no-pcap \
  --no-wall-seconds -q -o "$T/run" --metrics "$T/run/metrics.om" 2>"$T/err"
[ $? -eq 0 ] && [ -s "$T/run/metrics.om" ] && [ -s "$T/run/summary.json" ] \
  && ok "run --metrics into the -o folder writes metrics.om with the folder" \
  || { no "run --metrics into the -o folder"; sed 's/^/# /' "$T/err"; }
mkdir -p "$T/tests"
$F promtest "$R" "$T/run" -o "$T/tests/gpu.test.yml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ -s "$T/tests/gpu.test.yml" ] && grep -q "4 alerts" "$T/out" \
  && ok "promtest writes the test file (exit 0)" \
  || { no "promtest writes the test file (got $rc)"; sed 's/^/# /' "$T/err"; }
if (cd / && promtool test rules "$T/tests/gpu.test.yml") >"$T/prom" 2>&1; then
  ok "promtool test rules passes on it, run from another folder"
else no "promtool test rules passes on it"; tail -20 "$T/prom" | sed 's/^/# /'; fi
python3 - "$T/tests/gpu.test.yml" "$T/run/metrics.om" >"$T/py" 2>&1 <<'PY'
import re, sys, yaml
from collections import defaultdict
test = yaml.safe_load(open(sys.argv[1]))
t0 = 1735689600.0              # simulated time 0 (docs/monitoring.md)
# the incident, read from the OpenMetrics file on its own
pat = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})? (\S+) (\S+)$')
xid = defaultdict(dict)        # time -> {(Hostname, gpu): value}
unsched = defaultdict(float)   # time -> unschedulable nodes
nodes = defaultdict(float)
for line in open(sys.argv[2]):
    m = pat.match(line.rstrip("\n"))
    if not m:
        continue
    name, labels, v, ts = m.group(1), m.group(2) or "", float(m.group(3)), float(m.group(4)) - t0
    if name == "DCGM_FI_DEV_XID_ERRORS":
        h = re.search(r'Hostname="([^"]+)"', labels).group(1)
        g = re.search(r'gpu="(\d+)"', labels).group(1)
        xid[ts][(h, g)] = v
    elif name == "kube_node_spec_unschedulable":
        unsched[ts] += v
    elif name == "faultline_nodes":
        nodes[ts] += v
def dur(s):
    ms = 0
    for num, unit in re.findall(r'(\d+)(ms|d|h|m|s)', s):
        ms += int(num) * {"d": 86400000, "h": 3600000, "m": 60000, "s": 1000, "ms": 1}[unit]
    return ms / 1000.0
(case,) = test["tests"]
assert case["interval"] == "4m", case["interval"]
cases = defaultdict(list)
for c in case["alert_rule_test"]:
    cases[c["alertname"]].append((dur(c["eval_time"]), c.get("exp_alerts") or []))
assert set(cases) == {"GpuFatalXid", "IbLinkFlapping", "TooManyCordonedNodes",
                      "RemediationCircuitBreakerTripped"}, set(cases)
# the burst's cases: at the burst, every GPU with a fatal Xid and no other
app = {13, 31, 43, 45, 68}
burst = 86400.0
fx = [(t, a) for t, a in cases["GpuFatalXid"] if t == burst]
assert fx, "no GpuFatalXid case at the burst: %s" % [t for t, _ in cases["GpuFatalXid"]]
got = {(a["exp_labels"]["Hostname"], a["exp_labels"]["gpu"]) for a in fx[0][1]}
want = {k for k, v in xid[burst].items() if v > 0 and v not in app}
assert len(want) >= 400 and got == want, (len(got), len(want))
# every GpuFatalXid case lists exactly the fatal Xids of the last scrape
def scrape(t):
    return (int(t) // 240) * 240.0
for t, alerts in cases["GpuFatalXid"]:
    s = scrape(t)
    got = {(a["exp_labels"]["Hostname"], a["exp_labels"]["gpu"]) for a in alerts}
    want = {k for k, v in xid.get(s, {}).items() if v > 0 and v not in app}
    assert got == want, (t, sorted(got)[:3], sorted(want)[:3])
# TooManyCordonedNodes: firing from the first minute when the share has been
# above 5% at every minute of the 10 before (promtool evaluates each minute;
# a scrape's value holds until the next one, 4 minutes later)
def share_at(t):
    s = scrape(t)
    return unsched.get(s, 0.0) / nodes[s]
times = sorted(nodes)
first = None
for t in range(0, int(times[-1]) + 1, 60):
    if all(share_at(t - k * 60) > 0.05 for k in range(0, 11) if t - k * 60 >= 0) and t >= 600:
        first = t
        break
tc = cases["TooManyCordonedNodes"]
fire = [t for t, a in tc if a]
assert first is not None, "the simulation never had >5% unschedulable for 10 min"
assert fire and fire[0] == first, (fire, first)
print("ok", len(case["alert_rule_test"]), "cases; cordoned alert at", first)
PY
[ $? -eq 0 ] && ok "expectations match the incident read from metrics.om ($(tail -1 "$T/py"))" \
  || { no "expectations match the incident read from metrics.om"; sed 's/^/# /' "$T/py" | tail -8; }
# a changed rule file fails the kept test
mkdir -p "$T/mut1" "$T/mut2"
sed 's/> 0.05 \* sum/> 0.5 * sum/' "$R" >"$T/mut1/gpu.rules.yml"
sed 's/ or DCGM_FI_DEV_XID_ERRORS == 31//' "$R" >"$T/mut2/gpu.rules.yml"
for m in mut1 mut2; do
  cmp -s "$R" "$T/$m/gpu.rules.yml" && echo "# $m: the mutation did not apply"
  sed "s#^  - '.*gpu.rules.yml'#  - '$T/$m/gpu.rules.yml'#" "$T/tests/gpu.test.yml" >"$T/$m/t.yml"
done
promtool test rules "$T/mut1/t.yml" >"$T/m1" 2>&1; rc1=$?
[ $rc1 -ne 0 ] && grep -q "TooManyCordonedNodes" "$T/m1" \
  && ok "a 50% cordoned threshold fails the test (TooManyCordonedNodes)" \
  || no "a 50% cordoned threshold fails the test (rc $rc1)"
# Xid 31 is not in the run: cutting it changes nothing that fired
promtool test rules "$T/mut2/t.yml" >"$T/m2" 2>&1; rc2=$?
if grep -q "^DCGM_FI_DEV_XID_ERRORS.* 31 " "$T/run/metrics.om"; then
  [ $rc2 -ne 0 ] && ok "cutting Xid 31 from the application list fails the test" \
    || no "cutting Xid 31 from the application list fails the test"
else
  [ $rc2 -eq 0 ] && ok "cutting Xid 31 (absent from the run) keeps the test passing" \
    || { no "cutting Xid 31 (absent from the run) keeps the test passing"; tail -5 "$T/m2" | sed 's/^/# /'; }
fi
$F promtest "$R" "$T/run/metrics.om" -o "$T/tests/again.yml" -q 2>"$T/err"
# the head comment names the input and the output; the rest is the test
grep -v '^#' "$T/tests/gpu.test.yml" >"$T/a1"; grep -v '^#' "$T/tests/again.yml" >"$T/a2"
cmp -s "$T/a1" "$T/a2" && ok "the run folder and its metrics.om give the same test" \
  || no "the run folder and its metrics.om give the same test"
cp "$T/tests/gpu.test.yml" "$T/first.yml"
$F promtest "$R" "$T/run" -o "$T/tests/gpu.test.yml" -q 2>"$T/err"
cmp -s "$T/first.yml" "$T/tests/gpu.test.yml" && ok "two promtests of one run: identical files" \
  || no "two promtests of one run: identical files"
# bad input: exit 2, a message naming the file, nothing written
bad () { # what expect-in-stderr args...
  what=$1; pat=$2; shift 2
  rm -f "$T/bad.yml"
  $F promtest "$@" -o "$T/bad.yml" 2>"$T/err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$pat" "$T/err" && [ ! -e "$T/bad.yml" ]; then ok "$what: exit 2"
  else no "$what: exit 2 naming '$pat' (got $rc)"; sed 's/^/# /' "$T/err"; fi
}
printf 'groups:\n  - name: g\n    rules: [\n' >"$T/broken.yml"
bad "a rule file that is not YAML" "broken.yml:4:" "$T/broken.yml" "$T/run"
head -n 50 "$T/run/metrics.om" >"$T/trunc.om"
bad "a truncated OpenMetrics file" "trunc.om:50: no '# EOF'" "$R" "$T/trunc.om"
bad "a missing promtool" "cannot run" --promtool "$T/no-promtool" "$R" "$T/run"
bad "--eval-every 90 (not whole minutes)" "eval-every" --eval-every 90 "$R" "$T/run"
cp "$R" "$T/rules-copy.yml"
$F promtest "$T/rules-copy.yml" "$T/run" -o "$T/rules-copy.yml" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "refusing to replace" "$T/err" && cmp -s "$R" "$T/rules-copy.yml" \
  && ok "-o naming a file promtest did not write (the rules): exit 2, untouched" \
  || { no "-o naming the rule file: exit 2, untouched (got $rc)"; sed 's/^/# /' "$T/err"; }
mkdir -p "$T/empty"
bad "a run folder without metrics.om" "no metrics.om" "$R" "$T/empty"
exit $((fails > 0))
