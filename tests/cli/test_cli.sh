#!/bin/sh
# tests/cli/test_cli.sh - the binary's front door: help, version, exit
# statuses of bad usage. Prints TAP.
set -u
. "$(dirname "$0")/../tap.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "1..17"
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
grep -q '^  cluster.rma_lead_time  *number, s; default 5d$' "$tmp/o" \
  && grep -q '^  cluster.restock_time  *number, s; default 1w$' "$tmp/o" \
  && grep -q '^  cluster.burnin_time  *number, s; default 2h$' "$tmp/o"
check $? "help options: durations rounded to a unit --set takes (5d, 1w, 2h)"
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
exit $failed
