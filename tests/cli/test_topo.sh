#!/bin/sh
# tests/cli/test_topo.sh - `faultline topo` end to end (TAP): NVIDIA's
# 16,384-GPU counts (field-data.md 9.5), JSON that parses, an
# ibnetdiscover round trip through the CLI, per-rail planes above one
# fabric's capacity (100k GPUs with defaults), and exit 2 with a message on
# bad values and files.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"

echo "1..28"

# 1-3: 16,384 GPUs = 64 SUs: 512 leaf, 512 spine, 256 core (B200 RA table)
"$FAULTLINE" topo --gpus 16384 > "$tmp/t.txt"; rc=$?
check $rc "topo --gpus 16384 exits 0"
count () { awk -v k="$1" '$1 == k { print $2 }' "$tmp/t.txt"; }
[ "$(count leaves)" = 512 ] && [ "$(count spines)" = 512 ] && [ "$(count cores)" = 256 ]
check $? "16384 GPUs: 512 leaves, 512 spines, 256 cores"
[ "$(count node_leaf_links)" = 16384 ] && [ "$(count leaf_spine_links)" = 16384 ] \
  && [ "$(count spine_core_links)" = 16384 ]
check $? "16384 GPUs: 16384 links per layer"

# 4-5: JSON parses; --gpus rounds nodes up
"$FAULTLINE" topo --gpus 100000 --radix 128 --format json > "$tmp/j.json"
check $? "topo --gpus 100000 --radix 128 --format json exits 0"
python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["counts"]["nodes"] == 12500 and d["counts"]["gpus"] == 100000 else 1)' < "$tmp/j.json"
check $? "JSON parses and has 12500 nodes / 100000 GPUs"

# 6: inventory in JSON lists every node by name
"$FAULTLINE" topo --gpus 2000 --format json --inventory \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); n=d["inventory"]["nodes"]; sys.exit(0 if len(n) == 250 and n[0] == "node0000" and n[-1] == "node0249" and "spine-07" in d["inventory"]["spines"] else 1)'
check $? "--inventory lists node0000..node0249 and spine-07"

# 7-8: ibnetdiscover round trip through the CLI
"$FAULTLINE" topo --nodes 300 --format ibnetdiscover > "$tmp/a.ibnet" \
  && "$FAULTLINE" topo --ibnet "$tmp/a.ibnet" --format ibnetdiscover > "$tmp/b.ibnet"
check $? "write then read ibnetdiscover exits 0"
"$FAULTLINE" topo --nodes 300 --format json | grep -v '"source"' > "$tmp/a.json"
"$FAULTLINE" topo --ibnet "$tmp/a.ibnet" --format json | grep -v '"source"' > "$tmp/b.json"
cmp -s "$tmp/a.ibnet" "$tmp/b.ibnet" && cmp -s "$tmp/a.json" "$tmp/b.json"
check $? "re-read fabric writes the same ibnetdiscover text and counts"

# 9: a hand-written file in the real layout
"$FAULTLINE" topo --ibnet "$FL_SOURCE_DIR/tests/data/small-2tier.ibnet" --inventory > "$tmp/s.txt" \
  && grep -q 'gpu-a02/nic1<->leaf-su00-r1:p2' "$tmp/s.txt"
check $? "reads tests/data/small-2tier.ibnet with its node names"

# 9b: a dual-port HCA with both ports cabled (once an out-of-bounds write)
"$FAULTLINE" topo --ibnet "$FL_SOURCE_DIR/tests/data/repro/ibnet-dualport-hca-segv.ibnet" --inventory > "$tmp/d.txt" \
  && grep -q 'nodeA/nic1<->leaf-su00-r1:p1' "$tmp/d.txt"
check $? "reads a dual-port HCA cabled to two leaves as two NICs"

# 10: dot
"$FAULTLINE" topo --nodes 40 --format dot > "$tmp/f.dot" && head -2 "$tmp/f.dot" | grep -q '^graph fabric' \
  && grep -q '"leaf-su01-r7" -- "spine-' "$tmp/f.dot"
check $? "--format dot writes a graph with leaf-spine edges"

# 11-16: bad input -> exit 2 and a message naming the value
bad () { # expected-substring args...
  want=$1; shift
  "$FAULTLINE" topo "$@" > /dev/null 2> "$tmp/err"; rc=$?
  [ $rc -eq 2 ] && grep -q -- "$want" "$tmp/err" && [ "$(wc -l < "$tmp/err")" -eq 1 ]
}
bad "radix = 7" --gpus 512 --radix 7; check $? "--radix 7 -> exit 2 naming the radix"
bad "'0' must be at least 1" --gpus 0; check $? "--gpus 0 -> exit 2"
bad "'abc' is not a non-negative integer" --gpus abc; check $? "--gpus abc -> exit 2"
bad "/nonexistent/f.ibnet" --ibnet /nonexistent/f.ibnet; check $? "missing --ibnet file -> exit 2"
bad "bad-truncated-port.ibnet:21: expected" --ibnet "$FL_SOURCE_DIR/tests/data/bad-truncated-port.ibnet"
check $? "malformed file -> exit 2 with file:line"

bad "bad-unknown-peer.ibnet:14: peer \"S-00000000deadbeef\" has no" --ibnet "$FL_SOURCE_DIR/tests/data/bad-unknown-peer.ibnet"
check $? "file naming an unknown peer -> exit 2 with file:line"

# 17: --help
"$FAULTLINE" topo --help > "$tmp/h" && grep -q 'faultline topo --gpus 16384' "$tmp/h"
check $? "--help exits 0 with an example"

# 18-19: 100,000 GPUs with the defaults: 12,500 nodes = 391 SUs exceed one
# radix-64 fabric (8,192 nodes), so 8 rail planes of 391 leaves each
"$FAULTLINE" topo --gpus 100000 --format json > "$tmp/p.json"
check $? "topo --gpus 100000 --format json exits 0 with the defaults"
python3 -c 'import json,sys
d = json.load(sys.stdin); c = d["counts"]
sus = -(-12500 // 32)
sys.exit(0 if c["nodes"] == 12500 and c["gpus"] == 100000 and c["planes"] == 8
         and c["leaves"] == sus * 8 and c["leaf_spine_links"] == sus * 8 * 32
         and d["params"]["radix"] == 64 else 1)' < "$tmp/p.json"
check $? "100k JSON parses: 8 planes, 391 x 8 leaves, 32 uplinks each"

# 20-21: 1M GPUs need radix 128 (8 planes of radix 64 hold 65,536 nodes)
bad "larger --radix" --gpus 1000000
check $? "--gpus 1000000 at radix 64 -> exit 2 naming the radix"
"$FAULTLINE" topo --gpus 1000000 --radix 128 > "$tmp/m.txt" \
  && grep -q '8 rail planes of 3 tiers' "$tmp/m.txt"
check $? "--gpus 1000000 --radix 128 builds 8 rail planes"

# 22: a forced planes fabric round-trips through ibnetdiscover
small="--nodes 40 --su-size 4 --rails 4 --radix 16 --planes 4"
# shellcheck disable=SC2086
"$FAULTLINE" topo $small --format ibnetdiscover > "$tmp/pa.ibnet" \
  && "$FAULTLINE" topo --ibnet "$tmp/pa.ibnet" --format ibnetdiscover > "$tmp/pb.ibnet" \
  && cmp -s "$tmp/pa.ibnet" "$tmp/pb.ibnet" \
  && "$FAULTLINE" topo --ibnet "$tmp/pa.ibnet" --inventory | grep -q '^spine  *spine-r3-00$' \
  && grep -q '"spine-r3-0' "$tmp/pa.ibnet"
check $? "--planes 4 fabric: ibnetdiscover write/read/write is identical, names spine-r3-0N"

# 23-24: bad --planes
bad "planes = 3" --nodes 64 --planes 3; check $? "--planes 3 with 8 rails -> exit 2"
bad "--planes: '0'" --nodes 64 --planes 0; check $? "--planes 0 -> exit 2"

# 25-27: the cluster a scenario describes (llama3-16k: 2,048 + 128 spare nodes)
"$FAULTLINE" topo "$FL_SOURCE_DIR/scenarios/llama3-16k.lua" --format json > "$tmp/sc.json"
check $? "topo SCENARIO exits 0"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["counts"]; sys.exit(0 if c["nodes"]==2176 and c["gpus"]==17408 else 1)' "$tmp/sc.json"
check $? "topo scenarios/llama3-16k.lua: 2176 nodes, 17408 GPUs"
printf 'cluster { nodse = 4 }\n' > "$tmp/badsc.lua"
bad "nodse" "$tmp/badsc.lua"; check $? "topo with a broken scenario -> exit 2 naming the key"
exit $failed
