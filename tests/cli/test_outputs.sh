#!/bin/sh
# tests/cli/test_outputs.sh - an -o never replaces what the user did not
# ask to replace (issue 11, item 7; docs/cli.md "Output folders and files").
#
# Refused with exit 2, naming the path, and leaving it byte for byte as it
# was: report -o a file that is not a faultline report (RUN/summary.json
# above all), run -o a non-empty folder that is not a run folder, and run
# or sweep -o a folder another process is writing (it holds flock(2) on
# the folder or on its DIR.partial-PID staging folder; flock(1) plays that
# process here). Allowed, exit 0: replacing an earlier report or run.
# Prints TAP.
set -u
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
F=$FAULTLINE
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../tap.sh"
# snap DIR: a fingerprint of every file's path and content under DIR
snap () { (cd "$1" && find . -type f | LC_ALL=C sort | xargs cksum 2>/dev/null; find . | LC_ALL=C sort) | cksum; }
# refused DESC PATTERN WATCHED CMD...: exit 2, stderr matches PATTERN,
# WATCHED (a folder) unchanged
refused () {
  desc=$1; pat=$2; watched=$3; shift 3
  before=$(snap "$watched")
  "$@" > "$T/out" 2> "$T/err"
  rc=$?
  after=$(snap "$watched")
  if [ "$rc" -eq 2 ] && grep -Eq -- "$pat" "$T/err" && [ "$before" = "$after" ]; then
    ok "$desc"
  else
    not_ok "$desc (exit $rc, changed: $([ "$before" = "$after" ] && echo no || echo yes))"
    sed 's/^/#   /' "$T/err" | head -3
  fi
}

echo "1..10"

cp -R "$FL_SOURCE_DIR/tests/data/run-sample" "$T/rs"
refused "report -o RUN/summary.json is refused, the summary kept" \
  "summary.json exists and is not a faultline report" "$T/rs" \
  $F report "$T/rs" --no-plots -o "$T/rs/summary.json"
mkdir "$T/mine"; echo "my notes" > "$T/mine/notes.html"
refused "report -o a user's own file is refused" \
  "notes.html exists and is not a faultline report" "$T/mine" \
  $F report "$T/rs" --no-plots -o "$T/mine/notes.html"

$F report "$T/rs" --no-plots -o "$T/r.html" 2> "$T/err" \
  && $F report "$T/rs" --no-plots -o "$T/r.html" 2>> "$T/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'content="faultline report"' "$T/r.html"; then
  ok "report -o an earlier report replaces it (exit 0)"
else
  not_ok "report -o an earlier report (exit $rc)"
fi

cat > "$T/tiny.lua" <<'EOF'
cluster { gpus = 64 }
failures { source = "none" }
run { length = days (1) }
EOF
R="run $T/tiny.lua -q --no-plots --no-pcap"
refused "run -o a non-empty folder that is not a run folder" \
  "mine: the folder exists, is not empty and is not a faultline run folder" \
  "$T/mine" $F $R -o "$T/mine"

$F $R -o "$T/run1" 2> "$T/err" && $F $R --seed 2 -o "$T/run1" 2>> "$T/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '"seed": 2' "$T/run1/summary.json"; then
  ok "run -o an earlier run folder replaces its files (exit 0)"
else
  not_ok "run -o an earlier run folder (exit $rc)"
fi

refused "run -o a folder another process holds locked" \
  "run1' is being written by another faultline process" "$T/run1" \
  flock -n "$T/run1" $F $R --seed 3 -o "$T/run1"
if [ -z "$(ls -d "$T"/run1.partial-* 2>/dev/null)" ]; then
  ok "the refused run left no staging folder"
else
  not_ok "the refused run left $(ls -d "$T"/run1.partial-*)"
fi

# A new folder whose staging folder another live writer holds.
mkdir -p "$T/w/new.partial-1"
refused "run -o a new folder another process is staging" \
  "new' is being written by another faultline process" "$T/w" \
  flock -n "$T/w/new.partial-1" $F $R -o "$T/w/new"

cat > "$T/sw.lua" <<'EOF'
cluster { gpus = 64 }
failures { source = "llama3", scale = 20 }
run { length = days (1) }
EOF
mkdir "$T/sw"
refused "sweep -o a folder another process holds locked" \
  "sw' is being written by another faultline" "$T/sw" \
  flock -n "$T/sw" $F sweep "$T/sw.lua" --seeds 1 -q -o "$T/sw"
refused "run -o a sweep folder being written" \
  "sw' is being written by another faultline process" "$T/sw" \
  flock -n "$T/sw" $F $R -o "$T/sw"
exit $failed
