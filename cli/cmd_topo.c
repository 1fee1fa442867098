/* cli/cmd_topo.c - `faultline topo`: build a rail-optimised fat tree (or
 * read an ibnetdiscover file) and print its inventory as an aligned table,
 * JSON, graphviz dot or ibnetdiscover text. The topology itself lives in
 * models/topo.c and models/ibnet.c; this file only parses options and
 * formats. */
#include "cli.h"
#include "ibnet.h"
#include "runtime.h"
#include "topo.h"
#include "world.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CMD "topo"

static const TopoKind all_kinds[] = {
  TOPO_NODE, TOPO_GPU, TOPO_NIC, TOPO_LEAF, TOPO_SPINE, TOPO_CORE,
  TOPO_CABLE, TOPO_UPLINK, TOPO_CORELINK, TOPO_RACK, TOPO_ROW,
};

/* JSON / table label of a kind (plural). */
static const char *
kind_label (TopoKind k)
{
  static const char *const labels[TOPO_N_KINDS] = {
    "nodes", "gpus", "nics", "node_leaf_links", "leaves", "spines", "cores",
    "leaf_spine_links", "spine_core_links", "racks", "rows",
  };
  return labels[k];
}

static void
print_text (const Topo *t, const char *source, gboolean inventory)
{
  const TopoParams *p = topo_params (t);
  if (topo_n_planes (t) > 1)
    printf ("faultline topology: %s, %u rail planes of %u tiers\n\n",
            source, topo_n_planes (t), topo_tiers (t));
  else
    printf ("faultline topology: %s, %u tiers\n\n", source,
            topo_tiers (t));
  printf ("%-18s %10s  %s\n", "class", "count", "detail");
  for (size_t i = 0; i < G_N_ELEMENTS (all_kinds); i++)
    {
      TopoKind k = all_kinds[i];
      char detail[160] = "";
      switch (k)
        {
        case TOPO_NODE:
          g_snprintf (detail, sizeof detail, "%u SUs of up to %u nodes, "
                      "%u pods", topo_n_sus (t), topo_su_size (t),
                      topo_n_pods (t));
          break;
        case TOPO_GPU:
          g_snprintf (detail, sizeof detail, "%u per node",
                      topo_gpus_per_node (t));
          break;
        case TOPO_NIC:
          g_snprintf (detail, sizeof detail, "%u per node (rails)",
                      topo_rails (t));
          break;
        case TOPO_LEAF: case TOPO_SPINE: case TOPO_CORE:
          g_snprintf (detail, sizeof detail, "radix %u", topo_radix (t));
          break;
        case TOPO_RACK:
          g_snprintf (detail, sizeof detail, "%u nodes each",
                      p->nodes_per_rack);
          break;
        case TOPO_ROW:
          g_snprintf (detail, sizeof detail, "%u racks each",
                      p->racks_per_row);
          break;
        default:
          break;
        }
      printf ("%-18s %10u%s%s\n", kind_label (k), topo_count (t, k),
              detail[0] ? "  " : "", detail);
    }
  printf ("%-18s %10u\n%-18s %10" G_GUINT64_FORMAT "\n", "switches",
          topo_n_switches (t), "links", topo_n_links (t));
  if (!inventory)
    return;
  printf ("\n%-10s %s\n", "kind", "name");
  char buf[256];
  for (size_t i = 0; i < G_N_ELEMENTS (all_kinds); i++)
    for (uint32_t j = 0; j < topo_index_limit (t, all_kinds[i]); j++)
      if (topo_name (t, all_kinds[i], j, buf, sizeof buf) > 0)
        printf ("%-10s %s\n", topo_kind_name (all_kinds[i]), buf);
}

static gboolean
print_json (const Topo *t, const char *source, gboolean inventory)
{
  const TopoParams *p = topo_params (t);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "tiers");
  json_builder_add_int_value (b, topo_tiers (t));
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "gpus_per_node");
  json_builder_add_int_value (b, topo_gpus_per_node (t));
  json_builder_set_member_name (b, "rails");
  json_builder_add_int_value (b, topo_rails (t));
  json_builder_set_member_name (b, "su_size");
  json_builder_add_int_value (b, topo_su_size (t));
  json_builder_set_member_name (b, "radix");
  json_builder_add_int_value (b, topo_radix (t));
  json_builder_set_member_name (b, "oversubscription");
  json_builder_add_double_value (b, p->oversubscription);
  json_builder_set_member_name (b, "nodes_per_rack");
  json_builder_add_int_value (b, p->nodes_per_rack);
  json_builder_set_member_name (b, "racks_per_row");
  json_builder_add_int_value (b, p->racks_per_row);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  for (size_t i = 0; i < G_N_ELEMENTS (all_kinds); i++)
    {
      json_builder_set_member_name (b, kind_label (all_kinds[i]));
      json_builder_add_int_value (b, topo_count (t, all_kinds[i]));
    }
  json_builder_set_member_name (b, "sus");
  json_builder_add_int_value (b, topo_n_sus (t));
  json_builder_set_member_name (b, "pods");
  json_builder_add_int_value (b, topo_n_pods (t));
  json_builder_set_member_name (b, "planes");
  json_builder_add_int_value (b, topo_n_planes (t));
  json_builder_set_member_name (b, "switches");
  json_builder_add_int_value (b, topo_n_switches (t));
  json_builder_set_member_name (b, "links");
  json_builder_add_int_value (b, (gint64) topo_n_links (t));
  json_builder_end_object (b);
  if (inventory)
    {
      char buf[256];
      json_builder_set_member_name (b, "inventory");
      json_builder_begin_object (b);
      for (size_t i = 0; i < G_N_ELEMENTS (all_kinds); i++)
        {
          json_builder_set_member_name (b, kind_label (all_kinds[i]));
          json_builder_begin_array (b);
          for (uint32_t j = 0; j < topo_index_limit (t, all_kinds[i]); j++)
            if (topo_name (t, all_kinds[i], j, buf, sizeof buf) > 0)
              json_builder_add_string_value (b, buf);
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  g_autoptr (JsonGenerator) g = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  json_generator_set_pretty (g, TRUE);
  gsize len;
  g_autofree char *s = json_generator_to_data (g, &len);
  return fwrite (s, 1, len, stdout) == len && fputc ('\n', stdout) != EOF;
}

static void
print_dot (const Topo *t)
{
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  char a[256], b[256];
  printf ("// faultline topo --format dot: render with "
          "'dot -Tsvg' (or 'sfdp' for large fabrics)\n");
  printf ("graph fabric {\n  rankdir=BT;\n  node [shape=box];\n");
  printf ("  subgraph nodes { rank=same; node [shape=ellipse];\n");
  for (uint32_t n = 0; n < topo_count (t, TOPO_NODE); n++)
    {
      topo_name (t, TOPO_NODE, n, a, sizeof a);
      printf ("    \"%s\";\n", a);
    }
  printf ("  }\n");
  for (int k = 0; k < 3; k++)
    {
      if (topo_count (t, sk[k]) == 0)
        continue;
      printf ("  subgraph %ss { rank=same;\n", topo_kind_name (sk[k]));
      for (uint32_t s = 0; s < topo_count (t, sk[k]); s++)
        {
          topo_name (t, sk[k], s, a, sizeof a);
          printf ("    \"%s\";\n", a);
        }
      printf ("  }\n");
    }
  for (uint32_t c = 0; c < topo_index_limit (t, TOPO_CABLE); c++)
    {
      const TopoLink *l = topo_link (t, TOPO_CABLE, c);
      if (l == NULL)
        continue;
      topo_name (t, TOPO_NODE, c / topo_rails (t), a, sizeof a);
      topo_name (t, TOPO_LEAF, l->b, b, sizeof b);
      printf ("  \"%s\" -- \"%s\" [label=\"nic%u:p%u\"];\n", a, b,
              c % topo_rails (t), l->b_port);
    }
  for (int k = 0; k < 2; k++)
    {
      TopoKind lk = k == 0 ? TOPO_UPLINK : TOPO_CORELINK;
      for (uint32_t i = 0; i < topo_count (t, lk); i++)
        {
          const TopoLink *l = topo_link (t, lk, i);
          topo_name (t, sk[k], l->a, a, sizeof a);
          topo_name (t, sk[k + 1], l->b, b, sizeof b);
          printf ("  \"%s\" -- \"%s\" [label=\"p%u:p%u\"];\n", a, b,
                  l->a_port, l->b_port);
        }
    }
  printf ("}\n");
}

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
  TopoParams p;
  topo_params_init (&p);
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
  g_autoptr (Topo) t = NULL;
  g_autofree char *source = NULL;
  if (scenario != NULL)
    {
      /* The cluster{} of the scenario, with its param() defaults. */
      LbOptions lo = { .seed = 1 };
      LbRun *lb = lb_load (scenario, &lo, &error);
      if (lb == NULL)
        {
          /* One line: the file:line and the message, not the traceback. */
          g_auto (GStrv) lines = g_strsplit (error->message, "\n", 2);
          cli_error (CMD, "%s", lines[0]);
          return FL_EXIT_USAGE;
        }
      t = world_config_build_topology (lb_config (lb), &error);
      lb_free (lb);
      if (t == NULL)
        {
          cli_error (CMD, "%s: %s", scenario, error->message);
          return FL_EXIT_USAGE;
        }
      source = g_strdup_printf ("scenario %s", scenario);
    }
  else if (ibnet != NULL)
    {
      if (gpus != NULL || nodes != NULL)
        {
          cli_error (CMD, "--ibnet reads the fabric from a file: drop "
                     "--gpus/--nodes");
          return FL_EXIT_USAGE;
        }
      t = ibnet_read_file (ibnet, gpn ? p.gpus_per_node : 0, &error);
      source = g_strdup_printf ("ibnetdiscover file %s", ibnet);
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
      t = topo_new_fattree (&p, &error);
      if (t != NULL)
        source = g_strdup_printf ("rail-optimised fat tree of %u nodes",
                                  p.nodes);
    }
  if (t == NULL)
    {
      cli_error (CMD, "%s", error->message);
      return FL_EXIT_USAGE;
    }
  gboolean ok = TRUE;
  if (strcmp (fmt, "text") == 0)
    print_text (t, source, inventory);
  else if (strcmp (fmt, "json") == 0)
    ok = print_json (t, source, inventory);
  else if (strcmp (fmt, "dot") == 0)
    print_dot (t);
  else
    ok = ibnet_write (t, stdout, &error);
  if (!ok || fflush (stdout) != 0 || ferror (stdout))
    {
      cli_error (CMD, "cannot write the output%s%s",
                 error ? ": " : "", error ? error->message : "");
      return FL_EXIT_USAGE; /* a full disk or a closed pipe */
    }
  return FL_EXIT_OK;
}
