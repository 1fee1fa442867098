/* cli/cmd_compare.c - `faultline compare BASELINE CANDIDATE`: prints the
 * comparison of two runs or two sweeps (fl_compare of faultline.h) as a
 * table, JSON, markdown or JUnit, and exits 0 (no regression), 1 (a
 * regression beyond tolerance) or 2 (bad input). No logic of its own. */
#include "cli.h"

#include <stdio.h>

#include "faultline.h"

int
cmd_compare (int argc, char **argv)
{
  g_auto (GStrv) tolerances = NULL;
  gboolean json = FALSE;
  g_autofree char *format = NULL;
  GOptionEntry entries[] = {
    { "tolerance", 't', 0, G_OPTION_ARG_STRING_ARRAY, &tolerances,
      "allowed worsening of METRIC, in % of the baseline (repeatable)",
      "METRIC=PCT" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "table (default), json, markdown (a pull-request comment) or junit "
      "(JUnit XML, one test case per metric)", "FORMAT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "the same as --format json",
      NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "compare", "BASELINE CANDIDATE",
    "Compares two runs (summary.json files or run folders) metric by metric\n"
    "and names the metrics that got worse than their tolerance, and by how\n"
    "much; or two sweep folders (faultline sweep -o) point by point. Warns\n"
    "(stderr) when two runs come from different scenarios or parameters.",
    "Exit status: 0 no regression beyond tolerance, 1 a regression,\n"
    "2 bad input or environment, 3 a bug in faultline (docs/cli.md).\n"
    "Default tolerances: 'faultline help metrics'; the replica (Welch)\n"
    "rule: docs/ci.md.\n\n"
    "Examples:\n"
    "  faultline compare results/main results/pr --tolerance ettr=0.5\n"
    "  faultline compare out/main out/pr --format markdown > comment.md\n"
    "  faultline compare out/main out/pr --format junit > compare.xml\n"
    "  faultline compare results/main-sweep results/pr-sweep\n\n"
    "Two sweeps: each grid point both have (matched by name) is compared on\n"
    "its <point>/summary.json with the replica (Welch) rule, and shown with\n"
    "each side's 95% CI from sweep.json; exit 1 when any point regressed\n"
    "beyond its interval (docs/sweep.md); markdown gives a section and\n"
    "junit a testsuite per point.\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "compare", &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc != 3)
    {
      cli_error ("compare", "expected BASELINE and CANDIDATE, got %d "
                 "argument%s (see 'faultline compare --help')", argc - 1,
                 argc - 1 == 1 ? "" : "s");
      return FL_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  FlCompareFormat fmt = json ? FL_COMPARE_JSON : FL_COMPARE_TABLE;
  if (format != NULL)
    {
      if (json)
        {
          cli_error ("compare", "--json and --format together: use one");
          return FL_EXIT_USAGE;
        }
      if (!fl_compare_format_parse (format, &fmt, &error))
        {
          cli_error ("compare", "%s", error->message);
          return FL_EXIT_USAGE;
        }
    }
  FlCompareOptions *opt = fl_compare_options_new ();
  for (size_t i = 0; tolerances != NULL && tolerances[i] != NULL; i++)
    if (!fl_compare_options_set_tolerance (opt, tolerances[i], &error))
      {
        cli_error ("compare", "%s", error->message);
        fl_compare_options_free (opt);
        return FL_EXIT_USAGE;
      }
  FlComparison *cmp = fl_compare (argv[1], argv[2], opt, &error);
  fl_compare_options_free (opt);
  if (cmp == NULL)
    {
      cli_error ("compare", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  /* The warnings go to stderr whatever the format (the markdown, JSON and
   * JUnit outputs carry them too; the table prints them itself). */
  if (fmt != FL_COMPARE_TABLE)
    for (size_t i = 0; i < fl_comparison_n_warnings (cmp); i++)
      fprintf (stderr, "faultline compare: warning: %s\n",
               fl_comparison_warning (cmp, i));
  g_autofree char *text = fl_comparison_format (cmp, fmt);
  fputs (text, stdout);
  int status = fl_comparison_regression (cmp) ? FL_EXIT_REGRESSION
                                              : FL_EXIT_OK;
  fl_comparison_free (cmp);
  return status; /* main() checks that stdout was written */
}
