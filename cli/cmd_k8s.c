/* cli/cmd_k8s.c - `faultline k8s SWEEP-ARGS... --image IMAGE`: prints the
 * Kubernetes manifest of a sharded sweep: an Indexed Job of shards and a
 * merge Job (fl_sweep_k8s, docs/cluster.md). Nothing is applied or
 * run here. */
#include "cli.h"

#include <stdio.h>

#include "faultline.h"
#include "cmd_cluster.h"

int
cmd_k8s (int argc, char **argv)
{
  g_auto (CliSweepArgs) a = { 0 };
  g_auto (CliClusterArgs) c = { 0 };
  g_autofree char *image = NULL, *claim = NULL, *workdir = NULL;
  gint parallelism = 0;
  gdouble merge_wait = 7 * 86400;
  GOptionEntry entries[] = {
    { "image", 0, 0, G_OPTION_ARG_STRING, &image,
      "container image with faultline on its PATH (required)", "IMAGE" },
    { "claim", 0, 0, G_OPTION_ARG_STRING, &claim,
      "PersistentVolumeClaim (ReadWriteMany) for the results (default "
      "faultline-results)", "NAME" },
    { "workdir", 0, 0, G_OPTION_ARG_FILENAME, &workdir,
      "where the claim is mounted, the pods' working folder (default "
      "/results)", "PATH" },
    { "parallelism", 0, 0, G_OPTION_ARG_INT, &parallelism,
      "shards running at once (default: all)", "N" },
    { "merge-wait", 0, 0, G_OPTION_ARG_DOUBLE, &merge_wait,
      "how long the merge Job waits for the shards (default 604800 = 7 "
      "days)", "SECONDS" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "k8s", "[SCENARIO] [SWEEP OPTIONS] --image IMAGE",
    "Prints Kubernetes Jobs that run a sweep: an Indexed Job of shards\n"
    "(faultline sweep --shard K/N, K = JOB_COMPLETION_INDEX + 1) and a merge\n"
    "Job, both writing to a PersistentVolumeClaim.",
    "Example:\n"
    "  faultline k8s scenarios/spares.lua --seeds 1-50 \\\n"
    "      --grid spares=0,64,128,256 --shards 40 --parallelism 20 \\\n"
    "      --image registry.example/faultline:0.1 -o spares > spares.yaml\n"
    "  kubectl apply -f spares.yaml\n\n"
    "The sweep options are those of 'faultline sweep' (--threads is per\n"
    "shard, default 1, and sets the pods' cpu request). Paths (the scenario,\n"
    "-o, --shards-dir) are as the pods see them, relative to --workdir.\n"
    "Shards go to DIR.shards/shard-K (a restarted pod resumes its shard);\n"
    "the merge Job waits (faultline merge --wait) until all are complete and\n"
    "writes DIR. docs/cluster.md walks through it.\n"
    "Exit status: 0 success, 2 bad option or value.");
  cli_sweep_add_entries (ctx, &a, false);
  cli_cluster_add_entries (ctx, &c);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "k8s", &argc, &argv))
    return FL_EXIT_USAGE;
  if (image == NULL)
    {
      cli_error ("k8s", "--image IMAGE is required (an image with faultline "
                 "on its PATH)");
      return FL_EXIT_USAGE;
    }
  int status = cli_sweep_check ("k8s", &a, argc, argv, false);
  if (status != FL_EXIT_OK)
    return status;
  if (parallelism < 0 || !(merge_wait > 0 && merge_wait <= 30 * 86400.0))
    {
      cli_error ("k8s", "--parallelism %d / --merge-wait %g: give N >= 1 "
                 "and 1 to 2592000 seconds", parallelism, merge_wait);
      return FL_EXIT_USAGE;
    }
  FlClusterOptions o;
  fl_cluster_options_init (&o);
  o.workdir = workdir; /* NULL: /results */
  o.parallel = (unsigned) parallelism;
  o.image = image;
  o.claim = claim;     /* NULL: faultline-results */
  o.merge_wait_s = merge_wait;
  status = cli_cluster_prepare ("k8s", &a, &c, &o);
  if (status != FL_EXIT_OK)
    return status;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = fl_sweep_k8s (a.sweep, &o, &error);
  if (text == NULL)
    {
      cli_error ("k8s", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  fputs (text, stdout);
  return FL_EXIT_OK; /* main() checks stdout: a write error is exit 2 */
}
