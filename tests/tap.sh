# tests/tap.sh - the shell tests' one TAP helper. Source it:
#     . "$(dirname "$0")/../tap.sh"
# then report each check with one of
#     ok DESC                   a pass
#     not_ok DESC               a failure (sets failed=1)
#     check STATUS DESC         ok when STATUS is 0, else not_ok
#     check_that DESC CMD...    runs CMD; ok when it exits 0
#     skip DESC REASON          "ok N - DESC # SKIP REASON": meson counts it
#                               as skipped, never as passed
# and print the plan either first ("echo 1..N") or last (tap_done).
# tap_done prints the plan when none was printed and exits 1 after any
# failure, so a script that dies early cannot look complete.
n=0
failed=0
tap_planned=0
plan () { tap_planned=1; echo "1..$1"; }
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check () { if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2"; fi; }
check_that () { tap_desc=$1; shift; if "$@"; then ok "$tap_desc"; else not_ok "$tap_desc"; fi; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# Diagnostics: every line of stdin as a TAP comment.
diag () { sed 's/^/# /'; }
tap_done () { [ "$tap_planned" = 1 ] || echo "1..$n"; exit "$failed"; }
