/* cli/cmd_topo.c - `faultline topo`: build a rail-optimised fat tree (or
 * read an ibnetdiscover file, or a scenario's cluster{}) and print its
 * inventory as an aligned table, JSON, graphviz dot or ibnetdiscover text.
 * This file only parses options: the work is fl_topology_*() (faultline.h,
 * lib/tools.c). */
#include "cli.h"
#include "faultline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CMD "topo"

static gboolean
parse_u32_opt (const char *what, const char *s, uint32_t *out,
               uint32_t max)
{
  guint64 v;
  if (s == NULL)
    return TRUE;
  if (!cli_parse_u64 (CMD, what, s, &v))
    return FALSE;
  if (v > max)
    {
      cli_error (CMD, "%s: '%s' is too large (at most %u)", what, s, max);
      return FALSE;
    }
  *out = (uint32_t) v;
  return TRUE;
}

int
cmd_topo (int argc, char **argv)
{
  g_autofree char *gpus = NULL, *nodes = NULL, *gpn = NULL, *rails = NULL;
  g_autofree char *su = NULL, *radix = NULL, *over = NULL, *tiers = NULL;
  g_autofree char *format = NULL, *ibnet = NULL, *planes = NULL;
  gboolean inventory = FALSE;
  GOptionEntry entries[] = {
    { "gpus", 0, 0, G_OPTION_ARG_STRING, &gpus,
      "GPUs in the cluster (nodes = ceil(N / gpus-per-node))", "N" },
    { "nodes", 0, 0, G_OPTION_ARG_STRING, &nodes, "nodes in the cluster",
      "N" },
    { "gpus-per-node", 0, 0, G_OPTION_ARG_STRING, &gpn,
      "GPUs per node (default 8)", "N" },
    { "rails", 0, 0, G_OPTION_ARG_STRING, &rails,
      "NICs per node = rails = leaves per SU (default 8)", "N" },
    { "su-size", 0, 0, G_OPTION_ARG_STRING, &su,
      "nodes per scalable unit (default 32)", "N" },
    { "radix", 0, 0, G_OPTION_ARG_STRING, &radix,
      "switch ports, even (default 64)", "N" },
    { "oversubscription", 0, 0, G_OPTION_ARG_STRING, &over,
      "leaf down:up ratio, >= 1 (default 1 = non-blocking)", "X" },
    { "tiers", 0, 0, G_OPTION_ARG_STRING, &tiers,
      "force 2 or 3 switch tiers (default: automatic)", "2|3" },
    { "planes", 0, 0, G_OPTION_ARG_STRING, &planes,
      "1 = one fabric, RAILS = one fat tree per rail (default: per-rail "
      "only above one fabric's capacity)", "1|RAILS" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "text (default), json, dot or ibnetdiscover", "FORMAT" },
    { "inventory", 0, 0, G_OPTION_ARG_NONE, &inventory,
      "list every component by name (text and json)", NULL },
    { "ibnet", 0, 0, G_OPTION_ARG_FILENAME, &ibnet,
      "read the fabric from an ibnetdiscover file instead", "FILE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = cli_context (
    CMD, "[SCENARIO]",
    "Build a rail-optimised InfiniBand fat tree (or read one) and print "
    "its inventory.",
    "Examples:\n"
    "  faultline topo --gpus 16384\n"
    "  faultline topo --nodes 127 --format json --inventory\n"
    "  faultline topo --gpus 512 --format ibnetdiscover > fabric.ibnet\n"
    "  faultline topo --ibnet fabric.ibnet --format dot | dot -Tsvg > f.svg\n"
    "  faultline topo --gpus 100000 --format json   (8 per-rail planes)\n"
    "\nNames: node0412, node0412/gpu5, node0412/nic5, leaf-su03-r5, "
    "spine-07,\ncore-002, rack-051, row-03; with per-rail planes "
    "spine-r5-007, core-r5-002;\nsee docs/models.md.\n"
    "Exit status: 0 success, 2 bad option, input or environment (a full\n"
    "disk, a closed pipe), 3 a bug in faultline (docs/cli.md).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (ctx, CMD, &argc, &argv))
    return FL_EXIT_USAGE;
  if (argc > 2)
    {
      cli_error (CMD, "unexpected argument '%s' (one SCENARIO at most)",
                 argv[2]);
      return FL_EXIT_USAGE;
    }
  const char *scenario = argc == 2 ? argv[1] : NULL;
  if (scenario != NULL && (gpus != NULL || nodes != NULL || ibnet != NULL))
    {
      cli_error (CMD, "a scenario describes its own cluster: drop --gpus, "
                 "--nodes and --ibnet");
      return FL_EXIT_USAGE;
    }
  const char *fmt = format ? format : "text";
  if (strcmp (fmt, "text") != 0 && strcmp (fmt, "json") != 0
      && strcmp (fmt, "dot") != 0 && strcmp (fmt, "ibnetdiscover") != 0)
    {
      cli_error (CMD, "--format: '%s' is not one of text, json, dot, "
                 "ibnetdiscover", fmt);
      return FL_EXIT_USAGE;
    }
  FlTopologyParams p;
  fl_topology_params_init (&p);
  uint32_t n_gpus = 0;
  if (!parse_u32_opt ("--gpus", gpus, &n_gpus, UINT32_MAX)
      || !parse_u32_opt ("--nodes", nodes, &p.nodes, UINT32_MAX)
      || !parse_u32_opt ("--gpus-per-node", gpn, &p.gpus_per_node, 1024)
      || !parse_u32_opt ("--rails", rails, &p.rails, 65535)
      || !parse_u32_opt ("--su-size", su, &p.su_size, 65535)
      || !parse_u32_opt ("--radix", radix, &p.radix, 65535)
      || !parse_u32_opt ("--tiers", tiers, &p.tiers, 65535)
      || !parse_u32_opt ("--planes", planes, &p.planes, 65535))
    return FL_EXIT_USAGE;
  if (over != NULL)
    {
      char *end = NULL;
      p.oversubscription = g_ascii_strtod (over, &end);
      if (end == over || *end != '\0' || !isfinite (p.oversubscription))
        {
          cli_error (CMD, "--oversubscription: '%s' is not a number", over);
          return FL_EXIT_USAGE;
        }
    }
  if (planes != NULL && p.planes == 0)
    {
      cli_error (CMD, "--planes: '%s' is not 1 or the rail count (omit it "
                 "for automatic)", planes);
      return FL_EXIT_USAGE;
    }
  if (tiers != NULL && p.tiers != 2 && p.tiers != 3)
    {
      cli_error (CMD, "--tiers: '%s' is not 2 or 3", tiers);
      return FL_EXIT_USAGE;
    }
  g_autoptr (GError) error = NULL;
  FlTopology *t = NULL;
  if (scenario != NULL)
    t = fl_topology_from_scenario (scenario, &error);
  else if (ibnet != NULL)
    {
      if (gpus != NULL || nodes != NULL)
        {
          cli_error (CMD, "--ibnet reads the fabric from a file: drop "
                     "--gpus/--nodes");
          return FL_EXIT_USAGE;
        }
      t = fl_topology_from_ibnet (ibnet, gpn ? p.gpus_per_node : 0, &error);
    }
  else
    {
      if (gpus != NULL && nodes != NULL)
        {
          cli_error (CMD, "give --gpus or --nodes, not both");
          return FL_EXIT_USAGE;
        }
      if (gpus == NULL && nodes == NULL)
        {
          cli_error (CMD, "give the cluster size: --gpus N or --nodes N "
                     "(see 'faultline topo --help')");
          return FL_EXIT_USAGE;
        }
      if (gpus != NULL)
        {
          if (n_gpus == 0)
            {
              cli_error (CMD, "--gpus: '%s' must be at least 1", gpus);
              return FL_EXIT_USAGE;
            }
          if (p.gpus_per_node == 0)
            {
              cli_error (CMD, "--gpus-per-node: '%s' must be at least 1", gpn);
              return FL_EXIT_USAGE;
            }
          p.nodes = (uint32_t) (((uint64_t) n_gpus + p.gpus_per_node - 1)
                                / p.gpus_per_node);
        }
      t = fl_topology_new (&p, &error);
    }
  if (t == NULL)
    {
      cli_error (CMD, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  bool ok = fl_topology_write (t, fmt, inventory, stdout, &error);
  fl_topology_free (t);
  if (!ok)
    {
      cli_error (CMD, "%s", error->message);
      return FL_EXIT_USAGE; /* a full disk or a closed pipe */
    }
  return FL_EXIT_OK;
}
