#!/bin/sh
# tests/test_layering.sh - the dependency direction is the architecture:
# sim/ and policy/ include nothing of ours from other layers; models/ never
# includes lua/ or lib/; cli/ is a client of the public API only.
# Fails naming the offending line.
root=${1:-.}
status=0
check () { # dir, forbidden-regex
  hits=$(grep -nE "#[[:space:]]*include[[:space:]]*\"[^\"]*\"" "$root/$1"/*.[ch] 2>/dev/null |
         grep -E "$2")
  if [ -n "$hits" ]; then
    echo "layering violation in $1/:"; echo "$hits"; status=1
  fi
}
# sim/ may include only its own headers.
for f in "$root"/sim/*.[ch]; do
  grep -nE '#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    hdr=$(echo "$line" | sed -E 's/.*"([^"]*)".*/\1/')
    [ -f "$root/sim/$hdr" ] || { echo "sim/ includes non-sim header: $f:$line"; exit 1; }
  done || status=1
done
for f in "$root"/policy/*.[ch]; do
  grep -nE '#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    hdr=$(echo "$line" | sed -E 's/.*"([^"]*)".*/\1/')
    [ -f "$root/policy/$hdr" ] || { echo "policy/ includes non-policy header: $f:$line"; exit 1; }
  done || status=1
done
check models '"(runtime|sandbox|api|faultline|results|cli)\.h"'
# The world's modules (world-int.h): only the care module uses the health
# policy, only the jobs module the scheduler.
only () { # what, regex, the one file allowed
  hits=$(grep -nE "$2" "$root"/models/*.[ch] 2>/dev/null | grep -v "^$root/models/$3:")
  if [ -n "$hits" ]; then
    echo "layering violation: $1 outside models/$3:"; echo "$hits"; status=1
  fi
}
only 'health policy include' '#[[:space:]]*include[[:space:]]*"(plugin)\.h"' world-care.c
only 'health policy call' '(^|[^a-z_])health_(policy|plugin|params)_[a-z_]+ \(' world-care.c
only 'scheduler include' '#[[:space:]]*include[[:space:]]*"sched\.h"' world-jobs.c
only 'scheduler call' '(^|[^a-z_])sched_[a-z_]+ \(' world-jobs.c
for f in "$root"/models/*.[ch]; do
  case $(basename "$f") in world.h|world-care.c) continue ;; esac
  if grep -nE '#[[:space:]]*include[[:space:]]*"health\.h"' "$f"; then
    echo "layering violation: $f includes health.h (only world-care.c and world.h may)"; status=1
  fi
done
# lua/ is below lib/: it includes none of lib/'s headers.
for h in "$root"/lib/*.h; do
  hits=$(grep -nE "#[[:space:]]*include[[:space:]]*\"$(basename "$h")\"" "$root"/lua/*.[ch] 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering violation: lua/ includes lib/$(basename "$h"):"; echo "$hits"; status=1
  fi
done
# models/ never loads a shared object: no GModule in its sources or its
# build, nor in the policy library it links (the loader, policy/plugin.c,
# is a separate library that only lib/ links).
hits=$(grep -nE '#[[:space:]]*include[[:space:]]*<gmodule\.h>' "$root"/models/*.[ch] "$root"/sim/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then echo "layering violation: GModule below lib/:"; echo "$hits"; status=1; fi
if grep -n 'gmodule_dep' "$root/models/meson.build"; then
  echo "layering violation: models/meson.build links GModule"; status=1
fi
if sed -n '/^policy_sources =/,/^policy_dep =/p' "$root/policy/meson.build" | grep -n "gmodule_dep\|'plugin\.c'"; then
  echo "layering violation: policy_lib (linked by models/) carries the plugin loader"; status=1
fi
# models/ writes no output file format of its own: no libpcap (fabric.pcap
# is lib/ibpcap.c, a listener on the world's events).
hits=$(grep -nE '#[[:space:]]*include[[:space:]]*<pcap' "$root"/models/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then echo "layering violation: libpcap in models/:"; echo "$hits"; status=1; fi
if grep -n 'pcap_dep' "$root/models/meson.build"; then
  echo "layering violation: models/meson.build links libpcap"; status=1
fi
# cli/ is a client of the public API: it includes faultline.h and its own
# headers (cli.h, cmd_*.h) only, and links libfaultline, none of the
# internal libraries (the static lib/, models/, sim/, lua/, policy/).
for f in "$root"/cli/*.[ch]; do
  grep -nE '#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    hdr=$(echo "$line" | sed -E 's/.*"([^"]*)".*/\1/')
    case $hdr in
      faultline.h|cli.h|cmd_*.h) [ "$hdr" = faultline.h ] || [ -f "$root/cli/$hdr" ] ||
        { echo "cli/ includes a header it does not have: $f:$line"; exit 1; } ;;
      *) echo "layering violation: cli/ includes more than faultline.h: $f:$line"; exit 1 ;;
    esac
  done || status=1
done
if sed -n "/^faultline_exe = executable/,/)\$/p" "$root/cli/meson.build" |
   sed 's/faultline_public_dep//g' | grep -nE '(faultline|sim|models|fllua|policy|policy_plugin)_dep\b'; then
  echo "layering violation: cli/meson.build links an internal library (link faultline_public_dep)"; status=1
fi
if [ $status -eq 0 ]; then echo "1..1"; echo "ok 1 - layering"; fi
exit $status
