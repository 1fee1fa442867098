/* cli/cmd_replay.c - `faultline replay CAPTURE`: a packet capture of the
 * fabric's subnet management fed to a health policy (fl_replay_* of
 * faultline.h). Prints the counts and the decisions; -o writes
 * decisions.csv and replay.json. No logic of its own. */
#include "cli.h"

#include <math.h>
#include <stdio.h>

#include "faultline.h"

int
cmd_replay (int argc, char **argv)
{
  g_autofree char *fabric = NULL, *scenario = NULL, *out = NULL;
  g_autofree char *policy = NULL, *compare = NULL;
  g_auto (GStrv) sets = NULL;
  double until = -1;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "fabric", 0, 0, G_OPTION_ARG_FILENAME, &fabric,
      "map LIDs through this ibnetdiscover dump", "IBNET" },
    { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &scenario,
      "the scenario's fabric (unless --fabric), health policy and length", "S" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "override a param() of the scenario (repeatable, as for run)", "NAME=VALUE" },
    { "policy", 0, 0, G_OPTION_ARG_STRING, &policy,
      "a built-in health policy instead of the scenario's (default standard)", "P" },
    { "compare-policy", 0, 0, G_OPTION_ARG_STRING, &compare,
      "also show what built-in policy P would have done", "P" },
    { "until", 0, 0, G_OPTION_ARG_DOUBLE, &until,
      "run the policies' timers until SECONDS (default: the scenario's "
      "length, else the last record)", "SECONDS" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "write decisions.csv and replay.json into DIR", "DIR" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "print nothing (with -o)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "replay", "CAPTURE",
    "Replays a capture of the fabric's subnet-management traffic (ibdump's\n"
    "ERF pcap, raw InfiniBand pcap, or a run's fabric.pcap) against a health\n"
    "policy in simulated time, and prints what the policy decided.",
    "Traps and PortInfo responses map to links by LID and port through\n"
    "--fabric (ibnetdiscover) or the scenario's fabric; a port going down,\n"
    "coming back, and traps 129-131 become the policy's observations.\n"
    "Records that cannot be used (truncation, other link or ERF types,\n"
    "bad CRCs, unknown LIDs) are counted and reported; exit 2 only when\n"
    "nothing usable was read (docs/fabric-data.md).\n\n"
    "Examples:\n"
    "  faultline run scenarios/link-flaps.lua --set days=14 -o results/lf\n"
    "  faultline replay results/lf/fabric.pcap --scenario scenarios/link-flaps.lua \\\n"
    "      --set days=14 --compare-policy proactive\n"
    "  faultline replay ibdump.pcap --fabric fabric.ibnet -o results/incident\n\n"
    "Exit status: 0 replayed, 2 bad option or input (nothing usable),\n"
    "3 internal error.\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "replay", &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc != 2)
    {
      cli_error ("replay", "expected one CAPTURE, got %d argument%s (see "
                 "'faultline replay --help')", argc - 1, argc - 1 == 1 ? "" : "s");
      return FL_EXIT_USAGE;
    }
  if (until != -1 && !(isfinite (until) && until >= 0 && until <= 1e11))
    {
      cli_error ("replay", "--until %g: expected seconds in 0 .. 1e11", until);
      return FL_EXIT_USAGE;
    }
  FlReplayOptions opt = {
    .capture = argv[1], .fabric = fabric, .scenario = scenario,
    .sets = (const char *const *) sets, .policy = policy,
    .compare_policy = compare, .until_s = until,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlReplay) r = fl_replay_run (&opt, &error);
  if (r == NULL)
    {
      cli_error ("replay", "%s", error->message);
      return fl_error_exit_status (error);
    }
  if (out != NULL && !fl_replay_write (r, out, &error))
    {
      cli_error ("replay", "%s", error->message);
      return fl_error_exit_status (error);
    }
  if (!quiet || out == NULL)
    {
      g_autofree char *text = fl_replay_format (r);
      fputs (text, stdout);
    }
  return FL_EXIT_OK; /* main() checks stdout: a write error is exit 2 */
}
