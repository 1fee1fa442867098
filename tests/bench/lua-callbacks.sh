#!/bin/sh
# tests/bench/lua-callbacks.sh - what a Lua callback on every failure and
# job interruption costs a run: fleet-100k (100,000 GPUs, one year) with and
# without scripting, each REPEAT times, medians and their ratio.
# Usage: tests/bench/lua-callbacks.sh [build/cli/faultline]
set -eu
fl=${1:-build/cli/faultline}
repeat=${REPEAT:-3}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median () { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for cb in false true; do
  for i in $(seq "$repeat"); do
    "$fl" run "$here/scenarios/fleet-100k.lua" -q --no-plots --no-pcap \
      -o "$tmp/run" --set callbacks=$cb >/dev/null
    python3 -c "import json; print(json.load(open('$tmp/run/summary.json'))['wall_seconds'])"
  done | median > "$tmp/cb-$cb"
  echo "callbacks=$cb wall_seconds_median=$(cat "$tmp/cb-$cb")"
done
awk -v a="$(cat "$tmp/cb-false")" -v b="$(cat "$tmp/cb-true")" \
  'BEGIN { printf "ratio with/without callbacks = %.3f\n", b / a }'
