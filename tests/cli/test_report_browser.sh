#!/bin/sh
# tests/cli/test_report_browser.sh - the three pages of `faultline report`
# in a real browser (headless Chromium): a run folder (tests/data/
# run-sample), a sweep (a tiny scenario, 2 points x 2 seeds, 1 day) and a
# comparison of two runs. For each page a copy gets a checker script (the
# page itself has none) that runs after the load event and writes into the
# DOM, which --dump-dom prints: the page renders (a body, an <h1>), every
# image loads (complete, naturalWidth > 0), the headline table is above the
# first plot, and the page needs no horizontal scrolling at 1280 pixels.
# A page with a broken image shows that the checker can fail; a screenshot
# of the run page is a PNG.
#
# Exit status (meson's exitcode protocol): 0 all checks passed, 1 a check
# failed, 77 (SKIP, never a pass) only when no Chromium is installed:
# cli/bootstrap.sh installs it for `sh cli/bootstrap.sh test` and CI.
set -u
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
: "${FL_SOURCE_DIR:?set FL_SOURCE_DIR to the source tree}"
CHROMIUM=""
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" > /dev/null 2>&1; then CHROMIUM=$c; break; fi
done
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: no chromium on PATH (apt-get install chromium; cli/bootstrap.sh test installs it)"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../tap.sh"
chrome () {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$(mktemp -d -p "$T")" "$@"
}

# The three pages.
cp -R "$FL_SOURCE_DIR/tests/data/run-sample" "$T/run"
"$FAULTLINE" report "$T/run" > "$T/run.out" 2>&1 || { cat "$T/run.out"; failed=1; }
cat > "$T/s.lua" <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 32 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 32, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 1, "simulated days")), sample_every = hours (1) }
LUA
(cd "$T" && "$FAULTLINE" sweep s.lua --seeds 1-2 --grid spares=2,8 -j 2 -q -o sweep \
  && "$FAULTLINE" report sweep) > "$T/sweep.out" 2>&1 || { cat "$T/sweep.out"; failed=1; }
(cd "$T" && "$FAULTLINE" run s.lua --seed 3 -q -o a && "$FAULTLINE" run s.lua --seed 3 \
  --set spares=8 -q -o b && "$FAULTLINE" report a b -o cmp.html) > "$T/cmp.out" 2>&1 \
  || { cat "$T/cmp.out"; failed=1; }

# The checker: plain DOM calls, after the load event (every data: image
# decoded by then), its verdict in a <pre id="flcheck">.
cat > "$T/check.js" <<'JS'
<script>
window.addEventListener ('load', function () {
  var imgs = document.images, loaded = 0;
  for (var i = 0; i < imgs.length; i++)
    if (imgs[i].complete && imgs[i].naturalWidth > 0) loaded++;
  var h = document.getElementById ('headline-table');
  var f = document.querySelector ('figure');
  var above = (h && f && h.getBoundingClientRect ().bottom <= f.getBoundingClientRect ().top) ? 1 : 0;
  var wide = document.documentElement.scrollWidth > window.innerWidth ? 1 : 0;
  var h1 = document.querySelector ('h1');
  var pre = document.createElement ('pre');
  pre.id = 'flcheck';
  pre.textContent = 'FLCHECK images=' + imgs.length + ' loaded=' + loaded +
    ' headline_above=' + above + ' hscroll=' + wide + ' h1=' + (h1 ? 1 : 0);
  document.body.appendChild (pre);
});
</script>
JS

page () { # name, html file, images expected (at least)
  name=$1; html=$2; want=$3
  if [ ! -s "$html" ]; then
    not_ok "$name: page written"
    return
  fi
  sed '/<\/body>/{
r '"$T/check.js"'
}' "$html" > "$T/$name-check.html"
  chrome --window-size=1280,1000 --virtual-time-budget=5000 --dump-dom \
    "file://$T/$name-check.html" > "$T/$name.dom" 2> "$T/$name.err"
  res=$(sed -n 's|.*<pre id="flcheck">\(FLCHECK [^<]*\)</pre>.*|\1|p' "$T/$name.dom" | head -1)
  echo "# $name: $res"
  imgs=$(echo "$res" | sed -n 's/.*images=\([0-9]*\).*/\1/p')
  loaded=$(echo "$res" | sed -n 's/.*loaded=\([0-9]*\).*/\1/p')
  check_that "$name: the page renders in Chromium" \
    sh -c "echo '$res' | grep -q 'h1=1'"
  check_that "$name: every image loads ($loaded of $imgs, at least $want)" \
    test -n "$imgs" -a "${imgs:-0}" -ge "$want" -a "${loaded:-x}" = "$imgs"
  check_that "$name: the headline table is above the first plot" \
    sh -c "echo '$res' | grep -q 'headline_above=1'"
  check_that "$name: no horizontal scrolling at 1280 pixels" \
    sh -c "echo '$res' | grep -q 'hscroll=0'"
}

# The sample run has five plots; the sweep one per headline metric (7);
# the comparison each run's five, side by side.
page run "$T/run/report.html" 5
page sweep "$T/sweep/report.html" 7
page compare "$T/cmp.html" 10

# The checker can fail: the run page with one image's data broken loads
# one image fewer.
sed '0,/base64,iVBOR/s//base64,AAAAA/' "$T/run/report.html" > "$T/broken.html"
sed '/<\/body>/{
r '"$T/check.js"'
}' "$T/broken.html" > "$T/broken-check.html"
chrome --window-size=1280,1000 --virtual-time-budget=5000 --dump-dom \
  "file://$T/broken-check.html" > "$T/broken.dom" 2> /dev/null
res=$(sed -n 's|.*<pre id="flcheck">\(FLCHECK [^<]*\)</pre>.*|\1|p' "$T/broken.dom" | head -1)
echo "# broken: $res"
check_that "a page with a broken image is caught (images=5 loaded=4)" \
  sh -c "echo '$res' | grep -q 'images=5 loaded=4 '"

chrome --window-size=1280,2400 --screenshot="$T/run.png" "file://$T/run/report.html" \
  > /dev/null 2>&1
check_that "a screenshot of the run page is a PNG" \
  sh -c "test -s '$T/run.png' && head -c 8 '$T/run.png' | od -An -c | grep -q 'P   N   G'"
tap_done
