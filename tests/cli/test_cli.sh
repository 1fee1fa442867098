#!/bin/sh
# tests/cli/test_cli.sh - the binary's front door: help, version, exit
# statuses of bad usage. Prints TAP.
set -u
. "$(dirname "$0")/../tap.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "1..18"
"$FAULTLINE" --version | grep -Eq '^faultline [0-9]+\.[0-9]+\.[0-9]+$'; check $? "--version prints the version"
"$FAULTLINE" --help | grep -q 'Commands:'; check $? "--help lists the commands"
"$FAULTLINE" help | grep -q 'compare'; check $? "help lists compare"
"$FAULTLINE" >/dev/null 2>&1; [ $? -eq 2 ]; check $? "no command -> exit 2"
"$FAULTLINE" frobnicate 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown command 'frobnicate'" "$tmp/e" && [ "$(wc -l <"$tmp/e")" -eq 1 ]
check $? "unknown command -> exit 2, one line naming it"
"$FAULTLINE" run --frobnicate 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q 'frobnicate' "$tmp/e"; check $? "unknown option -> exit 2 naming it"
for c in run topo compare plot report bench replay; do
  "$FAULTLINE" "$c" --help >"$tmp/h" 2>&1 && grep -q 'Example' "$tmp/h" || { echo "# $c --help has no example"; false; }
done
check $? "every subcommand's --help exits 0 and shows an example"
"$FAULTLINE" help run | grep -q 'faultline run'; check $? "help run shows run's help"
v=$("$FAULTLINE" --version); bad=0
for c in run sweep merge slurm k8s topo replay compare plot report bench; do
  [ "$("$FAULTLINE" "$c" --version 2>&1)" = "$v" ] || { echo "# $c --version"; bad=1; }
done
check $bad "--version on every subcommand"
"$FAULTLINE" help nothing 2>/dev/null; [ $? -eq 2 ]; check $? "help of an unknown command -> exit 2"
"$FAULTLINE" help options >"$tmp/o"
grep -q 'cluster.nodes' "$tmp/o" && grep -q 'health.check_period' "$tmp/o" && grep -q 'sched.spares' "$tmp/o"
check $? "help options lists config, health and scheduler keys"
long=$(awk 'length($0) > 80' "$tmp/o" | wc -l)
[ "$long" -eq 0 ] && [ "$(wc -l < "$tmp/o")" -gt 100 ]
check $? "help options: no line longer than 80 columns ($long longer)"
grep -q '^  cluster.rma_lead_time  *number, s; default 4d$' "$tmp/o" \
  && grep -q '^  cluster.restock_time  *number, s; default 1w$' "$tmp/o" \
  && grep -q '^  cluster.burnin_time  *number, s; default 2h$' "$tmp/o"
check $? "help options: durations rounded to a unit --set takes (4d, 1w, 2h)"
"$FAULTLINE" run --seed -3 2>/dev/null; [ $? -eq 2 ]; check $? "run --seed -3 -> exit 2"
"$FAULTLINE" run --set nonsense 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "expected NAME=VALUE" "$tmp/e"; check $? "run --set without '=' -> exit 2"
# Every --set key is echoed in summary.json's params with the value in
# effect (a duration in seconds); a run without --set echoes only param()s.
printf 'local n = param ("n", 3)\ncluster { nodes = 16 }\nrun { length = hours (1) }\n' >"$tmp/s.lua"
"$FAULTLINE" run "$tmp/s.lua" -q --no-plots --no-pcap -o "$tmp/plain" &&
"$FAULTLINE" run "$tmp/s.lua" -q --no-plots --no-pcap -o "$tmp/set" --set n=4 \
  --set run.length=2h --set health.escalation=on --set sched.backfill=off \
  --set policy.health=reactive --set health.check_period_s=5m &&
python3 - "$tmp/plain/summary.json" "$tmp/set/summary.json" <<'PY'
import json, sys
plain = json.load(open(sys.argv[1]))["params"]
got = json.load(open(sys.argv[2]))["params"]
assert plain == {"n": 3}, plain
want = {"n": 4, "run.length": 7200, "health.escalation": "on",
        "sched.backfill": "off", "policy.health": "reactive",
        "health.check_period_s": "5m"}
assert got == want and list(got) == list(want), got
# the defaults of what --set moved: the scenario's own values
pd = json.load(open(sys.argv[2]))["param_defaults"]
assert pd == {"n": 3, "run.length": 3600, "policy.health": "standard"}, pd
PY
check $? "every --set key is echoed in summary.json's params, in --set order, with its default"
"$FAULTLINE" run "$tmp/s.lua" -q --no-plots --no-pcap -o "$tmp/bad" --set health.escalation=maybe 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "true/false, yes/no, on/off, 1/0" "$tmp/e" && [ ! -e "$tmp/bad" ]
check $? "a bad health boolean -> exit 2 naming the words, no output"
# failure_mode()'s keys are one table (models/world-catalog.c): help options
# lists it; docs/scenario-api.md's table must state the same keys in the same
# order (the order a call applies them), types and units, and every name a
# name key takes.
"$FAULTLINE" help options >"$tmp/o" &&
python3 - "$tmp/o" "$FL_SOURCE_DIR/docs/scenario-api.md" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("failure_mode(name, {KEY"))
start = lines.index("", start) + 1  # the heading wraps; entries follow its blank line
keys, cur = [], None
for l in lines[start:]:
    if not l.strip():
        break
    m = re.match(r"  (\w+) +(number|string|bool)(?:, (\S+))?$", l)
    if m:
        cur = {"key": m[1], "type": m[2], "unit": m[3] or "", "text": ""}
        keys.append(cur)
    else:
        cur["text"] += " " + l.strip()
for k in keys:
    t = k["text"]
    k["names"] = t[t.index("one of:") + 7:].replace(",", " ").split() if "one of:" in t else []
assert len(keys) >= 13, keys
doc = open(sys.argv[2]).read()
sec = doc[doc.index("### `failure_mode (name"):]
sec = sec[:sec.index("\n### ", 1)]
rows = [r.split("|")[1:-1] for r in sec.split("\n") if r.startswith("| `")]
docs = [(c[0].strip().strip("`"), c[1].strip(), c[2].strip(), c[3]) for c in rows]
assert [d[0] for d in docs] == [k["key"] for k in keys], ([d[0] for d in docs], [k["key"] for k in keys])
for (key, typ, unit, meaning), k in zip(docs, keys):
    assert typ == {"bool": "boolean"}.get(k["type"], k["type"]), (key, typ)
    assert unit == k["unit"], (key, unit)
    for n in k["names"]:
        assert re.search(r"[`\"]%s[`\"]" % re.escape(n), meaning), (key, n)
PY
check $? "docs/scenario-api.md's failure_mode() table is the code's: keys in order, types, units, names"
exit $failed
