#!/bin/sh
# tests/check_summaries.sh - the refactor guard: every shipped scenario's
# summary.json (seed 7, --no-wall-seconds) from the current build must be
# byte-identical to the one a reference commit's build writes.
#
#   tests/check_summaries.sh [REF_COMMIT]          (default 93df714)
#
# The reference tree is exported with `git archive` and built once into
# $FL_REF_CACHE/COMMIT (default /tmp/faultline-ref); its summaries are cached
# there too (keyed by the scenario file's content), so later calls only run
# the current build. The current binary is
# $FAULTLINE, or build/cli/faultline under the source root. Prints one line per
# scenario; exits 0 when all match, 1 on any difference, 2 when it cannot run
# (no git, the reference does not build, a scenario fails to run).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
ref=${1:-93df714}
cur=${FAULTLINE:-$root/build/cli/faultline}
cache=${FL_REF_CACHE:-/tmp/faultline-ref}

die () { echo "check_summaries: $*" >&2; exit 2; }

full=$(git -C "$root" rev-parse --verify -q "$ref^{commit}") ||
  die "unknown commit '$ref'"
[ -x "$cur" ] || die "no current binary at $cur (build first, or set FAULTLINE)"

refdir=$cache/$full
refbin=$refdir/build/cli/faultline
if [ ! -x "$refbin" ]; then
  echo "# building reference $ref into $refdir" >&2
  rm -rf "$refdir" && mkdir -p "$refdir/src" || die "cannot create $refdir"
  git -C "$root" archive "$full" | tar -x -C "$refdir/src" ||
    die "cannot export $ref"
  (meson setup "$refdir/build" "$refdir/src" -Dtests=false >"$refdir/setup.log" 2>&1 &&
     ninja -C "$refdir/build" cli/faultline >"$refdir/build.log" 2>&1) ||
    { rm -rf "$refdir/build"; die "reference build failed, see $refdir/*.log"; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check-summaries.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT INT TERM

run () { # binary scenario outdir
  "$1" run "$2" --seed 7 --no-wall-seconds -q --no-plots -o "$3" >"$3.log" 2>&1
}

cd "$root" || die "cannot enter $root"
status=0
n=0
for s in "$root"/scenarios/*.lua; do
  name=$(basename "$s" .lua)
  # fleet-1m (a year of a million GPUs, minutes of CPU per build) is the
  # size benchmark of tests/bench/whole.sh, not a guard scenario.
  [ "$name" = fleet-1m ] && continue
  # A scenario the reference commit does not have (it may use an API the
  # reference lacks) has nothing to be compared with: said, not counted.
  if ! git -C "$root" cat-file -e "$full:scenarios/$name.lua" 2>/dev/null; then
    echo "new   $name (not in $ref: nothing to compare)"
    continue
  fi
  n=$((n + 1))
  # Both builds run today's scenario file by the same relative path (the path
  # is echoed in summary.json); the cache is keyed by the file's content.
  rel=scenarios/$name.lua
  sum=$(cksum <"$s" | tr ' ' '-')
  want=$refdir/summaries/$name-$sum.json
  if [ ! -f "$want" ]; then
    mkdir -p "$refdir/summaries"
    run "$refbin" "$rel" "$work/ref-$name" ||
      { cat "$work/ref-$name.log" >&2; die "reference failed on $name"; }
    cp "$work/ref-$name/summary.json" "$want.tmp" && mv "$want.tmp" "$want"
  fi
  if ! run "$cur" "$rel" "$work/cur-$name"; then
    cat "$work/cur-$name.log" >&2
    echo "FAIL  $name (the current build failed to run it)"; status=1; continue
  fi
  if cmp -s "$want" "$work/cur-$name/summary.json"; then
    echo "same  $name"
  else
    echo "DIFF  $name"
    diff "$want" "$work/cur-$name/summary.json" | head -20 | sed 's/^/      /'
    status=1
  fi
done
[ "$n" -gt 0 ] || die "no scenarios under $root/scenarios"
if [ $status -eq 0 ]; then
  echo "all $n summaries byte-identical to $ref"
fi
exit $status
