#!/bin/sh
# tests/cli/test_plugin_cli.sh - `faultline run --policy-plugin PATH.so`
# end to end (TAP): the example plugin (docs/examples/health-plugin,
# built by tests/policy/meson.build) runs a short scenario and its actions
# (reasons "my_policy: ...") reach summary.json and events.jsonl, while a
# run without it shows none; the wrong-version plugin (plugin_v7) and a
# missing .so are refused with exit 2 and a message naming the problem.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_TEST_PLUGIN:?set FL_TEST_PLUGIN to the example plugin .so}"
: "${FL_TEST_PLUGIN_V7:?set FL_TEST_PLUGIN_V7 to plugin_v7.so}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"

echo "1..11"

cat > "$tmp/s.lua" <<'LUA'
cluster { nodes = 32 }
failures { source = "none" }
run { length = days (2) }
job { name = "train", nodes = 16 }
at (hours (3), function () fail ("node0005/gpu1") end)
LUA
run () { # output dir, extra args...
  out=$1; shift
  "$FAULTLINE" run "$tmp/s.lua" -q --events --no-plots --no-pcap \
    --no-wall-seconds -o "$out" "$@" > "$out.stdout" 2> "$out.stderr"
}
actions () { # summary.json -> metrics.policy_actions
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metrics"]["policy_actions"])' "$1"
}

# 1-4: the example plugin loads, runs, and is the one that acted
run "$tmp/p" --policy-plugin "$FL_TEST_PLUGIN"; rc=$?
check $rc "--policy-plugin my_policy.so exits 0"
a=$(actions "$tmp/p/summary.json" 2>/dev/null)
[ -n "$a" ] && [ "$a" -gt 0 ]
check $? "summary.json counts the plugin's actions (policy_actions = $a)"
grep -q '"detail":"reboot","reason":"my_policy: fatal signal","node":5' "$tmp/p/events.jsonl"
check $? "events.jsonl: my_policy rebooted node0005 after its GPU failed"
# every policy action of the run is the plugin's
total=$(grep -c '"event":"policy_action"' "$tmp/p/events.jsonl")
mine=$(grep '"event":"policy_action"' "$tmp/p/events.jsonl" | grep -c '"reason":"my_policy: ')
[ "$total" -gt 0 ] && [ "$total" = "$mine" ] && [ "$total" = "$a" ]
check $? "all $total policy actions carry my_policy's reasons"

# 5: without the option the built-in policy acts, with other reasons
run "$tmp/b"; rc=$?
[ $rc -eq 0 ] && ! grep -q '"reason":"my_policy: ' "$tmp/b/events.jsonl"
check $? "without --policy-plugin no my_policy action"

# 6: the same through --set policy.health_plugin
run "$tmp/s" --set "policy.health_plugin=$FL_TEST_PLUGIN" && cmp -s "$tmp/s/summary.json" "$tmp/p/summary.json"
check $? "--set policy.health_plugin=PATH gives the same summary"

# 7-8: wrong health API version: exit 2, both versions named
run "$tmp/v7" --policy-plugin "$FL_TEST_PLUGIN_V7"; rc=$?
[ $rc -eq 2 ]
check $? "plugin_v7.so refused with exit 2 (got $rc)"
grep -q "implements health API version 7, faultline expects 1" "$tmp/v7.stderr"
check $? "message names both versions: $(head -c 200 "$tmp/v7.stderr")"

# 9-10: a missing .so: exit 2, the path named
run "$tmp/m" --policy-plugin "$tmp/nope.so"; rc=$?
[ $rc -eq 2 ]
check $? "missing .so refused with exit 2 (got $rc)"
grep -q "$tmp/nope.so: no such file" "$tmp/m.stderr"
check $? "message names the missing path"

# 11: documented in --help with an example
"$FAULTLINE" run --help > "$tmp/help.txt" 2>&1
grep -q -- "--policy-plugin=PATH.so" "$tmp/help.txt" \
  && grep -q -- "faultline run .*--policy-plugin ./my_policy.so" "$tmp/help.txt"
check $? "run --help documents --policy-plugin with an example"

exit $failed
