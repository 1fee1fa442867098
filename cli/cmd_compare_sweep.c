/* cli/cmd_compare_sweep.c - `faultline compare SWEEP_A SWEEP_B`: two sweep
 * folders point by point (lib/sweep-compare.h), called by cmd_compare when
 * an argument is a sweep folder. Kept apart from the single-run output
 * formats of cmd_compare.c. */
#include "cli.h"

#include <stdio.h>

#include "sweep-compare.h"

int
cmd_compare_sweeps (const char *baseline, const char *candidate,
                    const CompareOptions *opt, bool json)
{
  g_autoptr (GError) error = NULL;
  SweepComparison *c = sweep_compare_dirs (baseline, candidate, opt, &error);
  if (c == NULL)
    {
      cli_error ("compare", "%s", error->message);
      return FL_EXIT_USAGE;
    }
  g_autofree char *text = json ? sweep_compare_format_json (c)
                               : sweep_compare_format_table (c);
  fputs (text, stdout);
  int status = c->regression ? FL_EXIT_REGRESSION : FL_EXIT_OK;
  sweep_compare_free (c);
  if (fflush (stdout) != 0)
    return FL_EXIT_INTERNAL;
  return status;
}
