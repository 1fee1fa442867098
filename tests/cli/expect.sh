# tests/cli/expect.sh - sourced by the bad-input tests (test_badinput.sh,
# test_hostile.sh): a scratch folder and expect(), which checks the project
# rule for bad input (docs/results.md, cli/cli.h): exit status 2, a first
# stderr line naming the culprit, no sanitizer or GLib report, nothing left
# behind in the folder the command ran in. Prints one TAP line per case.
F="$FAULTLINE"
T=$(mktemp -d); trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
IN="$T/in"; W="$T/w"
mkdir -p "$IN" "$W"
DATA="$FL_SOURCE_DIR/tests/data"
. "$(dirname "$0")/../tap.sh"

# expect DESC PATTERN CMD...: runs CMD in $W; passes when the exit status is
# 2, the first stderr line matches the grep -E PATTERN, stderr has no
# sanitizer/GLib critical report, and $W is listed the same as before.
expect () {
  desc=$1; pat=$2; shift 2
  before=$(cd "$W" && find . | LC_ALL=C sort)
  (cd "$W" && "$@") > "$T/out" 2> "$T/err"
  rc=$?
  after=$(cd "$W" && find . | LC_ALL=C sort)
  first=$(head -n 1 "$T/err")
  why=""
  [ "$rc" -eq 2 ] || why="exit status $rc, not 2;"
  printf '%s\n' "$first" | grep -Eq -- "$pat" || why="$why first stderr line does not match '$pat';"
  if grep -Eq 'Sanitizer|runtime error:|CRITICAL|WARNING \*\*|Segmentation' "$T/err"; then
    why="$why sanitizer or GLib report on stderr;"
  fi
  [ "$before" = "$after" ] || why="$why left files behind: $(printf '%s\n' "$after" | grep -vxF "$before" | tr '\n' ' ');"
  if [ -z "$why" ]; then
    ok "$desc"
  else
    not_ok "$desc"
    echo "#   $why"
    echo "#   stderr: $(head -c 300 "$T/err" | tr '\n' ' ')"
  fi
  # a failed case must not poison the next one
  rm -rf "$W"; mkdir -p "$W"; rm -rf "$T/rs"
}

