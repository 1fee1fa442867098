#!/bin/sh
# tests/cli/test_spares.sh - scenarios/spares.lua shows ETTR rising with
# hot spares and then flattening (TAP). Spares 16, 64, 128, 256 and 384,
# seeds 1-4 each (the same seeds at every point: the failure streams do not
# depend on the spares, so differences are paired), 54 days:
#  1. each step from 16 to 128 raises the mean ETTR by more than 0.01;
#  2. past 256 it is flat: the step 256 -> 384 moves the mean by less than
#     a tenth of the step 16 -> 64, and less than 0.005 in absolute terms
#     (384 spares only add idle nodes once no restart waits for one).
# Not here: the absolute level (tests/cli/test_llama3.sh).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..2"

scen="$FL_SOURCE_DIR/scenarios/spares.lua"
: > "$tmp/rows"
for sp in 16 64 128 256 384; do
  for s in 1 2 3 4; do
    if ! "$FAULTLINE" run "$scen" -q --no-plots --no-pcap --seed "$s" \
         --set spares="$sp" -o "$tmp/r" 2> "$tmp/err"; then
      sed 's/^/# /' "$tmp/err"
      echo "Bail out! spares=$sp seed=$s failed"
      exit 1
    fi
    # jobs.csv: the 2,048-node job's ETTR is column 18
    awk -F, -v sp="$sp" '$3 == 2048 { print sp, $18 }' "$tmp/r/jobs.csv" >> "$tmp/rows"
    rm -rf "${tmp:?}/r"
  done
done

awk '{ s[$1] += $2; k[$1]++ }
  END {
    for (p in s) m[p] = s[p] / k[p]
    printf "# mean ETTR: 16 %.4f, 64 %.4f, 128 %.4f, 256 %.4f, 384 %.4f\n", m[16], m[64], m[128], m[256], m[384]
    exit !(k[16] == 4 && m[64] - m[16] > 0.01 && m[128] - m[64] > 0.01)
  }' "$tmp/rows"
if [ $? -eq 0 ]; then echo "ok 1 - ETTR rises from 16 to 64 to 128 spares"; else echo "not ok 1 - ETTR rises from 16 to 64 to 128 spares"; fi

awk '{ s[$1] += $2; k[$1]++ }
  END {
    for (p in s) m[p] = s[p] / k[p]
    d = m[384] - m[256]; if (d < 0) d = -d
    exit !(d < (m[64] - m[16]) / 10 && d < 0.005)
  }' "$tmp/rows"
if [ $? -eq 0 ]; then echo "ok 2 - ETTR is flat past 256 spares"; else echo "not ok 2 - ETTR is flat past 256 spares"; fi
