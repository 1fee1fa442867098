#!/bin/sh
# tests/cli/test_hugepages.sh - the binary starts itself again once with
# GLIBC_TUNABLES=...glibc.malloc.hugetlb=1 (cli/main.c, docs/cli.md
# "Environment"), keeps a user's tunables, never loops, and changes no
# result. Watches execve with strace (cli/bootstrap.sh installs it). TAP.
FAULTLINE=${FAULTLINE:-faultline}
. "$(dirname "$0")/../tap.sh"
if ! command -v strace >/dev/null 2>&1 || ! strace -f -o /dev/null true 2>/dev/null; then
  echo "1..0 # SKIP strace missing or not permitted (cli/bootstrap.sh installs it)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What to expect here: glibc >= 2.35 and a THP mode other than [never].
expect=1
v=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/^glibc //')
case $v in
  2.[0-9]|2.[0-2][0-9]|2.3[0-4]|'') expect=0 ;;
esac
grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && expect=0
[ -r /sys/kernel/mm/transparent_hugepage/enabled ] || expect=0

# execs CMD...: runs CMD under strace; k = its execve calls, rc = its status.
# LeakSanitizer cannot run under ptrace: no leak check inside strace.
execs () {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=execve -v -s 1000 -o "$tmp/trace" "$@" >"$tmp/out" 2>&1
  rc=$?
  k=$(grep -c 'execve(' "$tmp/trace")
}

unset GLIBC_TUNABLES
execs "$FAULTLINE" --version
check_that "--version exits 0 and prints the version" test "$rc" -eq 0 -a -n "$(grep '^faultline ' "$tmp/out")"
if [ "$expect" = 1 ]; then
  check_that "one re-exec of the binary itself (2 execve, got $k)" test "$k" -eq 2
  check_that "the re-exec adds glibc.malloc.hugetlb=1 and top_pad" \
    grep -q 'execve("[^"]*/faultline".*GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"' "$tmp/trace"
  GLIBC_TUNABLES=glibc.malloc.check=0 execs "$FAULTLINE" --version
  unset GLIBC_TUNABLES # dash keeps an assignment made before a function
  check_that "a user's tunables are kept and the new ones appended" \
    grep -q 'GLIBC_TUNABLES=glibc.malloc.check=0:glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"' "$tmp/trace"
  GLIBC_TUNABLES=glibc.malloc.top_pad=4096 execs "$FAULTLINE" --version
  unset GLIBC_TUNABLES
  check_that "a user's top_pad is not overridden" \
    grep -q 'GLIBC_TUNABLES=glibc.malloc.top_pad=4096:glibc.malloc.hugetlb=1"' "$tmp/trace"
else
  check_that "no re-exec without glibc >= 2.35 and THP (1 execve, got $k)" test "$k" -eq 1
fi
GLIBC_TUNABLES=glibc.malloc.hugetlb=0 execs "$FAULTLINE" --version
unset GLIBC_TUNABLES
check_that "no re-exec when the user set glibc.malloc.hugetlb (1 execve, got $k)" test "$k" -eq 1

# Exit status and stderr pass through the re-exec.
execs "$FAULTLINE" run "$tmp/nosuch.lua"
check_that "a bad scenario still exits 2 after the re-exec (rc $rc)" test "$rc" -eq 2
check_that "and names the file" grep -q 'nosuch.lua' "$tmp/out"

# The same results with and without huge pages.
sc=${FL_SOURCE_DIR:-.}/scenarios/llama3-16k.lua
"$FAULTLINE" run "$sc" --seed 3 --set days=3 -q --no-plots --no-pcap --no-wall-seconds -o "$tmp/a"
ra=$?
GLIBC_TUNABLES=glibc.malloc.hugetlb=0 "$FAULTLINE" run "$sc" --seed 3 --set days=3 -q --no-plots \
  --no-pcap --no-wall-seconds -o "$tmp/b"
rb=$?
check_that "both runs exit 0" test "$ra" -eq 0 -a "$rb" -eq 0
check_that "summary.json byte-identical with and without huge pages" cmp -s "$tmp/a/summary.json" "$tmp/b/summary.json"
check_that "jobs.csv byte-identical with and without huge pages" cmp -s "$tmp/a/jobs.csv" "$tmp/b/jobs.csv"
tap_done
