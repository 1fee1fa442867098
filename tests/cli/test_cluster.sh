#!/bin/sh
# tests/cli/test_cluster.sh - `faultline k8s` and `faultline slurm` output
# (TAP). The k8s manifest is parsed as YAML (python3 with PyYAML, which
# cli/bootstrap.sh installs): two batch/v1 Jobs, the first Indexed with
# completions = shards and the shard taken from JOB_COMPLETION_INDEX, both
# mounting the claim at the working folder; then each pod's command is run
# here with sh, as the pods would (JOB_COMPLETION_INDEX 0..2, the merge
# last), and the merged sweep must equal a local sweep's. With kubectl and
# a reachable API server, `kubectl apply --dry-run=client` must accept the
# manifest (without a server that check is not run, and a TAP comment says
# so). Bad options exit 2 naming the value. Not here: a real Slurm
# (tests/slurm/test_slurm.sh).
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../tap.sh"
kube=0
if command -v kubectl > /dev/null 2>&1 && kubectl version --request-timeout=5s > /dev/null 2>&1; then
  kube=1
fi
echo "1..$((11 + kube))"
[ $kube -eq 1 ] || echo "# kubectl or an API server is missing: the kubectl --dry-run=client check is not run"

cat > "$tmp/s.lua" <<'LUA'
local spares = param ("spares", 4, "hot spares")
cluster { nodes = 64 + spares, spares = spares }
failures { source = "llama3", scale = param ("rate_scale", 40, "failure rate multiplier") }
job { name = "train", nodes = 64, checkpoint_every = minutes (15), restart = minutes (5) }
run { length = days (param ("days", 2, "simulated days")), sample_every = hours (1) }
LUA
mkdir "$tmp/results" && cp "$tmp/s.lua" "$tmp/results/"
cd "$tmp" || exit 1
export FAULTLINE_GNUPLOT=/nonexistent/gnuplot
args="s.lua --seeds 1-4 --grid spares=2,8 --set days=1 --no-wall-seconds"

# shellcheck disable=SC2086
"$FAULTLINE" k8s $args --image registry.example/faultline:1 --shards 3 \
  --parallelism 2 --workdir "$tmp/results" --faultline "$FAULTLINE" \
  --claim sweep-pvc --merge-wait 60 -o merged > jobs.yaml
check $? "faultline k8s prints the manifest"
python3 -c 'import yaml' 2> /dev/null
have_yaml=$?
check $have_yaml "python3 has PyYAML to parse it (Debian: python3-yaml)"
cat > check.py <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
wd, out = sys.argv[2], sys.argv[3]
def fail(msg):
    print("# " + msg); sys.exit(1)
if len(docs) != 2: fail("%d documents" % len(docs))
shards, merge = docs
for d in docs:
    if d.get("apiVersion") != "batch/v1" or d.get("kind") != "Job": fail("not a batch/v1 Job")
    pod = d["spec"]["template"]["spec"]
    c = pod["containers"]
    if len(c) != 1 or c[0]["image"] != "registry.example/faultline:1": fail("image")
    if c[0]["command"] != ["/bin/sh", "-c"] or len(c[0]["args"]) != 1: fail("command")
    if c[0]["workingDir"] != wd: fail("workingDir")
    if c[0]["volumeMounts"] != [{"name": "results", "mountPath": wd}]: fail("mount")
    if pod["volumes"] != [{"name": "results", "persistentVolumeClaim": {"claimName": "sweep-pvc"}}]: fail("volume")
    if pod["restartPolicy"] not in ("OnFailure", "Never"): fail("restartPolicy")
s = shards["spec"]
if s.get("completionMode") != "Indexed" or s.get("completions") != 3 or s.get("parallelism") != 2:
    fail("shards spec %r" % s)
a = s["template"]["spec"]["containers"][0]["args"][0]
if "JOB_COMPLETION_INDEX" not in a or "--shard" not in a: fail("shard command %r" % a)
m = merge["spec"]["template"]["spec"]["containers"][0]["args"][0]
if " merge --wait 60 -o " + out not in m: fail("merge command %r" % m)
if merge["spec"].get("completionMode") is not None: fail("merge is not Indexed")
with open("shard.cmd", "w") as f: f.write(a)
with open("merge.cmd", "w") as f: f.write(m)
PY
python3 check.py jobs.yaml "$tmp/results" merged
check $? "two batch/v1 Jobs: Indexed shards (3 completions, parallelism 2, JOB_COMPLETION_INDEX), a merge; the claim mounted"

# run the pods' commands as Kubernetes would
st=0
for i in 0 1 2; do
  (cd "$tmp/results" && JOB_COMPLETION_INDEX=$i sh -c "$(cat "$tmp/shard.cmd")") > "pod-$i.log" 2>&1 || st=1
done
check $st "the three shard pods' commands exit 0"
(cd "$tmp/results" && sh -c "$(cat "$tmp/merge.cmd")") > merge.log 2>&1
check $? "the merge pod's command exits 0"
# shellcheck disable=SC2086
(cd "$tmp/results" && "$FAULTLINE" sweep $args -q -j 2 -o local)
cmp -s results/local/sweep.json results/merged/sweep.json \
  && cmp -s results/local/sweep.csv results/merged/sweep.csv \
  && [ -d results/merged.shards/shard-3 ]
check $? "the shards merged as the manifest says equal the local sweep"

if [ $kube -eq 1 ]; then
  kubectl apply --dry-run=client -f jobs.yaml > kubectl.out 2>&1
  check $? "kubectl apply --dry-run=client accepts the manifest"
fi

# the Slurm script: sh syntax, one array, one dependent merge
# shellcheck disable=SC2086
"$FAULTLINE" slurm $args --shards 3 --array-max 2 --partition debug \
  --time 0:30:00 -o viaslurm > submit.sh
rc=$?
sh -n submit.sh && [ $rc -eq 0 ] && grep -q '^#SBATCH --array=1-3%2$' submit.sh \
  && [ "$(grep -c '^#SBATCH --partition=debug$' submit.sh)" -eq 2 ] \
  && [ "$(grep -c '^#SBATCH --time=0:30:00$' submit.sh)" -eq 2 ] \
  && grep -q 'sbatch --parsable --dependency=afterok:"$array"' submit.sh \
  && grep -q -- '--shard "$SLURM_ARRAY_TASK_ID/3"' submit.sh
check $? "faultline slurm: valid sh, --array=1-3%2, partition and time on both jobs, afterok merge"

bad () { # name word args...
  name=$1; word=$2; shift 2
  "$FAULTLINE" "$@" > "bad-$name.out" 2> "bad-$name.err"
  rc=$?
  [ $rc -eq 2 ] && grep -q -- "$word" "bad-$name.err" && [ ! -s "bad-$name.out" ]
  check $? "$name: exit 2 (rc $rc), names '$word', prints no script"
}
bad no-image "--image" k8s s.lua --seeds 1-4
bad too-many-shards "shards 9" slurm s.lua --seeds 1-4 --shards 9
bad space-in-output "my dir" slurm s.lua --seeds 1-4 -o "my dir"
"$FAULTLINE" slurm --help | grep -q "faultline slurm scenarios/" \
  && "$FAULTLINE" k8s --help | grep -q "faultline k8s scenarios/" \
  && "$FAULTLINE" --help | grep -q "^  slurm " && "$FAULTLINE" --help | grep -q "^  k8s "
check $? "slurm and k8s --help have examples; faultline --help lists both"
