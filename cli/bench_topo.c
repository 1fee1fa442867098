/* cli/bench_topo.c - `faultline bench topo`: time building a fat tree and
 * its FabricState, and count the memory they hold. Prints one key=value
 * line; tests/bench/topo.sh runs the series recorded in
 * docs/performance.md (## Topology build). Wall-clock time is measured here and only here:
 * no test asserts on it. The work is fl_bench_topo() (lib/tools.c). */
#include "cli.h"
#include "faultline.h"

#include <stdio.h>

#define CMD "bench topo"

int
bench_topo_main (int argc, char **argv)
{
  g_autofree char *gpus = NULL, *radix = NULL, *gpn = NULL;
  GOptionEntry entries[] = {
    { "gpus", 0, 0, G_OPTION_ARG_STRING, &gpus, "GPUs to build (required)",
      "N" },
    { "radix", 0, 0, G_OPTION_ARG_STRING, &radix,
      "switch radix (default: 64, or the smallest of 128 and 256 that "
      "holds the cluster; 64 holds 524,288 GPUs in 8 per-rail planes)",
      "N" },
    { "gpus-per-node", 0, 0, G_OPTION_ARG_STRING, &gpn,
      "GPUs per node (default 8)", "N" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    CMD, NULL, "Time building a rail-optimised fat tree and its fabric state.",
    "Prints: name=topo gpus= nodes= radix= switches= links= seconds= bytes=\n"
    "bytes_per_gpu= maxrss_kb=\n\nExamples:\n"
    "  faultline bench topo --gpus 16384\n"
    "  faultline bench topo --gpus 100000\n"
    "  faultline bench topo --gpus 1000000          (picks radix 128)\n"
    "  faultline bench topo --gpus 1000000 --radix 256");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, CMD, &argc, &argv))
    return FL_EXIT_USAGE;
  guint64 v;
  uint32_t per_node = 8, r = 0;
  if (gpus == NULL)
    {
      cli_error (CMD, "--gpus N is required");
      return FL_EXIT_USAGE;
    }
  if (!cli_parse_u64 (CMD, "--gpus", gpus, &v))
    return FL_EXIT_USAGE;
  if (v == 0 || v > G_MAXUINT32)
    {
      cli_error (CMD, "--gpus: '%s' must be in 1..%u", gpus, G_MAXUINT32);
      return FL_EXIT_USAGE;
    }
  uint32_t n_gpus = (uint32_t) v;
  if (gpn != NULL)
    {
      if (!cli_parse_u64 (CMD, "--gpus-per-node", gpn, &v))
        return FL_EXIT_USAGE;
      if (v == 0 || v > 64)
        {
          cli_error (CMD, "--gpus-per-node: '%s' must be in 1..64", gpn);
          return FL_EXIT_USAGE;
        }
      per_node = (uint32_t) v;
    }
  if (radix != NULL)
    {
      if (!cli_parse_u64 (CMD, "--radix", radix, &v))
        return FL_EXIT_USAGE;
      r = (uint32_t) MIN (v, 65535);
      if (r == 0)
        {
          cli_error (CMD, "--radix: '%s' must be at least 4", radix);
          return FL_EXIT_USAGE;
        }
    }

  g_autoptr (GError) error = NULL;
  FlTopoBenchResult b;
  if (!fl_bench_topo (n_gpus, per_node, r, &b, &error))
    {
      cli_error (CMD, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  printf ("name=topo gpus=%u nodes=%u radix=%u switches=%u links=%" G_GUINT64_FORMAT
          " seconds=%.6f bytes=%zu bytes_per_gpu=%.1f maxrss_kb=%ld\n", b.gpus,
          b.nodes, b.radix, b.switches, b.links, b.seconds, b.bytes,
          (double) b.bytes / b.gpus, b.maxrss_kb);
  return FL_EXIT_OK;
}
