#!/bin/sh
# tests/golden/run_golden.sh - golden summary.json files (TAP), and their
# regeneration.
#
#   run_golden.sh            compare: each run of golden.list against NAME.summary.json
#   run_golden.sh --update   rewrite NAME.summary.json from the current build
#
# A golden file pins a result bit for bit, so that a refactor cannot change
# one unnoticed (tests/check_summaries.sh compares whole scenarios against
# an older commit, but needs a second build; this needs none). A change
# that alters results ON PURPOSE regenerates them with --update, in the same
# commit, whose message says which results changed and why.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
here=$FL_SOURCE_DIR/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$FL_SOURCE_DIR/tests/tap.sh"
update=0
[ "${1:-}" = --update ] && update=1

grep -v '^#' "$here/golden.list" | while read -r name scenario days; do
  [ -n "$name" ] || continue
  echo "$name $scenario $days"
done > "$tmp/list"
[ -s "$tmp/list" ] || { echo "Bail out! golden.list lists no run"; exit 2; }
plan "$(wc -l < "$tmp/list")"
while read -r name scenario days; do
  out=$tmp/$name
  if ! "$FAULTLINE" run "$FL_SOURCE_DIR/$scenario" --seed 7 --no-wall-seconds -q \
       --no-plots --no-pcap --set "days=$days" -o "$out" 2> "$tmp/err"; then
    not_ok "$name: $scenario --set days=$days runs"
    diag < "$tmp/err"
    continue
  fi
  if [ $update = 1 ]; then
    cp "$out/summary.json" "$here/$name.summary.json" && ok "$name: updated"
  elif cmp -s "$out/summary.json" "$here/$name.summary.json"; then
    ok "$name: summary.json byte-identical to tests/golden/$name.summary.json"
  else
    not_ok "$name: summary.json differs from tests/golden/$name.summary.json"
    diff "$here/$name.summary.json" "$out/summary.json" | head -20 | diag
    echo "# if the change is on purpose: tests/golden/run_golden.sh --update (see its header)"
  fi
done < "$tmp/list"
tap_done
