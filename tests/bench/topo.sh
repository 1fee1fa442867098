#!/bin/sh
# tests/bench/topo.sh - the `faultline bench topo` series recorded in
# docs/performance.md (## Topology build): 10k, 100k and 1M GPUs, each run
# three times (report the median). Prints one key=value line per run. Not
# a test: it asserts nothing about time.
#   FAULTLINE=build/cli/faultline sh tests/bench/topo.sh
# Radix 64 holds 8,192 nodes (65,536 GPUs) in one 3-tier fabric and
# 65,536 nodes (524,288 GPUs) as 8 per-rail 3-tier planes, so 10k is one
# fabric, 100k is 8 planes with the defaults, and 1M needs radix 128
# (8 planes of 3,907 leaves each), which bench topo picks by itself.
set -eu
: "${FAULTLINE:=build/cli/faultline}"
for args in "--gpus 10000" "--gpus 100000" "--gpus 1000000"; do
  for run in 1 2 3; do
    # shellcheck disable=SC2086
    "$FAULTLINE" bench topo $args
  done
done
