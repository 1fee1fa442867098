#!/bin/sh
# tests/test_exports.sh - libfaultline.so exports exactly its public API:
# every symbol it defines for the dynamic linker is a function declared
# FL_API in faultline.h, and every such function is exported. Fails naming
# the extra or missing symbols. Usage: test_exports.sh LIBFAULTLINE.so FAULTLINE.h
lib=$1
hdr=$2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
command -v nm >/dev/null || { echo "Bail out! nm not found"; exit 2; }
# The linker defines _init/_fini/_edata/_end/__bss_start, and __start_X /
# __stop_X for every section X a tool adds (the fuzz build's sancov
# counters): none of them is code of ours.
nm -D --defined-only "$lib" | awk '{ print $3 }' |
  grep -vE '^(_init|_fini|_edata|_end|__bss_start|__(start|stop)___sancov_[a-z_]+)$' |
  sort -u >"$tmp/exported"
grep -oE 'FL_API[^(]*[^a-z_0-9](fl_[a-z_0-9]+) \(' "$hdr" |
  sed -E 's/.*[^a-z_0-9](fl_[a-z_0-9]+) \($/\1/' | sort -u >"$tmp/declared"
echo "1..3"
n=$(wc -l <"$tmp/declared")
if [ "$n" -gt 0 ]; then echo "ok 1 - faultline.h declares $n FL_API functions"
else echo "not ok 1 - no FL_API function found in $hdr"; fi
# The public API, one name a line (the test log lists what is exported).
sed 's/^/#   /' "$tmp/declared"
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
if [ -z "$extra" ]; then echo "ok 2 - nothing exported beyond the public API"
else echo "not ok 2 - exported but not public:"; echo "$extra" | head -40 | sed 's/^/#   /'; fi
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -z "$missing" ]; then echo "ok 3 - every public function is exported"
else echo "not ok 3 - public but not exported:"; echo "$missing" | sed 's/^/#   /'; fi
[ "$n" -gt 0 ] && [ -z "$extra" ] && [ -z "$missing" ]
