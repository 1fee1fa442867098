/* models/fabric.c - fabric degradation: dead links and switches, alive
 * rails, uplinks and core links, job bandwidth. See fabric.h; the model and
 * its assumptions are in docs/models.md. Not here: timing of failures. */
#include "fabric.h"

#include <math.h>
#include <string.h>

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
  /* tenants (fabric.h) */
  uint32_t n_nodes;
  FabricTenant **owner;     /* per node: its tenant, or NULL */
  GPtrArray **su_tenants;   /* per SU: the tenants with nodes in it (lazy) */
  GPtrArray **pod_tenants;  /* per pod: the same */
  uint32_t round;           /* the touch round (fabric_tenants_touched), from 1 */
  GArray *touched;          /* ids noted in this round */
  GPtrArray *spare;         /* freed tenants, emptied, their storage kept
                             * for the next fabric_tenant_new */
};

/* A key (SU or pod), how many of a tenant's nodes (SUs) are in it, and
 * where the tenant sits in that key's list (su_tenants / pod_tenants), so
 * that leaving it is O(1) whatever the number of tenants there. */
typedef struct
{
  uint32_t key, count, pos;
} FabricCount;

struct FabricTenant
{
  uint32_t id;
  uint32_t n;           /* nodes */
  uint32_t stolen;      /* nodes other tenants took since the last set */
  uint32_t seen;        /* the round it was last noted in */
  gboolean asc;         /* the list last given to fabric_tenant_set is
                         * ascending (add and remove forget it) */
  FabricCount *sus, *pods; /* ascending by key */
  uint32_t n_sus, cap_sus, n_pods, cap_pods;
  uint32_t hist[];      /* [r]: nodes with r alive rails, r = 0..rails */
};

static void tenant_release (FabricTenant *t);

static void
tenant_touch (FabricState *f, FabricTenant *t)
{
  if (t->seen == f->round)
    return;
  t->seen = f->round;
  g_array_append_val (f->touched, t->id);
}

/* The tenants over a changed SU's uplinks or pod's core links that span
 * more than one of them (the others do not use those links). */
static void
tenants_touch_spanning (FabricState *f, GPtrArray *list, gboolean pods)
{
  if (list == NULL)
    return;
  for (guint k = 0; k < list->len; k++)
    {
      FabricTenant *t = g_ptr_array_index (list, k);
      if ((pods ? t->n_pods : t->n_sus) > 1)
        tenant_touch (f, t);
    }
}

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
      {
        uint32_t node = i / f->rails;
        FabricTenant *t = f->owner[node];
        if (t != NULL)
          {
            t->hist[f->node_rails[node]]--;
            t->hist[f->node_rails[node] + delta]++;
            tenant_touch (f, t);
          }
        f->node_rails[node] += delta;
        break;
      }
    case 1:
      {
        l = topo_link (f->topo, TOPO_UPLINK, i);
        uint32_t su = topo_leaf_su (f->topo, l->a);
        f->leaf_up[l->a] += delta;
        f->su_up[su] += delta;
        tenants_touch_spanning (f, f->su_tenants[su], FALSE);
        break;
      }
    default:
      {
        l = topo_link (f->topo, TOPO_CORELINK, i);
        uint32_t pod = topo_spine_pod (f->topo, l->a);
        f->pod_core[pod] += delta;
        tenants_touch_spanning (f, f->pod_tenants[pod], TRUE);
        break;
      }
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
  f->n_nodes = nn;
  f->owner = g_new0 (FabricTenant *, nn + 1);
  f->su_tenants = g_new0 (GPtrArray *, topo_n_sus (topo) + 1);
  f->pod_tenants = g_new0 (GPtrArray *, topo_n_pods (topo) + 1);
  f->round = 1;
  f->touched = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  f->spare = g_ptr_array_new_with_free_func ((GDestroyNotify) tenant_release);
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
  for (uint32_t i = 0; i < topo_n_sus (f->topo); i++)
    if (f->su_tenants[i] != NULL)
      g_ptr_array_unref (f->su_tenants[i]);
  for (uint32_t i = 0; i < topo_n_pods (f->topo); i++)
    if (f->pod_tenants[i] != NULL)
      g_ptr_array_unref (f->pod_tenants[i]);
  g_free (f->su_tenants);
  g_free (f->pod_tenants);
  g_free (f->owner);
  g_array_unref (f->touched);
  g_ptr_array_unref (f->spare);
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
  b += sizeof (FabricTenant *) * (topo_count (t, TOPO_NODE) + 1);
  b += sizeof (GPtrArray *) * (topo_n_sus (t) + topo_n_pods (t) + 2);
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

/* ---- tenants ---- */

/* The index of key in a[0..n) (ascending), or where it would go. */
static uint32_t
count_find (const FabricCount *a, uint32_t n, uint32_t key)
{
  uint32_t lo = 0, hi = n;
  while (lo < hi)
    {
      uint32_t mid = lo + (hi - lo) / 2;
      if (a[mid].key < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* One more for key; the new entry if key is new (its pos for the caller
 * to fill), else NULL. */
static FabricCount *
count_inc (FabricCount **a, uint32_t *n, uint32_t *cap, uint32_t key)
{
  /* Nodes come mostly in order: try the last key first. */
  uint32_t i = *n > 0 && (*a)[*n - 1].key <= key ? *n - 1 : count_find (*a, *n, key);
  if (i < *n && (*a)[i].key == key)
    {
      (*a)[i].count++;
      return NULL;
    }
  if (i < *n && (*a)[i].key < key)
    i++;
  if (*n == *cap)
    {
      *cap = MAX (4, *cap * 2);
      *a = g_renew (FabricCount, *a, *cap);
    }
  memmove (*a + i + 1, *a + i, (*n - i) * sizeof **a);
  (*a)[i] = (FabricCount) { key, 1, 0 };
  (*n)++;
  return *a + i;
}

/* One fewer for key (present); TRUE if it is gone, with its list
 * position in *pos. */
static gboolean
count_dec (FabricCount *a, uint32_t *n, uint32_t key, uint32_t *pos)
{
  uint32_t i = count_find (a, *n, key);
  g_assert (i < *n && a[i].key == key && a[i].count > 0);
  if (--a[i].count > 0)
    return FALSE;
  *pos = a[i].pos;
  memmove (a + i, a + i + 1, (*n - i - 1) * sizeof *a);
  (*n)--;
  return TRUE;
}

/* t joins key's list; returns its position there. */
static uint32_t
list_add (GPtrArray **list, FabricTenant *t)
{
  if (*list == NULL)
    *list = g_ptr_array_new ();
  g_ptr_array_add (*list, t);
  return (*list)->len - 1;
}

/* The tenant at pos leaves key's list (of pods if pods): the last one
 * takes its place, as g_ptr_array_remove_fast would do after a search
 * (the same order), and learns its new position. O(log keys of the moved
 * tenant). */
static void
list_remove (GPtrArray *list, FabricTenant *t, uint32_t pos, uint32_t key,
             gboolean pods)
{
  g_assert (pos < list->len && g_ptr_array_index (list, pos) == t);
  g_ptr_array_remove_index_fast (list, pos);
  if (pos == list->len)
    return;
  FabricTenant *m = g_ptr_array_index (list, pos);
  FabricCount *a = pods ? m->pods : m->sus;
  uint32_t n = pods ? m->n_pods : m->n_sus;
  uint32_t i = count_find (a, n, key);
  g_assert (i < n && a[i].key == key);
  a[i].pos = pos;
}

/* Node x (no tenant's) joins t. */
static void
tenant_take (FabricState *f, FabricTenant *t, uint32_t x)
{
  f->owner[x] = t;
  t->n++;
  t->hist[f->node_rails[x]]++;
  uint32_t su = f->node_su[x];
  FabricCount *c = count_inc (&t->sus, &t->n_sus, &t->cap_sus, su);
  if (c != NULL)
    {
      c->pos = list_add (&f->su_tenants[su], t);
      uint32_t pod = f->su_pod[su];
      c = count_inc (&t->pods, &t->n_pods, &t->cap_pods, pod);
      if (c != NULL)
        c->pos = list_add (&f->pod_tenants[pod], t);
    }
}

/* Node x (t's) leaves t. */
static void
tenant_drop (FabricState *f, FabricTenant *t, uint32_t x)
{
  f->owner[x] = NULL;
  t->n--;
  t->hist[f->node_rails[x]]--;
  uint32_t su = f->node_su[x], pos;
  if (count_dec (t->sus, &t->n_sus, su, &pos))
    {
      list_remove (f->su_tenants[su], t, pos, su, FALSE);
      uint32_t pod = f->su_pod[su];
      if (count_dec (t->pods, &t->n_pods, pod, &pos))
        list_remove (f->pod_tenants[pod], t, pos, pod, TRUE);
    }
}

/* A freed tenant's record and its SU and pod arrays are kept for the next
 * one (a job's start and end allocate nothing once the run is warm). */
FabricTenant *
fabric_tenant_new (FabricState *f, uint32_t id)
{
  g_return_val_if_fail (f != NULL, NULL);
  FabricTenant *t;
  if (f->spare->len > 0)
    {
      t = g_ptr_array_steal_index (f->spare, f->spare->len - 1);
      g_assert (t->n == 0 && t->n_sus == 0 && t->n_pods == 0);
      t->stolen = 0;
      t->seen = 0; /* not noted in this round under its new id */
      t->asc = FALSE;
      memset (t->hist, 0, sizeof (uint32_t) * (f->rails + 1));
    }
  else
    t = g_malloc0 (sizeof *t + sizeof (uint32_t) * (f->rails + 1));
  t->id = id;
  return t;
}

static void
tenant_release (FabricTenant *t)
{
  g_free (t->sus);
  g_free (t->pods);
  g_free (t);
}

void
fabric_tenant_free (FabricState *f, FabricTenant *t)
{
  g_return_if_fail (f != NULL);
  if (t == NULL)
    return;
  /* Emptied by the caller (fabric_tenant_set to no nodes) this is O(1). */
  for (uint32_t x = 0; x < f->n_nodes && t->n > 0; x++)
    if (f->owner[x] == t)
      tenant_drop (f, t, x);
  g_ptr_array_add (f->spare, t);
}

static void
tenant_add (FabricState *f, FabricTenant *t, uint32_t node)
{
  g_return_if_fail (node < f->n_nodes);
  FabricTenant *o = f->owner[node];
  if (o == t)
    return;
  if (o != NULL)
    {
      tenant_drop (f, o, node);
      o->stolen++;
    }
  tenant_take (f, t, node);
}

static void
tenant_remove (FabricState *f, FabricTenant *t, uint32_t node)
{
  if (node < f->n_nodes && f->owner[node] == t)
    tenant_drop (f, t, node);
}

void
fabric_tenant_add (FabricState *f, FabricTenant *t, uint32_t node)
{
  g_return_if_fail (f != NULL && t != NULL);
  tenant_add (f, t, node);
  t->asc = FALSE; /* the caller's list changed without fabric_tenant_set */
}

void
fabric_tenant_remove (FabricState *f, FabricTenant *t, uint32_t node)
{
  g_return_if_fail (f != NULL && t != NULL);
  g_return_if_fail (node < f->n_nodes);
  tenant_remove (f, t, node);
  t->asc = FALSE;
}

static gboolean
ascending (const uint32_t *a, size_t n)
{
  for (size_t i = 1; i < n; i++)
    if (a[i] <= a[i - 1])
      return FALSE;
  return TRUE;
}

/* t leaves all its nodes (old, the list it was last given, holds them):
 * O(old + SUs + pods), nothing per tenant sharing them. */
static void
tenant_clear (FabricState *f, FabricTenant *t, const uint32_t *old, size_t n_old)
{
  uint32_t cleared = 0;
  for (size_t i = 0; i < n_old; i++)
    if (old[i] < f->n_nodes && f->owner[old[i]] == t)
      {
        f->owner[old[i]] = NULL;
        cleared++;
      }
  if (cleared != t->n) /* old did not hold them all (a caller's bug): look everywhere */
    for (uint32_t x = 0; x < f->n_nodes; x++)
      if (f->owner[x] == t)
        f->owner[x] = NULL;
  for (uint32_t i = 0; i < t->n_sus; i++)
    list_remove (f->su_tenants[t->sus[i].key], t, t->sus[i].pos, t->sus[i].key, FALSE);
  for (uint32_t i = 0; i < t->n_pods; i++)
    list_remove (f->pod_tenants[t->pods[i].key], t, t->pods[i].pos, t->pods[i].key, TRUE);
  t->n = t->n_sus = t->n_pods = 0;
  memset (t->hist, 0, sizeof (uint32_t) * (f->rails + 1));
}

/* How many of a[0..lim) and b[0..lim) are equal from the start, both
 * known equal at 0: compared by blocks (a restart keeps long runs). */
static size_t
equal_run (const uint32_t *a, const uint32_t *b, size_t lim)
{
  size_t k = 1;
  while (k < lim)
    {
      size_t blk = MIN ((size_t) 16, lim - k);
      if (memcmp (a + k, b + k, blk * sizeof *a) != 0)
        {
          while (a[k] == b[k])
            k++;
          return k;
        }
      k += blk;
    }
  return lim;
}

/* The merge of fabric_tenant_set, old ascending: FALSE (part done) when
 * nodes turns out not to be ascending. */
static gboolean
tenant_merge (FabricState *f, FabricTenant *t, const uint32_t *old,
              size_t n_old, const uint32_t *nodes, size_t n)
{
  /* A node in both lists is t's already, unless another tenant took it
   * meanwhile (then every such node is checked). */
  gboolean check = t->stolen > 0;
  size_t i = 0, j = 0;
  while (j < n)
    {
      uint32_t y = nodes[j];
      if (j > 0 && y <= nodes[j - 1])
        return FALSE;
      if (i < n_old && old[i] < y)
        tenant_remove (f, t, old[i++]);
      else if (i < n_old && old[i] == y)
        {
          /* a run of both: old is ascending, so is this part of nodes */
          size_t k = equal_run (old + i, nodes + j, MIN (n_old - i, n - j));
          if (check)
            for (size_t q = 0; q < k; q++)
              tenant_add (f, t, nodes[j + q]);
          i += k;
          j += k;
        }
      else
        {
          tenant_add (f, t, y);
          j++;
        }
    }
  while (i < n_old)
    tenant_remove (f, t, old[i++]);
  return TRUE;
}

void
fabric_tenant_set (FabricState *f, FabricTenant *t, const uint32_t *old,
                   size_t n_old, const uint32_t *nodes, size_t n)
{
  g_return_if_fail (f != NULL && t != NULL);
  g_return_if_fail ((old != NULL || n_old == 0) && (nodes != NULL || n == 0));
  if (n == 0)
    tenant_clear (f, t, old, n_old);
  else if (!((n_old == 0 || t->asc) && tenant_merge (f, t, old, n_old, nodes, n)))
    {
      /* a list out of order: every node */
      for (size_t i = 0; i < n_old; i++)
        tenant_remove (f, t, old[i]);
      for (size_t i = 0; i < n; i++)
        tenant_add (f, t, nodes[i]);
      t->asc = ascending (nodes, n);
      t->stolen = 0;
      return;
    }
  t->asc = TRUE; /* the merge checked nodes */
  t->stolen = 0;
}

uint32_t
fabric_node_tenant (const FabricState *f, uint32_t node)
{
  g_return_val_if_fail (f != NULL, FABRIC_NO_TENANT);
  g_return_val_if_fail (node < f->n_nodes, FABRIC_NO_TENANT);
  return f->owner[node] != NULL ? f->owner[node]->id : FABRIC_NO_TENANT;
}

uint32_t
fabric_tenant_size (const FabricTenant *t)
{
  g_return_val_if_fail (t != NULL, 0);
  return t->n;
}

gboolean
fabric_tenant_multi_su (const FabricTenant *t)
{
  g_return_val_if_fail (t != NULL, FALSE);
  return t->n_sus > 1;
}

/* The smallest up / total over the keys of a tenant's list (its SUs with
 * their uplinks, or its pods with their core links); 1 when none has a
 * total. */
static double
tenant_min_share (const FabricCount *keys, uint32_t n, const uint32_t *up,
                  const uint32_t *total)
{
  double m = 1.0;
  for (uint32_t i = 0; i < n; i++)
    if (total[keys[i].key] > 0)
      m = MIN (m, (double) up[keys[i].key] / total[keys[i].key]);
  return m;
}

double
fabric_tenant_bandwidth (const FabricState *f, const FabricTenant *t)
{
  g_return_val_if_fail (f != NULL && t != NULL, 0.0);
  /* The terms of fabric_job_bandwidth, from the counts. */
  uint32_t rails_min = f->rails;
  for (uint32_t r = 0; r < f->rails; r++)
    if (t->hist[r] > 0)
      {
        rails_min = r;
        break;
      }
  double b = MIN (1.0, (double) rails_min / f->rails);
  if (t->n_sus > 1)
    b = MIN (b, tenant_min_share (t->sus, t->n_sus, f->su_up, f->su_up_total));
  if (t->n_pods > 1)
    b = MIN (b, tenant_min_share (t->pods, t->n_pods, f->pod_core, f->pod_core_total));
  return b;
}

void
fabric_tenants_touched (FabricState *f, GArray *out)
{
  g_return_if_fail (f != NULL && out != NULL);
  g_return_if_fail (g_array_get_element_size (out) == sizeof (uint32_t));
  g_array_append_vals (out, f->touched->data, f->touched->len);
  g_array_set_size (f->touched, 0);
  f->round++;
}
