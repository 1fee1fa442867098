/* cli/cmd_bench.c - `faultline bench phold|topo ...`: dispatch only; the
 * benchmarks live in cli/bench_phold.c and cli/bench_topo.c. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int
cmd_bench (int argc, char **argv)
{
  const char *help =
    "Usage: faultline bench BENCHMARK [OPTIONS]...\n\n"
    "Benchmarks (each prints one key=value line on stdout):\n"
    "  phold   PHOLD on the event queue: --queue radix (default), heap, or\n"
    "          reference (a plain binary heap, no kernel)\n"
    "  topo    build a rail-optimised fat tree of --gpus N\n\n"
    "Examples:\n"
    "  faultline bench phold --lps 10000 --population 16\n"
    "  faultline bench phold --lps 10000 --population 16 --queue reference\n"
    "  faultline bench topo --gpus 100000\n";
  if (argc < 2)
    {
      fputs (help, stderr);
      return FL_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      cli_print_version ();
      return FL_EXIT_OK;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (help, stdout);
      return FL_EXIT_OK;
    }
  if (strcmp (argv[1], "phold") == 0)
    return bench_phold_main (argc - 1, argv + 1);
  if (strcmp (argv[1], "topo") == 0)
    return bench_topo_main (argc - 1, argv + 1);
  cli_error ("bench", "unknown benchmark '%s' (phold or topo)", argv[1]);
  return FL_EXIT_USAGE;
}
