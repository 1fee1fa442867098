/* cli/cmd_run.c - `faultline run [SCENARIO] [-o DIR] [--seed N] [--set
 * NAME=VALUE]... [--policy-plugin PATH.so] [-q]`: one replica of a
 * scenario, written to a folder. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "faultline.h"

/* Largest --lua-mem: 1 TiB, far above any machine we run on, and small
 * enough that MiB -> bytes cannot overflow size_t. */
#define CMD_RUN_LUA_MEM_MAX_MIB (1024 * 1024)

/* The headline metrics of the metric table, rounded, with units. */
static void
print_headline (const FlRun *run)
{
  FlMetricInfo mi;
  int width = 0;
  for (size_t i = 0; fl_metric_info (i, &mi); i++)
    if (mi.headline)
      width = MAX (width, (int) strlen (mi.label));
  for (size_t i = 0; fl_metric_info (i, &mi); i++)
    if (mi.headline)
      {
        g_autofree char *v = fl_metric_format (mi.name,
                                               fl_run_metric (run, mi.name));
        printf ("  %-*s  %s\n", width, mi.label, v);
      }
}

/* The workload trace's line, when the run read one: "trace: 1,204 jobs;
 * 96 records skipped (0 malformed, 90 cancelled, 6 unusable); 3 after the
 * end" (summary.json "workload_trace", docs/results.md). */
static void
print_trace (FlRun *run)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  if (!json_parser_load_from_data (p, fl_run_summary_json (run), -1, NULL))
    return;
  JsonObject *o = json_node_get_object (json_parser_get_root (p));
  JsonNode *tn = json_object_get_member (o, "workload_trace");
  if (tn == NULL || !JSON_NODE_HOLDS_OBJECT (tn))
    return;
  JsonObject *t = json_node_get_object (tn);
  gint64 after = json_object_get_int_member_with_default (t, "after_end", 0);
  printf ("  trace: %" G_GINT64_FORMAT " jobs; %" G_GINT64_FORMAT " records "
          "skipped (%" G_GINT64_FORMAT " malformed, %" G_GINT64_FORMAT
          " cancelled, %" G_GINT64_FORMAT " unusable)",
          json_object_get_int_member_with_default (t, "jobs", 0),
          json_object_get_int_member_with_default (t, "skipped", 0),
          json_object_get_int_member_with_default (t, "skipped_malformed", 0),
          json_object_get_int_member_with_default (t, "skipped_cancelled", 0),
          json_object_get_int_member_with_default (t, "skipped_unusable", 0));
  if (after > 0)
    printf ("; %" G_GINT64_FORMAT " submitted after the end", after);
  putchar ('\n');
}

/* --params: the scenario's param()s as a table on stdout. */
static void
cmd_run_print_params (const FlRun *run)
{
  const char *name, *value, *help;
  int wn = 4, wv = 5;
  for (size_t i = 0; fl_run_param (run, i, &name, &value, NULL); i++)
    {
      wn = MAX (wn, (int) strlen (name));
      wv = MAX (wv, (int) strlen (value));
    }
  if (!fl_run_param (run, 0, NULL, NULL, NULL))
    {
      printf ("%s declares no param(); --set still reaches the configuration "
              "keys ('faultline help options').\n", fl_run_scenario_name (run));
      return;
    }
  printf ("Parameters of %s (change them with --set NAME=VALUE):\n",
          fl_run_scenario_name (run));
  printf ("  %-*s  %-*s  %s\n", wn, "name", wv, "value", "meaning");
  for (size_t i = 0; fl_run_param (run, i, &name, &value, &help); i++)
    printf ("  %-*s  %-*s  %s\n", wn, name, wv, value, help);
}

int
cmd_run (int argc, char **argv)
{
  g_autofree char *out = NULL, *trace = NULL, *plugin = NULL, *metrics = NULL;
  gdouble metrics_interval = 240;
  g_autofree char *seed_s = NULL, *lua_mem_s = NULL, *lua_budget_s = NULL;
  g_auto (GStrv) sets = NULL;
  guint64 seed = 1, lua_mem_mib = 0, lua_budget = 0;
  gboolean quiet = FALSE, events = FALSE, no_plots = FALSE, no_pcap = FALSE;
  gboolean no_wall = FALSE, list_params = FALSE, health_events = FALSE;
  gboolean allow_plugins = FALSE, force_progress = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "output folder (default results/SCENARIO-seedN)", "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_s,
      "run seed, a decimal integer (default 1)", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "override a param() of the scenario or a config key (repeatable)", "NAME=VALUE" },
    { "policy-plugin", 0, 0, G_OPTION_ARG_FILENAME, &plugin,
      "health policy from a shared library (sets policy.health_plugin)",
      "PATH.so" },
    { "allow-plugins", 0, 0, G_OPTION_ARG_NONE, &allow_plugins,
      "let the scenario load the health-policy plugin it names "
      "(policy{plugin=...}: native code runs with your rights)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress, no summary", NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &force_progress,
      "progress on stderr even when it is not a terminal: a line every 5 s "
      "(for a log); a terminal always gets it, unless -q", NULL },
    { "events", 0, 0, G_OPTION_ARG_NONE, &events, "also write events.jsonl", NULL },
    { "health-events", 0, 0, G_OPTION_ARG_NONE, &health_events,
      "also write health_events.jsonl (faults and policy actions as "
      "Kubernetes health events, docs/policies.md)", NULL },
    { "metrics", 0, 0, G_OPTION_ARG_FILENAME, &metrics,
      "write the run's time series as OpenMetrics text with timestamps "
      "(dcgm-exporter names; docs/monitoring.md)", "FILE.om" },
    { "metrics-interval", 0, 0, G_OPTION_ARG_DOUBLE, &metrics_interval,
      "simulated seconds between two samples of --metrics (default 240: under Prometheus's 5-minute lookback)", "S" },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
      "write a Perfetto/Chrome trace of node states and jobs", "FILE" },
    { "no-plots", 0, 0, G_OPTION_ARG_NONE, &no_plots, "do not render plots", NULL },
    { "no-pcap", 0, 0, G_OPTION_ARG_NONE, &no_pcap, "do not write fabric.pcap", NULL },
    { "no-wall-seconds", 0, 0, G_OPTION_ARG_NONE, &no_wall,
      "write wall_seconds as null, so summaries are byte-identical", NULL },
    { "lua-mem", 0, 0, G_OPTION_ARG_STRING, &lua_mem_s,
      "memory cap of the scenario's Lua state (default 256)", "MIB" },
    { "lua-budget", 0, 0, G_OPTION_ARG_STRING, &lua_budget_s,
      "Lua VM instructions allowed over the run (default 2e9)", "N" },
    { "params", 0, 0, G_OPTION_ARG_NONE, &list_params,
      "list the scenario's param()s (name, value, help) and exit without running", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "run", "[SCENARIO]",
    "Run one replica of a scenario and write its results (default scenario:\n"
    "scenarios/llama3-16k.lua, 16,384 H100 GPUs for 54 days).",
    "SCENARIO is a .lua file, or the name of a shipped scenario (spares.lua\n"
    "or spares), found in the installed scenarios folder.\n\n"
    "Examples:\n"
    "  faultline run\n"
    "  faultline run fleet-100k.lua --seed 7\n"
    "  faultline run scenarios/spares.lua --set spares=128 --seed 7\n"
    "  faultline run scenarios/llama3-16k.lua --set health=proactive -o results/pro\n"
    "  faultline run scenarios/spares.lua --params     (what --set can change)\n"
    "  faultline run scenarios/llama3-16k.lua --set health=nvsentinel --health-events\n"
    "  faultline run scenarios/burst.lua --metrics burst.om   (promtool tsdb\n"
    "    create-blocks-from openmetrics burst.om DIR loads it; docs/monitoring.md)\n"
    "  faultline run scenarios/llama3-16k.lua --policy-plugin ./my_policy.so\n"
    "    (a health policy built against policy/health.h, see docs/policies.md;\n"
    "    a plugin of another health API version is refused with status 2)\n"
    "  faultline run my-scenario.lua --allow-plugins\n"
    "    (the scenario's own policy{plugin=...}: refused without it)\n\n"
    "Progress (stderr): on a terminal one line, rewritten each second, with\n"
    "the simulated time done, events, elapsed time and an ETA; none in a\n"
    "log unless --progress (then a line every 5 s); none with -q.\n\n"
    "Writes summary.json, timeseries.csv, interruptions.csv, jobs.csv,\n"
    "interruptions_by_cause.csv, fabric.pcap and plots/ (docs/results.md).\n"
    "An existing -o must be empty or an earlier run folder, and not being\n"
    "written by another faultline process (docs/cli.md).\n"
    "Exit status: 0 success, 2 bad scenario, option or environment\n"
    "(unwritable folder, full disk), 3 a bug in faultline (docs/cli.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "run", &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc > 2)
    {
      cli_error ("run", "one scenario at a time (got '%s' and '%s')", argv[1], argv[2]);
      return FL_EXIT_USAGE;
    }
  /* Decimal only: GOption's integers also take 0x10 (16) and 010 (8),
   * so a seed written either way would silently be another seed. */
  if ((seed_s != NULL && !cli_parse_u64 ("run", "--seed", seed_s, &seed))
      || (lua_mem_s != NULL
          && !cli_parse_u64 ("run", "--lua-mem", lua_mem_s, &lua_mem_mib))
      || (lua_budget_s != NULL
          && !cli_parse_u64 ("run", "--lua-budget", lua_budget_s,
                             &lua_budget)))
    return FL_EXIT_USAGE;
  if (lua_mem_mib > CMD_RUN_LUA_MEM_MAX_MIB)
    {
      cli_error ("run", "--lua-mem: %" G_GUINT64_FORMAT " MiB is more than "
                 "the %d MiB (1 TiB) a scenario may ask for",
                 lua_mem_mib, CMD_RUN_LUA_MEM_MAX_MIB);
      return FL_EXIT_USAGE;
    }
  if (out != NULL && *out == '\0')
    {
      cli_error ("run", "-o/--output: empty folder name (give a folder, "
                 "e.g. -o results/x)");
      return FL_EXIT_USAGE;
    }
  if (trace != NULL && (*trace == '\0' || g_str_has_suffix (trace, "/")
                        || g_file_test (trace, G_FILE_TEST_IS_DIR)))
    {
      cli_error ("run", "--trace: '%s' is %s; give a file name, e.g. "
                 "--trace run.trace.json", trace,
                 *trace == '\0' ? "empty" : "a folder");
      return FL_EXIT_USAGE;
    }
  if (trace != NULL)
    {
      g_autofree char *tdir = g_path_get_dirname (trace);
      if (!g_file_test (tdir, G_FILE_TEST_IS_DIR))
        {
          cli_error ("run", "--trace %s: folder '%s' does not exist", trace,
                     tdir);
          return FL_EXIT_USAGE;
        }
    }
  if (!(metrics_interval >= 1 && metrics_interval <= 86400))
    {
      cli_error ("run", "--metrics-interval: %g is not between 1 and 86400 "
                 "seconds", metrics_interval);
      return FL_EXIT_USAGE;
    }
  if (metrics != NULL && (*metrics == '\0' || g_str_has_suffix (metrics, "/")
                          || g_file_test (metrics, G_FILE_TEST_IS_DIR)))
    {
      cli_error ("run", "--metrics: '%s' is %s; give a file name, e.g. "
                 "--metrics run.om", metrics,
                 *metrics == '\0' ? "empty" : "a folder");
      return FL_EXIT_USAGE;
    }
  if (metrics != NULL)
    {
      g_autofree char *mdir = g_path_get_dirname (metrics);
      g_autofree char *amdir = g_canonicalize_filename (mdir, NULL);
      g_autofree char *aout = out ? g_canonicalize_filename (out, NULL) : NULL;
      /* in the -o folder: written with its files */
      if ((aout == NULL || strcmp (amdir, aout) != 0)
          && !g_file_test (mdir, G_FILE_TEST_IS_DIR))
        {
          cli_error ("run", "--metrics %s: folder '%s' does not exist",
                     metrics, mdir);
          return FL_EXIT_USAGE;
        }
    }
  g_autofree char *scenario = NULL;
  {
    g_autoptr (GError) ferr = NULL;
    g_autofree char *given = argc == 2 ? g_strdup (argv[1])
                                       : fl_default_scenario ();
    /* A FIFO or a device (/dev/zero): the loader says what it is. */
    if (g_file_test (given, G_FILE_TEST_EXISTS)
        && !g_file_test (given, G_FILE_TEST_IS_DIR)
        && !g_file_test (given, G_FILE_TEST_IS_REGULAR))
      scenario = g_strdup (given);
    else
      scenario = fl_scenario_find (given, &ferr);
    if (scenario == NULL)
      {
        cli_error ("run", "%s", ferr->message);
        return FL_EXIT_USAGE;
      }
  }
  for (size_t i = 0; sets != NULL && sets[i] != NULL; i++)
    if (strchr (sets[i], '=') == NULL || sets[i][0] == '=')
      {
        cli_error ("run", "--set '%s': expected NAME=VALUE", sets[i]);
        return FL_EXIT_USAGE;
      }
  if (plugin != NULL)
    {
      if (*plugin == '\0')
        {
          cli_error ("run", "--policy-plugin: empty path (give the .so, e.g. "
                     "--policy-plugin ./my_policy.so)");
          return FL_EXIT_USAGE;
        }
      /* the last word, after any --set policy.health_plugin=... */
      guint n = sets != NULL ? g_strv_length (sets) : 0;
      sets = g_renew (char *, sets, n + 2);
      sets[n] = g_strconcat ("policy.health_plugin=", plugin, NULL);
      sets[n + 1] = NULL;
    }
  if (out == NULL)
    {
      g_autofree char *base = g_path_get_basename (scenario);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      out = g_strdup_printf ("results/%s-seed%" G_GUINT64_FORMAT, base, seed);
    }

  /* A folder that exists, is not empty and holds no summary.json is not a
   * run folder: its files are not ours to replace (docs/cli.md). */
  if (!list_params && g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *sum = g_build_filename (out, "summary.json", NULL);
      GDir *d = g_dir_open (out, 0, NULL);
      bool empty = d == NULL || g_dir_read_name (d) == NULL;
      if (d != NULL)
        g_dir_close (d);
      if (!empty && !g_file_test (sum, G_FILE_TEST_EXISTS))
        {
          cli_error ("run", "-o %s: the folder exists, is not empty and is "
                     "not a faultline run folder (no summary.json): choose "
                     "another -o, or remove it", out);
          return FL_EXIT_USAGE;
        }
    }

  FlRunOptions o;
  fl_run_options_init (&o);
  o.scenario = scenario;
  o.seed = seed;
  o.sets = (const char *const *) sets;
  o.output_dir = list_params ? NULL : out;
  o.events = events;
  o.health_events = health_events;
  o.metrics_path = list_params ? NULL : metrics;
  o.metrics_interval_s = metrics_interval;
  o.trace_path = trace;
  o.plots = !no_plots;
  o.pcap = !no_pcap;
  o.write_wall_seconds = !no_wall;
  o.lua_mem_limit = (size_t) lua_mem_mib * 1024 * 1024;
  o.lua_budget = (uint64_t) lua_budget;
  o.allow_plugins = allow_plugins;
  /* The run's progress line on stderr: rewritten in place on a
   * terminal, a line every few seconds in a log (--progress). */
  bool tty = isatty (STDERR_FILENO);
  g_autoptr (FlProgress) prog = NULL;
  if (!quiet && (tty || force_progress))
    {
      prog = fl_progress_new (tty);
      o.progress = fl_progress_run;
      o.progress_data = prog;
    }

  g_autoptr (GError) error = NULL;
  FlRun *run = fl_run_new (&o, &error);
  if (run == NULL)
    {
      /* A scenario that fails to load: one line (file:line: message); the
       * Lua traceback of a load error only repeats it. Errors in callbacks
       * during the run keep their traceback and simulated time. */
      g_auto (GStrv) lines = g_strsplit (error->message, "\n", 2);
      fprintf (stderr, "faultline run: %s\n", lines[0]);
      return fl_error_exit_status (error);
    }
  if (list_params)
    {
      cmd_run_print_params (run);
      fl_run_free (run);
      return FL_EXIT_OK;
    }
  bool ok = fl_run_execute (run, &error);
  fl_progress_end (prog);
  if (!ok)
    {
      fprintf (stderr, "faultline run: %s\n", error->message);
      int status = fl_error_exit_status (error);
      fl_run_free (run);
      return status;
    }
  if (!quiet)
    {
      printf ("faultline %s: %s, seed %" G_GUINT64_FORMAT "\n", fl_version (),
              fl_run_scenario_name (run), seed);
      print_headline (run);
      print_trace (run);
      printf ("results: %s/ (summary.json; plots in %s/plots/)\n", out, out);
    }
  fl_run_free (run);
  return FL_EXIT_OK;
}
