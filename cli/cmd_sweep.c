/* cli/cmd_sweep.c - `faultline sweep [SCENARIO] --seeds SPEC [--set K=V]...
 * [--grid K=V1,V2,...]... [--threads N] [-o DIR] [-q]`: many replicas of
 * one scenario in parallel, aggregated (lib/sweep.h, docs/sweep.md).
 *
 * Option checking and progress display only; running and aggregating is
 * lib/sweep.c. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "faultline.h"
#include "sweep.h"

typedef struct
{
  gint64 start_us;
  gint64 last_us;
  bool tty;
} SweepProgress;

static void
cmd_sweep_progress (unsigned done, unsigned total, void *user_data)
{
  SweepProgress *p = user_data;
  gint64 now = g_get_monotonic_time ();
  /* a log (not a terminal): a line at most every 5 s, and the last one */
  if (!p->tty && done < total && now - p->last_us < 5 * G_USEC_PER_SEC)
    return;
  p->last_us = now;
  double el = (double) (now - p->start_us) / 1e6;
  double eta = done > 0 ? el / done * (total - done) : 0.0;
  fprintf (stderr, "%s  sweep: %u / %u replicas done  %3.0f%%  elapsed "
           "%.0f s  eta %.0f s %s", p->tty ? "\r" : "", done, total,
           100.0 * done / total, el, eta, p->tty ? "" : "\n");
  fflush (stderr);
}

static void
cmd_sweep_free_axes (GArray *axes)
{
  for (guint i = 0; i < axes->len; i++)
    {
      SweepAxis *a = &g_array_index (axes, SweepAxis, i);
      g_free ((char *) a->key);
      g_strfreev ((char **) a->values);
    }
  g_array_free (axes, TRUE);
}

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
  printf ("results: %s/ (sweep.json, sweep.csv, <point>/seed-N/)\n", out);
}

int
cmd_sweep (int argc, char **argv)
{
  g_autofree char *out = NULL, *seeds_spec = NULL;
  g_auto (GStrv) sets = NULL, grids = NULL;
  gint threads = G_MININT; /* not given */
  gboolean quiet = FALSE, plots = FALSE, pcap = FALSE, no_wall = FALSE;
  GOptionEntry entries[] = {
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds_spec,
      "seeds of the replicas: N, A-B or a list (default 1)", "SPEC" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "override a param() or config key at every point (repeatable)",
      "NAME=VALUE" },
    { "grid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &grids,
      "one grid axis: the values NAME takes (repeatable: the product)",
      "NAME=V1,V2,..." },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads,
      "replicas run at once (default: the number of CPUs)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "output folder, new or empty (default results/SCENARIO-sweep)", "DIR" },
    { "plots", 0, 0, G_OPTION_ARG_NONE, &plots,
      "also render each replica's plots (off by default)", NULL },
    { "pcap", 0, 0, G_OPTION_ARG_NONE, &pcap,
      "also write each replica's fabric.pcap (off by default)", NULL },
    { "no-wall-seconds", 0, 0, G_OPTION_ARG_NONE, &no_wall,
      "write wall_seconds as null, so every file is byte-identical", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "no progress, no summary table", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "sweep", "[SCENARIO]",
    "Run one scenario over seeds and a grid of --set values, in parallel,\n"
    "and aggregate: mean, sd, min, max and 95% CI of every metric per grid\n"
    "point (default scenario: scenarios/llama3-16k.lua).",
    "Examples:\n"
    "  faultline sweep scenarios/spares.lua --seeds 1-8 --grid spares=0,64,128,256\n"
    "  faultline sweep --seeds 1-20 --set days=10 -o results/ci-sweep\n"
    "  faultline sweep scenarios/spares.lua --seeds 1-4 \\\n"
    "      --grid spares=64,128 --grid health=standard,proactive --threads 2\n\n"
    "Writes DIR/<point>/seed-N/ (each exactly as 'faultline run' writes it,\n"
    "without plots and fabric.pcap unless asked), DIR/<point>/summary.json\n"
    "(means plus replicas, for 'faultline compare'), DIR/sweep.json,\n"
    "DIR/sweep.csv and, with a grid, DIR/plots/ettr.png (docs/sweep.md).\n"
    "Points are named KEY=VALUE,... ('base' without --grid). The results do\n"
    "not depend on --threads. Nothing is left in DIR unless every replica\n"
    "succeeds.\n"
    "Exit status: 0 success, 2 bad scenario, option or value, 3 internal error.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "sweep", &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc > 2)
    {
      cli_error ("sweep", "one scenario at a time (got '%s' and '%s')",
                 argv[1], argv[2]);
      return FL_EXIT_USAGE;
    }
  if (threads <= 0 && threads != G_MININT)
    {
      cli_error ("sweep", "--threads %d: give 1 or more", threads);
      return FL_EXIT_USAGE;
    }
  if (threads == G_MININT)
    threads = (gint) MAX (g_get_num_processors (), 1u);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (!sweep_parse_seeds (seeds_spec ? seeds_spec : "1", seeds, &error))
    {
      cli_error ("sweep", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  for (size_t i = 0; sets != NULL && sets[i] != NULL; i++)
    if (strchr (sets[i], '=') == NULL || sets[i][0] == '=')
      {
        cli_error ("sweep", "--set '%s': expected NAME=VALUE", sets[i]);
        return FL_EXIT_USAGE;
      }
  GArray *axes = g_array_new (FALSE, TRUE, sizeof (SweepAxis));
  int status = FL_EXIT_OK;
  for (size_t i = 0; grids != NULL && grids[i] != NULL && status == 0; i++)
    {
      char *key = NULL, **values = NULL;
      if (!sweep_parse_axis (grids[i], &key, &values, &error))
        {
          cli_error ("sweep", "%s", error->message);
          status = FL_EXIT_USAGE;
          break;
        }
      SweepAxis a = { key, (const char *const *) values };
      g_array_append_val (axes, a);
      for (guint j = 0; j + 1 < axes->len && status == 0; j++)
        if (strcmp (g_array_index (axes, SweepAxis, j).key, key) == 0)
          {
            cli_error ("sweep", "--grid %s: the key is given twice (list "
                       "every value in one --grid)", key);
            status = FL_EXIT_USAGE;
          }
      size_t klen = strlen (key);
      for (size_t s = 0; sets != NULL && sets[s] != NULL && status == 0; s++)
        if (strncmp (sets[s], key, klen) == 0 && sets[s][klen] == '=')
          {
            cli_error ("sweep", "--grid %s and --set %s: a key is either "
                       "fixed or swept, not both", grids[i], sets[s]);
            status = FL_EXIT_USAGE;
          }
    }
  g_autofree char *scenario = NULL;
  if (status == 0)
    {
      scenario = argc == 2 ? g_strdup (argv[1]) : fl_default_scenario ();
      if (!g_file_test (scenario, G_FILE_TEST_IS_REGULAR))
        {
          cli_error ("sweep", "%s: no such scenario file", scenario);
          status = FL_EXIT_USAGE;
        }
    }
  if (status != 0)
    {
      cmd_sweep_free_axes (axes);
      return status;
    }
  if (out == NULL)
    {
      g_autofree char *base = g_path_get_basename (scenario);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      out = g_strdup_printf ("results/%s-sweep", base);
    }

  SweepProgress prog = { g_get_monotonic_time (), 0,
                         isatty (STDERR_FILENO) != 0 };
  SweepOptions o = {
    .scenario = scenario,
    .sets = (const char *const *) sets,
    .axes = (const SweepAxis *) axes->data,
    .n_axes = axes->len,
    .seeds = (const uint64_t *) seeds->data,
    .n_seeds = seeds->len,
    .output_dir = out,
    .threads = (unsigned) threads,
    .plots = plots,
    .pcap = pcap,
    .write_wall_seconds = !no_wall,
    .progress = quiet ? NULL : cmd_sweep_progress,
    .progress_data = &prog,
  };
  bool ok = sweep_run (&o, &error);
  if (!quiet && prog.tty && prog.last_us != 0)
    fputc ('\n', stderr);
  cmd_sweep_free_axes (axes);
  if (!ok)
    {
      fprintf (stderr, "faultline sweep: %s\n", error->message);
      return fl_error_exit_status (error);
    }
  if (!quiet)
    cmd_sweep_summary (out);
  return FL_EXIT_OK;
}
