#!/bin/sh
# tests/slurm/test_slurm.sh - `faultline slurm` on a real Slurm (meson suite
# `slurm`): starts a private single-node cluster on this machine (munged,
# slurmctld and slurmd from Debian's munge and slurm-wlm, as root, with a
# localhost slurm.conf, a fresh munge key and every state, spool, log and
# socket file in a temporary folder, ports derived from the PID), runs the
# script `faultline slurm` prints (sbatch of a 3-task job array of shards,
# then the merge job with --dependency=afterok), waits for the merge job,
# and checks that the merged sweep.json, sweep.csv and point summaries
# equal those of the same sweep run locally, that every array task wrote
# its log and shard, and that the merge ran after the array. All daemons
# are stopped at the end (trap), by the PIDs they wrote.
#
# Exit status (meson's exitcode protocol): 0 pass, 1 a check failed, 77
# skipped: only when not run as root (slurmd needs root); a missing
# slurmctld, slurmd, munged or sbatch is a failure, as CI installs them
# (cli/bootstrap.sh). The waits are bounded (a hang guard, generous on a
# loaded machine), not a time limit on faultline.
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the slurm suite starts slurmd and munged, which need root; run it as root (CI does)"
  exit 77
fi
fail=0
ok () { echo "ok - $1"; }
not_ok () { echo "not ok - $1"; fail=1; }
check () { if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2"; fi; }
for b in munged slurmctld slurmd sbatch scontrol; do
  if ! command -v "$b" > /dev/null 2>&1 && [ ! -x "/usr/sbin/$b" ]; then
    echo "not ok - $b is not installed (apt-get install slurm-wlm munge; cli/bootstrap.sh test does)"
    exit 1
  fi
done
PATH="$PATH:/usr/sbin"

T=$(mktemp -d /tmp/fl-slurm.XXXXXX) || exit 1
chmod 700 "$T"
export SLURM_CONF="$T/slurm.conf"
stop () {
  scontrol shutdown > /dev/null 2>&1
  for f in "$T/slurmctld.pid" "$T/slurmd.pid" "$T/munge/munged.pid"; do
    [ -s "$f" ] || continue
    p=$(cat "$f")
    i=0
    while kill -0 "$p" 2> /dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    kill -9 "$p" 2> /dev/null
  done
  rm -rf "$T"
}
trap stop EXIT
trap 'exit 1' INT TERM

# munge: a fresh key, its own socket
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/work"
chmod 700 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2> /dev/null
chmod 600 "$T/munge/munge.key"
munged --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
  --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
  --seed-file="$T/munge/munged.seed"
check $? "munged started"

port=$((20000 + ($$ % 10000) * 2))
cat > "$SLURM_CONF" <<CONF
ClusterName=fltest$$
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" && slurmd -f "$SLURM_CONF" -N localhost
check $? "slurmctld and slurmd started"
i=0
until sinfo -h -o %t 2> /dev/null | grep -q idle || [ $i -ge 300 ]; do sleep 0.2; i=$((i + 1)); done
sinfo -h -o %t 2> /dev/null | grep -q idle
check $? "the node is idle ($(sinfo -h -o '%P %t %N' 2> /dev/null))"

cd "$T/work" || exit 1
cat > s.lua <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 64 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 64, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 2, "simulated days")), sample_every = hours (1) }
LUA
export FAULTLINE_GNUPLOT=/nonexistent/gnuplot
args="s.lua --seeds 1-4 --grid spares=2,8 --set days=1 --no-wall-seconds"
# shellcheck disable=SC2086
"$FAULTLINE" sweep $args -q -j 2 -o local
check $? "the local sweep exits 0"
# shellcheck disable=SC2086
"$FAULTLINE" slurm $args --shards 3 --array-max 2 -o viaslurm > submit.sh
check $? "faultline slurm prints the script"
grep -q -- "--array=1-3%2" submit.sh && grep -q -- "--dependency=afterok" submit.sh
check $? "the script has the job array and the afterok merge"
sh submit.sh > submit.out 2> submit.err
check $? "the script submits both jobs: $(cat submit.out submit.err)"
array=$(sed -n 's/.*job array \([0-9]*\) .*/\1/p' submit.out)
merge=$(sed -n 's/.*merge job \([0-9]*\) .*/\1/p' submit.out)
state () { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }
i=0
while [ $i -lt 1800 ]; do
  s=$(state "$merge")
  case $s in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
  # a dependency that can never be satisfied (a failed task)
  scontrol show job "$merge" 2> /dev/null | grep -q "DependencyNeverSatisfied" && break
  sleep 0.5; i=$((i + 1))
done
[ "$(state "$merge")" = COMPLETED ]
check $? "the merge job $merge completed (state $(state "$merge"), array $array)"
for k in 1 2 3; do
  [ -s "viaslurm.shards/shard-$k/shard.json" ] && [ -f "viaslurm.shards/logs/shard-$k.out" ] \
    || { not_ok "array task $k wrote its shard and log"; continue; }
  ok "array task $k wrote its shard and log"
done
cmp -s local/sweep.json viaslurm/sweep.json && cmp -s local/sweep.csv viaslurm/sweep.csv \
  && cmp -s local/spares=2/summary.json viaslurm/spares=2/summary.json \
  && cmp -s local/spares=8/summary.json viaslurm/spares=8/summary.json
check $? "the merged sweep.json, sweep.csv and point summaries equal the local sweep's"
if [ $fail -ne 0 ]; then
  for f in submit.err viaslurm.shards/logs/*.out "$T"/log/*.log; do
    [ -f "$f" ] && { echo "# --- $f"; tail -15 "$f" | sed 's/^/# /'; }
  done
fi
exit $fail
