/* lib/tools.c - what `faultline topo` and `faultline bench` do, as the
 * public API (faultline.h): build or read a fabric and write it as a table,
 * JSON, graphviz dot or ibnetdiscover text; time PHOLD on the kernel's
 * queues and the construction of a large fabric. The topology itself lives
 * in models/topo.c and models/ibnet.c, PHOLD in sim/phold.c; cli/ parses
 * options and calls these. */
#include "faultline.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "fabric.h"
#include "ibnet.h"
#include "phold.h"
#include "runtime.h"
#include "topo.h"
#include "world.h"

struct FlTopology
{
  Topo *topo;
  char *source; /* "rail-optimised fat tree of N nodes", ... */
};

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
print_text (const Topo *t, const char *source, bool inventory, FILE *out)
{
  const TopoParams *p = topo_params (t);
  if (topo_n_planes (t) > 1)
    fprintf (out, "faultline topology: %s, %u rail planes of %u tiers\n\n",
             source, topo_n_planes (t), topo_tiers (t));
  else
    fprintf (out, "faultline topology: %s, %u tiers\n\n", source,
             topo_tiers (t));
  fprintf (out, "%-18s %10s  %s\n", "class", "count", "detail");
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
      fprintf (out, "%-18s %10u%s%s\n", kind_label (k), topo_count (t, k),
               detail[0] ? "  " : "", detail);
    }
  fprintf (out, "%-18s %10u\n%-18s %10" G_GUINT64_FORMAT "\n", "switches",
           topo_n_switches (t), "links", topo_n_links (t));
  if (!inventory)
    return;
  fprintf (out, "\n%-10s %s\n", "kind", "name");
  char buf[256];
  for (size_t i = 0; i < G_N_ELEMENTS (all_kinds); i++)
    for (uint32_t j = 0; j < topo_index_limit (t, all_kinds[i]); j++)
      if (topo_name (t, all_kinds[i], j, buf, sizeof buf) > 0)
        fprintf (out, "%-10s %s\n", topo_kind_name (all_kinds[i]), buf);
}

static gboolean
print_json (const Topo *t, const char *source, bool inventory, FILE *out)
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
  return fwrite (s, 1, len, out) == len && fputc ('\n', out) != EOF;
}

static void
print_dot (const Topo *t, FILE *out)
{
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  char a[256], b[256];
  fprintf (out, "// faultline topo --format dot: render with "
           "'dot -Tsvg' (or 'sfdp' for large fabrics)\n");
  fprintf (out, "graph fabric {\n  rankdir=BT;\n  node [shape=box];\n");
  fprintf (out, "  subgraph nodes { rank=same; node [shape=ellipse];\n");
  for (uint32_t n = 0; n < topo_count (t, TOPO_NODE); n++)
    {
      topo_name (t, TOPO_NODE, n, a, sizeof a);
      fprintf (out, "    \"%s\";\n", a);
    }
  fprintf (out, "  }\n");
  for (int k = 0; k < 3; k++)
    {
      if (topo_count (t, sk[k]) == 0)
        continue;
      fprintf (out, "  subgraph %ss { rank=same;\n", topo_kind_name (sk[k]));
      for (uint32_t s = 0; s < topo_count (t, sk[k]); s++)
        {
          topo_name (t, sk[k], s, a, sizeof a);
          fprintf (out, "    \"%s\";\n", a);
        }
      fprintf (out, "  }\n");
    }
  for (uint32_t c = 0; c < topo_index_limit (t, TOPO_CABLE); c++)
    {
      const TopoLink *l = topo_link (t, TOPO_CABLE, c);
      if (l == NULL)
        continue;
      topo_name (t, TOPO_NODE, c / topo_rails (t), a, sizeof a);
      topo_name (t, TOPO_LEAF, l->b, b, sizeof b);
      fprintf (out, "  \"%s\" -- \"%s\" [label=\"nic%u:p%u\"];\n", a, b,
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
          fprintf (out, "  \"%s\" -- \"%s\" [label=\"p%u:p%u\"];\n", a, b,
                   l->a_port, l->b_port);
        }
    }
  fprintf (out, "}\n");
}

void
fl_topology_params_init (FlTopologyParams *p)
{
  g_return_if_fail (p != NULL);
  TopoParams t;
  topo_params_init (&t);
  *p = (FlTopologyParams) {
    .nodes = t.nodes, .gpus_per_node = t.gpus_per_node, .rails = t.rails,
    .su_size = t.su_size, .radix = t.radix,
    .oversubscription = t.oversubscription, .tiers = t.tiers,
    .planes = t.planes,
  };
}

static FlTopology *
topology_wrap (Topo *t, char *source)
{
  FlTopology *ft = g_new0 (FlTopology, 1);
  ft->topo = t;
  ft->source = source;
  return ft;
}

/* Every layer's error, as FL_ERROR_INPUT with its message. */
static void
topology_error (GError **error, GError *e, const char *prefix)
{
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s%s%s", prefix ? prefix : "",
               prefix ? ": " : "", e->message);
  g_error_free (e);
}

FlTopology *
fl_topology_new (const FlTopologyParams *p, GError **error)
{
  g_return_val_if_fail (p != NULL, NULL);
  TopoParams tp;
  topo_params_init (&tp);
  tp.nodes = p->nodes;
  tp.gpus_per_node = p->gpus_per_node;
  tp.rails = p->rails;
  tp.su_size = p->su_size;
  tp.radix = p->radix;
  tp.oversubscription = p->oversubscription;
  tp.tiers = p->tiers;
  tp.planes = p->planes;
  GError *e = NULL;
  Topo *t = topo_new_fattree (&tp, &e);
  if (t == NULL)
    {
      topology_error (error, e, NULL);
      return NULL;
    }
  return topology_wrap (t, g_strdup_printf ("rail-optimised fat tree of %u "
                                            "nodes", tp.nodes));
}

FlTopology *
fl_topology_from_scenario (const char *scenario, GError **error)
{
  g_return_val_if_fail (scenario != NULL, NULL);
  /* The cluster{} of the scenario, with its param() defaults. */
  LbOptions lo = { .seed = 1 };
  GError *e = NULL;
  LbRun *lb = lb_load (scenario, &lo, &e);
  if (lb == NULL)
    {
      /* One line: the file:line and the message, not the traceback. */
      g_auto (GStrv) lines = g_strsplit (e->message, "\n", 2);
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s", lines[0]);
      g_error_free (e);
      return NULL;
    }
  Topo *t = world_config_build_topology (lb_config (lb), &e);
  lb_free (lb);
  if (t == NULL)
    {
      topology_error (error, e, scenario);
      return NULL;
    }
  return topology_wrap (t, g_strdup_printf ("scenario %s", scenario));
}

FlTopology *
fl_topology_from_ibnet (const char *path, uint32_t gpus_per_node,
                        GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  GError *e = NULL;
  Topo *t = ibnet_read_file (path, gpus_per_node, &e);
  if (t == NULL)
    {
      topology_error (error, e, NULL);
      return NULL;
    }
  return topology_wrap (t, g_strdup_printf ("ibnetdiscover file %s", path));
}

bool
fl_topology_write (const FlTopology *t, const char *format, bool inventory,
                   FILE *out, GError **error)
{
  g_return_val_if_fail (t != NULL && out != NULL, false);
  const char *fmt = format ? format : "text";
  bool ok = true;
  GError *e = NULL;
  if (strcmp (fmt, "text") == 0)
    print_text (t->topo, t->source, inventory, out);
  else if (strcmp (fmt, "json") == 0)
    ok = print_json (t->topo, t->source, inventory, out);
  else if (strcmp (fmt, "dot") == 0)
    print_dot (t->topo, out);
  else if (strcmp (fmt, "ibnetdiscover") == 0)
    ok = ibnet_write (t->topo, out, &e);
  else
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "format '%s' is not one "
                   "of text, json, dot, ibnetdiscover", fmt);
      return false;
    }
  if (!ok || fflush (out) != 0 || ferror (out))
    {
      /* a full disk or a closed pipe */
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "cannot write the "
                   "output%s%s", e ? ": " : "", e ? e->message : "");
      g_clear_error (&e);
      return false;
    }
  return true;
}

void
fl_topology_free (FlTopology *t)
{
  if (t == NULL)
    return;
  topo_free (t->topo);
  g_free (t->source);
  g_free (t);
}

/* ---- benchmarks ---- */

void
fl_phold_params_init (FlPholdParams *p)
{
  g_return_if_fail (p != NULL);
  *p = (FlPholdParams) { .lps = 10000, .population = 16, .end = 100,
                         .seed = 1, .queue = NULL };
}

bool
fl_bench_phold (const FlPholdParams *p, FlPholdResult *r, GError **error)
{
  g_return_val_if_fail (p != NULL && r != NULL, false);
  PholdParams pp = { .lps = p->lps, .population = p->population,
                     .end = p->end, .seed = p->seed };
  bool reference = g_strcmp0 (p->queue, "reference") == 0;
  if (p->queue != NULL && !reference && !evq_kind_from_name (p->queue, &pp.queue))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "queue: unknown queue '%s' "
                   "(radix, heap or reference)", p->queue);
      return false;
    }
  if (p->lps == 0 || p->population == 0 || !(p->end > 0 && p->end <= 1e12)
      || (guint64) p->lps * p->population > (guint64) 1 << 31)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "PHOLD needs L >= 1, "
                   "M >= 1, L x M <= 2^31 and 0 < end <= 1e12 (got L=%u "
                   "M=%u end=%g)", p->lps, p->population, p->end);
      return false;
    }
  PholdResult pr;
  if (reference)
    phold_run_reference (&pp, &pr);
  else
    phold_run (&pp, &pr);
  *r = (FlPholdResult) {
    .queue = reference ? "reference" : evq_kind_name (pp.queue),
    .events = pr.events, .seconds = pr.seconds,
    .cpu_seconds = pr.cpu_seconds, .events_per_s = pr.events_per_s,
    .maxrss_kb = pr.maxrss_kb,
  };
  return true;
}

bool
fl_bench_topo (uint32_t gpus, uint32_t gpus_per_node, uint32_t radix,
               FlTopoBenchResult *r, GError **error)
{
  g_return_val_if_fail (r != NULL, false);
  TopoParams p;
  topo_params_init (&p);
  if (gpus == 0 || gpus_per_node == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "need at least 1 GPU and "
                   "1 GPU per node");
      return false;
    }
  p.gpus_per_node = gpus_per_node;
  if (radix != 0)
    p.radix = radix;
  p.nodes = (uint32_t) (((guint64) gpus + p.gpus_per_node - 1) / p.gpus_per_node);

  GError *e = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (Topo) t = topo_new_fattree (&p, &e);
  /* Without a radix, a cluster too large for 64-port switches is built
   * with the next switch generation's radix (only the successful build is
   * timed). */
  while (t == NULL && radix == 0 && p.radix < 256
         && g_error_matches (e, TOPO_ERROR, TOPO_ERROR_PARAM))
    {
      g_clear_error (&e);
      p.radix *= 2;
      t0 = g_get_monotonic_time ();
      t = topo_new_fattree (&p, &e);
    }
  if (t == NULL)
    {
      topology_error (error, e, NULL);
      return false;
    }
  g_autoptr (FabricState) f = fabric_new (t);
  gint64 t1 = g_get_monotonic_time ();
  struct rusage ru;
  *r = (FlTopoBenchResult) {
    .gpus = topo_count (t, TOPO_GPU), .nodes = topo_count (t, TOPO_NODE),
    .radix = topo_radix (t), .switches = topo_n_switches (t),
    .links = topo_n_links (t), .seconds = (double) (t1 - t0) / 1e6,
    .bytes = topo_bytes (t) + fabric_bytes (f),
    .maxrss_kb = getrusage (RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1,
  };
  return true;
}
