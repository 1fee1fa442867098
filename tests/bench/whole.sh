#!/bin/sh
# tests/bench/whole.sh - whole runs against the past, in one go: builds the
# tree at BASE_COMMIT (default 3a2b334) beside the current build, then runs
# each case with both binaries interleaved (base, new, base, new, ...)
# REPEAT times and prints the medians of user+sys CPU seconds (GNU time;
# a sweep's threads are counted) and their ratio:
#
#   name=fleet-100k base_cpu_s=4.71 new_cpu_s=1.02 speedup=4.62
#
#   tests/bench/whole.sh [BASE_COMMIT]
#
# Cases (CASES, default all, in this order):
#   llama3-16k  faultline run scenarios/llama3-16k.lua
#   fleet-100k  faultline run scenarios/fleet-100k.lua        (a year)
#   fleet-1m    faultline run scenarios/fleet-1m.lua          (a year)
#   sweep       faultline sweep scenarios/llama3-16k.lua --seeds 1-200 --threads 2
# each run with -q --no-plots --no-pcap (runs) or -q (sweep) into a fresh
# temporary folder. Both binaries run the current tree's scenario files.
#
# Environment: FAULTLINE (current binary, default build/cli/faultline),
# REPEAT (default 3), CASES, FLEET1M_DAYS (adds --set days=N to fleet-1m,
# e.g. to keep a session short: the line then says name=fleet-1m-Nd),
# FL_REF_CACHE (default /tmp/faultline-ref: the base build is cached there,
# shared with tests/check_summaries.sh). The raw per-run figures go to
# stderr. Not a unit test: no pass/fail on timing. Exit 2 when it cannot
# run (no git, the base does not build, GNU time missing, a run fails).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:-3a2b334}
cur=${FAULTLINE:-$root/build/cli/faultline}
cache=${FL_REF_CACHE:-/tmp/faultline-ref}
REPEAT=${REPEAT:-3}
CASES=${CASES:-llama3-16k fleet-100k fleet-1m sweep}
TIME=/usr/bin/time

die () { echo "whole: $*" >&2; exit 2; }

[ -x "$TIME" ] || die "GNU time ($TIME) is needed (apt-get install time)"
full=$(git -C "$root" rev-parse --verify -q "$base^{commit}") ||
  die "unknown commit '$base'"
[ -x "$cur" ] || die "no current binary at $cur (build first, or set FAULTLINE)"

refdir=$cache/$full
refbin=$refdir/build/cli/faultline
if [ ! -x "$refbin" ]; then
  echo "# building $base into $refdir" >&2
  rm -rf "$refdir" && mkdir -p "$refdir/src" || die "cannot create $refdir"
  git -C "$root" archive "$full" | tar -x -C "$refdir/src" ||
    die "cannot export $base"
  (meson setup "$refdir/build" "$refdir/src" -Dtests=false >"$refdir/setup.log" 2>&1 &&
     ninja -C "$refdir/build" cli/faultline >"$refdir/build.log" 2>&1) ||
    { rm -rf "$refdir/build"; die "base build failed, see $refdir/*.log"; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/whole.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT INT TERM
cd "$root" || die "cannot enter $root"

median () { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# cpu BINARY CASE: runs the case once, prints user+sys seconds.
cpu () {
  out=$work/out
  rm -rf "$out"
  case $2 in
    llama3-16k|fleet-100k)
      set -- "$1" run "scenarios/$2.lua" -q --no-plots --no-pcap -o "$out" ;;
    fleet-1m*)
      if [ -n "${FLEET1M_DAYS:-}" ]; then
        set -- "$1" run scenarios/fleet-1m.lua -q --no-plots --no-pcap \
          --set "days=$FLEET1M_DAYS" -o "$out"
      else
        set -- "$1" run scenarios/fleet-1m.lua -q --no-plots --no-pcap -o "$out"
      fi ;;
    sweep)
      set -- "$1" sweep scenarios/llama3-16k.lua --seeds 1-200 --threads 2 \
        -q -o "$out" ;;
    *) die "unknown case '$2'" ;;
  esac
  "$TIME" -f "%U %S" -o "$work/time" "$@" >"$work/log" 2>&1 ||
    { sed 's/^/# /' "$work/log" >&2; die "failed: $*"; }
  awk '{printf "%.2f\n", $1 + $2}' "$work/time"
}

for c in $CASES; do
  name=$c
  [ "$c" = fleet-1m ] && [ -n "${FLEET1M_DAYS:-}" ] && name=fleet-1m-${FLEET1M_DAYS}d
  : >"$work/base"
  : >"$work/new"
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    b=$(cpu "$refbin" "$c") || exit 2
    n=$(cpu "$cur" "$c") || exit 2
    echo "# $name run $((i + 1)): base_cpu_s=$b new_cpu_s=$n" >&2
    echo "$b" >>"$work/base"
    echo "$n" >>"$work/new"
    i=$((i + 1))
  done
  mb=$(median <"$work/base")
  mn=$(median <"$work/new")
  awk -v n="$name" -v b="$mb" -v c="$mn" 'BEGIN {
    printf "name=%s base_cpu_s=%.2f new_cpu_s=%.2f speedup=%.2f\n", n, b, c,
           (c > 0 ? b / c : 0) }'
done
