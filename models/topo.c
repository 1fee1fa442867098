/* models/topo.c - rail-optimised fat trees, their counts, structure and
 * operator names. See topo.h for the contract and docs/models.md for the
 * layout rules. Not here: failures (fabric.c), file formats (ibnet.c).
 *
 * Memory: links are 12-byte TopoLinks; every switch has a port-sorted list
 * of 8-byte TopoRefs (CSR); nodes, GPUs and NICs are implicit. About 80
 * bytes per GPU with 8 GPUs and 8 rails per node. Build is O(links). */
#include "topo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

G_DEFINE_QUARK (faultline-topo-error-quark, topo_error)

enum { TIER_LEAF, TIER_SPINE, TIER_CORE, N_TIERS };

struct Topo
{
  TopoParams p;
  uint32_t tiers;
  uint32_t n_nodes, n_sus, n_racks, n_rows, n_pods;
  uint32_t n_sw[N_TIERS];
  uint32_t n_cables; /* present node links */
  TopoLink *cables;  /* n_nodes * rails, indexed by NIC */
  TopoLink *uplinks;
  uint32_t n_uplinks;
  TopoLink *corelinks;
  uint32_t n_corelinks;
  uint32_t *up_first;   /* n_leaves + 1: uplinks of leaf l */
  uint32_t *core_first; /* n_spines + 1: corelinks of spine s */
  uint32_t *leaf_su, *leaf_rail, *leaf_pod, *spine_pod;
  uint32_t *su_leaf; /* n_sus * rails */
  uint32_t *su_pod;
  uint32_t *node_su; /* NULL: node / su_size */
  char **node_names; /* NULL: "nodeNNNN" */
  GHashTable *node_index; /* name -> index + 1, when node_names */
  uint32_t n_planes; /* 1: one fabric; rails: one fat tree per rail */
  uint32_t *plane_first[2]; /* spines, cores: plane r is [f[r], f[r+1]) */
  uint32_t *sw_off[N_TIERS]; /* CSR offsets, n_sw + 1 */
  TopoRef *sw_refs[N_TIERS];
  /* name widths */
  int w_node, w_gpu, w_nic, w_su, w_rail, w_spine, w_core, w_rack, w_row;
};

/* ---- helpers ---- */

static int
digits (uint32_t n_items, int min)
{
  uint32_t v = n_items > 0 ? n_items - 1 : 0;
  int d = 1;
  while (v >= 10)
    {
      v /= 10;
      d++;
    }
  return d > min ? d : min;
}

static uint32_t
pow2ceil (uint64_t v)
{
  uint64_t p = 1;
  while (p < v)
    p <<= 1;
  return p > UINT32_MAX ? UINT32_MAX : (uint32_t) p;
}

static uint32_t
ceil_div (uint64_t a, uint64_t b)
{
  return (uint32_t) ((a + b - 1) / b);
}

/* The rail plane of spine or core i (0 with one fabric): O(log planes). */
static uint32_t
switch_plane (const Topo *t, int tier, uint32_t i)
{
  const uint32_t *f = t->plane_first[tier - 1];
  uint32_t lo = 0, hi = t->n_planes; /* f[lo] <= i < f[hi] */
  while (hi - lo > 1)
    {
      uint32_t mid = lo + (hi - lo) / 2;
      if (f[mid] <= i)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

static int
kind_tier (TopoKind k)
{
  return k == TOPO_LEAF ? TIER_LEAF : k == TOPO_SPINE ? TIER_SPINE
         : k == TOPO_CORE ? TIER_CORE : -1;
}

/* How the leaves of one fabric (all of them, or one rail plane's) fit
 * under spines: fit2 with S2 spines; fit3 with P pods of lpp leaves
 * (whole SUs of `unit` leaves each), u spines per pod and cp cores per
 * spine position. */
typedef struct
{
  gboolean fit2, fit3;
  uint32_t S2, lpp, P, cp;
} Plan;

static void
plan_fabric (uint64_t leaves, uint32_t unit, uint32_t u, uint32_t radix,
             Plan *pl)
{
  uint32_t h = radix / 2;
  pl->S2 = pow2ceil (ceil_div (leaves * u, radix));
  pl->fit2 = pl->S2 <= u && leaves * ceil_div (u, pl->S2) <= radix;
  pl->lpp = (h / unit) * unit;
  pl->P = pl->lpp > 0 ? ceil_div (leaves, pl->lpp) : 0;
  pl->cp = pl->P > 0 ? pow2ceil (ceil_div ((uint64_t) pl->P * h, radix)) : 0;
  pl->fit3 = pl->lpp > 0 && u <= h && pl->cp <= h
             && (uint64_t) pl->P * ceil_div (h, pl->cp) <= radix;
}

void
topo_params_init (TopoParams *p)
{
  g_return_if_fail (p != NULL);
  memset (p, 0, sizeof *p);
  p->gpus_per_node = 8;
  p->rails = 8;
  p->su_size = 32;
  p->radix = 64;
  p->oversubscription = 1.0;
  p->tiers = 0;
  p->planes = 0;
  p->nodes_per_rack = 4;
  p->racks_per_row = 16;
}

/* Port-sorted CSR of the links of every switch. Links are inserted in
 * layer order; each slice is then insertion-sorted by port, which is O(n)
 * for the (already sorted) generated fabrics. */
static uint16_t
ref_port (const Topo *t, int tier, TopoRef r)
{
  const TopoLink *l = topo_link (t, r.kind, r.index);
  if (r.kind == TOPO_CABLE)
    return l->b_port;
  if (r.kind == TOPO_UPLINK)
    return tier == TIER_LEAF ? l->a_port : l->b_port;
  return tier == TIER_SPINE ? l->a_port : l->b_port;
}

static void
build_csr (Topo *t)
{
  uint32_t *fill[N_TIERS];
  for (int tier = 0; tier < N_TIERS; tier++)
    {
      t->sw_off[tier] = g_new0 (uint32_t, t->n_sw[tier] + 1);
      fill[tier] = g_new0 (uint32_t, t->n_sw[tier] + 1);
    }
  uint32_t n_nics = t->n_nodes * t->p.rails;
  for (uint32_t i = 0; i < n_nics; i++)
    if (t->cables[i].b != TOPO_NONE)
      t->sw_off[TIER_LEAF][t->cables[i].b + 1]++;
  for (uint32_t i = 0; i < t->n_uplinks; i++)
    {
      t->sw_off[TIER_LEAF][t->uplinks[i].a + 1]++;
      t->sw_off[TIER_SPINE][t->uplinks[i].b + 1]++;
    }
  for (uint32_t i = 0; i < t->n_corelinks; i++)
    {
      t->sw_off[TIER_SPINE][t->corelinks[i].a + 1]++;
      t->sw_off[TIER_CORE][t->corelinks[i].b + 1]++;
    }
  for (int tier = 0; tier < N_TIERS; tier++)
    {
      for (uint32_t s = 0; s < t->n_sw[tier]; s++)
        t->sw_off[tier][s + 1] += t->sw_off[tier][s];
      memcpy (fill[tier], t->sw_off[tier],
              sizeof (uint32_t) * (t->n_sw[tier] + 1));
      t->sw_refs[tier] = g_new (TopoRef, t->sw_off[tier][t->n_sw[tier]] + 1);
    }
#define PUT(tier, sw, k, i) \
  t->sw_refs[tier][fill[tier][sw]++] = (TopoRef) { (k), (i) }
  for (uint32_t i = 0; i < n_nics; i++)
    if (t->cables[i].b != TOPO_NONE)
      PUT (TIER_LEAF, t->cables[i].b, TOPO_CABLE, i);
  for (uint32_t i = 0; i < t->n_uplinks; i++)
    {
      PUT (TIER_LEAF, t->uplinks[i].a, TOPO_UPLINK, i);
      PUT (TIER_SPINE, t->uplinks[i].b, TOPO_UPLINK, i);
    }
  for (uint32_t i = 0; i < t->n_corelinks; i++)
    {
      PUT (TIER_SPINE, t->corelinks[i].a, TOPO_CORELINK, i);
      PUT (TIER_CORE, t->corelinks[i].b, TOPO_CORELINK, i);
    }
#undef PUT
  for (int tier = 0; tier < N_TIERS; tier++)
    {
      g_free (fill[tier]);
      for (uint32_t s = 0; s < t->n_sw[tier]; s++)
        {
          TopoRef *r = t->sw_refs[tier] + t->sw_off[tier][s];
          uint32_t n = t->sw_off[tier][s + 1] - t->sw_off[tier][s];
          for (uint32_t i = 1; i < n; i++)
            {
              TopoRef x = r[i];
              uint16_t px = ref_port (t, tier, x);
              uint32_t j = i;
              while (j > 0 && ref_port (t, tier, r[j - 1]) > px)
                {
                  r[j] = r[j - 1];
                  j--;
                }
              r[j] = x;
            }
        }
    }
}

static void
finish (Topo *t)
{
  const TopoParams *p = &t->p;
  t->n_racks = ceil_div (t->n_nodes, p->nodes_per_rack);
  t->n_rows = ceil_div (t->n_racks, p->racks_per_row);
  t->w_node = digits (t->n_nodes, 4);
  t->w_gpu = digits (p->gpus_per_node, 1);
  t->w_nic = digits (p->rails, 1);
  t->w_su = digits (t->n_sus, 2);
  t->w_rail = digits (p->rails, 1);
  uint32_t max_sp = 0, max_co = 0;
  for (uint32_t r = 0; r < t->n_planes; r++)
    {
      max_sp = MAX (max_sp, t->plane_first[0][r + 1] - t->plane_first[0][r]);
      max_co = MAX (max_co, t->plane_first[1][r + 1] - t->plane_first[1][r]);
    }
  t->w_spine = digits (max_sp, 2);
  t->w_core = digits (max_co, 3);
  t->w_rack = digits (t->n_racks, 3);
  t->w_row = digits (t->n_rows, 2);
  t->up_first = g_new0 (uint32_t, t->n_sw[TIER_LEAF] + 1);
  for (uint32_t i = 0; i < t->n_uplinks; i++)
    t->up_first[t->uplinks[i].a + 1]++;
  for (uint32_t l = 0; l < t->n_sw[TIER_LEAF]; l++)
    t->up_first[l + 1] += t->up_first[l];
  t->core_first = g_new0 (uint32_t, t->n_sw[TIER_SPINE] + 1);
  for (uint32_t i = 0; i < t->n_corelinks; i++)
    t->core_first[t->corelinks[i].a + 1]++;
  for (uint32_t s = 0; s < t->n_sw[TIER_SPINE]; s++)
    t->core_first[s + 1] += t->core_first[s];
  t->n_cables = 0;
  for (uint32_t i = 0; i < t->n_nodes * p->rails; i++)
    if (t->cables[i].b != TOPO_NONE)
      t->n_cables++;
  build_csr (t);
}

/* ---- generated fat trees ---- */

/* The shape of a fat tree, decided before anything is allocated. */
typedef struct
{
  uint32_t d, u, R, h;      /* SU size, uplinks per leaf, rails, radix/2 */
  uint32_t n_sus, n_planes, tiers, n_pods;
  uint64_t L;               /* leaves */
  uint32_t Sp, cp;          /* spines per pod, cores per spine position */
  uint32_t sp_plane, co_plane, spp;
  uint32_t n_spines, n_cores, n_uplinks, n_corelinks;
} FtShape;

/* Checks p and plans the tree; FALSE with TOPO_ERROR_PARAM naming the
 * impossible value. */
static gboolean
fattree_shape (const TopoParams *p, FtShape *s, GError **error)
{
#define BAD(...) \
  do { \
      g_set_error (error, TOPO_ERROR, TOPO_ERROR_PARAM, __VA_ARGS__); \
      return FALSE; \
    } while (0)
  if (p->nodes == 0)
    BAD ("nodes = 0: a cluster needs at least one node");
  if (p->gpus_per_node == 0 || p->gpus_per_node > 64)
    BAD ("gpus per node = %u: expected 1..64", p->gpus_per_node);
  if (p->radix < 4 || p->radix % 2 != 0 || p->radix > 4096)
    BAD ("radix = %u: a switch radix must be even and in 4..4096",
         p->radix);
  if (p->rails == 0 || p->rails > p->radix)
    BAD ("rails = %u: expected 1..radix (%u)", p->rails, p->radix);
  if (p->su_size == 0)
    BAD ("SU size = 0: a scalable unit needs at least one node");
  if (!(p->oversubscription >= 1.0 && p->oversubscription <= 64.0))
    BAD ("oversubscription = %g: expected 1 (non-blocking) to 64",
         p->oversubscription);
  if (p->tiers != 0 && p->tiers != 2 && p->tiers != 3)
    BAD ("tiers = %u: expected 2 or 3 (or 0 = automatic)", p->tiers);
  if (p->nodes_per_rack == 0 || p->racks_per_row == 0)
    BAD ("nodes per rack = %u, racks per row = %u: both must be > 0",
         p->nodes_per_rack, p->racks_per_row);
  uint32_t d = p->su_size;
  uint32_t u = (uint32_t) ceil ((double) d / p->oversubscription - 1e-9);
  if (u == 0)
    u = 1;
  if ((uint64_t) d + u > p->radix)
    BAD ("SU size = %u: a leaf needs %u node ports + %u uplinks, more than "
         "radix %u; use a smaller --su-size or a larger --radix", d, d, u,
         p->radix);
  if ((uint64_t) p->nodes * p->rails > UINT32_MAX / 2
      || (uint64_t) p->nodes * p->gpus_per_node > UINT32_MAX / 2)
    BAD ("nodes = %u: too many components for 32-bit indices", p->nodes);

  if (p->planes != 0 && p->planes != 1 && p->planes != p->rails)
    BAD ("planes = %u: expected 0 (automatic), 1 (one fabric) or the rail "
         "count %u (one fat tree per rail)", p->planes, p->rails);

  uint32_t n_sus = ceil_div (p->nodes, d);
  uint64_t L = (uint64_t) n_sus * p->rails;
  uint32_t R = p->rails;
  uint32_t h = p->radix / 2;
  /* One fabric spans all L leaves, its pods hold whole SUs (R leaves
   * each); a rail plane spans the n_sus leaves of one rail. */
  Plan one, rail;
  plan_fabric (L, R, u, p->radix, &one);
  plan_fabric (n_sus, 1, u, p->radix, &rail);
  uint32_t n_planes = p->planes;
  if (n_planes == 0)
    n_planes = one.fit2 || one.fit3 || R == 1 ? 1 : R;
  const Plan *pl = n_planes == 1 ? &one : &rail;
  uint32_t tiers = p->tiers;
  if (tiers == 0)
    tiers = pl->fit2 ? 2 : 3;
  if (tiers == 2 && !pl->fit2)
    BAD ("tiers = 2: %u nodes need %" G_GUINT64_FORMAT " leaves%s, more "
         "than one spine layer of radix %u can serve (max %u leaves); use "
         "3 tiers", p->nodes, n_planes == 1 ? L : (uint64_t) n_sus,
         n_planes == 1 ? "" : " per rail plane", p->radix, p->radix);
  if (tiers == 3 && !pl->fit3)
    {
      if (pl->lpp == 0 || u > h)
        BAD ("rails = %u, SU size = %u: one SU does not fit a pod of radix "
             "%u spines; use fewer rails, a smaller SU or a larger radix",
             p->rails, d, p->radix);
      if (n_planes == 1 && p->planes == 1)
        BAD ("nodes = %u: %u SUs x %u rails need more than a 3-tier fat "
             "tree of radix %u holds (max %u nodes); use a larger --radix, "
             "per-rail planes or fewer nodes", p->nodes, n_sus, p->rails,
             p->radix, p->radix * (h / R) * d);
      BAD ("nodes = %u: %u SUs need more than %u per-rail 3-tier fat trees "
           "of radix %u hold (max %" G_GUINT64_FORMAT " nodes); use a larger "
           "--radix or fewer nodes", p->nodes, n_sus, R, p->radix,
           (uint64_t) p->radix * h * d);
    }
  s->d = d;
  s->u = u;
  s->R = R;
  s->h = h;
  s->n_sus = n_sus;
  s->L = L;
  s->n_planes = n_planes;
  s->tiers = tiers;
  s->n_pods = tiers == 2 ? 1 : pl->P;
  s->Sp = tiers == 2 ? pl->S2 : u;
  s->cp = tiers == 2 ? 0 : pl->cp;
  s->sp_plane = s->n_pods * s->Sp;
  s->co_plane = s->Sp * s->cp;
  /* SUs per pod: every SU in 2 tiers, else whole SUs under h leaves */
  s->spp = tiers == 2 ? n_sus : pl->lpp / (n_planes == 1 ? R : 1);
  s->n_spines = n_planes * s->sp_plane;
  s->n_cores = n_planes * s->co_plane;
  s->n_uplinks = (uint32_t) (L * u);
  s->n_corelinks = tiers == 3 ? s->n_spines * h : 0;
  return TRUE;
#undef BAD
}

/* The bytes a Topo with these counts holds: the one formula behind
 * topo_bytes() and the estimate made before a fat tree is built.
 * refs[tier]: the switch-to-link references of that tier. */
static uint64_t
counts_bytes (uint64_t n_nics, uint64_t n_uplinks, uint64_t n_corelinks,
              const uint64_t n_sw[N_TIERS], uint64_t n_sus,
              uint64_t n_planes, const uint64_t refs[N_TIERS])
{
  uint64_t nl = n_sw[TIER_LEAF], ns = n_sw[TIER_SPINE];
  uint64_t b = sizeof (Topo);
  b += sizeof (TopoLink) * (n_nics + n_uplinks + n_corelinks);
  b += sizeof (uint32_t) * ((nl + 1) + (ns + 1)); /* up/core_first */
  b += sizeof (uint32_t) * (4 * nl + ns); /* leaf_*, su_leaf, spine_pod */
  b += sizeof (uint32_t) * n_sus;
  b += 2 * sizeof (uint32_t) * (n_planes + 1);
  for (int tier = 0; tier < N_TIERS; tier++)
    b += sizeof (uint32_t) * (n_sw[tier] + 1)
         + sizeof (TopoRef) * (refs[tier] + 1);
  return b;
}

static uint64_t
shape_bytes (const TopoParams *p, const FtShape *sh)
{
  uint64_t n_nics = (uint64_t) p->nodes * sh->R;
  const uint64_t n_sw[N_TIERS] = { sh->L, sh->n_spines, sh->n_cores };
  const uint64_t refs[N_TIERS] = {
    n_nics + sh->n_uplinks, (uint64_t) sh->n_uplinks + sh->n_corelinks,
    sh->n_corelinks,
  };
  return counts_bytes (n_nics, sh->n_uplinks, sh->n_corelinks, n_sw,
                       sh->n_sus, sh->n_planes, refs);
}

uint64_t
topo_fattree_estimate_bytes (const TopoParams *p, GError **error)
{
  FtShape sh;
  g_return_val_if_fail (p != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);
  if (!fattree_shape (p, &sh, error))
    return 0;
  return shape_bytes (p, &sh);
}

uint64_t
topo_memory_limit (const char **what)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  uint64_t limit = pages > 0 && page > 0 ? (uint64_t) pages * (uint64_t) page
                                         : 0;
  const char *w = limit > 0 ? "physical memory" : "no limit known";
  struct rlimit rl;
  if (getrlimit (RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
      && (limit == 0 || (uint64_t) rl.rlim_cur < limit))
    {
      limit = (uint64_t) rl.rlim_cur;
      w = "the address-space limit RLIMIT_AS (ulimit -v)";
    }
  if (what != NULL)
    *what = w;
  return limit;
}

/* "512 MiB", "28.6 GiB" into buf. */
static const char *
size_text (uint64_t b, char *buf, size_t len)
{
  if (b < ((uint64_t) 1 << 30))
    g_snprintf (buf, len, "%.0f MiB", (double) b / (1 << 20));
  else
    g_snprintf (buf, len, "%.1f GiB", (double) b / (1 << 30));
  return buf;
}

Topo *
topo_new_fattree (const TopoParams *p, GError **error)
{
  g_return_val_if_fail (p != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  const char *what = NULL;
  uint64_t limit = topo_memory_limit (&what);
  return topo_new_fattree_limited (p, limit, what, error);
}

Topo *
topo_new_fattree_limited (const TopoParams *p, uint64_t limit,
                          const char *limit_what, GError **error)
{
  FtShape sh;
  g_return_val_if_fail (p != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!fattree_shape (p, &sh, error))
    return NULL;
  uint64_t topo_b = shape_bytes (p, &sh);
  uint64_t run_b = topo_b * TOPO_RUN_BYTES_FACTOR;
  if (limit > 0 && run_b > limit)
    {
      /* the largest node count that fits, at this size's cost per node */
      uint64_t fit = (uint64_t) ((double) limit / (double) run_b * p->nodes);
      char rb[32], tb[32], lb[32];
      g_set_error (error, TOPO_ERROR, TOPO_ERROR_MEMORY,
                   "nodes = %u (%" G_GUINT64_FORMAT " GPUs): a run would need "
                   "about %s (%d x the topology's %s, for the fabric, world "
                   "and policy state), more than the %s of %s; at most about "
                   "%" G_GUINT64_FORMAT " nodes (%" G_GUINT64_FORMAT " GPUs) "
                   "fit: lower cluster.nodes or cluster.gpus (e.g. --set "
                   "cluster.nodes=%" G_GUINT64_FORMAT ")", p->nodes,
                   (uint64_t) p->nodes * p->gpus_per_node,
                   size_text (run_b, rb, sizeof rb), TOPO_RUN_BYTES_FACTOR,
                   size_text (topo_b, tb, sizeof tb),
                   size_text (limit, lb, sizeof lb),
                   limit_what != NULL ? limit_what : "the limit given", fit,
                   fit * p->gpus_per_node, fit);
      return NULL;
    }

  uint32_t d = sh.d, u = sh.u, R = sh.R, h = sh.h, n_sus = sh.n_sus;
  uint64_t L = sh.L;
  uint32_t n_planes = sh.n_planes, tiers = sh.tiers;
  uint32_t Sp = sh.Sp, cp = sh.cp; /* spines per pod, cores per position */
  uint32_t sp_plane = sh.sp_plane, co_plane = sh.co_plane, spp = sh.spp;
  Topo *t = g_new0 (Topo, 1);
  t->p = *p;
  t->p.tiers = tiers;
  t->p.planes = n_planes;
  t->tiers = tiers;
  t->n_planes = n_planes;
  t->n_nodes = p->nodes;
  t->n_sus = n_sus;
  t->n_sw[TIER_LEAF] = (uint32_t) L;
  t->n_pods = sh.n_pods;
  t->n_sw[TIER_SPINE] = sh.n_spines;
  t->n_sw[TIER_CORE] = sh.n_cores;
  for (int k = 0; k < 2; k++)
    {
      t->plane_first[k] = g_new (uint32_t, n_planes + 1);
      for (uint32_t r = 0; r <= n_planes; r++)
        t->plane_first[k][r] = r * (k == 0 ? sp_plane : co_plane);
    }

  t->leaf_su = g_new (uint32_t, L);
  t->leaf_rail = g_new (uint32_t, L);
  t->leaf_pod = g_new (uint32_t, L);
  t->su_leaf = g_new (uint32_t, L);
  t->su_pod = g_new (uint32_t, n_sus);
  for (uint32_t l = 0; l < L; l++)
    {
      t->leaf_su[l] = l / R;
      t->leaf_rail[l] = l % R;
      t->leaf_pod[l] = (l / R) / spp;
      t->su_leaf[l] = l;
    }
  for (uint32_t s = 0; s < n_sus; s++)
    t->su_pod[s] = s / spp;
  t->spine_pod = g_new (uint32_t, t->n_sw[TIER_SPINE]);
  for (uint32_t s = 0; s < t->n_sw[TIER_SPINE]; s++)
    t->spine_pod[s] = (s % sp_plane) / Sp;

  /* Node cables: NIC (node, r) -> leaf (su, r), port = position in SU. */
  uint64_t n_nics = (uint64_t) p->nodes * R;
  t->cables = g_new (TopoLink, n_nics);
  for (uint32_t node = 0; node < p->nodes; node++)
    for (uint32_t r = 0; r < R; r++)
      {
        TopoLink *c = &t->cables[(uint64_t) node * R + r];
        c->a = node * R + r;
        c->b = (node / d) * R + r;
        c->a_port = 1;
        c->b_port = (uint16_t) (node % d + 1);
      }

  /* Uplinks: leaf port d+1+k, to the spines of its pod in its plane; the
   * leaf's position among the pod's leaves picks the spine ports. */
  t->n_uplinks = sh.n_uplinks;
  t->uplinks = g_new (TopoLink, t->n_uplinks);
  uint32_t per_pair = ceil_div (u, Sp); /* links from one leaf to a spine */
  for (uint32_t l = 0; l < L; l++)
    {
      uint32_t su = l / R, pod = t->leaf_pod[l];
      uint32_t plane = n_planes == 1 ? 0 : l % R;
      uint32_t l_in_pod = n_planes == 1 ? l - pod * spp * R : su - pod * spp;
      uint32_t base = plane * sp_plane + pod * Sp;
      for (uint32_t k = 0; k < u; k++)
        {
          TopoLink *x = &t->uplinks[(uint64_t) l * u + k];
          x->a = l;
          x->b = base + k % Sp;
          x->a_port = (uint16_t) (d + 1 + k);
          x->b_port = (uint16_t) (l_in_pod * per_pair + k / Sp + 1);
        }
    }

  /* Core links (3 tiers): spine j of every pod of a plane is served by
   * that plane's cores [j * cp, (j + 1) * cp); spine port h+1+k. */
  if (tiers == 3)
    {
      t->n_corelinks = sh.n_corelinks;
      t->corelinks = g_new (TopoLink, t->n_corelinks);
      uint32_t per_core = ceil_div (h, cp);
      for (uint32_t s = 0; s < t->n_sw[TIER_SPINE]; s++)
        {
          uint32_t plane = s / sp_plane, pod = t->spine_pod[s], j = s % Sp;
          for (uint32_t k = 0; k < h; k++)
            {
              TopoLink *x = &t->corelinks[(uint64_t) s * h + k];
              x->a = s;
              x->b = plane * co_plane + j * cp + k % cp;
              x->a_port = (uint16_t) (h + 1 + k);
              x->b_port = (uint16_t) (pod * per_core + k / cp + 1);
            }
        }
    }
  finish (t);
  return t;
}

/* ---- explicit fabrics (models/ibnet.c) ---- */

static uint32_t
uf_find (uint32_t *parent, uint32_t x)
{
  while (parent[x] != x)
    {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
  return x;
}

/* Rail planes in a fabric read from a file: every spine links leaves of
 * one rail only, every core spines of one plane only, and spines and cores
 * come in plane order. Fills plane_first and sets n_planes = rails, or
 * returns FALSE (one fabric). */
static gboolean
explicit_planes (Topo *t)
{
  uint32_t R = t->p.rails, ns = t->n_sw[TIER_SPINE], nc = t->n_sw[TIER_CORE];
  if (R < 2 || ns == 0)
    return FALSE;
  g_autofree uint32_t *sp = g_new (uint32_t, ns + 1);
  g_autofree uint32_t *co = g_new (uint32_t, nc + 1);
  for (uint32_t s = 0; s < ns; s++)
    sp[s] = TOPO_NONE;
  for (uint32_t c = 0; c < nc; c++)
    co[c] = TOPO_NONE;
  for (uint32_t i = 0; i < t->n_uplinks; i++)
    {
      uint32_t r = t->leaf_rail[t->uplinks[i].a], *o = &sp[t->uplinks[i].b];
      if (r >= R || (*o != TOPO_NONE && *o != r))
        return FALSE;
      *o = r;
    }
  for (uint32_t i = 0; i < t->n_corelinks; i++)
    {
      uint32_t r = sp[t->corelinks[i].a], *o = &co[t->corelinks[i].b];
      if (r == TOPO_NONE || (*o != TOPO_NONE && *o != r))
        return FALSE;
      *o = r;
    }
  for (int k = 0; k < 2; k++)
    {
      const uint32_t *pl = k == 0 ? sp : co;
      uint32_t n = k == 0 ? ns : nc;
      for (uint32_t s = 0; s < n; s++)
        if (pl[s] == TOPO_NONE || (s > 0 && pl[s] < pl[s - 1]))
          return FALSE;
    }
  for (int k = 0; k < 2; k++)
    {
      const uint32_t *pl = k == 0 ? sp : co;
      uint32_t n = k == 0 ? ns : nc;
      t->plane_first[k] = g_new0 (uint32_t, R + 1);
      for (uint32_t s = 0; s < n; s++)
        t->plane_first[k][pl[s] + 1]++;
      for (uint32_t r = 0; r < R; r++)
        t->plane_first[k][r + 1] += t->plane_first[k][r];
    }
  t->n_planes = R;
  return TRUE;
}

/* Every index in x within its array, every leaf in an SU, links sorted as
 * topo_new_explicit wants them: what the builder below relies on. */
static gboolean
explicit_valid (const TopoExplicit *x)
{
  if (x->n_nodes == 0 || x->rails == 0 || x->gpus_per_node == 0
      || (uint64_t) x->n_nodes * x->rails > UINT32_MAX / 2)
    return FALSE;
  uint32_t su_lim = x->n_nodes + x->n_leaves;
  for (uint32_t n = 0; n < x->n_nodes; n++)
    if (x->node_su[n] >= su_lim)
      return FALSE;
  for (uint32_t l = 0; l < x->n_leaves; l++)
    if (x->leaf_su[l] >= su_lim || x->leaf_rail[l] >= x->rails)
      return FALSE;
  for (uint64_t i = 0; i < (uint64_t) x->n_nodes * x->rails; i++)
    if (x->cables[i].b != TOPO_NONE && x->cables[i].b >= x->n_leaves)
      return FALSE;
  for (uint32_t i = 0; i < x->n_uplinks; i++)
    if (x->uplinks[i].a >= x->n_leaves || x->uplinks[i].b >= x->n_spines
        || (i > 0 && x->uplinks[i].a < x->uplinks[i - 1].a))
      return FALSE;
  for (uint32_t i = 0; i < x->n_corelinks; i++)
    if (x->corelinks[i].a >= x->n_spines || x->corelinks[i].b >= x->n_cores
        || (i > 0 && x->corelinks[i].a < x->corelinks[i - 1].a))
      return FALSE;
  return TRUE;
}

Topo *
topo_new_explicit (TopoExplicit *x)
{
  g_return_val_if_fail (x != NULL, NULL);
  g_return_val_if_fail (explicit_valid (x), NULL);
  Topo *t = g_new0 (Topo, 1);
  topo_params_init (&t->p);
  t->p.nodes = x->n_nodes;
  t->p.gpus_per_node = x->gpus_per_node;
  t->p.rails = x->rails;
  t->p.radix = x->radix;
  t->tiers = x->n_cores > 0 ? 3 : 2;
  t->p.tiers = t->tiers;
  t->n_nodes = x->n_nodes;
  t->n_sw[TIER_LEAF] = x->n_leaves;
  t->n_sw[TIER_SPINE] = x->n_spines;
  t->n_sw[TIER_CORE] = x->n_cores;
  t->cables = g_steal_pointer (&x->cables);
  t->uplinks = g_steal_pointer (&x->uplinks);
  t->n_uplinks = x->n_uplinks;
  t->corelinks = g_steal_pointer (&x->corelinks);
  t->n_corelinks = x->n_corelinks;
  t->leaf_su = g_steal_pointer (&x->leaf_su);
  t->leaf_rail = g_steal_pointer (&x->leaf_rail);
  t->node_su = g_steal_pointer (&x->node_su);
  t->node_names = g_steal_pointer (&x->node_names);

  uint32_t max_su = 0, max_in_su = 0;
  g_autofree uint32_t *in_su = NULL;
  for (uint32_t n = 0; n < t->n_nodes; n++)
    max_su = MAX (max_su, t->node_su[n] + 1);
  for (uint32_t l = 0; l < t->n_sw[TIER_LEAF]; l++)
    max_su = MAX (max_su, t->leaf_su[l] + 1);
  t->n_sus = max_su;
  in_su = g_new0 (uint32_t, max_su + 1);
  for (uint32_t n = 0; n < t->n_nodes; n++)
    {
      uint32_t c = ++in_su[t->node_su[n]];
      max_in_su = MAX (max_in_su, c);
    }
  t->p.su_size = MAX (max_in_su, 1);
  t->su_leaf = g_new (uint32_t, (uint64_t) max_su * x->rails + 1);
  for (uint64_t i = 0; i < (uint64_t) max_su * x->rails; i++)
    t->su_leaf[i] = TOPO_NONE;
  for (uint32_t l = 0; l < t->n_sw[TIER_LEAF]; l++)
    if (t->leaf_rail[l] < x->rails
        && t->su_leaf[t->leaf_su[l] * x->rails + t->leaf_rail[l]] == TOPO_NONE)
      t->su_leaf[t->leaf_su[l] * x->rails + t->leaf_rail[l]] = l;

  if (!explicit_planes (t))
    {
      t->n_planes = 1;
      for (int k = 0; k < 2; k++)
        {
          t->plane_first[k] = g_new0 (uint32_t, 2);
          t->plane_first[k][1] = t->n_sw[k == 0 ? TIER_SPINE : TIER_CORE];
        }
    }
  t->p.planes = t->n_planes;

  /* Pods: connected components of leaves and spines through uplinks; with
   * rail planes, the leaves of one SU are one pod across the planes. */
  uint32_t nl = t->n_sw[TIER_LEAF], ns = t->n_sw[TIER_SPINE];
  g_autofree uint32_t *parent = g_new (uint32_t, nl + ns + 1);
  for (uint32_t i = 0; i < nl + ns; i++)
    parent[i] = i;
  if (t->n_planes > 1)
    {
      g_autofree uint32_t *first = g_new (uint32_t, max_su + 1);
      for (uint32_t s = 0; s < max_su; s++)
        first[s] = TOPO_NONE;
      for (uint32_t l = 0; l < nl; l++)
        {
          uint32_t su = t->leaf_su[l];
          if (su >= max_su)
            continue;
          if (first[su] == TOPO_NONE)
            first[su] = l;
          else
            {
              uint32_t a = uf_find (parent, first[su]), b = uf_find (parent, l);
              if (a != b)
                parent[MAX (a, b)] = MIN (a, b);
            }
        }
    }
  for (uint32_t i = 0; i < t->n_uplinks; i++)
    {
      uint32_t a = uf_find (parent, t->uplinks[i].a);
      uint32_t b = uf_find (parent, nl + t->uplinks[i].b);
      if (a != b)
        parent[MAX (a, b)] = MIN (a, b);
    }
  g_autofree uint32_t *pod_of_root = g_new (uint32_t, nl + ns + 1);
  for (uint32_t i = 0; i < nl + ns; i++)
    pod_of_root[i] = TOPO_NONE;
  t->leaf_pod = g_new (uint32_t, nl + 1);
  t->spine_pod = g_new (uint32_t, ns + 1);
  t->n_pods = 0;
  for (uint32_t i = 0; i < nl + ns; i++)
    {
      uint32_t r = uf_find (parent, i);
      if (pod_of_root[r] == TOPO_NONE)
        pod_of_root[r] = t->n_pods++;
      if (i < nl)
        t->leaf_pod[i] = pod_of_root[r];
      else
        t->spine_pod[i - nl] = pod_of_root[r];
    }
  if (t->tiers == 2)
    {
      /* one spine layer: a single pod, even if a leaf lost all uplinks */
      memset (t->leaf_pod, 0, sizeof (uint32_t) * nl);
      memset (t->spine_pod, 0, sizeof (uint32_t) * ns);
      t->n_pods = 1;
    }
  t->n_pods = MAX (t->n_pods, 1);
  t->su_pod = g_new0 (uint32_t, max_su + 1);
  for (uint32_t l = 0; l < nl; l++)
    t->su_pod[t->leaf_su[l]] = t->leaf_pod[l];

  if (t->node_names != NULL)
    {
      t->node_index = g_hash_table_new (g_str_hash, g_str_equal);
      for (uint32_t n = 0; n < t->n_nodes; n++)
        g_hash_table_insert (t->node_index, t->node_names[n],
                             GUINT_TO_POINTER (n + 1));
    }
  finish (t);
  return t;
}

gboolean
topo_valid_node_name (const char *name)
{
  size_t n = strlen (name);
  if (n == 0 || n > TOPO_MAX_NODE_NAME)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      return FALSE;
  return TRUE;
}

gboolean
topo_set_node_names (Topo *topo, char **names, GError **error)
{
  static const char *const reserved[] = { "leaf-su", "spine-", "core-", "rack-", "row-" };
  g_return_val_if_fail (topo != NULL && names != NULL && topo->node_names == NULL, FALSE);
  if (g_strv_length (names) != topo->n_nodes)
    {
      g_set_error (error, TOPO_ERROR, TOPO_ERROR_PARAM, "%u node names for "
                   "%u nodes", g_strv_length (names), topo->n_nodes);
      return FALSE;
    }
  GHashTable *index = g_hash_table_new (g_str_hash, g_str_equal);
  for (uint32_t n = 0; n < topo->n_nodes; n++)
    {
      const char *bad = !topo_valid_node_name (names[n]) ? "is not a host name"
                        : g_hash_table_contains (index, names[n]) ? "is given twice"
                        : NULL;
      for (size_t i = 0; bad == NULL && i < G_N_ELEMENTS (reserved); i++)
        if (g_str_has_prefix (names[n], reserved[i]))
          bad = "starts as faultline's switch, rack and row names do "
                "(leaf-su, spine-, core-, rack-, row-)";
      if (bad != NULL)
        {
          g_set_error (error, TOPO_ERROR, TOPO_ERROR_PARAM, "node name '%s' %s",
                       names[n], bad);
          g_hash_table_unref (index);
          return FALSE;
        }
      g_hash_table_insert (index, names[n], GUINT_TO_POINTER (n + 1));
    }
  topo->node_names = names;
  topo->node_index = index;
  return TRUE;
}

void
topo_free (Topo *topo)
{
  if (topo == NULL)
    return;
  g_free (topo->cables);
  g_free (topo->uplinks);
  g_free (topo->corelinks);
  g_free (topo->up_first);
  g_free (topo->core_first);
  g_free (topo->leaf_su);
  g_free (topo->leaf_rail);
  g_free (topo->leaf_pod);
  g_free (topo->spine_pod);
  g_free (topo->su_leaf);
  g_free (topo->su_pod);
  g_free (topo->plane_first[0]);
  g_free (topo->plane_first[1]);
  g_free (topo->node_su);
  g_strfreev (topo->node_names);
  if (topo->node_index != NULL)
    g_hash_table_unref (topo->node_index);
  for (int tier = 0; tier < N_TIERS; tier++)
    {
      g_free (topo->sw_off[tier]);
      g_free (topo->sw_refs[tier]);
    }
  g_free (topo);
}

/* ---- counts ---- */

uint32_t
topo_count (const Topo *topo, TopoKind kind)
{
  g_return_val_if_fail (topo != NULL, 0);
  switch (kind)
    {
    case TOPO_NODE: return topo->n_nodes;
    case TOPO_GPU: return topo->n_nodes * topo->p.gpus_per_node;
    case TOPO_NIC: return topo->n_nodes * topo->p.rails;
    case TOPO_CABLE: return topo->n_cables;
    case TOPO_LEAF: return topo->n_sw[TIER_LEAF];
    case TOPO_SPINE: return topo->n_sw[TIER_SPINE];
    case TOPO_CORE: return topo->n_sw[TIER_CORE];
    case TOPO_UPLINK: return topo->n_uplinks;
    case TOPO_CORELINK: return topo->n_corelinks;
    case TOPO_RACK: return topo->n_racks;
    case TOPO_ROW: return topo->n_rows;
    case TOPO_N_KINDS: default: break;
    }
  g_return_val_if_reached (0);
}

uint32_t
topo_index_limit (const Topo *topo, TopoKind kind)
{
  g_return_val_if_fail (topo != NULL, 0);
  if (kind == TOPO_CABLE)
    return topo->n_nodes * topo->p.rails;
  return topo_count (topo, kind);
}

uint32_t topo_tiers (const Topo *topo) { return topo ? topo->tiers : 0; }
uint32_t topo_gpus_per_node (const Topo *topo)
{
  return topo ? topo->p.gpus_per_node : 0;
}
uint32_t topo_rails (const Topo *topo) { return topo ? topo->p.rails : 0; }
uint32_t topo_su_size (const Topo *topo) { return topo ? topo->p.su_size : 0; }
uint32_t topo_n_sus (const Topo *topo) { return topo ? topo->n_sus : 0; }
uint32_t topo_radix (const Topo *topo) { return topo ? topo->p.radix : 0; }
uint32_t topo_n_pods (const Topo *topo) { return topo ? topo->n_pods : 0; }
uint32_t topo_n_planes (const Topo *topo) { return topo ? topo->n_planes : 0; }

uint32_t
topo_switch_plane (const Topo *topo, TopoKind kind, uint32_t sw)
{
  g_return_val_if_fail (topo != NULL, TOPO_NONE);
  int tier = kind_tier (kind);
  g_return_val_if_fail (tier >= 0 && sw < topo->n_sw[tier], TOPO_NONE);
  if (topo->n_planes == 1)
    return 0;
  if (tier == TIER_LEAF)
    return topo->leaf_rail[sw];
  return switch_plane (topo, tier, sw);
}

const TopoParams *
topo_params (const Topo *topo)
{
  g_return_val_if_fail (topo != NULL, NULL);
  return &topo->p;
}

uint32_t
topo_n_switches (const Topo *topo)
{
  g_return_val_if_fail (topo != NULL, 0);
  return topo->n_sw[TIER_LEAF] + topo->n_sw[TIER_SPINE]
         + topo->n_sw[TIER_CORE];
}

uint64_t
topo_n_links (const Topo *topo)
{
  g_return_val_if_fail (topo != NULL, 0);
  return (uint64_t) topo->n_cables + topo->n_uplinks + topo->n_corelinks;
}

size_t
topo_bytes (const Topo *topo)
{
  g_return_val_if_fail (topo != NULL, 0);
  uint64_t n_sw[N_TIERS], refs[N_TIERS];
  for (int tier = 0; tier < N_TIERS; tier++)
    {
      n_sw[tier] = topo->n_sw[tier];
      refs[tier] = topo->sw_off[tier][topo->n_sw[tier]];
    }
  uint64_t b = counts_bytes ((uint64_t) topo->n_nodes * topo->p.rails,
                             topo->n_uplinks, topo->n_corelinks, n_sw,
                             topo->n_sus, topo->n_planes, refs);
  if (topo->node_su != NULL)
    b += sizeof (uint32_t) * topo->n_nodes;
  if (topo->node_names != NULL)
    for (uint32_t n = 0; n < topo->n_nodes; n++)
      b += sizeof (char *) + strlen (topo->node_names[n]) + 1 + 24;
  return (size_t) b;
}

/* ---- structure ---- */

uint32_t
topo_node_su (const Topo *topo, uint32_t node)
{
  g_return_val_if_fail (topo != NULL && node < topo->n_nodes, TOPO_NONE);
  return topo->node_su ? topo->node_su[node] : node / topo->p.su_size;
}

uint32_t
topo_node_rack (const Topo *topo, uint32_t node)
{
  g_return_val_if_fail (topo != NULL && node < topo->n_nodes, TOPO_NONE);
  return node / topo->p.nodes_per_rack;
}

uint32_t
topo_node_row (const Topo *topo, uint32_t node)
{
  g_return_val_if_fail (topo != NULL && node < topo->n_nodes, TOPO_NONE);
  return node / topo->p.nodes_per_rack / topo->p.racks_per_row;
}

uint32_t
topo_node_link (const Topo *topo, uint32_t node, uint32_t rail)
{
  g_return_val_if_fail (topo != NULL && node < topo->n_nodes, TOPO_NONE);
  g_return_val_if_fail (rail < topo->p.rails, TOPO_NONE);
  uint32_t i = node * topo->p.rails + rail;
  return topo->cables[i].b == TOPO_NONE ? TOPO_NONE : i;
}

uint32_t
topo_node_leaf (const Topo *topo, uint32_t node, uint32_t rail)
{
  g_return_val_if_fail (topo != NULL && node < topo->n_nodes, TOPO_NONE);
  g_return_val_if_fail (rail < topo->p.rails, TOPO_NONE);
  return topo->cables[node * topo->p.rails + rail].b;
}

uint32_t
topo_leaf_su (const Topo *topo, uint32_t leaf)
{
  g_return_val_if_fail (topo != NULL && leaf < topo->n_sw[TIER_LEAF],
                        TOPO_NONE);
  return topo->leaf_su[leaf];
}

uint32_t
topo_leaf_rail (const Topo *topo, uint32_t leaf)
{
  g_return_val_if_fail (topo != NULL && leaf < topo->n_sw[TIER_LEAF],
                        TOPO_NONE);
  return topo->leaf_rail[leaf];
}

uint32_t
topo_leaf_pod (const Topo *topo, uint32_t leaf)
{
  g_return_val_if_fail (topo != NULL && leaf < topo->n_sw[TIER_LEAF],
                        TOPO_NONE);
  return topo->leaf_pod[leaf];
}

uint32_t
topo_spine_pod (const Topo *topo, uint32_t spine)
{
  g_return_val_if_fail (topo != NULL && spine < topo->n_sw[TIER_SPINE],
                        TOPO_NONE);
  return topo->spine_pod[spine];
}

uint32_t
topo_su_pod (const Topo *topo, uint32_t su)
{
  g_return_val_if_fail (topo != NULL && su < topo->n_sus, TOPO_NONE);
  return topo->su_pod[su];
}

uint32_t
topo_su_leaf (const Topo *topo, uint32_t su, uint32_t rail)
{
  g_return_val_if_fail (topo != NULL && su < topo->n_sus, TOPO_NONE);
  g_return_val_if_fail (rail < topo->p.rails, TOPO_NONE);
  return topo->su_leaf[su * topo->p.rails + rail];
}

void
topo_leaf_uplinks (const Topo *topo, uint32_t leaf, uint32_t *first,
                   uint32_t *n)
{
  g_return_if_fail (topo != NULL && leaf < topo->n_sw[TIER_LEAF]);
  g_return_if_fail (first != NULL && n != NULL);
  *first = topo->up_first[leaf];
  *n = topo->up_first[leaf + 1] - topo->up_first[leaf];
}

void
topo_spine_corelinks (const Topo *topo, uint32_t spine, uint32_t *first,
                      uint32_t *n)
{
  g_return_if_fail (topo != NULL && spine < topo->n_sw[TIER_SPINE]);
  g_return_if_fail (first != NULL && n != NULL);
  *first = topo->core_first[spine];
  *n = topo->core_first[spine + 1] - topo->core_first[spine];
}

void
topo_switch_links (const Topo *topo, TopoKind kind, uint32_t sw,
                   const TopoRef **refs, uint32_t *n)
{
  g_return_if_fail (topo != NULL && refs != NULL && n != NULL);
  int tier = kind_tier (kind);
  g_return_if_fail (tier >= 0 && sw < topo->n_sw[tier]);
  *refs = topo->sw_refs[tier] + topo->sw_off[tier][sw];
  *n = topo->sw_off[tier][sw + 1] - topo->sw_off[tier][sw];
}

const TopoLink *
topo_link (const Topo *topo, TopoKind kind, uint32_t index)
{
  g_return_val_if_fail (topo != NULL, NULL);
  switch (kind)
    {
    case TOPO_CABLE:
      if (index >= topo->n_nodes * topo->p.rails
          || topo->cables[index].b == TOPO_NONE)
        return NULL;
      return &topo->cables[index];
    case TOPO_UPLINK:
      return index < topo->n_uplinks ? &topo->uplinks[index] : NULL;
    case TOPO_CORELINK:
      return index < topo->n_corelinks ? &topo->corelinks[index] : NULL;
    default:
      return NULL;
    }
}

/* ---- names ---- */

static const char *const kind_names[TOPO_N_KINDS] = {
  "node", "gpu", "nic", "cable", "leaf", "spine", "core", "uplink",
  "corelink", "rack", "row",
};

const char *
topo_kind_name (TopoKind kind)
{
  g_return_val_if_fail ((unsigned) kind < TOPO_N_KINDS, "?");
  return kind_names[kind];
}

static int
node_name (const Topo *t, uint32_t node, char *buf, size_t len)
{
  if (t->node_names != NULL)
    return snprintf (buf, len, "%s", t->node_names[node]);
  return snprintf (buf, len, "node%0*u", t->w_node, node);
}

static int
switch_name (const Topo *t, int tier, uint32_t i, char *buf, size_t len)
{
  if (tier == TIER_LEAF)
    return snprintf (buf, len, "leaf-su%0*u-r%0*u", t->w_su, t->leaf_su[i],
                     t->w_rail, t->leaf_rail[i]);
  const char *what = tier == TIER_SPINE ? "spine" : "core";
  int w = tier == TIER_SPINE ? t->w_spine : t->w_core;
  if (t->n_planes == 1)
    return snprintf (buf, len, "%s-%0*u", what, w, i);
  uint32_t r = switch_plane (t, tier, i);
  return snprintf (buf, len, "%s-r%0*u-%0*u", what, t->w_rail, r, w,
                   i - t->plane_first[tier - 1][r]);
}

size_t
topo_name (const Topo *topo, TopoKind kind, uint32_t index, char *buf,
           size_t len)
{
  g_return_val_if_fail (topo != NULL, 0);
  g_return_val_if_fail (buf != NULL || len == 0, 0);
  if ((unsigned) kind >= TOPO_N_KINDS
      || index >= topo_index_limit (topo, kind))
    {
      if (len > 0)
        buf[0] = '\0';
      return 0;
    }
  char a[128], b[128];
  const TopoLink *l;
  int n = 0;
  switch (kind)
    {
    case TOPO_NODE:
      n = node_name (topo, index, buf, len);
      break;
    case TOPO_GPU:
      node_name (topo, index / topo->p.gpus_per_node, a, sizeof a);
      n = snprintf (buf, len, "%s/gpu%0*u", a, topo->w_gpu,
                    index % topo->p.gpus_per_node);
      break;
    case TOPO_NIC:
      node_name (topo, index / topo->p.rails, a, sizeof a);
      n = snprintf (buf, len, "%s/nic%0*u", a, topo->w_nic,
                    index % topo->p.rails);
      break;
    case TOPO_CABLE:
      l = &topo->cables[index];
      if (l->b == TOPO_NONE)
        {
          if (len > 0)
            buf[0] = '\0';
          return 0;
        }
      topo_name (topo, TOPO_NIC, index, a, sizeof a);
      switch_name (topo, TIER_LEAF, l->b, b, sizeof b);
      n = snprintf (buf, len, "%s<->%s:p%u", a, b, l->b_port);
      break;
    case TOPO_LEAF:
    case TOPO_SPINE:
    case TOPO_CORE:
      n = switch_name (topo, kind_tier (kind), index, buf, len);
      break;
    case TOPO_UPLINK:
    case TOPO_CORELINK:
      l = kind == TOPO_UPLINK ? &topo->uplinks[index]
                              : &topo->corelinks[index];
      {
        int lo = kind == TOPO_UPLINK ? TIER_LEAF : TIER_SPINE;
        switch_name (topo, lo, l->a, a, sizeof a);
        switch_name (topo, lo + 1, l->b, b, sizeof b);
      }
      n = snprintf (buf, len, "%s:p%u<->%s:p%u", a, l->a_port, b, l->b_port);
      break;
    case TOPO_RACK:
      n = snprintf (buf, len, "rack-%0*u", topo->w_rack, index);
      break;
    case TOPO_ROW:
      n = snprintf (buf, len, "row-%0*u", topo->w_row, index);
      break;
    case TOPO_N_KINDS:
    default:
      g_assert_not_reached ();
    }
  return n > 0 ? (size_t) n : 0;
}

/* Parses decimal digits at *s; advances *s. FALSE if none or overflow. */
static gboolean
parse_u32 (const char **s, uint32_t *out)
{
  const char *p = *s;
  uint64_t v = 0;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    {
      v = v * 10 + (uint64_t) (*p - '0');
      if (v > UINT32_MAX)
        return FALSE;
      p++;
    }
  *s = p;
  *out = (uint32_t) v;
  return TRUE;
}

/* Finds the link of switch (tier, sw) on port. */
static gboolean
switch_port_link (const Topo *t, int tier, uint32_t sw, uint32_t port,
                  TopoRef *out)
{
  const TopoRef *refs = t->sw_refs[tier] + t->sw_off[tier][sw];
  uint32_t n = t->sw_off[tier][sw + 1] - t->sw_off[tier][sw];
  for (uint32_t i = 0; i < n; i++)
    if (ref_port (t, tier, refs[i]) == port)
      {
        *out = refs[i];
        return TRUE;
      }
  return FALSE;
}

/* A name without "<->" (a component, not a link). */
static gboolean
lookup_simple (const Topo *t, const char *name, TopoKind *kind,
               uint32_t *index)
{
  const char *s = name;
  uint32_t v, w;
  TopoKind k;
  if (g_str_has_prefix (name, "leaf-su"))
    {
      s += 7;
      if (!parse_u32 (&s, &v) || !g_str_has_prefix (s, "-r"))
        return FALSE;
      s += 2;
      if (!parse_u32 (&s, &w) || *s != '\0' || v >= t->n_sus
          || w >= t->p.rails)
        return FALSE;
      k = TOPO_LEAF;
      v = t->su_leaf[v * t->p.rails + w];
      if (v == TOPO_NONE)
        return FALSE;
    }
  else if (g_str_has_prefix (name, "spine-") || g_str_has_prefix (name, "core-")
           || g_str_has_prefix (name, "rack-") || g_str_has_prefix (name, "row-"))
    {
      k = name[0] == 's' ? TOPO_SPINE : name[0] == 'c' ? TOPO_CORE
          : name[1] == 'a' ? TOPO_RACK : TOPO_ROW;
      s = strchr (name, '-') + 1;
      if ((k == TOPO_SPINE || k == TOPO_CORE) && t->n_planes > 1)
        {
          /* spine-r5-007: the 8th spine of rail plane 5 */
          const uint32_t *f = t->plane_first[k == TOPO_SPINE ? 0 : 1];
          if (*s++ != 'r' || !parse_u32 (&s, &w) || *s++ != '-'
              || w >= t->n_planes || !parse_u32 (&s, &v) || *s != '\0'
              || v >= f[w + 1] - f[w])
            return FALSE;
          v += f[w];
        }
      else if (!parse_u32 (&s, &v) || *s != '\0')
        return FALSE;
    }
  else
    {
      /* node, node/gpuN, node/nicN */
      const char *slash = strchr (name, '/');
      size_t nlen = slash ? (size_t) (slash - name) : strlen (name);
      char nodebuf[128];
      if (nlen == 0 || nlen >= sizeof nodebuf)
        return FALSE;
      memcpy (nodebuf, name, nlen);
      nodebuf[nlen] = '\0';
      uint32_t node;
      if (t->node_index != NULL)
        {
          gpointer p = g_hash_table_lookup (t->node_index, nodebuf);
          if (p == NULL)
            return FALSE;
          node = GPOINTER_TO_UINT (p) - 1;
        }
      else
        {
          const char *q = nodebuf + 4;
          if (!g_str_has_prefix (nodebuf, "node") || !parse_u32 (&q, &node)
              || *q != '\0')
            return FALSE;
        }
      if (node >= t->n_nodes)
        return FALSE;
      if (slash == NULL)
        {
          k = TOPO_NODE;
          v = node;
        }
      else
        {
          s = slash + 1;
          if (g_str_has_prefix (s, "gpu"))
            k = TOPO_GPU;
          else if (g_str_has_prefix (s, "nic"))
            k = TOPO_NIC;
          else
            return FALSE;
          s += 3;
          uint32_t per = k == TOPO_GPU ? t->p.gpus_per_node : t->p.rails;
          if (!parse_u32 (&s, &w) || *s != '\0' || w >= per)
            return FALSE;
          v = node * per + w;
        }
    }
  if (v >= topo_index_limit (t, k))
    return FALSE;
  /* names are canonical: "node412" or "spine-7" are not "node0412" */
  char buf[256];
  topo_name (t, k, v, buf, sizeof buf);
  if (strcmp (buf, name) != 0)
    return FALSE;
  *kind = k;
  *index = v;
  return TRUE;
}

gboolean
topo_lookup (const Topo *topo, const char *name, TopoKind *kind,
             uint32_t *index)
{
  g_return_val_if_fail (topo != NULL && name != NULL, FALSE);
  TopoKind k;
  uint32_t v;
  const char *arrow = strstr (name, "<->");
  if (arrow == NULL)
    {
      if (!lookup_simple (topo, name, &k, &v))
        return FALSE;
    }
  else
    {
      /* "A<->B:pN" or "A:pN<->B:pM": find A's side, then check the name. */
      char left[256];
      size_t ll = (size_t) (arrow - name);
      if (ll >= sizeof left)
        return FALSE;
      memcpy (left, name, ll);
      left[ll] = '\0';
      char *colon = strrchr (left, ':');
      uint32_t port = 0;
      if (colon != NULL)
        {
          const char *q = colon + 2;
          if (colon[1] != 'p' || !parse_u32 (&q, &port) || *q != '\0')
            return FALSE;
          *colon = '\0';
        }
      TopoKind ak;
      uint32_t ai;
      if (!lookup_simple (topo, left, &ak, &ai))
        return FALSE;
      TopoRef r;
      if (ak == TOPO_NIC && colon == NULL)
        {
          if (topo->cables[ai].b == TOPO_NONE)
            return FALSE;
          r = (TopoRef) { TOPO_CABLE, ai };
        }
      else if ((ak == TOPO_LEAF || ak == TOPO_SPINE) && colon != NULL)
        {
          if (!switch_port_link (topo, kind_tier (ak), ai, port, &r))
            return FALSE;
        }
      else
        return FALSE;
      k = r.kind;
      v = r.index;
      char buf[256];
      topo_name (topo, k, v, buf, sizeof buf);
      if (strcmp (buf, name) != 0)
        return FALSE;
    }
  if (kind != NULL)
    *kind = k;
  if (index != NULL)
    *index = v;
  return TRUE;
}

/* Could a name of this kind start with the literal prefix of a pattern? */
static gboolean
kind_may_match (const Topo *t, TopoKind k, const char *lit, size_t n)
{
  const char *pre;
  switch (k)
    {
    case TOPO_NODE: case TOPO_GPU: case TOPO_NIC: case TOPO_CABLE:
      if (t->node_names != NULL)
        return TRUE;
      pre = "node";
      break;
    case TOPO_LEAF: case TOPO_UPLINK: pre = "leaf-"; break;
    case TOPO_SPINE: case TOPO_CORELINK: pre = "spine-"; break;
    case TOPO_CORE: pre = "core-"; break;
    case TOPO_RACK: pre = "rack-"; break;
    case TOPO_ROW: pre = "row-"; break;
    case TOPO_N_KINDS: default: return FALSE;
    }
  size_t m = MIN (n, strlen (pre));
  return strncmp (lit, pre, m) == 0;
}

guint
topo_glob (const Topo *topo, const char *pattern, GArray *out)
{
  g_return_val_if_fail (topo != NULL && pattern != NULL && out != NULL, 0);
  g_return_val_if_fail (g_array_get_element_size (out) == sizeof (TopoRef),
                        0);
  size_t lit = strcspn (pattern, "*?");
  if (pattern[lit] == '\0')
    {
      TopoRef r;
      if (!topo_lookup (topo, pattern, &r.kind, &r.index))
        return 0;
      g_array_append_val (out, r);
      return 1;
    }
  GPatternSpec *spec = g_pattern_spec_new (pattern);
  guint added = 0;
  char buf[256];
  for (int k = 0; k < TOPO_N_KINDS; k++)
    {
      if (!kind_may_match (topo, (TopoKind) k, pattern, lit))
        continue;
      uint32_t lim = topo_index_limit (topo, (TopoKind) k);
      for (uint32_t i = 0; i < lim; i++)
        {
          size_t n = topo_name (topo, (TopoKind) k, i, buf, sizeof buf);
          if (n == 0 || strncmp (buf, pattern, lit) != 0)
            continue;
          if (g_pattern_spec_match (spec, n, buf, NULL))
            {
              TopoRef r = { (TopoKind) k, i };
              g_array_append_val (out, r);
              added++;
            }
        }
    }
  g_pattern_spec_free (spec);
  return added;
}
