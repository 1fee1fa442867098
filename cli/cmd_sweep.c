/* cli/cmd_sweep.c - `faultline sweep [SCENARIO] --seeds SPEC [--set K=V]...
 * [--grid K=V1,V2,...]... [--threads N] [--shard K/N] [--fresh] [-o DIR]
 * [-q]`: many replicas of one scenario in parallel, aggregated, resumable
 * (lib/sweep.h, docs/sweep.md).
 *
 * Option checking and progress display only; running and aggregating is
 * lib/sweep.c. The sweep options are parsed here for `faultline slurm` and
 * `faultline k8s` too (cli_sweep_*), so the three accept the same words. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "faultline.h"
#include "progress.h"
#include "sweep.h"

/* ---- progress ---- */

/* "sweep: 3/8 points, 130/320 replicas (40 resumed), 2.1 runs/s, elapsed
 * 43 s, eta 45 s". The rate counts the replicas run by this process; the
 * ETA is the mean wall time of a replica times the replicas left, divided
 * by the threads that will run them. */
static void
cmd_sweep_progress (const SweepProgressInfo *in, void *user_data)
{
  Progress *p = user_data;
  double el;
  /* a log (not a terminal): a line at most every 5 s, and the last one */
  if (!progress_due (p, in->done >= in->total, &el))
    return;
  unsigned ran = in->done - in->resumed;
  unsigned left = in->total - in->done;
  double rate = el > 0 && ran > 0 ? ran / el : NAN;
  double eta = ran > 0 && in->threads > 0
    ? in->busy_seconds / ran * left / MIN (in->threads, MAX (left, 1u))
    : NAN;
  if (left == 0)
    eta = 0;
  char e1[32], e2[32], r[32];
  progress_duration (e1, sizeof e1, el);
  progress_duration (e2, sizeof e2, eta);
  if (isfinite (rate))
    g_snprintf (r, sizeof r, "%.*f runs/s", rate < 10 ? 2 : 1, rate);
  else
    g_snprintf (r, sizeof r, "- runs/s");
  g_autofree char *resumed = in->resumed > 0
    ? g_strdup_printf (" (%u resumed)", in->resumed) : g_strdup ("");
  g_autofree char *line = g_strdup_printf (
      "sweep: %u/%u points, %u/%u replicas done%s, %s, %u threads, elapsed "
      "%s, eta %s", in->points_done, in->points, in->done, in->total,
      resumed, r, in->threads, e1, e2);
  progress_print (p, line);
}

/* ---- the sweep options, shared with slurm and k8s ---- */

void
cli_sweep_args_clear (CliSweepArgs *a)
{
  g_clear_pointer (&a->out, g_free);
  g_clear_pointer (&a->seeds_spec, g_free);
  g_clear_pointer (&a->shard_spec, g_free);
  g_clear_pointer (&a->scenario, g_free);
  g_clear_pointer (&a->sets, g_strfreev);
  g_clear_pointer (&a->grids, g_strfreev);
  if (a->axes != NULL)
    {
      for (guint i = 0; i < a->axes->len; i++)
        {
          SweepAxis *x = &g_array_index (a->axes, SweepAxis, i);
          g_free ((char *) x->key);
          g_strfreev ((char **) x->values);
        }
      g_array_free (a->axes, TRUE);
      a->axes = NULL;
    }
  g_clear_pointer (&a->seeds, g_array_unref);
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
  a->threads_given = a->threads != G_MININT;
  if (!a->threads_given)
    a->threads = local ? (gint) MAX (g_get_num_processors (), 1u) : 1;
  g_autoptr (GError) error = NULL;
  a->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (!sweep_parse_seeds (a->seeds_spec ? a->seeds_spec : "1", a->seeds,
                          &error))
    {
      cli_error (cmd, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  a->shard = a->shards = 0;
  if (a->shard_spec != NULL
      && !sweep_parse_shard (a->shard_spec, &a->shard, &a->shards, &error))
    {
      cli_error (cmd, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  for (size_t i = 0; a->sets != NULL && a->sets[i] != NULL; i++)
    if (strchr (a->sets[i], '=') == NULL || a->sets[i][0] == '=')
      {
        cli_error (cmd, "--set '%s': expected NAME=VALUE", a->sets[i]);
        return FL_EXIT_USAGE;
      }
  a->axes = g_array_new (FALSE, TRUE, sizeof (SweepAxis));
  for (size_t i = 0; a->grids != NULL && a->grids[i] != NULL; i++)
    {
      char *key = NULL, **values = NULL;
      if (!sweep_parse_axis (a->grids[i], &key, &values, &error))
        {
          cli_error (cmd, "%s", error->message);
          return FL_EXIT_USAGE;
        }
      SweepAxis x = { key, (const char *const *) values };
      g_array_append_val (a->axes, x);
      for (guint j = 0; j + 1 < a->axes->len; j++)
        if (strcmp (g_array_index (a->axes, SweepAxis, j).key, key) == 0)
          {
            cli_error (cmd, "--grid %s: the key is given twice (list every "
                       "value in one --grid)", key);
            return FL_EXIT_USAGE;
          }
      size_t klen = strlen (key);
      for (size_t s = 0; a->sets != NULL && a->sets[s] != NULL; s++)
        if (strncmp (a->sets[s], key, klen) == 0 && a->sets[s][klen] == '=')
          {
            cli_error (cmd, "--grid %s and --set %s: a key is either fixed "
                       "or swept, not both", a->grids[i], a->sets[s]);
            return FL_EXIT_USAGE;
          }
    }
  /* Found as `faultline run` finds it: a file, or a shipped scenario by
   * name (spares.lua, spares). */
  g_autofree char *given = argc == 2 ? g_strdup (argv[1])
                                     : fl_default_scenario ();
  if (g_file_test (given, G_FILE_TEST_EXISTS)
      && !g_file_test (given, G_FILE_TEST_IS_DIR)
      && !g_file_test (given, G_FILE_TEST_IS_REGULAR))
    {
      cli_error (cmd, "%s: not a regular file (expected a scenario .lua "
                 "file)", given);
      return FL_EXIT_USAGE;
    }
  g_autoptr (GError) ferr = NULL;
  a->scenario = fl_scenario_find (given, &ferr);
  if (a->scenario == NULL)
    {
      cli_error (cmd, "%s", ferr->message);
      return FL_EXIT_USAGE;
    }
  if (a->out == NULL)
    {
      g_autofree char *base = g_path_get_basename (a->scenario);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      a->out = g_strdup_printf ("results/%s-sweep", base);
    }
  return FL_EXIT_OK;
}

unsigned long
cli_sweep_replicas (const CliSweepArgs *a)
{
  unsigned long n = a->seeds->len;
  for (guint i = 0; i < a->axes->len; i++)
    n *= g_strv_length ((char **) g_array_index (a->axes, SweepAxis,
                                                 i).values);
  return n;
}

GPtrArray *
cli_sweep_argv (const CliSweepArgs *a)
{
  GPtrArray *v = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (v, g_strdup (a->scenario));
  if (a->seeds_spec != NULL)
    g_ptr_array_add (v, g_strconcat ("--seeds=", a->seeds_spec, NULL));
  for (size_t i = 0; a->sets != NULL && a->sets[i] != NULL; i++)
    g_ptr_array_add (v, g_strconcat ("--set=", a->sets[i], NULL));
  for (size_t i = 0; a->grids != NULL && a->grids[i] != NULL; i++)
    g_ptr_array_add (v, g_strconcat ("--grid=", a->grids[i], NULL));
  if (a->plots)
    g_ptr_array_add (v, g_strdup ("--plots"));
  if (a->pcap)
    g_ptr_array_add (v, g_strdup ("--pcap"));
  if (a->no_wall)
    g_ptr_array_add (v, g_strdup ("--no-wall-seconds"));
  return v;
}

/* ---- faultline sweep ---- */

/* Prints the mean ETTR and its CI per point from sweep.json. */
static void
cmd_sweep_summary (const char *out)
{
  g_autofree char *path = g_build_filename (out, "sweep.json", NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  if (!json_parser_load_from_file (p, path, NULL))
    return;
  JsonObject *root = json_node_get_object (json_parser_get_root (p));
  JsonArray *points = json_object_get_array_member (root, "points");
  printf ("%-40s %4s  %-10s %s\n", "point", "n", "ETTR mean", "95% CI");
  for (guint i = 0; i < json_array_get_length (points); i++)
    {
      JsonObject *pt = json_array_get_object_element (points, i);
      JsonObject *m = json_object_get_object_member (pt, "metrics");
      JsonObject *e = m && json_object_has_member (m, "ettr")
                      ? json_object_get_object_member (m, "ettr") : NULL;
      printf ("%-40s", json_object_get_string_member (pt, "name"));
      if (e == NULL || json_object_get_null_member (e, "mean"))
        {
          printf (" %4s  -\n", "0");
          continue;
        }
      printf (" %4" G_GINT64_FORMAT "  %-10.4f", json_object_get_int_member (e, "n"),
              json_object_get_double_member (e, "mean"));
      if (json_object_get_null_member (e, "ci95_low"))
        printf (" -\n");
      else
        printf (" [%.4f, %.4f]\n", json_object_get_double_member (e, "ci95_low"),
                json_object_get_double_member (e, "ci95_high"));
    }
  printf ("results: %s/ (sweep.json, sweep.csv, results.sqlite, "
          "<point>/seed-N/)\n", out);
}

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

  Progress prog;
  progress_init (&prog, isatty (STDERR_FILENO) != 0);
  SweepOptions o = {
    .scenario = a.scenario,
    .sets = (const char *const *) a.sets,
    .axes = (const SweepAxis *) a.axes->data,
    .n_axes = a.axes->len,
    .seeds = (const uint64_t *) a.seeds->data,
    .n_seeds = a.seeds->len,
    .output_dir = a.out,
    .threads = (unsigned) a.threads,
    .shard = a.shard,
    .shards = a.shards,
    .fresh = a.fresh,
    .plots = a.plots,
    .pcap = a.pcap,
    .write_wall_seconds = !a.no_wall,
    .progress = a.quiet ? NULL : cmd_sweep_progress,
    .progress_data = &prog,
  };
  g_autoptr (GError) error = NULL;
  bool ok = sweep_run (&o, &error);
  if (!a.quiet && prog.tty && prog.printed)
    fputc ('\n', stderr);
  if (!ok)
    {
      fprintf (stderr, "faultline sweep: %s\n", error->message);
      return fl_error_exit_status (error);
    }
  if (!a.quiet && a.shards <= 1)
    cmd_sweep_summary (a.out);
  else if (!a.quiet)
    printf ("shard %u of %u: %s/ (merge the %u shard folders with 'faultline "
            "merge')\n", a.shard, a.shards, a.out, a.shards);
  return FL_EXIT_OK;
}
