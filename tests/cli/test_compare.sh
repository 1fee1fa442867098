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
echo "1..46"
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

# The table names the regressed metrics and by how much.
check "regression, table" 1 $F compare "$D/baseline.json" "$D/regression.json"
n=$((n + 1))
if grep -q "^REGRESSION in 2 metrics" "$T/out" && grep -q "^  ettr  .*-2.17%" "$T/out" \
   && grep -q "^  lost_gpu_hours  *+15.0% (20000 -> 23000 GPU-h; tolerance 5%)" "$T/out"
then echo "ok $n - the regressions are named with their change"
else echo "not ok $n - the regressions are named with their change"; sed 's/^/# /' "$T/out"; fails=$((fails + 1)); fi
# Aligned: every row of the table starts its verdict column at the same place.
n=$((n + 1))
w=$(awk '/^metric /{on=1} on && NF==0{exit} on{print length($0) - length($NF)}' "$T/out" | sort -u | wc -l)
if [ "$w" -le 2 ]; then echo "ok $n - columns aligned"
else echo "not ok $n - columns aligned ($w verdict columns)"; fails=$((fails + 1)); fi

# markdown: a table GitHub renders, the regression in bold.
check "--format markdown" 1 $F compare -f markdown "$D/baseline.json" "$D/regression.json"
n=$((n + 1))
if head -1 "$T/out" | grep -q "^### faultline compare: REGRESSION in 2 of " \
   && grep -q '^| \*\*`ettr`\*\* | 92.00 % | 90.00 % | -2.17% | 1% | \*\*REGRESSION\*\* |$' "$T/out" \
   && grep -q '^| --- | ---: |' "$T/out" && grep -q '<details>' "$T/out"
then echo "ok $n - markdown table"
else echo "not ok $n - markdown table"; sed 's/^/# /' "$T/out"; fails=$((fails + 1)); fi
check "--format md, replicas" 0 $F compare --format md "$D/replicas-base.json" "$D/replicas-noisy.json"
n=$((n + 1))
if grep -q "95% CI of change" "$T/out" && grep -q "n=5/5" "$T/out"
then echo "ok $n - markdown shows replicas"
else echo "not ok $n - markdown shows replicas"; fails=$((fails + 1)); fi

# junit: well-formed XML, one test case per metric row, a failure per
# regression, for CI dashboards.
check "--format junit" 1 $F compare -f junit "$D/replicas-base.json" "$D/replicas-worse.json"
cp "$T/out" "$T/junit.xml"
$F compare --json "$D/replicas-base.json" "$D/replicas-worse.json" > "$T/cmp.json"
rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["metrics"]))' "$T/cmp.json")
regs=$(python3 -c 'import json,sys; print(sum(m["verdict"]=="REGRESSION" for m in json.load(open(sys.argv[1]))["metrics"]))' "$T/cmp.json")
n=$((n + 1))
if xmllint --noout "$T/junit.xml" 2>"$T/err"; then echo "ok $n - junit is well-formed XML"
else echo "not ok $n - junit is well-formed XML"; sed 's/^/# /' "$T/err"; fails=$((fails + 1)); fi
n=$((n + 1))
tc=$(xmllint --xpath 'count(/testsuites/testsuite/testcase)' "$T/junit.xml")
fl=$(xmllint --xpath 'count(//testcase/failure)' "$T/junit.xml")
attr=$(xmllint --xpath 'string(/testsuites/testsuite/@failures)' "$T/junit.xml")
name=$(xmllint --xpath 'string(//testcase[failure]/@name)' "$T/junit.xml")
if [ "$tc" = "$rows" ] && [ "$fl" = "$regs" ] && [ "$attr" = "$regs" ] && [ "$regs" -ge 1 ] \
   && [ "$name" = ettr ]; then echo "ok $n - junit: $tc test cases, $fl failure ($name)"
else echo "not ok $n - junit: $tc test cases for $rows rows, $fl failures for $regs"; fails=$((fails + 1)); fi
check "bad --format" 2 $F compare -f yaml "$D/baseline.json" "$D/within.json"
check_err "yaml"

# Different scenarios or parameters: a warning, on stderr, in every format.
python3 - "$D/baseline.json" "$T/other.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["scenario"] = "/elsewhere/scenarios/spares.lua"; d["params"]["spares"] = 128
json.dump(d, open(sys.argv[2], "w"))
PY
check "other scenario and params" 0 $F compare -f junit "$D/baseline.json" "$T/other.json"
n=$((n + 1))
if grep -q "warning: the runs come from different scenarios (baseline llama3-16k.lua, candidate spares.lua)" "$T/err" \
   && grep -q "different parameters (spares 64 -> 128)" "$T/err" && grep -q "<system-err>warning" "$T/out"
then echo "ok $n - warns about other scenario and params"
else echo "not ok $n - warns about other scenario and params"; sed 's/^/# /' "$T/err"; fails=$((fails + 1)); fi
check "same scenario from another checkout" 0 $F compare "$D/baseline.json" "$D/within.json"
n=$((n + 1))
if grep -q "warning" "$T/out" "$T/err"; then echo "not ok $n - no warning for the same run"; fails=$((fails + 1))
else echo "ok $n - no warning for the same run"; fi

# docs/ci.md's GitHub Actions example: it installs every package a build
# without tests needs (bootstrap.sh's build list, less cmocka), and its
# faultline steps work as written (on 3 seeds instead of 10).
CI="$FL_SOURCE_DIR/docs/ci.md"
pkgs=$(sed -n 's/^build_pkgs="\(.*\)"/\1/p' "$FL_SOURCE_DIR/cli/bootstrap.sh")
apt=$(awk '/^## GitHub Actions/{on=1} on && /apt-get install/{grab=1} grab{print} grab && !/\\$/{exit}' "$CI")
missing=""
for p in $pkgs; do
  [ "$p" = libcmocka-dev ] && continue
  echo "$apt" | tr ' ' '\n' | grep -qx "$p" || missing="$missing $p"
done
n=$((n + 1))
if [ -n "$pkgs" ] && [ -z "$missing" ]; then echo "ok $n - ci.md installs every build package"
else echo "not ok $n - ci.md installs every build package (missing:$missing)"; fails=$((fails + 1)); fi
n=$((n + 1))
if grep -q -- "--seeds 1-10 -o out/main" "$CI" && grep -q -- "--seeds 1-10 -o out/pr" "$CI"
then echo "ok $n - ci.md's example uses several seeds"
else echo "not ok $n - ci.md's example uses several seeds"; fails=$((fails + 1)); fi
mkdir -p "$T/ci"
$F sweep "$FL_SOURCE_DIR/scenarios/spine-failure.lua" --seeds 1-3 -o "$T/ci/main" >/dev/null 2>&1
$F sweep "$FL_SOURCE_DIR/scenarios/spine-failure.lua" --seeds 1-3 -o "$T/ci/pr" >/dev/null 2>&1
check "ci.md's compare of two sweeps, markdown" 0 $F compare "$T/ci/main/base" "$T/ci/pr/base" --format markdown
check "ci.md's compare of two sweeps, junit" 0 $F compare "$T/ci/main/base" "$T/ci/pr/base" --format junit
# Two sweep folders: markdown has a section, junit a testsuite per point.
check "two sweep folders, junit" 0 $F compare "$T/ci/main" "$T/ci/pr" --format junit
n=$((n + 1))
if xmllint --noout "$T/out" && [ "$(xmllint --xpath 'count(//testsuite)' "$T/out")" = 1 ] \
   && [ "$(xmllint --xpath 'string(//testsuite/@name)' "$T/out")" = "faultline compare base" ] \
   && [ "$(xmllint --xpath 'count(//testcase[@classname="faultline.compare.base"][@name="ettr"])' "$T/out")" = 1 ]
then echo "ok $n - sweep junit: a testsuite per point"
else echo "not ok $n - sweep junit: a testsuite per point"; sed 's/^/# /' "$T/out" | head -20; fails=$((fails + 1)); fi
check "two sweep folders, markdown" 0 $F compare "$T/ci/main" "$T/ci/pr" --format markdown
n=$((n + 1))
if head -1 "$T/out" | grep -q "no regression at any of 1 sweep points" && grep -q '^#### point `base`' "$T/out"
then echo "ok $n - sweep markdown: a section per point"
else echo "not ok $n - sweep markdown: a section per point"; fails=$((fails + 1)); fi
[ "$fails" -eq 0 ]
