/* cli/cmd_slurm.c - `faultline slurm SWEEP-ARGS... [--shards N]
 * [--array-max N] [--partition P] [--time T]`: prints the Slurm submission
 * script of a sharded sweep (fl_sweep_slurm, docs/cluster.md). Also
 * the option handling `faultline k8s` shares (cli_cluster_*). Nothing is
 * submitted or run here. */
#include "cli.h"

#include <stdio.h>

#include "faultline.h"
#include "cmd_cluster.h"

/* The options both cluster commands add to the sweep's. */
void
cli_cluster_add_entries (GOptionContext *ctx, CliClusterArgs *c)
{
  GOptionEntry entries[] = {
    { "shards", 0, 0, G_OPTION_ARG_INT, &c->shards,
      "split the sweep into N shards, one job each (default: the number "
      "of replicas, at most 100)", "N" },
    { "shards-dir", 0, 0, G_OPTION_ARG_FILENAME, &c->shards_dir,
      "folder of the shard folders (default DIR.shards)", "PATH" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &c->name,
      "job name (default faultline-SCENARIO)", "NAME" },
    { "faultline", 0, 0, G_OPTION_ARG_FILENAME, &c->faultline,
      "the faultline binary the jobs run", "PATH" },
    { NULL },
  };
  c->shards = G_MININT;
  g_option_context_add_main_entries (ctx, entries, NULL);
}

void
cli_cluster_args_clear (CliClusterArgs *c)
{
  g_clear_pointer (&c->shards_dir, g_free);
  g_clear_pointer (&c->name, g_free);
  g_clear_pointer (&c->faultline, g_free);
}

int
cli_cluster_prepare (const char *cmd, CliSweepArgs *a, CliClusterArgs *c,
                     FlClusterOptions *o)
{
  if (c->shards != G_MININT && c->shards < 1)
    {
      unsigned long replicas = fl_sweep_replicas (a->sweep);
      cli_error (cmd, "--shards %d: give 1 to %lu (the sweep has %lu "
                 "replicas)", c->shards, MIN (replicas,
                 (unsigned long) FL_SWEEP_MAX_SHARDS), replicas);
      return FL_EXIT_USAGE;
    }
  o->shards = c->shards == G_MININT ? 0 : (unsigned) c->shards;
  o->shards_dir = c->shards_dir;
  o->name = c->name;
  o->faultline = c->faultline;
  return FL_EXIT_OK;
}

int
cmd_slurm (int argc, char **argv)
{
  g_auto (CliSweepArgs) a = { 0 };
  g_auto (CliClusterArgs) c = { 0 };
  gint array_max = 0;
  g_autofree char *partition = NULL, *time_limit = NULL;
  GOptionEntry entries[] = {
    { "array-max", 0, 0, G_OPTION_ARG_INT, &array_max,
      "run at most N array tasks at once (--array=1-S%N)", "N" },
    { "partition", 0, 0, G_OPTION_ARG_STRING, &partition,
      "Slurm partition of both jobs (default: the cluster's)", "P" },
    { "time", 0, 0, G_OPTION_ARG_STRING, &time_limit,
      "time limit of each job, as sbatch --time (e.g. 2:00:00)", "T" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "slurm", "[SCENARIO] [SWEEP OPTIONS]",
    "Prints a script that runs a sweep on Slurm: a job array of shards\n"
    "(faultline sweep --shard K/N, K = SLURM_ARRAY_TASK_ID) and a merge job\n"
    "submitted with --dependency=afterok on the array.",
    "Example:\n"
    "  faultline slurm scenarios/spares.lua --seeds 1-50 \\\n"
    "      --grid spares=0,64,128,256 --shards 40 --array-max 20 \\\n"
    "      --partition batch --time 1:00:00 -o results/spares > spares.sh\n"
    "  sh spares.sh        # on the login node: submits both jobs\n\n"
    "The sweep options are those of 'faultline sweep' (--threads is per\n"
    "shard, default 1, and sets --cpus-per-task). Shards go to\n"
    "DIR.shards/shard-K (a failed task resubmitted resumes its shard), logs\n"
    "to DIR.shards/logs/, the merged sweep to DIR. The jobs run in the\n"
    "current folder with this faultline binary (--faultline to change it);\n"
    "DIR and the scenario must be on a file system the nodes share.\n"
    "docs/cluster.md walks through it.\n"
    "Exit status: 0 success, 2 bad option or value.");
  cli_sweep_add_entries (ctx, &a, false);
  cli_cluster_add_entries (ctx, &c);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "slurm", &argc, &argv))
    return FL_EXIT_USAGE;
  int status = cli_sweep_check ("slurm", &a, argc, argv, false);
  if (status != FL_EXIT_OK)
    return status;
  if (array_max < 0)
    {
      cli_error ("slurm", "--array-max %d: give 1 or more", array_max);
      return FL_EXIT_USAGE;
    }
  if (c.faultline == NULL)
    {
      c.faultline = g_file_read_link ("/proc/self/exe", NULL);
      if (c.faultline == NULL)
        c.faultline = g_strdup ("faultline");
    }
  FlClusterOptions o;
  fl_cluster_options_init (&o);
  o.parallel = (unsigned) array_max; /* workdir: the current folder */
  o.partition = partition;
  o.time_limit = time_limit;
  status = cli_cluster_prepare ("slurm", &a, &c, &o);
  if (status != FL_EXIT_OK)
    return status;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = fl_sweep_slurm (a.sweep, &o, &error);
  if (text == NULL)
    {
      cli_error ("slurm", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  fputs (text, stdout);
  return FL_EXIT_OK; /* main() checks stdout: a write error is exit 2 */
}
