#!/bin/sh
# tests/bench/phold.sh - the PHOLD gate for sim/evq.c: runs the kernel and
# the reference binary heap, each in its own process (maxrss is a
# per-process peak), REPEAT times at two sizes, and prints the medians and
# the ratios faultline/reference. Not a unit test: no pass/fail on timing.
# Usage: tests/bench/phold.sh [path/to/faultline]   (REPEAT=3 by default)
FAULTLINE=${1:-${FAULTLINE:-faultline}}
REPEAT=${REPEAT:-3}

field () { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
median () { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run () { # name lps pop end
  tmp=$(mktemp)
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    if [ "$1" = reference ]; then
      "$FAULTLINE" bench phold --lps "$2" --population "$3" --end "$4" --reference
    else
      "$FAULTLINE" bench phold --lps "$2" --population "$3" --end "$4"
    fi
    i=$((i + 1))
  done > "$tmp" || { rm -f "$tmp"; exit 3; }
  cat "$tmp" >&2
  eps=$(field events_per_s < "$tmp" | median)
  rss=$(field maxrss_kb < "$tmp" | median)
  rm -f "$tmp"
  echo "$eps $rss"
}

for size in "10000 16 100" "1000000 4 5"; do
  set -- $size
  f=$(run faultline "$1" "$2" "$3")
  r=$(run reference "$1" "$2" "$3")
  echo "L=$1 M=$2 T=$3 median of $REPEAT: faultline events_per_s=${f% *} maxrss_kb=${f#* }; reference events_per_s=${r% *} maxrss_kb=${r#* }"
  awk -v f="$f" -v r="$r" -v L="$1" -v M="$2" 'BEGIN {
    split(f, a, " "); split(r, b, " ");
    printf "L=%s M=%s ratio events_per_s=%.3f (target >= 0.9) maxrss=%.3f (target <= 1.5 at L=1M)\n",
      L, M, a[1] / b[1], a[2] / b[2] }'
done
