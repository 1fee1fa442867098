/* models/fabric.c - fabric degradation: dead links and switches, alive
 * rails, uplinks and core links, job bandwidth. See fabric.h; the model and
 * its assumptions are in docs/models.md. Not here: timing of failures. */
#include "fabric.h"

#include <math.h>

struct FabricState
{
  const Topo *topo;
  uint32_t rails;
  /* per link: number of reasons it is dead (itself, either end) */
  uint8_t *dead[3];      /* CABLE, UPLINK, CORELINK */
  uint8_t *failed[3];    /* per link: the link itself failed */
  uint8_t *sw_failed[3]; /* LEAF, SPINE, CORE */
  uint16_t *node_rails;   /* alive rails per node */
  uint16_t *leaf_up;     /* alive uplinks per leaf */
  uint32_t *su_up, *su_up_total;
  uint32_t *pod_core, *pod_core_total;
  uint32_t *node_su, *su_pod; /* topo_node_su, topo_su_pod as arrays for
                                 fabric_job_bandwidth's loop */
  uint64_t alive_links, total_links;
};

static int
link_layer (TopoKind k)
{
  return k == TOPO_CABLE ? 0 : k == TOPO_UPLINK ? 1 : k == TOPO_CORELINK ? 2
                                                                        : -1;
}

static int
sw_tier (TopoKind k)
{
  return k == TOPO_LEAF ? 0 : k == TOPO_SPINE ? 1 : k == TOPO_CORE ? 2 : -1;
}

static void
on_change (FabricState *f, int layer, uint32_t i, int delta)
{
  const TopoLink *l;
  f->alive_links = (uint64_t) ((int64_t) f->alive_links + delta);
  switch (layer)
    {
    case 0:
      f->node_rails[i / f->rails] += delta;
      break;
    case 1:
      l = topo_link (f->topo, TOPO_UPLINK, i);
      f->leaf_up[l->a] += delta;
      f->su_up[topo_leaf_su (f->topo, l->a)] += delta;
      break;
    default:
      l = topo_link (f->topo, TOPO_CORELINK, i);
      f->pod_core[topo_spine_pod (f->topo, l->a)] += delta;
      break;
    }
}

static void
link_kill (FabricState *f, int layer, uint32_t i)
{
  g_assert (f->dead[layer][i] < UINT8_MAX);
  if (f->dead[layer][i]++ == 0)
    on_change (f, layer, i, -1);
}

static void
link_revive (FabricState *f, int layer, uint32_t i)
{
  g_assert (f->dead[layer][i] > 0);
  if (--f->dead[layer][i] == 0)
    on_change (f, layer, i, +1);
}

FabricState *
fabric_new (const Topo *topo)
{
  g_return_val_if_fail (topo != NULL, NULL);
  FabricState *f = g_new0 (FabricState, 1);
  f->topo = topo;
  f->rails = topo_rails (topo);
  static const TopoKind lk[3] = { TOPO_CABLE, TOPO_UPLINK, TOPO_CORELINK };
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  for (int i = 0; i < 3; i++)
    {
      f->dead[i] = g_new0 (uint8_t, topo_index_limit (topo, lk[i]) + 1);
      f->failed[i] = g_new0 (uint8_t, topo_index_limit (topo, lk[i]) + 1);
      f->sw_failed[i] = g_new0 (uint8_t, topo_count (topo, sk[i]) + 1);
    }
  uint32_t nn = topo_count (topo, TOPO_NODE);
  f->node_rails = g_new0 (uint16_t, nn + 1);
  for (uint32_t n = 0; n < nn; n++)
    for (uint32_t r = 0; r < f->rails; r++)
      if (topo_node_link (topo, n, r) != TOPO_NONE)
        f->node_rails[n]++;
  uint32_t nl = topo_count (topo, TOPO_LEAF);
  f->leaf_up = g_new0 (uint16_t, nl + 1);
  f->su_up = g_new0 (uint32_t, topo_n_sus (topo) + 1);
  f->su_up_total = g_new0 (uint32_t, topo_n_sus (topo) + 1);
  for (uint32_t l = 0; l < nl; l++)
    {
      uint32_t first, n;
      topo_leaf_uplinks (topo, l, &first, &n);
      f->leaf_up[l] = (uint16_t) n;
      f->su_up[topo_leaf_su (topo, l)] += n;
      f->su_up_total[topo_leaf_su (topo, l)] += n;
    }
  f->pod_core = g_new0 (uint32_t, topo_n_pods (topo) + 1);
  f->pod_core_total = g_new0 (uint32_t, topo_n_pods (topo) + 1);
  for (uint32_t s = 0; s < topo_count (topo, TOPO_SPINE); s++)
    {
      uint32_t first, n;
      topo_spine_corelinks (topo, s, &first, &n);
      f->pod_core[topo_spine_pod (topo, s)] += n;
      f->pod_core_total[topo_spine_pod (topo, s)] += n;
    }
  f->node_su = g_new (uint32_t, nn + 1);
  for (uint32_t n = 0; n < nn; n++)
    f->node_su[n] = topo_node_su (topo, n);
  f->su_pod = g_new (uint32_t, topo_n_sus (topo) + 1);
  for (uint32_t su = 0; su < topo_n_sus (topo); su++)
    f->su_pod[su] = topo_su_pod (topo, su);
  f->total_links = topo_n_links (topo);
  f->alive_links = f->total_links;
  return f;
}

void
fabric_free (FabricState *f)
{
  if (f == NULL)
    return;
  for (int i = 0; i < 3; i++)
    {
      g_free (f->dead[i]);
      g_free (f->failed[i]);
      g_free (f->sw_failed[i]);
    }
  g_free (f->node_rails);
  g_free (f->leaf_up);
  g_free (f->su_up);
  g_free (f->su_up_total);
  g_free (f->pod_core);
  g_free (f->pod_core_total);
  g_free (f->node_su);
  g_free (f->su_pod);
  g_free (f);
}

size_t
fabric_bytes (const FabricState *f)
{
  g_return_val_if_fail (f != NULL, 0);
  const Topo *t = f->topo;
  size_t b = sizeof *f;
  b += 2 * ((size_t) topo_index_limit (t, TOPO_CABLE)
            + topo_count (t, TOPO_UPLINK) + topo_count (t, TOPO_CORELINK) + 3);
  b += topo_n_switches (t) + 3;
  b += sizeof (uint16_t) * (topo_count (t, TOPO_NODE) + 1);
  b += sizeof (uint16_t) * (topo_count (t, TOPO_LEAF) + 1);
  b += 2 * sizeof (uint32_t) * (topo_n_sus (t) + topo_n_pods (t) + 2);
  b += sizeof (uint32_t) * (topo_count (t, TOPO_NODE) + topo_n_sus (t) + 2);
  return b;
}

static gboolean
link_ok (const FabricState *f, TopoKind kind, uint32_t index, int *layer)
{
  *layer = link_layer (kind);
  return *layer >= 0 && topo_link (f->topo, kind, index) != NULL;
}

gboolean
fabric_fail_link (FabricState *f, TopoKind kind, uint32_t index)
{
  int layer;
  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (link_ok (f, kind, index, &layer), FALSE);
  if (f->failed[layer][index])
    return FALSE;
  f->failed[layer][index] = 1;
  link_kill (f, layer, index);
  return TRUE;
}

gboolean
fabric_restore_link (FabricState *f, TopoKind kind, uint32_t index)
{
  int layer;
  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (link_ok (f, kind, index, &layer), FALSE);
  if (!f->failed[layer][index])
    return FALSE;
  f->failed[layer][index] = 0;
  link_revive (f, layer, index);
  return TRUE;
}

/* Applies kill or revive to every link of a switch: O(ports). */
static void
switch_links (FabricState *f, TopoKind kind, uint32_t index, gboolean down)
{
  const TopoRef *refs;
  uint32_t n;
  topo_switch_links (f->topo, kind, index, &refs, &n);
  for (uint32_t i = 0; i < n; i++)
    {
      int layer = link_layer (refs[i].kind);
      if (down)
        link_kill (f, layer, refs[i].index);
      else
        link_revive (f, layer, refs[i].index);
    }
}

gboolean
fabric_fail_switch (FabricState *f, TopoKind kind, uint32_t index)
{
  g_return_val_if_fail (f != NULL, FALSE);
  int tier = sw_tier (kind);
  g_return_val_if_fail (tier >= 0 && index < topo_count (f->topo, kind),
                        FALSE);
  if (f->sw_failed[tier][index])
    return FALSE;
  f->sw_failed[tier][index] = 1;
  switch_links (f, kind, index, TRUE);
  return TRUE;
}

gboolean
fabric_restore_switch (FabricState *f, TopoKind kind, uint32_t index)
{
  g_return_val_if_fail (f != NULL, FALSE);
  int tier = sw_tier (kind);
  g_return_val_if_fail (tier >= 0 && index < topo_count (f->topo, kind),
                        FALSE);
  if (!f->sw_failed[tier][index])
    return FALSE;
  f->sw_failed[tier][index] = 0;
  switch_links (f, kind, index, FALSE);
  return TRUE;
}

gboolean
fabric_link_failed (const FabricState *f, TopoKind kind, uint32_t index)
{
  int layer;
  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (link_ok (f, kind, index, &layer), FALSE);
  return f->failed[layer][index] != 0;
}

gboolean
fabric_link_alive (const FabricState *f, TopoKind kind, uint32_t index)
{
  int layer;
  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (link_ok (f, kind, index, &layer), FALSE);
  return f->dead[layer][index] == 0;
}

gboolean
fabric_switch_failed (const FabricState *f, TopoKind kind, uint32_t index)
{
  g_return_val_if_fail (f != NULL, FALSE);
  int tier = sw_tier (kind);
  g_return_val_if_fail (tier >= 0 && index < topo_count (f->topo, kind),
                        FALSE);
  return f->sw_failed[tier][index] != 0;
}

gboolean
fabric_node_rail_ok (const FabricState *f, uint32_t node, uint32_t rail)
{
  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (node < topo_count (f->topo, TOPO_NODE)
                        && rail < f->rails, FALSE);
  uint32_t c = topo_node_link (f->topo, node, rail);
  return c != TOPO_NONE && f->dead[0][c] == 0;
}

uint32_t
fabric_node_rails_alive (const FabricState *f, uint32_t node)
{
  g_return_val_if_fail (f != NULL, 0);
  g_return_val_if_fail (node < topo_count (f->topo, TOPO_NODE), 0);
  return f->node_rails[node];
}

double
fabric_job_bandwidth (const FabricState *f, const uint32_t *nodes, size_t n)
{
  g_return_val_if_fail (f != NULL, 0.0);
  g_return_val_if_fail (nodes != NULL || n == 0, 0.0);
  uint32_t nn = topo_count (f->topo, TOPO_NODE);
  /* One pass. The SU and pod terms are evaluated once per run of nodes in
   * the same SU (an allocation is ascending, so a run is a whole SU) and
   * applied only if the job turns out to span several SUs / pods; the
   * rails term is the fewest alive rails over rails, which equals the
   * minimum of the per-node quotients (division by a positive constant is
   * monotone), so the result is the same double as a per-node minimum. */
  uint32_t rails_min = f->rails;
  double b_su = 1.0, b_pod = 1.0;
  bool multi_su = false, multi_pod = false;
  uint32_t su0 = TOPO_NONE, pod0 = TOPO_NONE, su_prev = TOPO_NONE;
  for (size_t i = 0; i < n; i++)
    {
      uint32_t node = nodes[i];
      g_return_val_if_fail (node < nn, 0.0);
      rails_min = MIN (rails_min, f->node_rails[node]);
      uint32_t su = f->node_su[node];
      if (su == su_prev)
        continue;
      su_prev = su;
      uint32_t pod = f->su_pod[su];
      if (i == 0)
        {
          su0 = su;
          pod0 = pod;
        }
      multi_su |= su != su0;
      multi_pod |= pod != pod0;
      if (f->su_up_total[su] > 0)
        b_su = MIN (b_su, (double) f->su_up[su] / f->su_up_total[su]);
      if (f->pod_core_total[pod] > 0)
        b_pod = MIN (b_pod, (double) f->pod_core[pod] / f->pod_core_total[pod]);
    }
  double b = MIN (1.0, (double) rails_min / f->rails);
  if (multi_su)
    b = MIN (b, b_su);
  if (multi_pod)
    b = MIN (b, b_pod);
  return b;
}

double
fabric_slowdown (double bandwidth_fraction, double comm_share)
{
  g_return_val_if_fail (bandwidth_fraction >= 0.0 && bandwidth_fraction <= 1.0,
                        1.0);
  g_return_val_if_fail (comm_share >= 0.0 && comm_share <= 1.0, 1.0);
  if (comm_share == 0.0)
    return 1.0;
  if (bandwidth_fraction == 0.0)
    return INFINITY;
  return (1.0 - comm_share) + comm_share / bandwidth_fraction;
}

double
fabric_bandwidth_lost_fraction (const FabricState *f)
{
  g_return_val_if_fail (f != NULL, 0.0);
  if (f->total_links == 0)
    return 0.0;
  return 1.0 - (double) f->alive_links / (double) f->total_links;
}
