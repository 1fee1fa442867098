/* cli/cmd_report.c - `faultline report DIR [-o FILE]`: renders the plots
 * (lib/plots.h) then writes the self-contained HTML report (lib/report.h).
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

int
cmd_report (int argc, char **argv)
{
  char *output = NULL;
  gboolean no_plots = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "write the report to FILE (default DIR/report.html)", "FILE" },
    { "no-plots", 0, 0, G_OPTION_ARG_NONE, &no_plots,
      "do not re-render the plots; inline the PNGs already in DIR/plots",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "report", "DIR",
    "Writes one self-contained HTML file for run folder DIR: the summary\n"
    "(summary.json), the plots (rendered first with gnuplot, inlined as\n"
    "PNG), interruptions by cause, the first 500 interruptions and the\n"
    "jobs. It loads nothing from the network: mail it, attach it to a\n"
    "ticket, open it offline.",
    "Examples:\n"
    "  faultline report results/llama3-16k\n"
    "  faultline report results/llama3-16k -o /tmp/llama3.html\n\n"
    "Exit status 2: DIR has no summary.json or holds a malformed file,\n"
    "gnuplot failed, the report cannot be written, or FILE exists and is\n"
    "not a faultline report (docs/cli.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "report", &argc, &argv))
    {
      g_free (output);
      return FL_EXIT_USAGE;
    }
  g_autofree char *out = output;
  if (argc != 2)
    {
      cli_error ("report", "expected one run folder, got %d arguments (see "
                 "'faultline report --help')", argc - 1);
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
  const char *dir = argv[1];
  g_autofree char *target = out ? g_strdup (out)
                                : g_build_filename (dir, "report.html", NULL);
  if (!cmd_report_replaceable (target))
    {
      cli_error ("report", "%s exists and is not a faultline report: not "
                 "replacing it (choose another -o, or remove it)", target);
      return FL_EXIT_USAGE;
    }
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
  /* Present but not a regular file: report_write says what it is. */
  if (!g_file_test (summary, G_FILE_TEST_EXISTS))
    {
      cli_error ("report", "%s: not found (is %s a run folder written by "
                 "`faultline run`?)", summary, dir);
      return FL_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *ts = g_build_filename (dir, "timeseries.csv", NULL);
  if (!no_plots && g_file_test (ts, G_FILE_TEST_EXISTS))
    {
      PlotsOptions opt = { 0 };
      opt.no_svg = TRUE; /* the report inlines PNG */
      if (!plots_render (dir, &opt, &error))
        {
          cli_error ("report", "%s", error->message);
          return FL_EXIT_USAGE; /* input or environment, as in plot */
        }
      if (opt.gnuplot_missing)
        fprintf (stderr, "faultline: gnuplot not found; wrote data files "
                 "only\n");
    }
  if (!report_write (dir, out, &error))
    {
      /* A malformed run folder or a report that cannot be written (an
       * unwritable folder, a full disk): exit 2. */
      cli_error ("report", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  return FL_EXIT_OK;
}
