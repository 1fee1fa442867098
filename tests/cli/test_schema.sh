#!/bin/sh
# tests/cli/test_schema.sh - every summary.json faultline writes validates
# against the published docs/summary.schema.json, checked by a real JSON
# Schema 2020-12 validator (python3-jsonschema): a run's summary, and each
# point summary of a sweep (metrics are means, with "replicas"); and the
# validator does reject a broken one of each shape, so the checks can fail.
# The schema itself is generated from the metric table (test_metrictab).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
echo "1..8"

cat > "$tmp/validate.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(path))):
        print("# %s: %s: %s" % (path, "/".join(map(str, e.absolute_path)), e.message))
        bad += 1
sys.exit(1 if bad else 0)
PY
schema="$FL_SOURCE_DIR/docs/summary.schema.json"
valid () { python3 "$tmp/validate.py" "$schema" "$@"; }

cat > "$tmp/s.lua" <<'LUA'
cluster { nodes = 36, spares = 4 }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 32, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (2), sample_every = hours (1) }
LUA
if "$FAULTLINE" run "$tmp/s.lua" -q --no-plots --no-pcap -o "$tmp/run" \
   && valid "$tmp/run/summary.json"; then
  ok "a run's summary.json validates"
else
  not_ok "a run's summary.json validates"
fi
"$FAULTLINE" run "$tmp/s.lua" -q --no-plots --no-pcap --no-wall-seconds \
  --seed 3 -o "$tmp/run3" && valid "$tmp/run3/summary.json" \
  && ok "with wall_seconds null" || not_ok "with wall_seconds null"

if "$FAULTLINE" sweep "$tmp/s.lua" --seeds 1-3 --grid rate_scale=20,40 \
     -o "$tmp/sw" > /dev/null 2>&1; then
  set -- "$tmp"/sw/*/summary.json
  if [ $# -eq 2 ] && valid "$@"; then
    ok "sweep point summaries validate ($#)"
  else
    not_ok "sweep point summaries validate ($#)"
  fi
  set -- "$tmp"/sw/*/seed-*/summary.json
  if [ $# -eq 6 ] && valid "$@"; then ok "sweep replica summaries validate"
  else not_ok "sweep replica summaries validate"; fi
else
  not_ok "sweep ran"; not_ok "sweep ran"
fi

# The validator can fail: a count that is not an integer in a run, a
# missing replicas' metric in a point.
python3 - "$tmp/run/summary.json" "$tmp/bad-run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["metrics"]["interruptions"] = 2.5
json.dump(d, open(sys.argv[2], "w"))
PY
valid "$tmp/bad-run.json" > /dev/null && not_ok "a broken run summary is rejected" \
  || ok "a broken run summary is rejected"
p=$(ls "$tmp"/sw/*/summary.json 2>/dev/null | head -n 1)
python3 - "$p" "$tmp/bad-point.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); del d["replicas"][0]["ettr"]
json.dump(d, open(sys.argv[2], "w"))
PY
valid "$tmp/bad-point.json" > /dev/null && not_ok "a broken point summary is rejected" \
  || ok "a broken point summary is rejected"
# `faultline help metrics` lists exactly the schema's metrics, in order.
"$FAULTLINE" help metrics | awk 'NR > 4 { print $1 }' > "$tmp/help-keys"
python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["$defs"]["metrics"]["required"]))' \
  "$schema" > "$tmp/schema-keys"
if [ -s "$tmp/help-keys" ] && cmp -s "$tmp/help-keys" "$tmp/schema-keys"; then
  ok "help metrics lists the schema's metrics"
else
  not_ok "help metrics lists the schema's metrics"
  diff "$tmp/help-keys" "$tmp/schema-keys" | sed 's/^/# /'
fi
# "scenario" is relative to where the scenario was found: a shipped one
# given by an absolute path into the tree is "scenarios/NAME.lua".
(cd "$tmp" && "$FAULTLINE" run "$FL_SOURCE_DIR/scenarios/spine-failure.lua" \
   --set run.length=1d -q --no-plots --no-pcap -o abs) > /dev/null 2>&1
if grep -q '"scenario": "scenarios/spine-failure.lua"' "$tmp/abs/summary.json"; then
  ok "scenario recorded relative to the scenarios' folder"
else
  not_ok "scenario recorded relative to the scenarios' folder"
fi
[ "$fails" -eq 0 ]
