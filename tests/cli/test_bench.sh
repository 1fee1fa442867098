#!/bin/sh
# tests/cli/test_bench.sh - `faultline bench ...` end to end: output line
# format, --reference, bad values exit 2. TAP. Sections per benchmark:
# append new checks with `check "description" command...` and bump nothing
# (the plan is printed at the end).
FAULTLINE=${FAULTLINE:-faultline}
n=0
fail=0
check () {
  desc=$1
  shift
  n=$((n + 1))
  if "$@"; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc"
    fail=1
  fi
}

# ---- bench phold ----
KEYS_RE='^name=radix L=200 M=4 events=[0-9][0-9]* seconds=[0-9.][0-9.]* cpu_s=[0-9.][0-9.]* events_per_s=[0-9][0-9]* events_per_cpu_s=[0-9][0-9]* maxrss_kb=[0-9][0-9]*$'
out=$("$FAULTLINE" bench phold --lps 200 --population 4 --end 10 --seed 3)
rc=$?
check "phold exits 0" test "$rc" -eq 0
check "phold prints exactly one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "phold line format" sh -c 'printf "%s\n" "$1" | grep -q "$2"' _ "$out" "$KEYS_RE"
ref=$("$FAULTLINE" bench phold --lps 200 --population 4 --end 10 --seed 3 --reference)
check "phold --reference says name=reference" sh -c 'printf "%s\n" "$1" | grep -q "^name=reference L=200 M=4 events="' _ "$ref"
ev1=$(printf '%s\n' "$out" | sed -n 's/.* events=\([0-9]*\) .*/\1/p')
ev2=$(printf '%s\n' "$ref" | sed -n 's/.* events=\([0-9]*\) .*/\1/p')
check "phold kernel and reference handle the same events ($ev1)" test -n "$ev1" -a "$ev1" = "$ev2"
ev3=$("$FAULTLINE" bench phold --lps 200 --population 4 --end 10 --seed 3 | sed -n 's/.* events=\([0-9]*\) .*/\1/p')
check "phold same seed, same events" test "$ev1" = "$ev3"
heap=$("$FAULTLINE" bench phold --lps 200 --population 4 --end 10 --seed 3 --queue heap)
check "phold --queue heap says name=heap" sh -c 'printf "%s\n" "$1" | grep -q "^name=heap L=200 M=4 events="' _ "$heap"
ev4=$(printf '%s\n' "$heap" | sed -n 's/.* events=\([0-9]*\) .*/\1/p')
check "phold radix and heap handle the same events" test "$ev1" = "$ev4"
ref2=$("$FAULTLINE" bench phold --lps 200 --population 4 --end 10 --seed 3 --queue reference)
check "phold --queue reference is --reference" sh -c 'printf "%s\n" "$1" | grep -q "^name=reference L=200 M=4 events=$2 "' _ "$ref2" "$ev1"

expect_usage () {
  err=$("$FAULTLINE" bench phold "$@" 2>&1 >/dev/null)
  rc=$?
  test "$rc" -eq 2 && printf '%s\n' "$err" | grep -q -- "$WANT"
}
WANT="abc"; check "phold --lps abc exits 2 naming the value" expect_usage --lps abc
WANT="'0'"; check "phold --lps 0 exits 2" expect_usage --lps 0
WANT="-5"; check "phold --population -5 exits 2" expect_usage --population -5
WANT="xyz"; check "phold --end xyz exits 2" expect_usage --end xyz
WANT="'0'"; check "phold --end 0 exits 2" expect_usage --end 0
WANT="1.5"; check "phold --seed 1.5 exits 2" expect_usage --seed 1.5
WANT="bogus"; check "phold unknown option exits 2" expect_usage --bogus
WANT="calendar"; check "phold --queue calendar exits 2 naming it" expect_usage --queue calendar
WANT="contradict"; check "phold --queue heap --reference exits 2" expect_usage --queue heap --reference
help=$("$FAULTLINE" bench phold --help)
check "phold --help shows an example" sh -c 'printf "%s\n" "$1" | grep -q "faultline bench phold --lps"' _ "$help"

# ---- (other benchmarks append here) ----

# bench topo: the line's keys; the radix is chosen when not given.
topo=$("$FAULTLINE" bench topo --gpus 16384)
check "topo line format" sh -c 'printf "%s\n" "$1" | grep -Eq "^name=topo gpus=16384 nodes=2048 radix=64 switches=1280 links=49152 seconds=[0-9.]+ bytes=[0-9]+ bytes_per_gpu=[0-9.]+ maxrss_kb=[0-9]+$"' _ "$topo"
big=$("$FAULTLINE" bench topo --gpus 600000)
check "600k GPUs: radix 128 picked without --radix" sh -c 'printf "%s\n" "$1" | grep -q " radix=128 "' _ "$big"
check "an explicit --radix 64 for 600k GPUs exits 2" sh -c '"$1" bench topo --gpus 600000 --radix 64 2>/dev/null; test $? -eq 2' _ "$FAULTLINE"
check "bench topo without --gpus exits 2" sh -c '"$1" bench topo 2>/dev/null; test $? -eq 2' _ "$FAULTLINE"

echo "1..$n"
exit $fail
