/* lib/sweep-cluster.h - a sweep as cluster jobs: the text of a Slurm
 * submission script (a job array of shards plus a merge job that depends
 * on it) and of a Kubernetes manifest (an Indexed Job of shards plus a
 * merge Job). Nothing is submitted here, nothing is run: the text only.
 * The shards are `faultline sweep ... --shard K/N -o SHARDS/shard-K`, the
 * merge `faultline merge -o OUT SHARDS/shard-1 ... SHARDS/shard-N`
 * (sweep.h). docs/cluster.md walks through both. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct
{
  const char *faultline;           /* the binary the jobs run */
  const char *workdir;             /* the jobs' working folder (Slurm:
                                      absolute; k8s: the volume's mount) */
  const char *const *sweep_argv;   /* the sweep's own words: scenario,
                                      --seeds=..., --set=..., --grid=...;
                                      NULL-terminated */
  const char *out;                 /* the merged sweep's folder */
  const char *shards_dir;          /* where shard-K folders go */
  const char *name;                /* job name: [a-z0-9-], <= 52 bytes */
  unsigned shards;                 /* N >= 1 */
  unsigned threads;                /* per shard, >= 1 */
  unsigned parallel;               /* shards at once; 0: no limit */
  /* Slurm */
  const char *partition;           /* NULL: the default partition */
  const char *time_limit;          /* NULL: the partition's default */
  /* Kubernetes */
  const char *image;               /* required for k8s */
  const char *claim;               /* PersistentVolumeClaim of the results */
  double merge_wait_s;             /* merge --wait */
} SweepClusterOptions;

/* Checks what goes into job scripts unquoted (paths and names: no blanks,
 * quotes, '$', '`', '\\' or control bytes; a valid job name). Errors
 * (FL_ERROR_INPUT) name the option and the value. */
bool sweep_cluster_check (const SweepClusterOptions *o, GError **error);

/* A POSIX sh script that, run on a Slurm login node, submits the job array
 * (--array=1-N[%parallel], SLURM_ARRAY_TASK_ID is the shard) and the merge
 * job (--dependency=afterok:<array>). Returns: (transfer full). */
char *sweep_cluster_slurm (const SweepClusterOptions *o);

/* Two YAML documents: a batch/v1 Job with completionMode Indexed
 * (completions N, the shard is JOB_COMPLETION_INDEX + 1) and a merge Job
 * that waits for the shards (faultline merge --wait), both mounting the
 * claim at workdir. Returns: (transfer full). */
char *sweep_cluster_k8s (const SweepClusterOptions *o);
