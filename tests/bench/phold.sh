#!/bin/sh
# tests/bench/phold.sh - the PHOLD gate for the event queues: runs the
# kernel on its radix queue, the kernel on its 4-ary heap and the reference
# binary heap (no kernel), each in its own process (maxrss is a per-process
# peak), interleaved (radix, heap, reference, radix, heap, ...) REPEAT times
# at two sizes, and prints the medians of events per CPU-second (user+sys
# of the event loop, getrusage: other jobs on a shared machine do not count)
# and of maxrss, and the ratios to the reference. Not a unit test: no
# pass/fail on timing.
# Usage: tests/bench/phold.sh [path/to/faultline]   (REPEAT=3 by default;
# END_1M=T, 2 by default, is the horizon at L=1,000,000: each run there
# costs about 2.5 million events per unit of T)
FAULTLINE=${1:-${FAULTLINE:-faultline}}
REPEAT=${REPEAT:-3}
QUEUES=${QUEUES:-radix heap reference}

field () { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
median () { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for size in "10000 16 100" "1000000 4 ${END_1M:-2}"; do
  set -- $size
  tmp=$(mktemp -d)
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    for q in $QUEUES; do
      "$FAULTLINE" bench phold --lps "$1" --population "$2" --end "$3" \
        --queue "$q" > "$tmp/line" || { rm -rf "$tmp"; exit 3; }
      cat "$tmp/line" >&2
      cat "$tmp/line" >> "$tmp/$q"
    done
    i=$((i + 1))
  done
  for q in $QUEUES; do
    eps=$(field events_per_cpu_s < "$tmp/$q" | median)
    rss=$(field maxrss_kb < "$tmp/$q" | median)
    echo "$q $eps $rss" >> "$tmp/med"
  done
  awk -v L="$1" -v M="$2" -v T="$3" -v R="$REPEAT" '
    { q[NR] = $1; e[$1] = $2; r[$1] = $3 }
    END {
      for (i = 1; i <= NR; i++)
        printf "L=%s M=%s T=%s median of %s: %s events_per_cpu_s=%d maxrss_kb=%d" \
               " ratio_to_reference events=%.2f maxrss=%.2f\n",
               L, M, T, R, q[i], e[q[i]], r[q[i]],
               e["reference"] ? e[q[i]] / e["reference"] : 0,
               r["reference"] ? r[q[i]] / r["reference"] : 0
    }' "$tmp/med"
  rm -rf "$tmp"
done
