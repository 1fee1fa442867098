#!/bin/sh
# tests/cli/test_badinput.sh - bad input of every kind, on every subcommand.
#
# The project rule (docs/results.md, cli/cli.h): bad input gets exit status
# 2, a message whose first line names the culprit (file:line, option or
# value), and leaves nothing behind: no output folder, no half-written file,
# no "DIR.partial-*" staging folder, no empty parent folders. Never a crash
# or a sanitizer report. Each case below checks all of that: it runs in a
# scratch folder whose listing (recursive) must be the same afterwards.
# Cases already covered by the other tests/cli/*.sh are not repeated. Prints
# TAP, one line per case.
set -u
. "$FL_SOURCE_DIR/tests/cli/expect.sh"

# ---- inputs ----
cat > "$IN/tiny.lua" <<'EOF'
cluster { gpus = 64 }
failures { source = "none" }
run { length = days (1) }
EOF
cat > "$IN/p.lua" <<'EOF'
local spares = param ("spares", 4, "hot spares")
cluster { gpus = 64, spares = spares }
failures { source = "none" }
run { length = days (1) }
EOF
cb () { # cb NAME BODY: a tiny scenario with one callback at 2 h
  printf 'cluster { gpus = 64 }\nfailures { source = "none" }\nat (hours (2), function () %s end)\nrun { length = days (1) }\n' "$2" > "$IN/$1.lua"
}
cb cb_error 'error ("boom")'
cb cb_table 'error ({ code = 1 })'
cb cb_loop 'while true do end'
cb cb_mem 'local t = {} for i = 1, 1e9 do t[i] = string.rep ("x", 64) .. i end'
cb cb_deep 'local function f (n) return 1 + f (n + 1) end f (1)'
: > "$IN/empty.lua"
printf '  \n\t\n' > "$IN/blank.lua"
# Binary garbage, the same bytes every run and no newline in them (random
# bytes could put a newline before the first bad one, and the message's
# line number with it): 2,000 bytes of a fixed LCG over 1-255 without 10,
# behind a fixed binary first few bytes (a leading newline, ';' or '#' is a
# blank or comment line to the SWF and ibnet readers).
awk 'BEGIN { x = 7; printf "\001\002\003"
             for (i = 0; i < 2000; ) { x = (x * 69069 + 1) % 4294967296
                                        b = int (x / 16777216)
                                        if (b != 10 && b != 0) { printf "%c", b; i++ } } }' \
  > "$IN/garbage.bin"
cp "$IN/garbage.bin" "$IN/garbage.lua"
printf 'cluster { gpus = 64 }\0\nrun { length = days (1) }\n' > "$IN/nul.lua"
echo 'error ({})' > "$IN/err_table.lua"
echo 'error ()' > "$IN/err_nil.lua"
echo 'while true do end' > "$IN/loop.lua"
echo 'local s = string.rep ("x", 1e12)' > "$IN/strbomb.lua"
sc () { printf '%s\n' "$2" > "$IN/$1.lua"; } # sc NAME TEXT
sc nodes_nan 'cluster { nodes = 0/0 }'
sc nodes_frac 'cluster { nodes = 1.5 }'
sc spares_all 'cluster { nodes = 64, spares = 64 } failures { source = "none" } run { length = days (1) }'
printf 'cluster { gpus = 64 }\nfailures { source = "none" }\nworkload { research_rate = 1, research_sizes = "1:x" }\nrun { length = days (1) }\n' > "$IN/research_sizes.lua"
sc job_big 'cluster { nodes = 64 } job { name = "x", nodes = 1000 } run { length = days (1) }'
sc job_twice 'cluster { nodes = 64 } job { name = "x", nodes = 8 } job { name = "x", nodes = 8 }'
sc radix3 'cluster { gpus = 64, radix = 3 }'
# Kubernetes node inventories (cluster.inventory, models/inventory.h)
inv () { # inv NAME NODE...: a List of nodes, each "name:gpus:rack"
  f=$IN/$1.json; shift
  { printf '{"kind": "List", "items": [\n'; sep=""
    for spec in "$@"; do
      IFS=: read -r nm g r <<EON
$spec
EON
      printf '%s{"kind": "Node", "metadata": {"name": "%s",\n "labels": {"topology.kubernetes.io/rack": "%s"}},\n "status": {"capacity": {"nvidia.com/gpu": "%s"}}}' "$sep" "$nm" "$r" "$g"
      sep=",
"
    done
    printf '\n]}\n'; } > "$f"
}
inv inv_gpus a:8:r1 b:4:r1
inv inv_racks a:8:r1 b:8:r1 c:8:r2 d:8:r3 e:8:r3
inv inv_reserved rack-1:8:r1
inv inv_cpu a:0:r1
inv inv_ok a:8:r1 b:8:r1
printf 'cluster { inventory = "inv_gpus.json" }\n' > "$IN/inv_topo.lua"
sw () { # sw NAME TRACE: a scenario replaying TRACE
  printf 'cluster { nodes = 64 }\nfailures { source = "none" }\nworkload { trace = "%s" }\nrun { length = days (1) }\n' "$2" > "$IN/$1.lua"
}
: > "$IN/empty.swf"
printf '; Version: 2.2\n; MaxProcs: 64\n' > "$IN/header.swf"
cp "$IN/garbage.bin" "$IN/garbage.swf"
printf '1 nan 0 100 8 -1 -1 8 -1 -1 1 1 1 1 1 1 -1 -1\n' > "$IN/nan.swf"
printf '1 0 0 -1 0 -1 -1 0 -1 -1 1 1 1 1 1 1 -1 -1\n' > "$IN/unusable.swf"
sw swf_missing "$IN/nope.swf"; sw swf_dir "$IN"; sw swf_empty "$IN/empty.swf"
sw swf_header "$IN/header.swf"; sw swf_garbage "$IN/garbage.swf"
sw swf_nan "$IN/nan.swf"; sw swf_unusable "$IN/unusable.swf"
printf '0x10 0 0 100 8 -1 -1 8 -1 -1 1 1 1 1 1 1 -1 -1\n' > "$IN/hex.swf"
printf '7 0 0 100 8 -1 -1 8 -1 -1 1 1 1 1 1 1 -1 -1\n7 9 0 100 8 -1 -1 8 -1 -1 1 1 1 1 1 1 -1 -1\n' > "$IN/dup.swf"
sw swf_hex "$IN/hex.swf"; sw swf_dup "$IN/dup.swf"
: > "$IN/empty.ibnet"
head -c 1500 "$DATA/small-2tier.ibnet" > "$IN/trunc.ibnet"
cp "$IN/garbage.bin" "$IN/garbage.so"
echo '[]' > "$IN/array.json"
mkdir "$IN/nosummary"

# Inputs that are not what they claim: a FIFO (must not hang), a device,
# files over the size caps (sparse: no disk used), JSON nested 200,000 deep.
mkfifo "$IN/fifo.lua" "$IN/fifo.swf" "$IN/fifo.ibnet" "$IN/fifo.json"
truncate -s 17M "$IN/huge.lua"; truncate -s 3G "$IN/huge.swf"
truncate -s 2G "$IN/huge.ibnet"; truncate -s 300M "$IN/huge.json"
sw swf_zero /dev/zero; sw swf_fifo "$IN/fifo.swf"; sw swf_huge "$IN/huge.swf"
printf 'local m = require ("huge")\n' > "$IN/req_huge.lua"
deep () { head -c 200000 /dev/zero | tr '\0' "$1"; }
{ printf '{"metrics": '; deep '['; deep ']'; printf '}\n'; } > "$IN/deep.json"
{ printf '{"metrics": {"a": '; deep '{'; printf '}\n'; } > "$IN/deep_open.json"
mkdir "$IN/deeprun"; cp "$IN/deep.json" "$IN/deeprun/summary.json"
mkdir "$IN/fiforun"; mkfifo "$IN/fiforun/summary.json"
# tw SECONDS CMD...: CMD, killed (exit 124) if it does not end in time
tw () { s=$1; shift; timeout "$s" "$@"; }

R="run --no-plots --no-pcap -q"
echo "1..150"

# ---- run: options ----
expect "run -o '' (empty folder name)" 'output' $F $R "$IN/tiny.lua" -o ''
expect "run --trace ''" "trace" $F $R "$IN/tiny.lua" -o out --trace ''
expect "run --trace FOLDER" "trace.*folder" $F $R "$IN/tiny.lua" -o out --trace "$IN"
expect "run --trace in a missing folder" "/nonexistent" $F $R "$IN/tiny.lua" -o out --trace /nonexistent/t.json
expect "run --lua-mem 1e17 MiB (size overflow)" "lua-mem.*99999999999999999" $F $R "$IN/tiny.lua" -o out --lua-mem 99999999999999999
expect "run --lua-mem -1" "lua-mem" $F $R "$IN/tiny.lua" -o out --lua-mem -1
expect "run --seed abc" "abc" $F $R "$IN/tiny.lua" -o out --seed abc
expect "run --seed 0x10 (hex: refused, not 16)" "seed: '0x10' is not a non-negative integer \(decimal" $F $R "$IN/tiny.lua" -o out --seed 0x10
expect "run --lua-budget 0x100" "lua-budget: '0x100'" $F $R "$IN/tiny.lua" -o out --lua-budget 0x100
expect "run --seed 1e30 (out of range)" "seed" $F $R "$IN/tiny.lua" -o out --seed 1000000000000000000000000000000
expect "run two scenarios" "one scenario" $F $R "$IN/tiny.lua" "$IN/p.lua" -o out
expect "run -o an existing file" "out.*not a directory" sh -c ': > out; "$0" $1 "$2" -o out; rc=$?; rm -f out; exit $rc' "$F" "$R" "$IN/tiny.lua"
expect "run -o under /proc (unwritable even for root)" "/proc/fl-qa" $F $R "$IN/tiny.lua" -o /proc/fl-qa/out
expect "run of a failing scenario into a/b/c leaves no parent folders" "cb_error.lua:3: boom" $F $R "$IN/cb_error.lua" -o a/b/c
expect "run --events --trace of a failing scenario leaves no file" "cb_error.lua:3" $F $R "$IN/cb_error.lua" -o out --events --trace t.json
expect "run --policy-plugin of a folder" "plugin.*$IN" $F $R "$IN/tiny.lua" -o out --policy-plugin "$IN"
expect "run --policy-plugin of a non-ELF file" "garbage.so" $F $R "$IN/tiny.lua" -o out --policy-plugin "$IN/garbage.so"

# ---- run: broken scenario files ----
expect "run a folder as scenario" "$IN.*folder" $F $R "$IN" -o out
expect "run an empty scenario" "empty.lua: empty scenario" $F $R "$IN/empty.lua" -o out
expect "run a whitespace-only scenario" "blank.lua: empty scenario" $F $R "$IN/blank.lua" -o out
expect "run binary garbage" "garbage.lua:1:" $F $R "$IN/garbage.lua" -o out
expect "run a scenario with a NUL byte" "nul.lua:1:" $F $R "$IN/nul.lua" -o out
expect "error ({}) at load names file:line" "err_table.lua:1: error object is a table" $F $R "$IN/err_table.lua" -o out
expect "error () at load names file:line" "err_nil.lua:1: error object is a nil" $F $R "$IN/err_nil.lua" -o out
expect "endless loop at load stops at the budget" "loop.lua:1: instruction budget" $F $R "$IN/loop.lua" -o out --lua-budget 1000000
expect "string.rep bomb at load" "strbomb.lua:1:" $F $R "$IN/strbomb.lua" -o out

# ---- run: Lua errors inside callbacks ----
expect "error in a callback: file:line and time" "cb_error.lua:3: boom \(at simulated time 2h" $F $R "$IN/cb_error.lua" -o out
expect "error ({...}) in a callback names file:line" "cb_table.lua:3: error object is a table" $F $R "$IN/cb_table.lua" -o out
expect "endless loop in a callback stops at the budget" "cb_loop.lua:3: instruction budget of 1000000" $F $R "$IN/cb_loop.lua" -o out --lua-budget 1000000
expect "memory bomb in a callback stops at --lua-mem" "cb_mem.lua:3: memory limit of 16 MiB" $F $R "$IN/cb_mem.lua" -o out --lua-mem 16
expect "endless recursion in a callback" "cb_deep.lua:3: stack overflow" $F $R "$IN/cb_deep.lua" -o out

# ---- run: bad --set values ----
expect "--set run.length=nan" "run.length.*nan" $F $R "$IN/tiny.lua" -o out --set run.length=nan
expect "--set run.length=inf" "run.length.*inf" $F $R "$IN/tiny.lua" -o out --set run.length=inf
expect "--set run.length=-5" "run.length.*-5" $F $R "$IN/tiny.lua" -o out --set run.length=-5
expect "--set run.length=1e400" "run.length.*1e400" $F $R "$IN/tiny.lua" -o out --set run.length=1e400
expect "--set run.length=2x (bad unit)" "run.length.*2x" $F $R "$IN/tiny.lua" -o out --set run.length=2x
expect "--set cluster.gpus=-1" "cluster.gpus.*-1" $F $R "$IN/tiny.lua" -o out --set cluster.gpus=-1
expect "--set cluster.gpus=1e14 (huge)" "cluster.gpus" $F $R "$IN/tiny.lua" -o out --set cluster.gpus=99999999999999
expect "--set cluster.nodes=1.5 (not a count)" "cluster.nodes = 1.5 is not a whole number" $F $R "$IN/tiny.lua" -o out --set cluster.nodes=1.5
expect "--set cluster.gpus= (empty value)" "cluster.gpus" $F $R "$IN/tiny.lua" -o out --set cluster.gpus=
expect "--set run.checkpoint_events=maybe" "maybe" $F $R "$IN/tiny.lua" -o out --set run.checkpoint_events=maybe
expect "--set cluster.nope=5 (unknown key)" "cluster.nope" $F $R "$IN/tiny.lua" -o out --set cluster.nope=5
expect "--set '=5' (no name)" "=5" $F $R "$IN/tiny.lua" -o out --set =5
expect "--set param=abc (number param)" "spares=abc" $F $R "$IN/p.lua" -o out --set spares=abc
expect "--set param=nan" "spares=nan" $F $R "$IN/p.lua" -o out --set spares=nan
expect "--set param=2.5 into a count" "p.lua:2: .*spares = 2.5 is not a whole number" $F $R "$IN/p.lua" -o out --set spares=2.5
expect "--set health.nope=5" "nope" $F $R "$IN/tiny.lua" -o out --set health.nope=5
expect "--set health.check_period_s=-1" "check_period_s" $F $R "$IN/tiny.lua" -o out --set health.check_period_s=-1
expect "--set sched.spares=abc" "sched.spares.*abc" $F $R "$IN/tiny.lua" -o out --set sched.spares=abc
expect "--set policy.sched=bogus" "bogus" $F $R "$IN/tiny.lua" -o out --set policy.sched=bogus
expect "--set failures.source=bogus" "bogus" $F $R "$IN/tiny.lua" -o out --set failures.source=bogus

# ---- run: impossible clusters and jobs ----
expect "cluster { nodes = 0/0 }" "nodes_nan.lua:1: .*nan" $F $R "$IN/nodes_nan.lua" -o out
expect "cluster { nodes = 1.5 }" "nodes_frac.lua:1: .*whole number" $F $R "$IN/nodes_frac.lua" -o out
expect "every node a hot spare" "spares_all.lua:1: cluster\{\}: cluster.spares = 64 leaves no node for jobs \(the cluster has 64 nodes\)" $F $R "$IN/spares_all.lua" -o out
expect "--set cluster.spares = every node" "tiny.lua:1: cluster\{\}: cluster.spares = 8 leaves no node for jobs" $F $R "$IN/tiny.lua" -o out --set cluster.spares=8
expect "a job larger than the cluster" "job_big.lua:1: .*1000 nodes" $F $R "$IN/job_big.lua" -o out
expect "a job defined twice" "job_twice.lua:1: .*twice" $F $R "$IN/job_twice.lua" -o out
expect "radix 3" "radix3.lua:1: .*radix" $F $R "$IN/radix3.lua" -o out
expect "--set cluster.ibnet= a missing file" "/nonexistent.ibnet" $F $R "$IN/tiny.lua" -o out --set cluster.ibnet=/nonexistent.ibnet
expect "--set cluster.ibnet= binary garbage" "garbage.bin:1:" $F $R "$IN/tiny.lua" -o out --set "cluster.ibnet=$IN/garbage.bin"
expect "--set cluster.inventory= a missing file" "/nonexistent.json" $F $R "$IN/tiny.lua" -o out --set cluster.inventory=/nonexistent.json
expect "--set cluster.inventory= binary garbage" "garbage.bin:1:" $F $R "$IN/tiny.lua" -o out --set "cluster.inventory=$IN/garbage.bin"
expect "inventory: nodes with 8 and 4 GPUs" "inv_gpus.json:7: node b has 4 GPUs, node a \\(line 2\\) 8" $F $R "$IN/tiny.lua" -o out --set "cluster.inventory=$IN/inv_gpus.json"
expect "inventory: racks of 2, 1 and 2 nodes" "inv_racks.json:8: rack 'r2' .* has 1 nodes" $F $R "$IN/tiny.lua" -o out --set "cluster.inventory=$IN/inv_racks.json"
expect "inventory: a node named as a rack" "inv_reserved.json: node name 'rack-1' starts as" $F $R "$IN/tiny.lua" -o out --set "cluster.inventory=$IN/inv_reserved.json"
expect "inventory: no GPU node" "inv_cpu.json: no node with nvidia.com/gpu" $F $R "$IN/tiny.lua" -o out --set "cluster.inventory=$IN/inv_cpu.json"
expect "inventory and ibnet both" "cluster.ibnet and cluster.inventory" $F $R "$IN/tiny.lua" -o out --set "cluster.inventory=$IN/inv_ok.json" --set "cluster.ibnet=$DATA/small-2tier.ibnet"
expect "topo: a scenario's inventory (beside it) with nodes of 8 and 4 GPUs" "inv_gpus.json:7:" $F topo "$IN/inv_topo.lua"

# ---- run: SWF traces ----
expect "SWF trace missing" "nope.swf" $F $R "$IN/swf_missing.lua" -o out
expect "SWF trace is a folder" "$IN.*(directory|folder)" $F $R "$IN/swf_dir.lua" -o out
expect "SWF trace empty" "empty.swf: no job lines" $F $R "$IN/swf_empty.lua" -o out
expect "SWF trace header only" "header.swf: no job lines" $F $R "$IN/swf_header.lua" -o out
expect "SWF trace binary garbage" "garbage.swf:1:" $F $R "$IN/swf_garbage.lua" -o out
expect "SWF trace NaN field" "nan.swf:1: field 2" $F $R "$IN/swf_nan.lua" -o out
expect "SWF trace without one usable job" "unusable.swf: none of its 1 job lines" $F $R "$IN/swf_unusable.lua" -o out
expect "SWF trace with a hex job number" "hex.swf:1: field 1 .*'0x10' is not a number" $F $R "$IN/swf_hex.lua" -o out
expect "SWF trace with a repeated job number" "dup.swf:2: field 1 .*7 repeats the job number of line 1" $F $R "$IN/swf_dup.lua" -o out

# ---- run: synthetic workload ----
expect "research_sizes with a bad weight" "research_sizes: '1:x'" $F $R "$IN/tiny.lua" -o out --set workload.research_rate=5 --set workload.research_sizes=1:x
expect "research_sizes of 0 nodes" "research_sizes: '0'" $F $R "$IN/tiny.lua" -o out --set workload.research_rate=5 --set workload.research_sizes=0,4
expect "research_sizes bad without a research rate" "workload.research_sizes: '2:-1' is not NODES or NODES:WEIGHT" $F $R "$IN/tiny.lua" -o out --set workload.research_sizes=2:-1
expect "research_sizes bad in workload{}" "research_sizes.lua:3: workload\{\}: workload.research_sizes: '1:x' is not" $F $R "$IN/research_sizes.lua" -o out
expect "research_sizes bad by --set, with workload{}" "research_sizes.lua:3: workload\{\}: workload.research_sizes: 'x' is not" $F $R "$IN/research_sizes.lua" -o out --set workload.research_sizes=x
expect "research_duration unknown" "research_duration=gamma: unknown distribution 'gamma'" $F $R "$IN/tiny.lua" -o out --set workload.research_rate=5 --set workload.research_duration=gamma

# ---- topo ----
expect "topo --ibnet FOLDER" "$IN" $F topo --ibnet "$IN"
expect "topo --ibnet empty file" "empty.ibnet" $F topo --ibnet "$IN/empty.ibnet"
expect "topo --ibnet binary garbage" "garbage.bin:1:" $F topo --ibnet "$IN/garbage.bin"
expect "topo --ibnet truncated file" "trunc.ibnet:[0-9]+:" $F topo --ibnet "$IN/trunc.ibnet"
expect "topo --gpus 4294967295 (too many components)" "nodes = 536870912" $F topo --gpus 4294967295
expect "topo --oversubscription nan" "nan" $F topo --gpus 64 --oversubscription nan
expect "topo --oversubscription 0.5" "0.5" $F topo --gpus 64 --oversubscription 0.5
expect "topo --rails 65535" "rails = 65535" $F topo --gpus 64 --rails 65535
expect "topo --format ''" "format" $F topo --gpus 64 --format ''
expect "topo --gpus -5" "'-5'" $F topo --gpus -5
expect "topo of an empty scenario" "empty.lua: empty scenario" $F topo "$IN/empty.lua"
expect "topo of a folder" "$IN" $F topo "$IN"

# ---- compare ----
B="$DATA/compare/baseline.json"
expect "compare with a folder without summary.json" "nosummary" $F compare "$B" "$IN/nosummary"
expect "compare with binary garbage" "garbage.bin" $F compare "$B" "$IN/garbage.bin"
expect "compare with a JSON array" "array.json" $F compare "$B" "$IN/array.json"
expect "compare -t ettr=nan" "nan" $F compare -t ettr=nan "$B" "$B"
expect "compare -t ettr=inf" "inf" $F compare -t ettr=inf "$B" "$B"

# ---- plot ----
rs () { cp -R "$DATA/run-sample" "$W/rs"; } # a run folder inside $W
rs; : > "$W/rs/timeseries.csv"
expect "plot an empty timeseries.csv (no plots/ left)" "timeseries.csv" $F plot rs
rs; head -n 1 "$DATA/run-sample/timeseries.csv" > "$W/rs/timeseries.csv"
expect "plot a header-only timeseries.csv (no plots/ left)" "timeseries.csv" $F plot rs
rs; cat "$IN/garbage.bin" >> "$W/rs/timeseries.csv"
expect "plot a timeseries.csv with binary garbage" "timeseries.csv:[0-9]+" $F plot rs
rs; sed '3s/,[^,]*$/,1e999/' "$DATA/run-sample/timeseries.csv" > "$W/rs/timeseries.csv"
expect "plot a timeseries.csv with 1e999" "1e999" $F plot rs
expect "plot a file instead of a folder" "summary.json" $F plot "$DATA/run-sample/summary.json"
expect "plot --no-png --no-svg" "no-png" $F plot --no-png --no-svg "$DATA/run-sample"

# ---- report ----
rs; expect "report -o ''" "-o ''" $F report rs --no-plots -o ''
rs; expect "report -o FOLDER" "$IN.*folder" $F report rs --no-plots -o "$IN"
rs; expect "report -o in a missing folder" "/nonexistent/r.html" $F report rs --no-plots -o /nonexistent/r.html
rs; echo '{"metrics": 5}' > "$W/rs/summary.json"
expect "report of a summary.json without metrics" "summary.json: no \"metrics\"" $F report rs --no-plots
rs; : > "$W/rs/summary.json"
expect "report of an empty summary.json" "summary.json" $F report rs --no-plots
rs; cp "$IN/garbage.bin" "$W/rs/summary.json"
expect "report of a binary summary.json" "summary.json" $F report rs --no-plots
expect "report of a missing folder" "/nonexistent" $F report /nonexistent

# ---- inputs that are not what they claim (issue 11, item 5) ----
expect "run /dev/zero as the scenario" "/dev/zero: is a device" tw 30 $F $R /dev/zero -o out
expect "run a FIFO as the scenario (no hang)" "fifo.lua: is a FIFO" tw 30 $F $R "$IN/fifo.lua" -o out
expect "run a 17 MiB scenario" "huge.lua: 17.0 MiB, more than the 16.0 MiB" tw 30 $F $R "$IN/huge.lua" -o out
expect "require of a 17 MiB module" "huge.lua: 17.0 MiB" tw 30 $F $R "$IN/req_huge.lua" -o out
expect "sweep /dev/zero as the scenario" "/dev/zero: not a regular file" tw 30 $F sweep /dev/zero -q -o sw
expect "SWF trace /dev/zero" "/dev/zero: is a device" tw 30 $F $R "$IN/swf_zero.lua" -o out
expect "SWF trace a FIFO (no hang)" "fifo.swf: is a FIFO" tw 30 $F $R "$IN/swf_fifo.lua" -o out
expect "SWF trace of 3 GiB" "huge.swf: 3.0 GiB, more than the 2.0 GiB" tw 30 $F $R "$IN/swf_huge.lua" -o out
expect "--set cluster.ibnet=/dev/zero" "/dev/zero: is a device" tw 30 $F $R "$IN/tiny.lua" -o out --set cluster.ibnet=/dev/zero
expect "topo --ibnet a FIFO (no hang)" "fifo.ibnet: is a FIFO" tw 30 $F topo --ibnet "$IN/fifo.ibnet"
expect "topo --ibnet /dev/zero" "/dev/zero: is a device" tw 30 $F topo --ibnet /dev/zero
expect "topo --ibnet of 2 GiB" "huge.ibnet: 2.0 GiB, more than the 1.0 GiB" tw 30 $F topo --ibnet "$IN/huge.ibnet"
expect "compare /dev/zero" "/dev/zero: is a device" tw 30 $F compare "$DATA/compare/baseline.json" /dev/zero
expect "compare a FIFO (no hang)" "fifo.json: is a FIFO" tw 30 $F compare "$IN/fifo.json" "$DATA/compare/baseline.json"
expect "compare a 300 MiB summary" "huge.json: 300.0 MiB, more than the 256.0 MiB" tw 30 $F compare "$DATA/compare/baseline.json" "$IN/huge.json"
expect "compare JSON nested 200,000 deep" "deep.json: JSON nested more than 64 deep" tw 30 $F compare "$DATA/compare/baseline.json" "$IN/deep.json"
expect "compare JSON of 200,000 unclosed '{'" "deep_open.json: JSON nested more than 64" tw 30 $F compare "$IN/deep_open.json" "$DATA/compare/baseline.json"
expect "report of a summary.json nested 200,000 deep" "deeprun/summary.json: JSON nested more than 64" tw 30 $F report "$IN/deeprun" --no-plots -o r.html
expect "report of a FIFO summary.json (no hang)" "fiforun/summary.json: is a FIFO" tw 30 $F report "$IN/fiforun" --no-plots -o r.html
rs; rm "$W/rs/timeseries.csv"; ln -s /dev/zero "$W/rs/timeseries.csv"
expect "plot a timeseries.csv that is /dev/zero" "timeseries.csv: is a device" tw 30 $F plot rs

# ---- exit status 2 for an unusable environment, per subcommand (item 8) ----
# (/proc refuses new files even to root; /dev/full is a full disk)
expect "sweep -o under /proc" "/proc/fl-qa" $F sweep "$IN/tiny.lua" -q -o /proc/fl-qa/sw
expect "merge -o under /proc" "/proc/fl-qa|nonexistent" $F merge -q -o /proc/fl-qa/m /nonexistent
expect "topo to a full disk" "topo: cannot write" sh -c '"$@" > /dev/full' sh $F topo --gpus 64
expect "compare to a full disk" "compare: cannot write to standard output" sh -c '"$@" > /dev/full' sh $F compare "$DATA/compare/baseline.json" "$DATA/compare/baseline.json"
expect "bench topo to a full disk" "cannot write to standard output" sh -c '"$@" > /dev/full' sh $F bench topo --gpus 64
expect "help options to a full disk" "help: cannot write to standard output" sh -c '"$@" > /dev/full' sh $F help options
expect "run's summary to a full disk" "run: cannot write to standard output" sh -c '"$@" > /dev/full; rc=$?; rm -rf "$T/fullrun"; exit $rc' sh $F run "$IN/tiny.lua" --no-plots --no-pcap -o "$T/fullrun"
rs; : > "$W/rs/plots"
expect "plot into an unwritable plots/ (was exit 3)" "rs/plots: cannot create" $F plot rs
rs; expect "report -o under /proc (was exit 3)" "/proc/self/r.html" $F report rs --no-plots -o /proc/self/r.html
rs; expect "plot with a failing gnuplot (was exit 3)" "gnuplot failed" env FAULTLINE_GNUPLOT=false $F plot rs
rs; expect "report with a failing gnuplot (was exit 3)" "gnuplot failed" env FAULTLINE_GNUPLOT=false $F report rs -o r.html

# ---- bench, help ----
expect "bench phold --end nan" "nan" $F bench phold --end nan
expect "bench phold --lps 0" "lps" $F bench phold --lps 0
expect "bench phold 2^32 events (memory bomb)" "too many" $F bench phold --lps 65536 --population 65536
expect "bench topo --radix 3" "radix = 3" $F bench topo --gpus 64 --radix 3
expect "bench nope" "nope" $F bench nope
expect "help ''" "unknown command ''" $F help ''

[ "$n" -eq 150 ] || { echo "# ran $n cases, planned 150"; failed=1; }
exit $failed
