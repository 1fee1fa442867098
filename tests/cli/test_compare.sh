#!/bin/sh
# tests/cli/test_compare.sh - exit codes of `faultline compare` on the
# hand-made pairs of tests/data/compare/: 0 within tolerance or improved,
# 1 regression, 2 bad input (with a message naming the file or option).
# The decision logic itself is tested in tests/output/test_compare.c.
D="$FL_SOURCE_DIR/tests/data/compare"
T=${TMPDIR:-/tmp}/fl-cmp-sh.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
n=0
fails=0
check () { # description expected-status command...
  desc=$1; want=$2; shift 2
  n=$((n + 1))
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  if [ "$got" -eq "$want" ]; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc (exit $got, expected $want)"
    sed 's/^/# /' "$T/err"
    fails=$((fails + 1))
  fi
}
# stderr of the last check must contain $1
check_err () {
  n=$((n + 1))
  if grep -q -- "$1" "$T/err"; then echo "ok $n - message names $1"
  else echo "not ok $n - message names $1"; sed 's/^/# /' "$T/err"; fails=$((fails + 1)); fi
}
echo "1..22"
F=$FAULTLINE
check "identical runs" 0 $F compare "$D/baseline.json" "$D/baseline.json"
check "within tolerance" 0 $F compare "$D/baseline.json" "$D/within.json"
check "improvement" 0 $F compare "$D/baseline.json" "$D/improved.json"
check "regression" 1 $F compare "$D/baseline.json" "$D/regression.json"
n=$((n + 1))
if grep -q "^ettr .*REGRESSION" "$T/out"; then echo "ok $n - table marks ettr"
else echo "not ok $n - table marks ettr"; fails=$((fails + 1)); fi
check "regression, loosened" 0 $F compare "$D/baseline.json" "$D/regression.json" --tolerance ettr=3 -t lost_gpu_hours=20
check "improvement swapped is a regression" 1 $F compare "$D/improved.json" "$D/baseline.json"
check "replicas: noisy within CI" 0 $F compare "$D/replicas-base.json" "$D/replicas-noisy.json"
check "replicas: clearly worse" 1 $F compare "$D/replicas-base.json" "$D/replicas-worse.json"
check "--json with regression" 1 $F compare --json "$D/baseline.json" "$D/regression.json"
n=$((n + 1))
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["regression"] is True else 1)' "$T/out"
then echo "ok $n - --json output parses and says regression"
else echo "not ok $n - --json output parses and says regression"; fails=$((fails + 1)); fi
mkdir -p "$T/run"; cp "$D/within.json" "$T/run/summary.json"
check "run folder as candidate" 0 $F compare "$D/baseline.json" "$T/run"
check "malformed JSON" 2 $F compare "$D/baseline.json" "$D/malformed.json"
check_err "malformed.json"
check "no metrics object" 2 $F compare "$D/baseline.json" "$D/nometrics.json"
check "missing metric" 2 $F compare "$D/missing-goodput.json" "$D/baseline.json"
check_err "metrics.goodput"
check "missing file" 2 $F compare "$D/baseline.json" "$T/nope.json"
check "unknown metric in --tolerance" 2 $F compare -t bogus=1 "$D/baseline.json" "$D/within.json"
check_err "bogus"
check "bad --tolerance syntax" 2 $F compare -t ettr "$D/baseline.json" "$D/within.json"
check "one argument" 2 $F compare "$D/baseline.json"
[ "$fails" -eq 0 ]
