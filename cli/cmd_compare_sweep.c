/* cli/cmd_compare_sweep.c - `faultline compare SWEEP_A SWEEP_B`: two sweep
 * folders point by point (lib/sweep-compare.h), called by cmd_compare when
 * an argument is a sweep folder. Kept apart from the single-run output
 * formats of cmd_compare.c. */
#include "cli.h"

#include <stdio.h>

#include "sweep-compare.h"

int
cmd_compare_sweeps (const char *baseline, const char *candidate,
                    const CompareOptions *opt, int format)
{
  g_autoptr (GError) error = NULL;
  SweepComparison *c = sweep_compare_dirs (baseline, candidate, opt, &error);
  if (c == NULL)
    {
      cli_error ("compare", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  /* markdown and JUnit render the points with the single-run formats */
  g_autofree const Comparison **cmps = g_new0 (const Comparison *,
                                               c->points->len + 1);
  g_autofree const char **names = g_new0 (const char *, c->points->len + 1);
  for (guint i = 0; i < c->points->len; i++)
    {
      const SweepComparePoint *p = c->points->pdata[i];
      cmps[i] = p->cmp;
      names[i] = p->point;
    }
  g_autofree char *text = NULL;
  switch ((CompareFormat) format)
    {
    case COMPARE_FORMAT_JSON:
      text = sweep_compare_format_json (c);
      break;
    case COMPARE_FORMAT_MARKDOWN:
      text = compare_format_markdown_points (cmps, names, c->points->len,
                                             c->baseline, c->candidate);
      break;
    case COMPARE_FORMAT_JUNIT:
      text = compare_format_junit_points (cmps, names, c->points->len);
      break;
    case COMPARE_FORMAT_TABLE:
      text = sweep_compare_format_table (c);
      break;
    }
  fputs (text, stdout);
  int status = c->regression ? FL_EXIT_REGRESSION : FL_EXIT_OK;
  sweep_compare_free (c);
  return status; /* main() checks that stdout was written */
}
