#!/bin/sh
# tests/bench/topo.sh - the `faultline bench topo` series recorded in
# docs/performance-topo.md: 10k, 100k and 1M GPUs. Prints one key=value
# line per size. Not a test: it asserts nothing about time.
#   FAULTLINE=build/cli/faultline sh tests/bench/topo.sh
# Radix 64 holds at most 65,536 GPUs in 3 non-blocking tiers (8 rails, SUs
# of 32), so the larger sizes use radix 128 (100k) and 256 (1M).
set -eu
: "${FAULTLINE:=build/cli/faultline}"
"$FAULTLINE" bench topo --gpus 10000
"$FAULTLINE" bench topo --gpus 65536
"$FAULTLINE" bench topo --gpus 100000 --radix 128
"$FAULTLINE" bench topo --gpus 1000000 --radix 256
