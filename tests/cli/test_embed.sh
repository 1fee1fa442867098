#!/bin/sh
# tests/cli/test_embed.sh - libfaultline as an outside program uses it:
# `meson install` into a temporary root, build docs/examples/embed/
# policy_gate.c against the installed faultline.pc, run a scenario through
# it; then build docs/embedding.md's sweep gate (the ```c block after "A
# sweep gate") as written in the doc, inside a main(), and run it twice: the
# second sweep compared with the first must not regress. Prints TAP.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..6"
if DESTDIR="$tmp/root" meson install -C "$FL_BUILD_DIR" --no-rebuild >"$tmp/install.log" 2>&1; then
  echo "ok 1 - meson install into a temporary root"
else
  echo "not ok 1 - meson install failed"; sed 's/^/# /' "$tmp/install.log"; exit 0
fi
pc=$(find "$tmp/root" -name faultline.pc | head -1)
hdr=$(find "$tmp/root" -name faultline.h | head -1)
if [ -n "$pc" ] && [ -n "$hdr" ]; then
  echo "ok 2 - faultline.pc and faultline.h installed"
else
  echo "not ok 2 - faultline.pc or faultline.h missing"; exit 0
fi
libdir=$(dirname "$(find "$tmp/root" -name 'libfaultline.so*' | head -1)")
# The installed .pc names the configured prefix; point a copy at the
# temporary root (--define-variable would also move glib's prefix).
mkdir -p "$tmp/pc"
sed "s|^prefix=|prefix=$tmp/root|" "$pc" >"$tmp/pc/faultline.pc"
export PKG_CONFIG_PATH="$tmp/pc"
san=""
# A sanitized build's library needs the sanitizer runtime in the program too.
if nm -D "$libdir/libfaultline.so" 2>/dev/null | grep -q __asan_init; then
  san="-fsanitize=address,undefined"
fi
if cc $san "$FL_SOURCE_DIR/docs/examples/embed/policy_gate.c" \
     $(pkg-config --cflags --libs faultline cmocka) -o "$tmp/policy_gate" 2>"$tmp/cc.log"; then
  echo "ok 3 - the example builds against the installed faultline.pc"
else
  echo "not ok 3 - build failed"; sed 's/^/# /' "$tmp/cc.log"; exit 0
fi
if LD_LIBRARY_PATH="$libdir" ASAN_OPTIONS=detect_leaks=0 "$tmp/policy_gate" \
     "$FL_SOURCE_DIR/scenarios/llama3-16k.lua" >"$tmp/run.log" 2>&1 \
   && grep -q 'health=proactive ettr=' "$tmp/run.log"; then
  echo "ok 4 - a scenario runs in-process through the installed library"
else
  echo "not ok 4 - the embedded run failed"; sed 's/^/# /' "$tmp/run.log"
fi

# The sweep gate, exactly as docs/embedding.md shows it.
awk '/^A sweep gate/ { f = 1 } f && /^```c$/ { inb = 1; next }
     inb && /^```$/ { exit } inb { print }' "$FL_SOURCE_DIR/docs/embedding.md" \
  >"$tmp/snippet.c"
{
  printf '#include <stdbool.h>\n#include <stdio.h>\n#include <faultline.h>\n'
  printf 'int\nmain (void)\n{\n'
  cat "$tmp/snippet.c"
  printf 'return regressed ? 1 : 0;\n}\n'
} >"$tmp/sweep_gate.c"
if [ -s "$tmp/snippet.c" ] && grep -q fl_sweep_new "$tmp/snippet.c" \
   && cc $san "$tmp/sweep_gate.c" $(pkg-config --cflags --libs faultline) \
        -o "$tmp/sweep_gate" 2>"$tmp/cc2.log"; then
  echo "ok 5 - docs/embedding.md's sweep gate builds as written"
else
  echo "not ok 5 - the sweep gate does not build"; sed 's/^/# /' "$tmp/cc2.log"; exit 0
fi
mkdir -p "$tmp/gate"
if (cd "$tmp/gate" && LD_LIBRARY_PATH="$libdir" ASAN_OPTIONS=detect_leaks=0 \
      "$tmp/sweep_gate" >run1.log 2>&1 && mv results/gate results/gate-main \
    && LD_LIBRARY_PATH="$libdir" ASAN_OPTIONS=detect_leaks=0 \
      "$tmp/sweep_gate" >run2.log 2>&1) \
   && [ -f "$tmp/gate/results/gate/sweep.json" ] \
   && grep -q 'health=proactive' "$tmp/gate/run2.log"; then
  echo "ok 6 - the sweep gate runs two grid points and compares with a baseline"
else
  echo "not ok 6 - the sweep gate failed"
  cat "$tmp/gate/run1.log" "$tmp/gate/run2.log" 2>/dev/null | sed 's/^/# /'
fi
