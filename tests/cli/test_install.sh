#!/bin/sh
# tests/cli/test_install.sh - an install that works without its source:
# a copy of the source tree is configured with --prefix into a temporary
# prefix (no DESTDIR), built and installed; then, with no LD_LIBRARY_PATH,
# the installed binary runs (install RUNPATH), finds a shipped scenario by
# its bare name, records it as "scenarios/NAME.lua", and ignores the
# source copy even when that copy is broken; the source copy and its build
# are then moved away and the installed binary, the embedding example
# (docs/examples/embed, built against the installed faultline.pc) and a
# health plugin built against the installed ABI header (where
# docs/examples/health-plugin says) still run. Prints TAP. Slow: a whole
# second build.
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0
fails=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
echo "1..10"
unset LD_LIBRARY_PATH FAULTLINE_DATADIR FL_LUA_PATH
P=$tmp/prefix
# A copy of the sources (not the build folders, not .git).
mkdir -p "$tmp/src"
(cd "$FL_SOURCE_DIR" && tar -cf - --exclude='./build*' --exclude=./.git \
   --exclude='./results/*' .) | (cd "$tmp/src" && tar -xf -)
if (cd "$tmp/src" && meson setup "$tmp/b" --prefix "$P" -Dtests=false \
      -Dbuildtype=release && ninja -C "$tmp/b" && meson install -C "$tmp/b") \
     > "$tmp/build.log" 2>&1; then
  ok "configured with --prefix, built and installed"
else
  not_ok "configured with --prefix, built and installed"
  tail -n 30 "$tmp/build.log" | sed 's/^/# /'
  exit 1
fi
F=$P/bin/faultline
cd "$tmp"
if "$F" --version > out 2>&1 && grep -q "^faultline [0-9]" out; then
  ok "the installed binary runs without LD_LIBRARY_PATH"
else
  not_ok "the installed binary runs without LD_LIBRARY_PATH"; sed 's/^/# /' out
fi
# A broken copy of a shipped scenario in the source: the installed binary
# must not read it.
echo 'this is not lua' >> "$tmp/src/scenarios/spine-failure.lua"
if "$F" run spine-failure.lua --seed 3 -q --no-plots --no-pcap --no-wall-seconds \
     -o r1 > out 2>&1 \
   && grep -q '"scenario": "scenarios/spine-failure.lua"' r1/summary.json; then
  ok "a shipped scenario by name, recorded relative to where it was found"
else
  not_ok "a shipped scenario by name, recorded relative to where it was found"
  sed 's/^/# /' out; grep scenario r1/summary.json | sed 's/^/# /'
fi
# Hide the source copy and its build.
mv "$tmp/src" "$tmp/gone-src"
mv "$tmp/b" "$tmp/gone-b"
if "$F" run spine-failure --seed 3 -q --no-plots --no-pcap --no-wall-seconds \
     -o r2 > out 2>&1 && cmp -s r1/summary.json r2/summary.json; then
  ok "the same run without the source (name without .lua)"
else
  not_ok "the same run without the source"; sed 's/^/# /' out
fi
if "$F" run -q --no-plots --no-pcap -o r3 --set run.length=1d > out 2>&1 \
   && grep -q '"scenario": "scenarios/llama3-16k.lua"' r3/summary.json; then
  ok "the default scenario (it requires the installed Lua library)"
else
  not_ok "the default scenario"; sed 's/^/# /' out
fi
"$F" run no-such-scenario.lua > out 2>&1
st=$?
if [ $st -eq 2 ] && grep -q "no-such-scenario.lua" out && grep -q "$P/share/faultline/scenarios" out; then
  ok "an unknown name: exit 2, naming where it looked"
else
  not_ok "an unknown name: exit 2 (got $st)"; sed 's/^/# /' out
fi
# The embedding example against the installed faultline.pc.
pcdir=$(dirname "$(find "$P" -name faultline.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
libdir=$(pkg-config --variable=libdir faultline)
if cc "$tmp/gone-src/docs/examples/embed/policy_gate.c" \
     $(pkg-config --cflags --libs faultline cmocka) -Wl,-rpath,"$libdir" \
     -o gate > cc.log 2>&1; then
  ok "the embedding example builds against the installed faultline.pc"
else
  not_ok "the embedding example builds"; sed 's/^/# /' cc.log
fi
if ./gate "$P/share/faultline/scenarios/llama3-16k.lua" > out 2>&1 \
   && grep -q 'health=proactive ettr=' out; then
  ok "the embedding example runs a shipped scenario"
else
  not_ok "the embedding example runs a shipped scenario"; sed 's/^/# /' out
fi
# The plugin ABI header where docs/examples/health-plugin/README.md says.
inc=$(pkg-config --variable=includedir faultline)/faultline
if [ -f "$inc/health.h" ] \
   && cc -shared -fPIC -O2 -I"$inc" $(pkg-config --cflags glib-2.0) \
        -o my_policy.so "$tmp/gone-src/docs/examples/health-plugin/my_policy.c" > cc.log 2>&1; then
  ok "a health plugin builds against the installed health.h"
else
  not_ok "a health plugin builds against the installed health.h"; sed 's/^/# /' cc.log
fi
if "$F" run spine-failure.lua --policy-plugin ./my_policy.so -q --no-plots \
     --no-pcap -o r4 > out 2>&1 && [ -f r4/summary.json ]; then
  ok "the installed binary runs the plugin"
else
  not_ok "the installed binary runs the plugin"; sed 's/^/# /' out
fi
[ "$fails" -eq 0 ]
