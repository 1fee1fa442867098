/* cli/cmd_sweep.c - `faultline sweep [SCENARIO] --seeds SPEC [--set K=V]...
 * [--grid K=V1,V2,...]... [--threads N] [--shard K/N] [--fresh] [-o DIR]
 * [-q]`: many replicas of one scenario in parallel, aggregated, resumable
 * (lib/sweep.h, docs/sweep.md).
 *
 * Option parsing and printing only; checking the words, running,
 * aggregating and the progress lines are fl_sweep_* and fl_progress_* of
 * faultline.h. The sweep options are parsed here for `faultline slurm`
 * and `faultline k8s` too (cli_sweep_*), so the three accept the same
 * words. */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

#include "faultline.h"

/* ---- the sweep options, shared with slurm and k8s ---- */

void
cli_sweep_args_clear (CliSweepArgs *a)
{
  g_clear_pointer (&a->out, g_free);
  g_clear_pointer (&a->seeds_spec, g_free);
  g_clear_pointer (&a->shard_spec, g_free);
  g_clear_pointer (&a->sets, g_strfreev);
  g_clear_pointer (&a->grids, g_strfreev);
  g_clear_pointer (&a->sweep, fl_sweep_free);
}

void
cli_sweep_add_entries (GOptionContext *ctx, CliSweepArgs *a, bool local)
{
  a->threads = G_MININT; /* not given */
  GOptionEntry entries[] = {
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &a->seeds_spec,
      "seeds of the replicas: N, A-B or a list (default 1)", "SPEC" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->sets,
      "override a param() or config key at every point (repeatable)",
      "NAME=VALUE" },
    { "grid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->grids,
      "one grid axis: the values NAME takes (repeatable: the product)",
      "NAME=V1,V2,..." },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &a->threads,
      local ? "replicas run at once (default: the number of CPUs)"
            : "replicas run at once in each shard (default 1)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a->out,
      local ? "output folder: new, empty, or this sweep's to resume "
              "(default results/SCENARIO-sweep)"
            : "the merged sweep's folder (default results/SCENARIO-sweep)",
      "DIR" },
    { "plots", 0, 0, G_OPTION_ARG_NONE, &a->plots,
      "also render each replica's plots (off by default)", NULL },
    { "pcap", 0, 0, G_OPTION_ARG_NONE, &a->pcap,
      "also write each replica's fabric.pcap (off by default)", NULL },
    { "no-wall-seconds", 0, 0, G_OPTION_ARG_NONE, &a->no_wall,
      "write wall_seconds as null, so every file is byte-identical", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet,
      "no progress, no summary table", NULL },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &a->shard_spec,
      "run only shard K of N (1 <= K <= N); merge the N folders with "
      "'faultline merge'", "K/N" },
    { "fresh", 0, 0, G_OPTION_ARG_NONE, &a->fresh,
      "start over: remove the replicas of an earlier run in DIR", NULL },
    { NULL },
  };
  /* slurm and k8s decide the shards and the folders themselves */
  if (!local)
    entries[G_N_ELEMENTS (entries) - 3] = entries[G_N_ELEMENTS (entries) - 1];
  g_option_context_add_main_entries (ctx, entries, NULL);
}

int
cli_sweep_check (const char *cmd, CliSweepArgs *a, int argc, char **argv,
                 bool local)
{
  if (argc > 2)
    {
      cli_error (cmd, "one scenario at a time (got '%s' and '%s')", argv[1],
                 argv[2]);
      return FL_EXIT_USAGE;
    }
  if (a->threads <= 0 && a->threads != G_MININT)
    {
      cli_error (cmd, "--threads %d: give 1 or more", a->threads);
      return FL_EXIT_USAGE;
    }
  FlSweepOptions o;
  fl_sweep_options_init (&o);
  o.scenario = argc == 2 ? argv[1] : NULL;
  o.seeds = a->seeds_spec;
  o.sets = (const char *const *) a->sets;
  o.grid = (const char *const *) a->grids;
  o.shard = a->shard_spec;
  o.output_dir = a->out;
  /* not given: the CPUs here, one per shard on a cluster */
  o.threads = a->threads != G_MININT ? (unsigned) a->threads : local ? 0 : 1;
  o.fresh = a->fresh;
  o.plots = a->plots;
  o.pcap = a->pcap;
  o.write_wall_seconds = !a->no_wall;
  g_autoptr (GError) error = NULL;
  a->sweep = fl_sweep_new (&o, &error);
  if (a->sweep == NULL)
    {
      cli_error (cmd, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  return FL_EXIT_OK;
}

/* ---- faultline sweep ---- */

int
cmd_sweep (int argc, char **argv)
{
  g_auto (CliSweepArgs) a = { 0 };
  g_autoptr (GOptionContext) ctx = cli_context (
    "sweep", "[SCENARIO]",
    "Run one scenario over seeds and a grid of --set values, in parallel,\n"
    "and aggregate: mean, sd, min, max and 95% CI of every metric per grid\n"
    "point (default scenario: scenarios/llama3-16k.lua). SCENARIO is a\n"
    "file, or the name of a shipped scenario (spares.lua or spares), as\n"
    "for 'faultline run'.",
    "Examples:\n"
    "  faultline sweep scenarios/spares.lua --seeds 1-8 --grid spares=0,64,128,256\n"
    "  faultline sweep --seeds 1-20 --set days=10 -o results/ci-sweep\n"
    "  faultline sweep scenarios/spares.lua --seeds 1-4 \\\n"
    "      --grid spares=64,128 --grid health=standard,proactive --threads 2\n"
    "  # in 4 pieces (on 4 machines), then merged:\n"
    "  faultline sweep scenarios/spares.lua --seeds 1-8 --grid spares=0,64 \\\n"
    "      --shard 1/4 -o part-1          # ... 2/4 -o part-2, and so on\n"
    "  faultline merge -o results/spares-sweep part-1 part-2 part-3 part-4\n\n"
    "Writes DIR/<point>/seed-N/ (each exactly as 'faultline run' writes it,\n"
    "without plots and fabric.pcap unless asked), DIR/results.sqlite (a row\n"
    "per replica and per point and metric), DIR/<point>/summary.json (means\n"
    "plus replicas, for 'faultline compare'), DIR/sweep.json, DIR/sweep.csv\n"
    "and, with a grid, DIR/plots/ (each headline metric with its CI band;\n"
    "docs/sweep.md). Points are named KEY=VALUE,... ('base' without\n"
    "--grid). The results do not depend on\n"
    "--threads or --shard. Each replica is recorded as it ends: run the same\n"
    "command again after a crash or a kill to resume (--fresh starts over).\n"
    "With --shard K/N only shard K's replicas, shard.json and results.sqlite\n"
    "are written; 'faultline merge' makes the sweep of the N shards.\n"
    "Exit status: 0 success, 2 bad scenario, option, value or environment\n"
    "(unwritable folder, full disk), 3 a bug in faultline (docs/cli.md).");
  cli_sweep_add_entries (ctx, &a, true);
  if (!cli_parse (ctx, "sweep", &argc, &argv))
    return FL_EXIT_USAGE;
  int status = cli_sweep_check ("sweep", &a, argc, argv, true);
  if (status != FL_EXIT_OK)
    return status;

  FlProgress *prog = a.quiet ? NULL
                              : fl_progress_new (isatty (STDERR_FILENO) != 0);
  g_autoptr (GError) error = NULL;
  bool ok = fl_sweep_execute (a.sweep, prog, &error);
  fl_progress_end (prog);
  fl_progress_free (prog);
  if (!ok)
    {
      fprintf (stderr, "faultline sweep: %s\n", error->message);
      return fl_error_exit_status (error);
    }
  unsigned shard, shards;
  fl_sweep_shard (a.sweep, &shard, &shards);
  if (!a.quiet && shards <= 1)
    {
      g_autofree char *table = fl_sweep_format_summary (a.sweep);
      if (table != NULL)
        fputs (table, stdout);
    }
  else if (!a.quiet)
    printf ("shard %u of %u: %s/ (merge the %u shard folders with 'faultline "
            "merge')\n", shard, shards, fl_sweep_output_dir (a.sweep),
            shards);
  return FL_EXIT_OK;
}
