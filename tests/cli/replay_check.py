#!/usr/bin/env python3
"""tests/cli/replay_check.py - a run's link decisions against the replay of
its own capture:

  replay_check.py RUN_DIR REPLAY_DIR

The run's decisions are the policy_action events of events.jsonl on links
(component "A<->B"); the replay's are REPLAY_DIR/decisions.csv (first
policy). They must be the same (time to the millisecond, action, link),
except on links the capture cannot show: a link with a state change while
none of its switch ends was alive to send a trap (a cable behind a failed
leaf), and links with a decision the capture has no signal for (a
"precursor" reason: symbol-error counters, not traps). Prints counts;
exits 1 with the first differences."""
import csv
import json
import sys

run, rep = sys.argv[1:3]
events = [json.loads(l) for l in open(run + "/events.jsonl")]
switches = set()
for e in events:
    c = e.get("component") or ""
    if e["event"] in ("component_failed", "component_repaired") and "<->" not in c and "/" not in c \
            and c.split("-")[0] in ("leaf", "spine", "core"):
        switches.add(c)


def switch_ends(link):
    a, b = link.split("<->")
    out = [b.rsplit(":p", 1)[0]]
    if "/nic" not in a:
        out.insert(0, a.rsplit(":p", 1)[0])
    return out


dead, last, hidden, disabled = set(), {}, set(), set()
run_dec = []
for e in events:
    ev, comp = e["event"], e.get("component") or ""
    if ev in ("component_failed", "component_repaired") and comp in switches:
        (dead.add if ev == "component_failed" else dead.discard)(comp)
    if ev == "policy_action" and "/nic" in comp:
        if e["detail"] == "disable_port":
            disabled.add(comp)
        elif e["detail"] == "enable_port":
            disabled.discard(comp)
    if ev == "link_state":
        st = 4 if e["new_state"] == 4 and comp not in disabled else 1
        ends = switch_ends(comp)
        if st == 4:
            dead.difference_update(ends)
        if last.get(comp, 4) != st:
            last[comp] = st
            if all(s in dead for s in ends):
                hidden.add(comp)
    if ev == "policy_action" and "<->" in comp:
        if (e.get("reason") or "").startswith("precursor"):
            hidden.add(comp)
        run_dec.append((int(round(e["time_s"] * 1e6)) // 1000, e["detail"], comp))

rows = list(csv.DictReader(open(rep + "/decisions.csv")))
first = rows[0]["policy"] if rows else None
rep_dec = [(int(round(float(r["time_s"]) * 1000)), r["action"], r["component"])
           for r in rows if r["policy"] == first and "<->" in r["component"]]
a = sorted(d for d in run_dec if d[2] not in hidden)
b = sorted(d for d in rep_dec if d[2] not in hidden)
if a != b:
    sa, sb = set(a), set(b)
    print("MISMATCH: %d run decisions, %d replayed; only in the run: %s; only in the replay: %s"
          % (len(a), len(b), sorted(sa - sb)[:5], sorted(sb - sa)[:5]))
    sys.exit(1)
print("%d link decisions the same (%d links not observable in the capture)" % (len(a), len(hidden)))
