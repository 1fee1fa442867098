#!/bin/sh
# tests/fuzz/run_fuzz.sh HARNESS CORPUS RUNS [LIBFUZZER FLAGS...] - runs one
# libFuzzer harness for RUNS executions from the committed seed corpus
# CORPUS (every committed input first: the seeds and the kept crashers are
# regression inputs), with a fixed -seed so a CI run is reproducible. New
# inputs and crash artifacts go to a temporary folder, never into the
# source tree; a crash prints the input (base64) so it can be kept as a
# regression input under CORPUS. Exit status: libFuzzer's (0 = no crash).
set -u
harness=$1; corpus=$2; runs=$3; shift 3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fl-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/new"
"$harness" -runs="$runs" -seed=1 -max_len=8192 -timeout=60 -rss_limit_mb=2048 \
  -artifact_prefix="$tmp/" -print_final_stats=1 "$@" "$tmp/new" "$corpus"
rc=$?
for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
  [ -f "$a" ] || continue
  echo "# artifact $(basename "$a") (base64):"
  base64 "$a"
done
exit $rc
