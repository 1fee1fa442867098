/* cli/cmd_report.c - `faultline report DIR [-o FILE]` (a run or a sweep)
 * and `faultline report BASELINE CANDIDATE`: the self-contained HTML page
 * of fl_report_write / fl_report_write_compare (faultline.h), which render
 * a run's plots first. A missing gnuplot is a warning (the report says
 * which plots are missing); bad input is exit 2. Option checking only. */
#include "cli.h"
#include "faultline.h"

#include <stdio.h>

/* Prints the warning of each plot rendering that found no gnuplot. */
static void
cmd_report_warn (const FlPlotResult *res)
{
  for (unsigned i = 0; i < res->gnuplot_missing; i++)
    fprintf (stderr, "faultline: gnuplot not found; wrote data files "
             "only\n");
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
  FlReportOptions opt;
  fl_report_options_init (&opt);
  opt.output = out;
  opt.plots = !no_plots;
  FlPlotResult res;
  g_autoptr (GError) error = NULL;
  bool ok = argc == 3
    ? fl_report_write_compare (argv[1], argv[2], &opt, &res, &error)
    : fl_report_write (argv[1], &opt, &res, &error);
  cmd_report_warn (&res);
  if (!ok)
    {
      /* A malformed folder or a report that cannot be written (an
       * unwritable folder, a full disk): exit 2. */
      cli_error ("report", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  return FL_EXIT_OK;
}
