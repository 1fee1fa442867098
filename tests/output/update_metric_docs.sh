#!/bin/sh
# tests/output/update_metric_docs.sh GEN SRCDIR - rewrites what is generated
# from the metric table (lib/metrictab.c): docs/summary.schema.json whole,
# and the parts of docs/results.md and docs/ci.md between the lines
# "<!-- BEGIN generated: metric-docs NAME -->" and "<!-- END generated -->".
# Run it as `ninja -C build docs-metrics`; test_metrictab fails until the
# files agree with the table.
set -eu
gen=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" schema >"$tmp/schema.json"
cp "$tmp/schema.json" "$src/docs/summary.schema.json"
for pair in results:results.md ci:ci.md; do
  name=${pair%%:*}
  file=$src/docs/${pair#*:}
  "$gen" "$name" >"$tmp/$name.md"
  awk -v begin="<!-- BEGIN generated: metric-docs $name -->" -v part="$tmp/$name.md" '
    $0 == begin { print; while ((getline l < part) > 0) print l; skip = 1; next }
    skip && /^<!-- END generated -->$/ { skip = 0 }
    !skip { print }
  ' "$file" >"$tmp/out"
  grep -q "^<!-- BEGIN generated: metric-docs $name -->" "$file" \
    || { echo "$file: no BEGIN generated: metric-docs $name line" >&2; exit 1; }
  cp "$tmp/out" "$file"
done
