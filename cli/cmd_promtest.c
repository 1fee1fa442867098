/* cli/cmd_promtest.c - `faultline promtest RULES.yml RUN -o TEST.yml`: a
 * promtool unit-test file of the rules on a simulated run's series
 * (faultline.h fl_promtest). No logic of its own. */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "faultline.h"

int
cmd_promtest (int argc, char **argv)
{
  g_autofree char *out = NULL, *promtool = NULL;
  double every_s = 60;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "write the promtool test file here (required)", "TEST.yml" },
    { "eval-every", 0, 0, G_OPTION_ARG_DOUBLE, &every_s,
      "ask the rules every SECONDS of the run, a whole number of minutes "
      "(default 60: every evaluation, so a brief alert is seen)", "SECONDS" },
    { "promtool", 0, 0, G_OPTION_ARG_FILENAME, &promtool,
      "the promtool program (default: promtool on PATH)", "PATH" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print nothing", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "promtest", "RULES.yml RUN",
    "Writes a `promtool test rules` file that tests a Prometheus rule file\n"
    "on a simulated incident: its input series are the run's time series\n"
    "(RUN: the OpenMetrics file of `faultline run --metrics`, or a run\n"
    "folder holding metrics.om), its expected alerts are what the rules\n"
    "fire on them, listed for review.",
    "promtool is run to find the alerts: every --eval-every it is asked for\n"
    "each alert of RULES.yml; a case is kept at the first time and at each\n"
    "time an alert's set of firing instances changed, with the simulated\n"
    "state (unschedulable nodes, GPUs with an Xid, links down) in a comment\n"
    "above it. Review them, keep the file, and `promtool test rules` then\n"
    "catches a change of the rules that changes what fires on this incident\n"
    "(docs/monitoring.md). The file passes promtool before it is written.\n\n"
    "Example:\n"
    "  faultline run scenarios/burst.lua --set burst=400 --set days=2 \\\n"
    "      -o results/burst --metrics results/burst/metrics.om\n"
    "  faultline promtest docs/examples/alerts/gpu.rules.yml results/burst \\\n"
    "      -o gpu.rules.test.yml\n"
    "  promtool test rules gpu.rules.test.yml\n\n"
    "Exit status: 0 written, 2 bad option or input, a missing or failing\n"
    "promtool, 3 internal error.\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "promtest", &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc != 3)
    {
      cli_error ("promtest", "expected RULES.yml and RUN, got %d argument%s "
                 "(see 'faultline promtest --help')", argc - 1,
                 argc - 1 == 1 ? "" : "s");
      return FL_EXIT_USAGE;
    }
  if (out == NULL || *out == '\0')
    {
      cli_error ("promtest", "-o TEST.yml is required (the test file to write)");
      return FL_EXIT_USAGE;
    }
  if (!(isfinite (every_s) && every_s >= 60 && every_s <= 86400 * 366
        && fmod (every_s, 60) == 0))
    {
      cli_error ("promtest", "--eval-every %g: expected a whole number of "
                 "minutes in seconds, 60 .. 31622400", every_s);
      return FL_EXIT_USAGE;
    }
  FlPromtestOptions opt = {
    .rules = argv[1], .run = argv[2], .output = out, .promtool = promtool,
    .eval_every_ms = (int64_t) every_s * 1000,
  };
  FlPromtestResult res;
  g_autoptr (GError) error = NULL;
  if (!fl_promtest (&opt, &res, &error))
    {
      cli_error ("promtest", "%s", error->message);
      return fl_error_exit_status (error);
    }
  if (!quiet)
    printf ("%s: %u input series (%" PRIu64 " samples, one per %.0f s over "
            "%.1f h), %u alerts, %u cases (%u expect alerts): review the "
            "expected alerts, then: promtool test rules %s\n", out, res.series,
            res.samples, res.interval_ms / 1000.0, res.span_ms / 3.6e6,
            res.alerts, res.cases, res.firing_cases, out);
  return FL_EXIT_OK;
}
