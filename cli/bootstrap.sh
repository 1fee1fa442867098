#!/bin/sh
# cli/bootstrap.sh - the README's two commands.
#
#   sh cli/bootstrap.sh run    install what is missing, build, run the default
#                              scenario; results and plots under results/
#   sh cli/bootstrap.sh test   install what is missing, build (gcc), run the
#                              whole test suite, then again built with clang
#                              under ASan+UBSan, with the fuzz suite
#                              (docs/testing.md)
#
# Debian 12 packages are installed with apt-get when missing (as root, or
# through sudo). Set FL_NO_SANITIZE=1 to skip the sanitizer pass.
set -eu
mode=${1:-run}
shift 2>/dev/null || true
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

build_pkgs="meson ninja-build pkg-config gcc libglib2.0-dev liblua5.4-dev libcmocka-dev libpcap-dev zlib1g-dev libjson-glib-dev libsqlite3-dev libyaml-dev gnuplot-nox"
test_pkgs="tshark chromium valgrind strace sqlite3 slurm-wlm munge python3-yaml prometheus"
# JSON Schema validation of summaries (test_schema.sh), JUnit XML of
# compare (test_compare.sh)
test_pkgs="$test_pkgs python3-jsonschema libxml2-utils"
# clang and its sanitizer/libFuzzer runtime: the sanitizer pass and the
# fuzz suite (docs/testing.md)
test_pkgs="$test_pkgs clang libclang-rt-14-dev"

need=""
pkgs=$build_pkgs
[ "$mode" = test ] && pkgs="$build_pkgs $test_pkgs"
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  echo "bootstrap: installing:$need" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends $need >&2
fi

setup () { # builddir compiler [meson options]
  dir=$1; cc=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    CC=$cc meson setup "$dir" "$@" >&2
  fi
  ninja -C "$dir" >&2
}

case $mode in
  run)
    setup build "${CC:-cc}"
    exec ./build/cli/faultline run "$@"
    ;;
  test)
    setup build "${CC:-cc}"
    # --setup full: the slow suite too (plain `meson test` leaves it out)
    meson test -C build --setup full --print-errorlogs "$@"
    if [ "${FL_NO_SANITIZE:-0}" != 1 ]; then
      # built with clang, so CI builds with both compilers (gcc above)
      echo "bootstrap: the same suite built with clang, under AddressSanitizer + UndefinedBehaviorSanitizer" >&2
      # with the libFuzzer harnesses: the fuzz suite runs in this pass
      setup build-asan clang -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Dfuzz=true
      # the sanitizers make code 2-10x slower (the evq and phold unit tests
      # took just over their 30 s under ASan): timeouts x4 in this pass only
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C build-asan --print-errorlogs --no-suite slow \
          --timeout-multiplier 4 "$@"
    fi
    ;;
  *)
    echo "usage: sh cli/bootstrap.sh run|test [ARGS...]" >&2
    exit 2
    ;;
esac
