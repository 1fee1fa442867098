#!/bin/sh
# tests/bench/sweep.sh - the sweep figures of docs/performance.md ("Sweeps:
# threads, shards, merge"). Prints one line per measurement: the command's
# wall, user and system seconds and peak RSS (/usr/bin/time). Not a test:
# it asserts nothing about time. Run it on an idle machine for the wall
# figures; on a shared one the CPU times (user + sys) are what hold.
#   FAULTLINE=build/cli/faultline sh tests/bench/sweep.sh [all|speedup|memory|merge|big]
#   big      1,000 replicas of llama3-16k with -j 2
#   speedup  200 replicas with -j 1 and -j 2, interleaved A/B/A/B/A/B
#   memory   -j 1 with 50, 200 and 800 replicas of a 2-day llama3-16k:
#            peak RSS against the number of runs
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
  for n in 50 200 800; do
    t "memory-j1-runs$n" "$FAULTLINE" sweep $S --seeds 1-$n --set days=2 -j 1 -q -o "$tmp/m$n"
    rm -rf "$tmp/m$n"
  done
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
