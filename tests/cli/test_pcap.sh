#!/bin/sh
# tests/cli/test_pcap.sh - a run's fabric.pcap checked by tools that share
# no code with faultline (TAP): tshark decodes every record, Python's zlib
# and a bitwise CRC-16 check the ICRC/VCRC, every trap's LID and port map
# through `faultline topo --format ibnetdiscover` to the link that changed
# state in events.jsonl at that time, and the number of traps 128 is the
# link state changes counted per live switch end (tests/cli/pcap_check.py
# says exactly what is checked).
#
#   test_pcap.sh [--full] [SCENARIO[:DAYS] ...]
# A scenario runs --set days=DAYS when DAYS is given, else its full length.
# With no scenario: every shipped scenario (scenarios/*.lua) 14 days each,
# but a fabric beyond the unicast LIDs (fleet-1m), which is named and left
# to --full; with --full, every one at its full length (fleet-1m 30 days)
# (`pcap_full` in the `slow` suite: tests/cli/meson.build).
# The last test flips one byte of a capture and expects the checker to
# catch it, so a checker that passes everything fails here.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"

full=""
if [ "${1:-}" = "--full" ]; then
  full=1
  shift
fi
big=""
if [ $# -eq 0 ]; then
  for f in "$FL_SOURCE_DIR"/scenarios/*.lua; do
    s=$(basename "$f" .lua)
    # A fabric of more switches than the 49,151 unicast LIDs (fleet-1m:
    # 55,320, a 578 MB ibnetdiscover dump for the checker to read) is
    # checked only with --full, for 30 days (a year is minutes of CPU more),
    # in pcap_full of the slow suite; the default run says so.
    nsw=$("$FAULTLINE" topo "$f" | awk '$1 == "switches" { print $2 }')
    if [ "${nsw:-0}" -gt 49151 ]; then
      if [ -n "$full" ]; then set -- "$@" "$s:30"; else big="$big $s"; fi
    elif [ -n "$full" ]; then set -- "$@" "$s"
    else set -- "$@" "$s:14"
    fi
  done
  if [ $# -eq 0 ]; then
    echo "1..1"
    not_ok "no scenario found in $FL_SOURCE_DIR/scenarios"
    exit 1
  fi
fi
echo "1..$(($# * 2 + 1))"
for s in $big; do
  echo "# $s: a fabric beyond the unicast LIDs, checked by pcap_full (slow suite: test_pcap.sh --full)"
done
if ! command -v tshark > /dev/null; then
  # a check that cannot run must not pass
  for s in "$@"; do not_ok "$s: tshark not found (apt-get install tshark; cli/bootstrap.sh test installs it)"; not_ok "$s: not checked"; done
  not_ok "the checker catches a flipped byte: not run"
  exit 1
fi
for arg in "$@"; do
  s=${arg%%:*}
  days=${arg#*:}
  set_days=""
  [ "$days" != "$arg" ] && set_days="--set days=$days"
  out="$tmp/$s"
  # shellcheck disable=SC2086
  if "$FAULTLINE" run "$FL_SOURCE_DIR/scenarios/$s.lua" --seed 7 -q --no-plots \
       --events $set_days -o "$out" \
     && "$FAULTLINE" topo "$FL_SOURCE_DIR/scenarios/$s.lua" --format ibnetdiscover > "$tmp/$s.ibnet" \
     && tshark -n -r "$out/fabric.pcap" -T fields -E separator=/t \
          -e frame.number -e frame.time_epoch \
          -e infiniband.notice.trapnumberdeviceid -e infiniband.notice.issuerlid \
          -e infiniband.lrh.slid -e infiniband.mad.attributemodifier \
          -e infiniband.portinfo.portstate > "$tmp/$s.tsv" 2> "$tmp/$s.err" \
     && ! grep -v "^Running as user" "$tmp/$s.err" | grep -q .; then
    ok "$s ${set_days:-(full length)}: ran, dumped its fabric, tshark decoded the capture"
  else
    not_ok "$s: run, topo or tshark failed: $(head -c 300 "$tmp/$s.err" 2>/dev/null)"
    not_ok "$s: not checked"
    continue
  fi
  if msg=$(python3 "$FL_SOURCE_DIR/tests/cli/pcap_check.py" "$out" "$tmp/$s.ibnet" "$tmp/$s.tsv"); then
    ok "$s: CRCs, LIDs/ports and trap count agree with events.jsonl ($msg)"
  else
    not_ok "$s: $msg"
  fi
  # the checker's own test below flips a byte of the 10th record
  [ "$(wc -c < "$out/fabric.pcap")" -ge $((24 + 10 * 322)) ] && last="$s"
done

# The checker itself: one byte of the 10th record of the last capture that
# has ten records flipped.
if [ -z "${last:-}" ]; then
  not_ok "the checker's own test: no capture of ten records to flip a byte in"
  exit 1
fi
python3 - "$tmp/$last/fabric.pcap" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[24 + 9 * (16 + 306) + 16 + 16 + 100] ^= 0x10
open(p, "wb").write(b)
PY
if msg=$(python3 "$FL_SOURCE_DIR/tests/cli/pcap_check.py" "$tmp/$last" "$tmp/$last.ibnet" "$tmp/$last.tsv"); then
  not_ok "the checker passed a capture with a flipped byte ($msg)"
else
  case $msg in
    *"record 10: ICRC"*) ok "the checker catches a flipped byte ($msg)" ;;
    *) not_ok "the checker failed for another reason: $msg" ;;
  esac
fi
exit $failed
