#!/bin/sh
# tests/bench/sweep.sh - the sweep figures of docs/performance.md ("Sweeps:
# threads, shards, merge"). Prints one line per measurement: the command's
# wall, user and system seconds and peak RSS (/usr/bin/time). Not a test:
# it asserts nothing about time. Run it on an idle machine for the wall
# figures; on a shared one the CPU times (user + sys) are what hold.
#   FAULTLINE=build/cli/faultline sh tests/bench/sweep.sh [all|speedup|memory|merge|big]
#   big      1,000 replicas of llama3-16k with -j 2
#   speedup  200 replicas with -j 1 and -j 2, interleaved A/B/A/B/A/B
#   memory   -j 1 with N and 4N replicas of a 2-day llama3-16k (N=200, or
#            MEMORY_N): peak RSS of each and their ratio (flat: ~1)
#   merge    100 shards of 10 replicas each (2-day llama3-16k), then
#            faultline merge of the 100 folders, three times
set -eu
: "${FAULTLINE:=build/cli/faultline}"
what=${1:-all}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_GNUPLOT=/nonexistent/gnuplot
S=scenarios/llama3-16k.lua
t () { # label command...
  label=$1; shift
  /usr/bin/time -f "$label wall=%e user=%U sys=%S maxrss_kb=%M" "$@" > /dev/null 2>> "$tmp/time.log"
  tail -1 "$tmp/time.log"
}
if [ "$what" = all ] || [ "$what" = big ]; then
  t "big-j2" "$FAULTLINE" sweep $S --seeds 1-1000 -j 2 -q -o "$tmp/big"
  rm -rf "$tmp/big"
fi
if [ "$what" = all ] || [ "$what" = speedup ]; then
  for r in 1 2 3; do
    for j in 1 2; do
      t "speedup-j$j-round$r" "$FAULTLINE" sweep $S --seeds 1-200 -j $j -q -o "$tmp/s$j"
      rm -rf "$tmp/s$j"
    done
  done
fi
if [ "$what" = all ] || [ "$what" = memory ]; then
  n1=${MEMORY_N:-200}
  for n in $n1 $((4 * n1)); do
    t "memory-j1-runs$n" "$FAULTLINE" sweep $S --seeds 1-$n --set days=2 -j 1 -q -o "$tmp/m$n"
    rm -rf "$tmp/m$n"
  done
  tail -2 "$tmp/time.log" | sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' |
    { read a; read b; echo "memory-ratio runs=$n1,$((4 * n1)) maxrss_kb=$a,$b ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')"; }
fi
if [ "$what" = all ] || [ "$what" = merge ]; then
  k=1
  while [ $k -le 100 ]; do
    "$FAULTLINE" sweep $S --seeds 1-1000 --set days=2 -j 2 -q --shard $k/100 \
      -o "$tmp/shards/shard-$k" > /dev/null
    k=$((k + 1))
  done
  for r in 1 2 3; do
    t "merge-100x10-round$r" "$FAULTLINE" merge -q -o "$tmp/merged" "$tmp"/shards/shard-*
    rm -rf "$tmp/merged"
  done
fi
