/* cli/cmd_merge.c - `faultline merge -o DIR SHARD_DIR...`: the shard folders
 * of one sweep (faultline sweep --shard K/N) into the folder one unsharded
 * sweep writes (fl_sweep_merge, docs/sweep.md "Shards"). Option
 * checking only. */
#include "cli.h"

#include <stdio.h>

#include "faultline.h"

int
cmd_merge (int argc, char **argv)
{
  g_autofree char *out = NULL;
  gdouble wait_s = 0;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "the merged sweep's folder, new or empty (required)", "DIR" },
    { "wait", 0, 0, G_OPTION_ARG_DOUBLE, &wait_s,
      "while shards are missing or unfinished, wait up to SECONDS for them "
      "(polling every 5 s; default 0: fail at once)", "SECONDS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "print nothing on success", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    "merge", "SHARD_DIR...",
    "Merges the N shard folders of one sweep (each written by 'faultline\n"
    "sweep ... --shard K/N') into the sweep one unsharded run writes.",
    "Example:\n"
    "  faultline sweep s.lua --seeds 1-8 --grid spares=0,64 --shard 1/2 -o p1\n"
    "  faultline sweep s.lua --seeds 1-8 --grid spares=0,64 --shard 2/2 -o p2\n"
    "  faultline merge -o results/s-sweep p1 p2\n\n"
    "DIR gets the replica folders (hard links, or copies across file\n"
    "systems), results.sqlite, sweep.json, sweep.csv, <point>/summary.json\n"
    "and plots/, byte-identical to an unsharded sweep's but for wall times,\n"
    "and appears whole or not at all. Refused (exit 2, naming them): shards\n"
    "of different sweeps, missing, duplicated or unfinished shard numbers.\n"
    "Exit status: 0 success, 2 bad input or environment (unwritable folder,\n"
    "full disk), 3 a bug in faultline (docs/cli.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, "merge", &argc, &argv))
    return FL_EXIT_USAGE;
  if (out == NULL)
    {
      cli_error ("merge", "-o DIR is required (the merged sweep's folder)");
      return FL_EXIT_USAGE;
    }
  if (argc < 2)
    {
      cli_error ("merge", "no shard folder given (see 'faultline merge "
                 "--help')");
      return FL_EXIT_USAGE;
    }
  if (!(wait_s >= 0 && wait_s <= 30 * 86400.0))
    {
      cli_error ("merge", "--wait %g: give 0 to 2592000 seconds", wait_s);
      return FL_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  if (!fl_sweep_merge (out, (const char *const *) argv + 1, (size_t) argc - 1,
                    wait_s, &error))
    {
      cli_error ("merge", "%s", error->message);
      return fl_error_exit_status (error);
    }
  if (!quiet)
    printf ("merged %d shard folders into %s/ (sweep.json, sweep.csv, "
            "results.sqlite)\n", argc - 1, out);
  return FL_EXIT_OK;
}
