#!/bin/sh
# tests/cli/test_docs.sh - every Lua scenario shown in the docs runs.
#
# What it checks: each ```lua fenced block of README.md and docs/*.md is a
# complete scenario; it is written to a file and run with
#   $FAULTLINE run BLOCK.lua -q --no-plots --no-pcap -o DIR [--set days=2]
# from the source tree's root (so relative paths such as
# tests/data/sample.swf resolve), and must exit 0 and write a summary.json
# with a "metrics" object. `--set days=2` is added when the block declares
# param ("days", ...), to keep long scenarios short.
#
# Conventions for doc writers:
#   ```lua            a complete scenario: run by this test
#   ```lua fragment   an excerpt (placeholders such as `...`): not run,
#                     listed as a TAP comment so nothing is skipped silently
# Any other info string starting with "lua" is an error (a typo would
# otherwise hide a block from the test).
#
# What it is not: a check of the numbers a scenario produces, nor of the
# fenced blocks in other languages. TAP output, one test per block.

set -u
: "${FAULTLINE:?FAULTLINE must be the path of the faultline binary}"
: "${FL_SOURCE_DIR:?FL_SOURCE_DIR must be the source tree}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fl-test-docs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$FL_SOURCE_DIR" || exit 1

# Extract the blocks: one file per block, and an index line per block:
# KIND FILE:LINE PATH   (KIND = run, fragment or bad)
n=0
for doc in README.md docs/*.md; do
  [ -f "$doc" ] || continue
  awk -v doc="$doc" -v dir="$tmp" -v start="$n" '
    BEGIN { n = start; inb = 0 }
    inb && /^```[ \t]*$/ { inb = 0; close (out); next }
    inb { print > out; next }
    /^```[ \t]*lua/ {
      info = $0; sub (/^```[ \t]*/, "", info); sub (/[ \t]+$/, "", info)
      n++
      out = sprintf ("%s/block%03d.lua", dir, n)
      kind = "bad"
      if (info == "lua") kind = "run"
      else if (info == "lua fragment") kind = "fragment"
      printf "%s %s:%d %s\n", kind, doc, NR, out >> (dir "/index")
      printf "" > out
      inb = 1
      next
    }
    END { if (inb) printf "bad %s:unterminated-block %s\n", doc, out >> (dir "/index") }
  ' "$doc"
  n=$( [ -f "$tmp/index" ] && wc -l < "$tmp/index" || echo 0)
  n=$((n + 0))
done

[ -f "$tmp/index" ] || : > "$tmp/index"
runs=$(grep -c '^run ' "$tmp/index")
tests=$(grep -c -v '^fragment ' "$tmp/index")
echo "1..$((tests + 1))"

i=1
if [ "$runs" -gt 0 ]; then
  echo "ok $i - found $runs complete Lua scenarios in the docs"
else
  echo "not ok $i - found no complete Lua scenario in the docs (extractor broken?)"
fi

while read -r kind where path; do
  case $kind in
    fragment)
      echo "# $where: lua fragment, not run"
      continue ;;
    bad)
      i=$((i + 1))
      echo "not ok $i - $where: unknown info string (use \`\`\`lua or \`\`\`lua fragment)"
      continue ;;
  esac
  i=$((i + 1))
  out="$path.out"
  set -- run "$path" -q --no-plots --no-pcap -o "$out"
  if grep -q 'param *( *"days"' "$path"; then
    set -- "$@" --set days=2
  fi
  "$FAULTLINE" "$@" > "$path.log" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && [ -s "$out/summary.json" ] \
     && grep -q '"metrics"' "$out/summary.json"; then
    echo "ok $i - $where runs"
  else
    echo "not ok $i - $where: exit $rc, summary.json $( [ -s "$out/summary.json" ] && echo present || echo missing)"
    sed 's/^/#   /' "$path.log" | head -n 5
  fi
done < "$tmp/index"
