#!/bin/sh
# tests/cli/test_replay.sh - `faultline replay` end to end (TAP):
# * a run's own fabric.pcap replays to the run's link decisions
#   (tests/cli/replay_check.py), on every shipped scenario (scenarios/*.lua)
#   for 14 days (a fabric beyond the unicast LIDs, fleet-1m: only with
#   --big, see below);
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
# Every scenarios/*.lua, split by fabric size: a fabric of more switches
# than the 49,151 unicast LIDs (fleet-1m: 55,320) is replayed only with
# --big (the `replay_big` test of the slow suite: ~100 CPU-s, most of it
# mapping 3 M links), and the default run says so for each.
big=""
[ "${1:-}" = "--big" ] && big=1
scenarios=""
skipped=""
for f in "$sc"/*.lua; do
  s=$(basename "$f" .lua)
  nsw=$("$FAULTLINE" topo "$f" | awk '$1 == "switches" { print $2 }')
  if [ "${nsw:-0}" -gt 49151 ]; then
    if [ -n "$big" ]; then scenarios="$scenarios $s"; else skipped="$skipped $s"; fi
  elif [ -z "$big" ]; then
    scenarios="$scenarios $s"
  fi
done
nsc=$(echo $scenarios | wc -w)

if [ -n "$big" ]; then echo "1..$nsc"; else echo "1..$((nsc + 18))"; fi
[ "$nsc" -gt 0 ] || not_ok "no scenario found in $sc"
for s in $skipped; do
  echo "# $s: a fabric beyond the unicast LIDs, replayed by replay_big (slow suite: test_replay.sh --big)"
done

# a run's capture replays to the run's decisions, for every scenario
# A fabric of more switches than the 49,151 unicast LIDs cannot put every
# switch's traps in one capture (docs/plots-and-report.md), so the policy
# sees less in the replay than in the run and the decisions may differ:
# there, 2 days, and the test is that every record maps to the fabric (no
# unknown LID or port, nothing corrupt), changes are fed and decisions come
# out.
for s in $scenarios; do
  msg=""
  if [ -n "$big" ]; then
    nsw=$("$FAULTLINE" topo "$sc/$s.lua" | awk '$1 == "switches" { print $2 }')
    if "$FAULTLINE" run "$sc/$s.lua" --seed 7 -q --no-plots --set days=2 -o "$tmp/$s" \
       && "$FAULTLINE" replay "$tmp/$s/fabric.pcap" --scenario "$sc/$s.lua" --set days=2 -q -o "$tmp/$s-rep" \
       && msg=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counts"]
n = sum(d["policies"][0]["decisions"].values())
ok = c["unknown_lid"] == 0 and c["unknown_port"] == 0 and c["corrupt"] == 0 and c["changes"] > 0 and n > 0
print("%d changes, %d decisions, %d unknown LIDs, %d unknown ports" % (c["changes"], n, c["unknown_lid"], c["unknown_port"]))
sys.exit(0 if ok else 1)' "$tmp/$s-rep/replay.json"); then
      ok "$s ($nsw switches, more than the unicast LIDs; 2 days): every record maps to the fabric ($msg)"
    else
      not_ok "$s ($nsw switches): ${msg:-run or replay failed}"
    fi
    continue
  fi
  if "$FAULTLINE" run "$sc/$s.lua" --seed 7 -q --no-plots --events --set days=14 -o "$tmp/$s" \
     && ! grep -q '"event":"link_state"' "$tmp/$s/events.jsonl"; then
    # no link changed state (a fault trace of node outages): the capture
    # has nothing for the policy, which replay refuses
    "$FAULTLINE" replay "$tmp/$s/fabric.pcap" --scenario "$sc/$s.lua" --set days=14 -q \
      -o "$tmp/$s-rep" > /dev/null 2> "$tmp/err"; rc=$?
    if [ $rc -eq 2 ] && grep -q "nothing usable" "$tmp/err" && [ ! -e "$tmp/$s-rep" ] \
       && ! grep -q '"event":"policy_action".*<->' "$tmp/$s/events.jsonl"; then
      ok "$s: no link state change and no link decision in the run; its empty capture is refused as nothing usable (exit 2)"
    else
      not_ok "$s: no link state change, but replay exited $rc: $(head -c 200 "$tmp/err")"
    fi
    continue
  fi
  if [ -f "$tmp/$s/events.jsonl" ] \
     && "$FAULTLINE" replay "$tmp/$s/fabric.pcap" --scenario "$sc/$s.lua" --set days=14 -q -o "$tmp/$s-rep" \
     && msg=$(python3 "$FL_SOURCE_DIR/tests/cli/replay_check.py" "$tmp/$s" "$tmp/$s-rep"); then
    ok "$s: the capture replays to the run's decisions ($msg)"
  else
    not_ok "$s: ${msg:-run or replay failed}"
  fi
done

[ -n "$big" ] && exit $failed

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
