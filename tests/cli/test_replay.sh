#!/bin/sh
# tests/cli/test_replay.sh - `faultline replay` end to end (TAP):
# * a run's own fabric.pcap replays to the run's link decisions
#   (tests/cli/replay_check.py), on every shipped scenario (scenarios/*.lua)
#   for 14 days;
# * the same capture through `topo --format ibnetdiscover` (--fabric) gives
#   the same decisions, and so does the capture rewritten as raw
#   LINKTYPE_INFINIBAND (247) records;
# * --compare-policy shows a second policy; -o writes decisions.csv and
#   replay.json;
# * truncated files, corrupt packets and unknown LIDs are counted (exit 0
#   while something was usable); another link type, nothing usable, a
#   folder, /dev/zero, a missing file and bad options exit 2.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"
sc="$FL_SOURCE_DIR/scenarios"
scenarios=""
for f in "$sc"/*.lua; do scenarios="$scenarios $(basename "$f" .lua)"; done
nsc=$(echo $scenarios | wc -w)

echo "1..$((nsc + 18))"
[ "$nsc" -gt 0 ] || not_ok "no scenario found in $sc"

# a run's capture replays to the run's decisions, for every scenario
for s in $scenarios; do
  if "$FAULTLINE" run "$sc/$s.lua" --seed 7 -q --no-plots --events --set days=14 -o "$tmp/$s" \
     && "$FAULTLINE" replay "$tmp/$s/fabric.pcap" --scenario "$sc/$s.lua" --set days=14 -q -o "$tmp/$s-rep" \
     && msg=$(python3 "$FL_SOURCE_DIR/tests/cli/replay_check.py" "$tmp/$s" "$tmp/$s-rep"); then
    ok "$s: the capture replays to the run's decisions ($msg)"
  else
    not_ok "$s: ${msg:-run or replay failed}"
  fi
done

# through an ibnetdiscover dump instead of the scenario: same decisions
l3=llama3-16k
"$FAULTLINE" topo "$sc/$l3.lua" --format ibnetdiscover > "$tmp/l3.ibnet"
len=$((14 * 86400))
"$FAULTLINE" replay "$tmp/$l3/fabric.pcap" --fabric "$tmp/l3.ibnet" --until $len -q -o "$tmp/l3-fab"
cmp -s "$tmp/l3-fab/decisions.csv" "$tmp/$l3-rep/decisions.csv"
check $? "--fabric (topo --format ibnetdiscover) gives the same decisions as --scenario"

# the capture as raw InfiniBand records (link type 247): same decisions
python3 - "$tmp/$l3/fabric.pcap" "$tmp/raw.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
out = bytearray(d[:20]) + struct.pack("<I", 247)
off = 24
while off < len(d):
    sec, usec, cap, ln = struct.unpack_from("<IIII", d, off)
    rec = d[off + 16:off + 16 + cap]
    ib = rec[16:]
    out += struct.pack("<IIII", sec, usec, len(ib), len(ib)) + ib
    off += 16 + cap
open(sys.argv[2], "wb").write(out)
PY
"$FAULTLINE" replay "$tmp/raw.pcap" --scenario "$sc/$l3.lua" --set days=14 -q -o "$tmp/raw-rep" \
  && cmp -s "$tmp/raw-rep/decisions.csv" "$tmp/$l3-rep/decisions.csv"
check $? "a LINKTYPE_INFINIBAND capture replays like the ERF one"

# --compare-policy; replay.json
"$FAULTLINE" replay "$tmp/$l3/fabric.pcap" --scenario "$sc/$l3.lua" --set days=14 \
  --compare-policy reactive -o "$tmp/cmp" > "$tmp/cmp.txt"
rc=$?
[ $rc -eq 0 ] && grep -q "^standard policy: [0-9]* decisions; reactive policy: [0-9]* decisions" "$tmp/cmp.txt" \
  && [ "$(cut -d, -f1 "$tmp/cmp/decisions.csv" | sort -u | tr '\n' ' ')" = "policy reactive standard " ]
check $? "--compare-policy reactive: both policies' decisions, printed and in decisions.csv"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counts"]
ok = c["changes"] > 0 and [p["name"] for p in d["policies"]] == ["standard", "reactive"] \
     and sum(d["policies"][0]["decisions"].values()) > 0
sys.exit(0 if ok else 1)' "$tmp/cmp/replay.json"
check $? "replay.json has the counts and the decisions per action of both policies"

# truncated: counted, the rest replayed
size=$(wc -c < "$tmp/$l3/fabric.pcap")
head -c $((size / 2 + 7)) "$tmp/$l3/fabric.pcap" > "$tmp/cut.pcap"
out=$("$FAULTLINE" replay "$tmp/cut.pcap" --scenario "$sc/$l3.lua" --set days=14); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "(truncated)"
check $? "a truncated capture: exit 0, reported as truncated"

# corrupt packets: counted
python3 - "$tmp/$l3/fabric.pcap" "$tmp/corrupt.pcap" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for k in range(0, 40, 4):   # flip a MAD byte of 10 records
    b[24 + k * 322 + 16 + 16 + 100] ^= 0x01
open(sys.argv[2], "wb").write(b)
PY
out=$("$FAULTLINE" replay "$tmp/corrupt.pcap" --scenario "$sc/$l3.lua" --set days=14); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q " 10 corrupt"
check $? "10 packets with bad CRCs: counted as corrupt, the rest replayed"

# unknown LIDs: an 8,192-GPU fabric has half the LIDs of 16,384 GPUs
"$FAULTLINE" topo --gpus 8192 --format ibnetdiscover > "$tmp/small.ibnet"
out=$("$FAULTLINE" replay "$tmp/$l3/fabric.pcap" --fabric "$tmp/small.ibnet"); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -Eq " [1-9][0-9]* unknown LIDs"
check $? "LIDs the fabric does not have: counted"

# nothing usable (a capture with no SM traffic of this fabric): exit 2
"$FAULTLINE" topo --gpus 8 --format ibnetdiscover > "$tmp/tiny.ibnet"
python3 - "$tmp/$l3/fabric.pcap" "$tmp/foreign.pcap" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
# keep the first 4 records, whose LIDs a one-node fabric does not have
open(sys.argv[2], "wb").write(b[:24 + 4 * 322])
PY
"$FAULTLINE" replay "$tmp/foreign.pcap" --fabric "$tmp/tiny.ibnet" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "nothing usable" "$tmp/err" && grep -q "from LIDs the fabric does not have" "$tmp/err"
check $? "nothing usable: exit 2 with the counts"

# another link type (Ethernet)
python3 - "$tmp/eth.pcap" <<'PY'
import struct, sys
pkt = bytes(60)
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
                              + struct.pack("<IIII", 0, 0, 60, 60) + pkt)
PY
"$FAULTLINE" replay "$tmp/eth.pcap" --scenario "$sc/$l3.lua" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "link type 1" "$tmp/err"
check $? "an Ethernet capture: exit 2 naming the link type"

# not a capture: text, a folder, /dev/zero
echo "not a capture" > "$tmp/text.pcap"
"$FAULTLINE" replay "$tmp/text.pcap" --scenario "$sc/$l3.lua" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "text.pcap: not a pcap file" "$tmp/err"
check $? "a text file: exit 2"
"$FAULTLINE" replay "$tmp" --scenario "$sc/$l3.lua" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not a regular file" "$tmp/err"
check $? "a folder: exit 2"
"$FAULTLINE" replay /dev/zero --scenario "$sc/$l3.lua" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not a regular file" "$tmp/err"
check $? "/dev/zero: exit 2, not read"

# a missing file; a bad fabric file names its line
"$FAULTLINE" replay "$tmp/none.pcap" --scenario "$sc/$l3.lua" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "none.pcap" "$tmp/err"
check $? "a missing capture: exit 2 naming it"
printf 'Switch\t36 "S-1"\t# "sw" lid 3\n[1]\t"H-9"[1]\n' > "$tmp/bad.ibnet"
"$FAULTLINE" replay "$tmp/$l3/fabric.pcap" --fabric "$tmp/bad.ibnet" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.ibnet:2: peer \"H-9\" has no Switch or Ca record" "$tmp/err"
check $? "a fabric with a dangling peer: exit 2 with file:line"

# usage
"$FAULTLINE" replay "$tmp/$l3/fabric.pcap" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "no fabric" "$tmp/err"
check $? "no --fabric nor --scenario: exit 2"
"$FAULTLINE" replay "$tmp/$l3/fabric.pcap" --scenario "$sc/$l3.lua" --compare-policy nosuch > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown health policy 'nosuch'" "$tmp/err"
check $? "an unknown --compare-policy: exit 2 listing the policies"
"$FAULTLINE" replay "$tmp/$l3/fabric.pcap" --scenario "$sc/$l3.lua" --until -5 > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 2 ]
check $? "--until -5: exit 2"

# --help has an example
"$FAULTLINE" replay --help | grep -q "faultline replay results/lf/fabric.pcap"
check $? "replay --help shows an example"
exit $failed
