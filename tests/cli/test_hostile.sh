#!/bin/sh
# tests/cli/test_hostile.sh - what a hostile but fair user tried (issue 11):
# the reproducers in tests/data/repro/ and their classes. Each case is a
# bad-input case (tests/cli/expect.sh: exit 2, the culprit named, nothing
# left behind) run under `timeout 60`: a hang detector, not a speed limit
# (a hang exits 124 and fails the case). Prints TAP.
set -u
. "$FL_SOURCE_DIR/tests/cli/expect.sh"
REPRO="$DATA/repro"
R="run --no-plots --no-pcap -q"
TO="timeout 60"

sc () { # sc NAME LUA: a small scenario with LUA at its end (line 4 on)
  printf 'cluster { gpus = 64 }\nfailures { source = "none" }\nrun { length = days (1) }\n%s\n' "$2" > "$IN/$1.lua"
}
cb () { # cb NAME LUA: LUA inside a callback at 2 h (line 4)
  sc "$1" "at (hours (2), function () $2 end)"
}
# what it must not show: the first bytes of a file a scenario points at
printf 'TOPSECRET-1234 this is not an ibnetdiscover file\n' > "$IN/secret.txt"
noecho () { # noecho DESC: the last case's stderr must not quote the secret
  n=$((n + 1))
  if grep -q TOPSECRET "$T/err"; then
    failed=1; echo "not ok $n - $1"
  else
    echo "ok $n - $1"
  fi
}

echo "1..43"

# ---- the Lua budget and memory cap bound everything ----
expect "repro lua-gc-finalizer-hang.lua: a __gc finalizer is refused" \
  "lua-gc-finalizer-hang.lua:5: setmetatable: .*__gc" $TO $F $R "$REPRO/lua-gc-finalizer-hang.lua" -o out
cb gc_cb 'setmetatable ({}, { __gc = function () while true do end end })'
expect "a __gc finalizer set in a callback is refused" "gc_cb.lua:4: setmetatable" $TO $F $R "$IN/gc_cb.lua" -o out
cb co_flood 'while true do coroutine.wrap (function () for i = 1, 900 do end end) () end'
expect "short coroutines in a loop stop at the budget" "co_flood.lua:4: instruction budget of 10000000" $TO $F $R "$IN/co_flood.lua" -o out --lua-budget 10000000
cb move 'table.move ({}, 1, 1e15, 2)'
expect "table.move over 1e15 elements stops at the budget" "move.lua:4: instruction budget" $TO $F $R "$IN/move.lua" -o out
sc concat 'table.concat (setmetatable ({}, { __index = table.concat }), "", 1, 1e15)'
expect "table.concat through a C __index stops at the budget" "concat.lua:4: instruction budget" $TO $F $R "$IN/concat.lua" -o out
cb notes 'local s = string.rep ("x", 1e6) for i = 1, 100 do note (s) end'
expect "note() texts count against --lua-mem" "notes.lua:4: memory limit of 16 MiB exceeded, counting" $TO $F $R "$IN/notes.lua" -o out --lua-mem 16
cb timers 'for i = 1, 1e8 do at (hours (3) + i, function () end) end'
expect "a flood of at() callbacks stops at --lua-mem" "timers.lua:4: memory limit of 16 MiB" $TO $F $R "$IN/timers.lua" -o out --lua-mem 16

# ---- every Lua error names file:LINE ----
cb e0 'error ("plain", 0)'
expect "error (msg, 0) in a callback" "e0.lua:4: plain \(at simulated time" $TO $F $R "$IN/e0.lua" -o out
sc e42 'error (42)'
expect "error (42)" "e42.lua:4: 42" $TO $F $R "$IN/e42.lua" -o out
sc ets 'error (setmetatable ({}, { __tostring = function () error ("inner") end }))'
expect "an error object whose __tostring raises" "ets.lua:4: error object is a table value whose __tostring failed" $TO $F $R "$IN/ets.lua" -o out
sc nxt 'next ({ a = 1 }, "zz")'
expect "invalid key to 'next'" "nxt.lua:4: invalid key to 'next'" $TO $F $R "$IN/nxt.lua" -o out
cb yld 'coroutine.yield (1)'
expect "yield outside a coroutine" "yld.lua:4: attempt to yield from outside a coroutine" $TO $F $R "$IN/yld.lua" -o out
sc wrap 'coroutine.wrap (function () error ("boom") end) ()'
expect "an error through coroutine.wrap names its line once" "wrap.lua:4: boom$" $TO $F $R "$IN/wrap.lua" -o out

# ---- bounded numbers ----
expect "repro job-checkpoint-write-abort.lua: checkpoint_write = 1e300" \
  "job-checkpoint-write-abort.lua:5: job\{\}: job.checkpoint_write = 1e\+300 is out of range" $TO $F $R "$REPRO/job-checkpoint-write-abort.lua" -o out
expect "repro maintenance-duration-overflow.lua: maintenance 1e300 s" \
  "maintenance-duration-overflow.lua:5: maintenance\(\): maintenance.duration = 1e\+300 is out of range" $TO $F $R "$REPRO/maintenance-duration-overflow.lua" -o out
sc ckpt_tiny 'job { name = "x", nodes = 4, checkpoint_every = 1e-300 }'
expect "checkpoint_every = 1e-300 (an endless run)" "ckpt_tiny.lua:4: job\{\}: job.checkpoint_every = 1e-300 is out of range \[1, 1e\+09\] s \(or 0\)" $TO $F $R "$IN/ckpt_tiny.lua" -o out
sc ckcost 'job { name = "x", nodes = 4, checkpoint_cost = 1e300 }'
expect "checkpoint_cost = 1e300" "ckcost.lua:4: job\{\}: job.checkpoint_cost" $TO $F $R "$IN/ckcost.lua" -o out
sc mtbf_tiny 'failure_mode ("hbm3", { mtbf = 1e-300 })'
expect "failure_mode mtbf = 1e-300" "mtbf_tiny.lua:4: .*failure_mode.mtbf = 1e-300 is out of range" $TO $F $R "$IN/mtbf_tiny.lua" -o out
sc weib 'failure_mode ("hbm3", { dist = "weibull", shape = 0.01 })'
expect "a Weibull shape that makes the mean meaningless" "weib.lua:4: .*failure_mode.shape = 0.01 is out of range \[0.1, 20\]" $TO $F $R "$IN/weib.lua" -o out
sc logn 'failure_mode ("hbm3", { dist = "lognormal", sigma = 30 })'
expect "a lognormal sigma that makes the mean meaningless" "logn.lua:4: .*failure_mode.sigma = 30 is out of range" $TO $F $R "$IN/logn.lua" -o out
sc lpol 'lua_policy { name = "x", observe = function () end, wakeup = function () end, every = 1e300 }'
expect "lua_policy{every = 1e300} (was 1 ms)" "lpol.lua:4: lua_policy\{\}: lua_policy.every = 1e\+300" $TO $F $R "$IN/lpol.lua" -o out
cb at_nan 'at (0/0, function () end)'
expect "at (nan)" "at_nan.lua:4: at\(\): at.time = nan" $TO $F $R "$IN/at_nan.lua" -o out
sc days 'local d = param ("days", 1, "simulated days")'
expect "--set days=2d on a plain-number param" "days.lua:4: --set days=2d: .*takes no unit" $TO $F $R "$IN/days.lua" -o out --set days=2d
expect "--set 'days= 5' (a space)" "days.lua:4: --set days= 5: .*no spaces" $TO $F $R "$IN/days.lua" -o out --set 'days= 5'
expect "--set days=0x10 (hex)" "days.lua:4: --set days=0x10: .*no hex" $TO $F $R "$IN/days.lua" -o out --set days=0x10
expect "--set 'cluster.spares= 5' (a space)" "cluster.spares: ' 5' is not a plain decimal" $TO $F $R "$IN/days.lua" -o out --set 'cluster.spares= 5'
expect "--set cluster.spares=5d (a unit the key does not take)" "cluster.spares: '5d' is not a plain number" $TO $F $R "$IN/days.lua" -o out --set cluster.spares=5d
n=$((n + 1))
sc secs 'local w = param ("wait", 60, "seconds", "s") note ("wait", w)'
if $TO $F run "$IN/secs.lua" -o "$T/secs" --no-plots --no-pcap -q --set wait=2h 2> "$T/err" \
   && grep -q '"wait" *: *7200' "$T/secs/summary.json"; then
  echo "ok $n - a param declared in seconds takes --set wait=2h (7200 s)"
else
  failed=1; echo "not ok $n - a param declared in seconds takes --set wait=2h"; head -c 300 "$T/err"
fi
# every range `faultline help options` prints is in docs/scenario-api.md
n=$((n + 1))
$F help options | awk '
  /^  [a-z_]+\.[a-z_]+ / { key = $1; next }
  /^ +(whole|range) \[/ && key != "" {
    match ($0, /\[[^]]*\]/); print key "\t" substr ($0, RSTART, RLENGTH); key = "" }' > "$T/ranges"
missing=""
while IFS="$(printf '\t')" read -r key range; do
  grep -F "| \`$key\` |" "$FL_SOURCE_DIR/docs/scenario-api.md" | grep -qF "$range" || missing="$missing $key"
done < "$T/ranges"
if [ -s "$T/ranges" ] && [ -z "$missing" ]; then
  echo "ok $n - docs/scenario-api.md states the range of all $(wc -l < "$T/ranges") numbers of 'help options'"
else
  failed=1; echo "not ok $n - docs/scenario-api.md lacks the range of:$missing"
fi

# ---- files a scenario points at ----
sc ib "cluster { ibnet = \"$IN/secret.txt\" }"
expect "cluster { ibnet = a text file } names file:line" "secret.txt:1:" $TO $F $R "$IN/ib.lua" -o out
noecho "... and does not quote the file"
mkdir -p "$IN/scen"
printf 'return 1\n' > "$IN/outside.lua"
ln -s "$IN/outside.lua" "$IN/scen/evil.lua"
sc req 'require ("evil")'
mv "$IN/req.lua" "$IN/scen/req.lua"
expect "require() does not follow a symlink out of the scenario's folder" "req.lua:4: require: module 'evil'.*symbolic link" $TO $F $R "$IN/scen/req.lua" -o out

# ---- native code only when the user asks ----
CTOR="$FL_TEST_PLUGIN_CTOR"
export FL_CTOR_MARK="$T/ctor-ran"
noctor () { # noctor DESC: the constructor of plugin_ctor.so never ran
  n=$((n + 1))
  if [ -e "$FL_CTOR_MARK" ]; then
    failed=1; echo "not ok $n - $1"; rm -f "$FL_CTOR_MARK"
  else
    echo "ok $n - $1"
  fi
}
sc plug "policy { plugin = \"$CTOR\" }"
expect "a scenario's policy{plugin} without --allow-plugins" "plug.lua:4: policy\{\}: plugin = .*only when the command line allows it" $TO $F $R "$IN/plug.lua" -o out
noctor "... and the library was not loaded (its constructor did not run)"
expect "with --allow-plugins, a .so without the entry symbol is refused" "plugin_ctor.so does not export faultline_health_policy" $TO $F $R "$IN/plug.lua" -o out --allow-plugins
noctor "... before dlopen (its constructor did not run)"
expect "--policy-plugin with the entry symbol exported as data" "is not a function \(it is exported as data\)" $TO $F $R "$IN/days.lua" -o out --policy-plugin "$FL_TEST_PLUGIN_DATA"
size=$(wc -c < "$FL_TEST_PLUGIN")
head -c $((size / 2)) "$FL_TEST_PLUGIN" > "$IN/half.so"
expect "--policy-plugin of a truncated .so" "half.so: truncated" $TO $F $R "$IN/days.lua" -o out --policy-plugin "$IN/half.so"
# the same library, its ELF machine field (bytes 18-19) set to another
# architecture's (aarch64 183 = b7 00; x86-64 62 = 3e 00 on aarch64)
if [ "$(uname -m)" = aarch64 ]; then mach='\076\000'; other=x86-64; else mach='\267\000'; other=aarch64; fi
{ head -c 18 "$FL_TEST_PLUGIN"; printf "$mach"; tail -c +21 "$FL_TEST_PLUGIN"; } > "$IN/arch.so"
expect "--policy-plugin built for another architecture says so" "arch.so: built for $other" $TO $F $R "$IN/days.lua" -o out --policy-plugin "$IN/arch.so"

# ---- ibnetdiscover dumps as real fabrics have them ----
n=$((n + 1))
if $TO $F topo --ibnet "$REPRO/ibnet-dualport-hca-segv.ibnet" > "$T/out" 2> "$T/err" \
   && awk '$1 == "nics" && $2 == 2 { f = 1 } END { exit !f }' "$T/out"; then
  echo "ok $n - repro ibnet-dualport-hca-segv.ibnet reads as one node with two NICs"
else
  failed=1; echo "not ok $n - repro ibnet-dualport-hca-segv.ibnet"; head -c 300 "$T/err"
fi
printf 'Switch\t8 "S-1"\t# "l"\n[1]\t"H-a"[9]\nCa\t2 "H-a"\t# "n1 mlx5_0"\n' > "$IN/far.ibnet"
expect "a far-end port beyond the peer's port count" "far.ibnet:2: peer port \[9\] exceeds the 2 ports" $TO $F topo --ibnet "$IN/far.ibnet"
expect "topo --ibnet of a text file does not quote it" "secret.txt:1:" $TO $F topo --ibnet "$IN/secret.txt"
noecho "... its first bytes are not in the message"

[ "$n" -eq 43 ] || { echo "# ran $n cases, planned 43"; failed=1; }
exit $failed
