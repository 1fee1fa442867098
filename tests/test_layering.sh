#!/bin/sh
# tests/test_layering.sh - the dependency direction is the architecture:
# sim/ and policy/ include nothing of ours from other layers; models/ never
# includes lua/ or lib/. Fails naming the offending line.
root=${1:-.}
status=0
check () { # dir, forbidden-regex
  hits=$(grep -nE "#[[:space:]]*include[[:space:]]*\"[^\"]*\"" "$root/$1"/*.[ch] 2>/dev/null |
         grep -E "$2")
  if [ -n "$hits" ]; then
    echo "layering violation in $1/:"; echo "$hits"; status=1
  fi
}
# sim/ may include only its own headers.
for f in "$root"/sim/*.[ch]; do
  grep -nE '#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    hdr=$(echo "$line" | sed -E 's/.*"([^"]*)".*/\1/')
    [ -f "$root/sim/$hdr" ] || { echo "sim/ includes non-sim header: $f:$line"; exit 1; }
  done || status=1
done
for f in "$root"/policy/*.[ch]; do
  grep -nE '#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    hdr=$(echo "$line" | sed -E 's/.*"([^"]*)".*/\1/')
    [ -f "$root/policy/$hdr" ] || { echo "policy/ includes non-policy header: $f:$line"; exit 1; }
  done || status=1
done
check models '"(runtime|sandbox|api|faultline|results|cli)\.h"'
if [ $status -eq 0 ]; then echo "1..1"; echo "ok 1 - layering"; fi
exit $status
