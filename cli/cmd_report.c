/* cli/cmd_report.c - `faultline report DIR [-o FILE]` (a run or a sweep)
 * and `faultline report BASELINE CANDIDATE`: renders a run's plots
 * (lib/plots.h) then writes the self-contained HTML page (lib/report.h).
 * A missing gnuplot is a warning (the report says which plots are
 * missing); bad input is exit 2. */
#include "cli.h"
#include "plots.h"
#include "report.h"

#include <stdio.h>
#include <string.h>

/* Whether PATH is absent, or a report this command wrote (its generator
 * line within the first bytes): anything else is not ours to replace. */
static bool
cmd_report_replaceable (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return true;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return false;
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return false;
  char head[1024];
  size_t n = fread (head, 1, sizeof head - 1, f);
  fclose (f);
  head[n] = '\0';
  return strstr (head, "<meta name=\"generator\" content=\"faultline "
                 "report\">") != NULL;
}

/* Renders the plots of run folder DIR unless it has no timeseries.csv.
 * Returns false after printing the error (exit 2). */
static bool
cmd_report_plots (const char *dir)
{
  g_autofree char *ts = g_build_filename (dir, "timeseries.csv", NULL);
  if (!g_file_test (ts, G_FILE_TEST_EXISTS))
    return true;
  PlotsOptions opt = { 0 };
  opt.no_svg = TRUE; /* the report inlines PNG */
  g_autoptr (GError) error = NULL;
  if (!plots_render (dir, &opt, &error))
    {
      cli_error ("report", "%s", error->message);
      return false; /* input or environment, as in plot */
    }
  if (opt.gnuplot_missing)
    fprintf (stderr, "faultline: gnuplot not found; wrote data files "
             "only\n");
  return true;
}

/* A run named on the command line: a run folder, or (compare only) a
 * summary.json. Prints the error and returns false when it is neither. */
static bool
cmd_report_check_run (const char *path, bool file_ok)
{
  if (file_ok && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return true;
  g_autofree char *summary = g_build_filename (path, "summary.json", NULL);
  /* Present but not a regular file: report_write says what it is. */
  if (!g_file_test (summary, G_FILE_TEST_EXISTS))
    {
      cli_error ("report", "%s: not found (is %s a run folder written by "
                 "`faultline run`, or a sweep folder?)", summary, path);
      return false;
    }
  return true;
}

int
cmd_report (int argc, char **argv)
{
  char *output = NULL;
  gboolean no_plots = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "write the report to FILE (default DIR/report.html; with two runs "
      "CANDIDATE/compare.html)", "FILE" },
    { "no-plots", 0, 0, G_OPTION_ARG_NONE, &no_plots,
      "do not re-render the plots; inline the PNGs already in DIR/plots",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "report", "DIR | BASELINE CANDIDATE",
    "Writes one self-contained HTML page to paste into a design review.\n"
    "Of a run folder: the headline numbers (the main job's and the\n"
    "fleet's, with units), the params changed from the scenario's\n"
    "defaults, the plots (rendered first with gnuplot, inlined as PNG),\n"
    "then the details: summary.json, interruptions by cause, the first 500\n"
    "interruptions and the jobs. Of a sweep folder: every point's headline\n"
    "metrics with 95% CIs, the plots against the first grid axis with CI\n"
    "bands, a table per point. Of two runs (folders or summary.json) or\n"
    "two sweeps: the comparison of 'faultline compare' (default\n"
    "tolerances), its warnings, and both sides' plots side by side. It\n"
    "loads nothing from the network: mail it, attach it to a ticket, open\n"
    "it offline.",
    "Examples:\n"
    "  faultline report results/llama3-16k\n"
    "  faultline report results/llama3-16k -o /tmp/llama3.html\n"
    "  faultline report results/spares-sweep\n"
    "  faultline report results/main results/pr -o /tmp/pr.html\n\n"
    "Exit status 2: a folder has no summary.json (or sweep.json) or holds\n"
    "a malformed file, gnuplot failed, the report cannot be written, or\n"
    "FILE exists and is not a faultline report (docs/cli.md). A comparison\n"
    "page is written whatever the verdict (exit 0); 'faultline compare'\n"
    "gives the verdict as an exit status.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "report", &argc, &argv))
    {
      g_free (output);
      return FL_EXIT_USAGE;
    }
  g_autofree char *out = output;
  if (argc != 2 && argc != 3)
    {
      cli_error ("report", "expected a run or sweep folder, or two runs to "
                 "compare, got %d arguments (see 'faultline report "
                 "--help')", argc - 1);
      return FL_EXIT_USAGE;
    }
  if (out != NULL)
    {
      /* A bad -o is bad input (exit 2), found before any work. */
      g_autofree char *odir = g_path_get_dirname (out);
      const char *why = NULL;
      if (*out == '\0')
        why = "is empty";
      else if (g_file_test (out, G_FILE_TEST_IS_DIR)
               || g_str_has_suffix (out, "/"))
        why = "is a folder";
      else if (!g_file_test (odir, G_FILE_TEST_IS_DIR))
        why = "is in a folder that does not exist";
      if (why != NULL)
        {
          cli_error ("report", "-o '%s' %s: give a file name, e.g. -o "
                     "/tmp/run.html", out, why);
          return FL_EXIT_USAGE;
        }
    }
  bool compare = argc == 3;
  const char *dir = argv[1];
  bool sweep = !compare && report_is_sweep (dir);
  g_autofree char *target = NULL;
  if (out != NULL)
    target = g_strdup (out);
  else if (compare)
    {
      g_autofree char *cdir = g_file_test (argv[2], G_FILE_TEST_IS_DIR)
          ? g_strdup (argv[2]) : g_path_get_dirname (argv[2]);
      target = g_build_filename (cdir, "compare.html", NULL);
    }
  else
    target = g_build_filename (dir, "report.html", NULL);
  if (!cmd_report_replaceable (target))
    {
      cli_error ("report", "%s exists and is not a faultline report: not "
                 "replacing it (choose another -o, or remove it)", target);
      return FL_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  bool ok;
  if (compare)
    {
      for (int i = 1; i <= 2; i++)
        {
          if (report_is_sweep (argv[i]))
            continue;
          if (!cmd_report_check_run (argv[i], true))
            return FL_EXIT_USAGE;
          if (!no_plots && g_file_test (argv[i], G_FILE_TEST_IS_DIR)
              && !cmd_report_plots (argv[i]))
            return FL_EXIT_USAGE;
        }
      ok = report_write_compare (argv[1], argv[2], target, &error);
    }
  else if (sweep)
    ok = report_write_sweep (dir, target, &error);
  else
    {
      if (!cmd_report_check_run (dir, false))
        return FL_EXIT_USAGE;
      if (!no_plots && !cmd_report_plots (dir))
        return FL_EXIT_USAGE;
      ok = report_write (dir, target, &error);
    }
  if (!ok)
    {
      /* A malformed folder or a report that cannot be written (an
       * unwritable folder, a full disk): exit 2. */
      cli_error ("report", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  return FL_EXIT_OK;
}
