/* tests/models/test_fabric.c - fabric degradation on small fabrics checked
 * by hand: 2 SUs of 4 nodes with 2 rails and radix 8 (2 tiers: 4 leaves of
 * 4 node ports + 4 uplinks, 2 spines, each leaf with 2 links to each
 * spine), a forced 3-tier fabric of 4 pods, and forced per-rail planes.
 * Expected fractions are
 * worked out in the comments from the layout, not taken from the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "fabric.h"

static Topo *
small (void)
{
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 8;
  p.su_size = 4;
  p.rails = 2;
  p.radix = 8;
  Topo *t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  assert_int_equal (topo_count (t, TOPO_LEAF), 4);
  assert_int_equal (topo_count (t, TOPO_SPINE), 2);
  assert_int_equal (topo_count (t, TOPO_UPLINK), 16);
  return t;
}

static uint32_t
find (const Topo *t, const char *name, TopoKind want)
{
  TopoKind k;
  uint32_t i;
  assert_true (topo_lookup (t, name, &k, &i));
  assert_int_equal (k, want);
  return i;
}

static void
test_node_rail (void **state)
{
  (void) state;
  g_autoptr (Topo) t = small ();
  g_autoptr (FabricState) f = fabric_new (t);
  uint32_t c = find (t, "node0001/nic1<->leaf-su00-r1:p2", TOPO_CABLE);
  assert_true (fabric_fail_link (f, TOPO_CABLE, c));
  assert_false (fabric_fail_link (f, TOPO_CABLE, c)); /* already failed */
  assert_false (fabric_node_rail_ok (f, 1, 1));
  assert_true (fabric_node_rail_ok (f, 1, 0));
  assert_true (fabric_node_rail_ok (f, 0, 1));
  assert_int_equal (fabric_node_rails_alive (f, 1), 1);
  /* a job on nodes 0,1 (one SU) keeps 1 of 2 rails on node 1 */
  uint32_t job[] = { 0, 1 };
  assert_float_equal (fabric_job_bandwidth (f, job, 2), 0.5, 1e-12);
  /* 1 of 8 + 16 = 32 links dead */
  assert_float_equal (fabric_bandwidth_lost_fraction (f), 1.0 / 32, 1e-12);
  assert_true (fabric_restore_link (f, TOPO_CABLE, c));
  assert_false (fabric_restore_link (f, TOPO_CABLE, c));
  assert_true (fabric_node_rail_ok (f, 1, 1));
  assert_float_equal (fabric_job_bandwidth (f, job, 2), 1.0, 1e-12);
  assert_float_equal (fabric_bandwidth_lost_fraction (f), 0.0, 1e-12);
}

static void
test_leaf_down (void **state)
{
  (void) state;
  g_autoptr (Topo) t = small ();
  g_autoptr (FabricState) f = fabric_new (t);
  uint32_t leaf = find (t, "leaf-su01-r0", TOPO_LEAF);
  assert_true (fabric_fail_switch (f, TOPO_LEAF, leaf));
  /* rail 0 of every node of SU 1 (nodes 4..7) is down, SU 0 untouched */
  for (uint32_t n = 0; n < 8; n++)
    {
      assert_int_equal (fabric_node_rail_ok (f, n, 0), n < 4);
      assert_true (fabric_node_rail_ok (f, n, 1));
    }
  /* a cable under a dead leaf is alive again only when both are back */
  uint32_t c = topo_node_link (t, 5, 0);
  assert_true (fabric_fail_link (f, TOPO_CABLE, c));
  assert_true (fabric_restore_switch (f, TOPO_LEAF, leaf));
  assert_false (fabric_node_rail_ok (f, 5, 0));
  assert_true (fabric_node_rail_ok (f, 4, 0));
  assert_true (fabric_restore_link (f, TOPO_CABLE, c));
  assert_true (fabric_node_rail_ok (f, 5, 0));
  assert_float_equal (fabric_bandwidth_lost_fraction (f), 0.0, 1e-12);
}

static void
test_uplinks (void **state)
{
  (void) state;
  g_autoptr (Topo) t = small ();
  g_autoptr (FabricState) f = fabric_new (t);
  uint32_t in_su[] = { 0, 1, 2, 3 };
  uint32_t cross[] = { 0, 4 };
  /* one uplink of leaf-su00-r0 (4 uplinks; SU 0 has 8): SU 0 keeps 7/8 */
  uint32_t first, n;
  topo_leaf_uplinks (t, find (t, "leaf-su00-r0", TOPO_LEAF), &first, &n);
  assert_int_equal (n, 4);
  assert_true (fabric_fail_link (f, TOPO_UPLINK, first));
  assert_float_equal (fabric_job_bandwidth (f, in_su, 4), 1.0, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, cross, 2), 7.0 / 8, 1e-12);
  /* spine-01 down: every leaf loses its 2 links to it; SU 0 (2 leaves) had
   * 7 alive, of which 4 go to spine-01 (the failed one went to spine-00,
   * uplink k -> spine k mod 2) -> 3/8; SU 1 -> 4/8; the job is gated by
   * the worse SU. */
  uint32_t sp = find (t, "spine-01", TOPO_SPINE);
  assert_int_equal (topo_link (t, TOPO_UPLINK, first)->b, 0);
  assert_true (fabric_fail_switch (f, TOPO_SPINE, sp));
  assert_float_equal (fabric_job_bandwidth (f, cross, 2), 3.0 / 8, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, in_su, 4), 1.0, 1e-12);
  /* dead: 8 uplinks of spine-01 + 1 more = 9 of 32 links */
  assert_float_equal (fabric_bandwidth_lost_fraction (f), 9.0 / 32, 1e-12);
  assert_true (fabric_restore_switch (f, TOPO_SPINE, sp));
  assert_true (fabric_restore_link (f, TOPO_UPLINK, first));
  assert_float_equal (fabric_job_bandwidth (f, cross, 2), 1.0, 1e-12);
}

static void
test_core (void **state)
{
  (void) state;
  /* 3 tiers forced, radix 16: 8 down ports per spine, 2 rails -> pods of 4
   * SUs; 16 SUs of 4 nodes -> 4 pods. */
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 64;
  p.su_size = 4;
  p.rails = 2;
  p.radix = 16;
  p.tiers = 3;
  g_autoptr (Topo) t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  /* 16 SUs, 8 leaf ports down per spine -> 4 SUs x 2 rails per pod */
  assert_int_equal (topo_n_pods (t), 4);
  g_autoptr (FabricState) f = fabric_new (t);
  uint32_t same_pod[] = { 0, 4 };   /* SU 0 and SU 1, pod 0 */
  uint32_t two_pods[] = { 0, 16 };  /* SU 0 (pod 0), SU 4 (pod 1) */
  assert_int_equal (topo_su_pod (t, topo_node_su (t, 16)), 1);
  /* a core down: pod 0 keeps its core links that do not end on core 0;
   * the expected fraction is counted from the link list. */
  uint32_t nc = topo_count (t, TOPO_CORE);
  uint32_t pod0_links = 0, pod0_to_core0 = 0;
  for (uint32_t i = 0; i < topo_count (t, TOPO_CORELINK); i++)
    {
      const TopoLink *l = topo_link (t, TOPO_CORELINK, i);
      if (topo_spine_pod (t, l->a) == 0)
        {
          pod0_links++;
          pod0_to_core0 += l->b == 0;
        }
    }
  assert_true (nc > 1 && pod0_to_core0 > 0);
  assert_true (fabric_fail_switch (f, TOPO_CORE, 0));
  double want = (double) (pod0_links - pod0_to_core0) / pod0_links;
  assert_float_equal (fabric_job_bandwidth (f, two_pods, 2), want, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, same_pod, 2), 1.0, 1e-12);
  assert_true (fabric_restore_switch (f, TOPO_CORE, 0));
  assert_float_equal (fabric_job_bandwidth (f, two_pods, 2), 1.0, 1e-12);
}

static void
test_planes (void **state)
{
  (void) state;
  /* 4 rail planes of 3 tiers, radix 16: 10 SUs of 4 nodes, 4 rails, 4
   * uplinks per leaf (u), 8 down ports per spine (h). A plane's pods hold
   * h = 8 SUs (one leaf each): SUs 0-7 are pod 0, SUs 8-9 pod 1. Every
   * SU has R * u = 16 uplinks, 4 in each plane; every pod has R * u * h
   * = 128 core links, 32 in each plane. */
  const uint32_t R = 4, u = 4, h = 8;
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 40;
  p.su_size = 4;
  p.rails = R;
  p.radix = 16;
  p.tiers = 3;
  p.planes = R;
  g_autoptr (Topo) t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  assert_int_equal (topo_n_planes (t), R);
  assert_int_equal (topo_n_pods (t), 2);
  g_autoptr (FabricState) f = fabric_new (t);
  uint32_t one_su[] = { 0, 1 };     /* SU 0 */
  uint32_t same_pod[] = { 0, 4 };   /* SU 0 and SU 1, pod 0 */
  uint32_t two_pods[] = { 0, 32 };  /* SU 0 (pod 0), SU 8 (pod 1) */
  assert_int_equal (topo_su_pod (t, topo_node_su (t, 32)), 1);
  /* all of plane 0's spines down: every SU keeps 3 of its 4 planes'
   * uplinks, every pod 3 of 4 planes' core links -> 3/4 across SUs */
  uint32_t ns = topo_count (t, TOPO_SPINE);
  for (uint32_t s = 0; s < ns; s++)
    if (topo_switch_plane (t, TOPO_SPINE, s) == 0)
      assert_true (fabric_fail_switch (f, TOPO_SPINE, s));
  double want = (double) (R - 1) / R;
  assert_float_equal (fabric_job_bandwidth (f, one_su, 2), 1.0, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, same_pod, 2), want, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, two_pods, 2), want, 1e-12);
  for (uint32_t s = 0; s < ns; s++)
    if (topo_switch_plane (t, TOPO_SPINE, s) == 0)
      assert_true (fabric_restore_switch (f, TOPO_SPINE, s));
  assert_float_equal (fabric_job_bandwidth (f, two_pods, 2), 1.0, 1e-12);
  /* one core of plane 2 down: a plane has cp = cores / (R * u) cores per
   * spine position; each takes h / cp links of each pod's spine at that
   * position, so each pod loses h / cp of its R * u * h core links. */
  uint32_t cp = topo_count (t, TOPO_CORE) / (R * u);
  uint32_t core = TOPO_NONE;
  for (uint32_t c = 0; c < topo_count (t, TOPO_CORE) && core == TOPO_NONE;
       c++)
    if (topo_switch_plane (t, TOPO_CORE, c) == 2)
      core = c;
  assert_true (core != TOPO_NONE);
  assert_true (fabric_fail_switch (f, TOPO_CORE, core));
  want = 1.0 - (double) (h / cp) / (R * u * h);
  assert_float_equal (fabric_job_bandwidth (f, two_pods, 2), want, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, same_pod, 2), 1.0, 1e-12);
  /* a rail-1 leaf down cuts that rail of its SU's nodes only */
  assert_true (fabric_fail_switch (f, TOPO_LEAF, topo_su_leaf (t, 1, 1)));
  assert_float_equal (fabric_job_bandwidth (f, same_pod, 2),
                      (double) (R - 1) / R, 1e-12);
  assert_float_equal (fabric_job_bandwidth (f, one_su, 2), 1.0, 1e-12);
}

static void
test_slowdown (void **state)
{
  (void) state;
  /* (1 - c) + c / b */
  assert_float_equal (fabric_slowdown (1.0, 0.3), 1.0, 1e-12);
  assert_float_equal (fabric_slowdown (0.5, 0.3), 0.7 + 0.6, 1e-12);
  assert_float_equal (fabric_slowdown (0.25, 1.0), 4.0, 1e-12);
  assert_float_equal (fabric_slowdown (0.1, 0.0), 1.0, 1e-12);
  assert_true (isinf (fabric_slowdown (0.0, 0.5)));
}

static void
test_cut_off (void **state)
{
  (void) state;
  g_autoptr (Topo) t = small ();
  g_autoptr (FabricState) f = fabric_new (t);
  fabric_fail_switch (f, TOPO_LEAF, topo_su_leaf (t, 0, 0));
  fabric_fail_switch (f, TOPO_LEAF, topo_su_leaf (t, 0, 1));
  uint32_t job[] = { 0, 1 };
  assert_float_equal (fabric_job_bandwidth (f, job, 2), 0.0, 1e-12);
  fabric_free (NULL);
}

/* The 3-tier fabric of test_core: 64 nodes, 16 SUs of 4, 4 pods. */
static Topo *
pods (void)
{
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 64;
  p.su_size = 4;
  p.rails = 2;
  p.radix = 16;
  p.tiers = 3;
  Topo *t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  assert_int_equal (topo_n_pods (t), 4);
  return t;
}

static gboolean
touched_has (GArray *ids, uint32_t id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, uint32_t, i) == id)
      return TRUE;
  return FALSE;
}

/* An uplink under job X's SU slows X (it crosses SUs) and touches it
 * alone: a job over other SUs and a job inside X's SU (its traffic stays
 * on its leaves) keep their bandwidth and are not reported; the repair
 * brings X back. */
static void
test_tenant_touched_under_change (void **state)
{
  (void) state;
  g_autoptr (Topo) t = pods ();
  g_autoptr (FabricState) f = fabric_new (t);
  uint32_t x_nodes[] = { 0, 1, 4, 5 };   /* SU 0 and SU 1 (pod 0) */
  uint32_t y_nodes[] = { 2, 3 };         /* SU 0 only */
  uint32_t z_nodes[] = { 32, 36, 48 };   /* SUs 8, 9 (pod 2), 12 (pod 3) */
  assert_int_equal (topo_node_su (t, 36), 9);
  assert_true (topo_su_pod (t, 8) != topo_su_pod (t, 12));
  FabricTenant *x = fabric_tenant_new (f, 10), *y = fabric_tenant_new (f, 11),
               *z = fabric_tenant_new (f, 12);
  fabric_tenant_set (f, x, NULL, 0, x_nodes, 4);
  fabric_tenant_set (f, y, NULL, 0, y_nodes, 2);
  fabric_tenant_set (f, z, NULL, 0, z_nodes, 3);
  assert_int_equal (fabric_tenant_size (x), 4);
  assert_true (fabric_tenant_multi_su (x));
  assert_false (fabric_tenant_multi_su (y));
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  fabric_tenants_touched (f, ids);
  assert_int_equal (ids->len, 0); /* joining is not a fabric change */

  /* the first uplink of SU 0's rail-0 leaf */
  uint32_t first, n;
  topo_leaf_uplinks (t, topo_su_leaf (t, 0, 0), &first, &n);
  uint32_t total = 0;
  for (uint32_t r = 0; r < 2; r++)
    {
      uint32_t f0, nn;
      topo_leaf_uplinks (t, topo_su_leaf (t, 0, r), &f0, &nn);
      total += nn;
    }
  assert_true (fabric_fail_link (f, TOPO_UPLINK, first));
  fabric_tenants_touched (f, ids);
  assert_int_equal (ids->len, 1);
  assert_true (touched_has (ids, 10));
  double want = (double) (total - 1) / total;
  assert_float_equal (fabric_tenant_bandwidth (f, x), want, 1e-12);
  assert_float_equal (fabric_tenant_bandwidth (f, y), 1.0, 1e-12);
  assert_float_equal (fabric_tenant_bandwidth (f, z), 1.0, 1e-12);

  g_array_set_size (ids, 0);
  assert_true (fabric_restore_link (f, TOPO_UPLINK, first));
  fabric_tenants_touched (f, ids);
  assert_int_equal (ids->len, 1);
  assert_true (touched_has (ids, 10));
  assert_float_equal (fabric_tenant_bandwidth (f, x), 1.0, 1e-12);

  /* a cable of node 2 touches y, the node's tenant, alone */
  g_array_set_size (ids, 0);
  assert_true (fabric_fail_link (f, TOPO_CABLE, topo_node_link (t, 2, 1)));
  fabric_tenants_touched (f, ids);
  assert_int_equal (ids->len, 1);
  assert_true (touched_has (ids, 11));
  assert_float_equal (fabric_tenant_bandwidth (f, y), 0.5, 1e-12);

  for (FabricTenant **p = (FabricTenant *[]) { x, y, z, NULL }; *p; p++)
    fabric_tenant_free (f, *p);
}

/* A small deterministic generator (xorshift64*) for the random test. */
static uint64_t
rnd (uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

#define NT 6

typedef struct
{
  FabricTenant *t;
  gboolean member[64];  /* the nodes the tenant holds now */
  uint32_t given[64];   /* the list it was last given (a superset) */
  uint32_t n_given;
} Model;

static size_t
model_nodes (const Model *m, uint32_t *out)
{
  size_t n = 0;
  for (uint32_t x = 0; x < 64; x++)
    if (m->member[x])
      out[n++] = x;
  return n;
}

/* Random joins, leaves, moves (a node taken by another tenant), restarts
 * on overlapping lists (ascending or not) and random failures and repairs
 * of cables, uplinks, core links and switches of every tier: after each
 * step every tenant's incremental bandwidth is exactly (==)
 * fabric_job_bandwidth over its nodes from scratch, and after each fabric
 * step every tenant whose bandwidth changed was reported touched. */
static void
test_tenant_equals_full (void **state)
{
  (void) state;
  g_autoptr (Topo) t = pods ();
  g_autoptr (FabricState) f = fabric_new (t);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  Model m[NT];
  memset (m, 0, sizeof m);
  for (uint32_t i = 0; i < NT; i++)
    m[i].t = fabric_tenant_new (f, i);
  static const TopoKind links[] = { TOPO_CABLE, TOPO_UPLINK, TOPO_CORELINK };
  static const TopoKind sws[] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  uint32_t nodes[64];
  double before[NT];
  unsigned changed = 0, steps_fabric = 0, moved = 0;
  for (int step = 0; step < 8000; step++)
    {
      uint32_t op = rnd (&s) % 10;
      for (uint32_t i = 0; i < NT; i++)
        before[i] = fabric_tenant_bandwidth (f, m[i].t);
      g_array_set_size (ids, 0);
      fabric_tenants_touched (f, ids); /* forget the membership steps */
      g_array_set_size (ids, 0);
      if (op < 5)
        {
          /* a fabric change */
          steps_fabric++;
          gboolean up = rnd (&s) % 5 != 0; /* mostly up: a fabric mostly at 0 changes little */
          if (rnd (&s) % 3 == 0)
            {
              TopoKind k = sws[rnd (&s) % 3];
              uint32_t i = rnd (&s) % topo_count (t, k);
              if (up)
                fabric_restore_switch (f, k, i);
              else
                fabric_fail_switch (f, k, i);
            }
          else
            {
              TopoKind k = links[rnd (&s) % 3];
              uint32_t i = rnd (&s) % topo_index_limit (t, k);
              if (topo_link (t, k, i) == NULL)
                continue;
              if (up)
                fabric_restore_link (f, k, i);
              else
                fabric_fail_link (f, k, i);
            }
          fabric_tenants_touched (f, ids);
          for (uint32_t i = 0; i < NT; i++)
            if (fabric_tenant_bandwidth (f, m[i].t) != before[i])
              {
                changed++;
                assert_true (touched_has (ids, i));
              }
        }
      else
        {
          /* a membership change of tenant a */
          uint32_t a = rnd (&s) % NT;
          Model *ma = &m[a];
          uint32_t n = 0;
          if (op == 5)
            {
              uint32_t x = rnd (&s) % 64;
              fabric_tenant_add (f, ma->t, x);
              for (uint32_t b = 0; b < NT; b++)
                if (b != a && m[b].member[x])
                  {
                    m[b].member[x] = FALSE;
                    moved++;
                  }
              ma->member[x] = TRUE;
              /* keep `given` a superset of the members */
              gboolean in = FALSE;
              for (uint32_t i = 0; i < ma->n_given; i++)
                in |= ma->given[i] == x;
              if (!in)
                {
                  ma->n_given = model_nodes (ma, ma->given);
                }
            }
          else if (op == 6)
            {
              uint32_t x = rnd (&s) % 64;
              fabric_tenant_remove (f, ma->t, x);
              ma->member[x] = FALSE;
            }
          else
            {
              /* a restart: keep most nodes, swap some, in a window of
               * SUs, ascending or (1 in 4) not */
              uint32_t lo = rnd (&s) % 48, len = 1 + rnd (&s) % 16;
              for (uint32_t x = 0; x < 64; x++)
                {
                  gboolean keep = ma->member[x] && rnd (&s) % 8 != 0;
                  gboolean fresh = x >= lo && x < lo + len && rnd (&s) % 3 == 0;
                  if (keep || fresh)
                    nodes[n++] = x;
                }
              gboolean shuffled = rnd (&s) % 4 == 0 && n > 1;
              if (shuffled)
                for (uint32_t i = n - 1; i > 0; i--)
                  {
                    uint32_t k = rnd (&s) % (i + 1), tmp = nodes[i];
                    nodes[i] = nodes[k];
                    nodes[k] = tmp;
                  }
              fabric_tenant_set (f, ma->t, ma->given, ma->n_given, nodes, n);
              memset (ma->member, 0, sizeof ma->member);
              for (uint32_t i = 0; i < n; i++)
                {
                  for (uint32_t b = 0; b < NT; b++)
                    if (b != a && m[b].member[nodes[i]])
                      {
                        m[b].member[nodes[i]] = FALSE;
                        moved++;
                      }
                  ma->member[nodes[i]] = TRUE;
                }
              memcpy (ma->given, nodes, n * sizeof *nodes);
              ma->n_given = n;
            }
        }
      for (uint32_t i = 0; i < NT; i++)
        {
          size_t n = model_nodes (&m[i], nodes);
          assert_int_equal (fabric_tenant_size (m[i].t), n);
          double full = fabric_job_bandwidth (f, nodes, n);
          double inc = fabric_tenant_bandwidth (f, m[i].t);
          if (inc != full)
            fail_msg ("step %d: tenant %u: incremental %.17g, from scratch %.17g",
                      step, i, inc, full);
        }
    }
  print_message ("fabric steps %u, bandwidth changes %u, nodes moved %u\n", steps_fabric, changed, moved);
  /* the walk did what it claims to test */
  assert_true (steps_fabric > 2000 && changed > 200 && moved > 100);
  for (uint32_t i = 0; i < NT; i++)
    fabric_tenant_free (f, m[i].t);
}

/* Tenants come and go as jobs do (a freed tenant's memory serves the next
 * one): 24 slots, each step ends one tenant and starts another over 1-6
 * random nodes (taking them from their tenants) between two uplink
 * failures under a random SU. The touched ids are exactly the live
 * tenants over that SU spanning more than one SU before or after the
 * change (a model of who owns which node says which), each once; a tenant reborn in the same round under a new id is
 * reported under it; every bandwidth equals fabric_job_bandwidth. */
#define NR 24
static void
test_tenant_reuse (void **state)
{
  (void) state;
  g_autoptr (Topo) t = pods ();
  g_autoptr (FabricState) f = fabric_new (t);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  FabricTenant *slot[NR];
  uint32_t id[NR], given[NR][64], n_given[NR];
  int owner[64]; /* slot, or -1 */
  for (uint32_t x = 0; x < 64; x++)
    owner[x] = -1;
  for (uint32_t i = 0; i < NR; i++)
    {
      slot[i] = fabric_tenant_new (f, i);
      id[i] = i;
      n_given[i] = 0;
    }
  uint64_t s = 0x2545f4914f6cdd1dULL;
  uint32_t next_id = NR, checked = 0, reborn_seen = 0;
  for (int step = 0; step < 3000; step++)
    {
      uint32_t a = rnd (&s) % NR;
      /* the round's first change: an uplink under SU su0 */
      uint32_t su0 = rnd (&s) % topo_n_sus (t), first, nup;
      topo_leaf_uplinks (t, topo_su_leaf (t, su0, 0), &first, &nup);
      assert_true (nup >= 2);
      g_array_set_size (ids, 0);
      fabric_tenants_touched (f, ids);
      fabric_fail_link (f, TOPO_UPLINK, first);
      /* who the first change touched (they stay listed in this round) */
      gboolean was[NR];
      for (uint32_t i = 0; i < NR; i++)
        {
          was[i] = FALSE;
          for (uint32_t x = 0; x < 64; x++)
            was[i] |= owner[x] == (int) i && topo_node_su (t, x) == su0
                      && fabric_tenant_multi_su (slot[i]);
        }
      gboolean a_touched = was[a];
      was[a] = FALSE; /* its id is gone */
      /* tenant a ends; a new one takes its slot (its memory) */
      fabric_tenant_set (f, slot[a], given[a], n_given[a], NULL, 0);
      fabric_tenant_free (f, slot[a]);
      for (uint32_t x = 0; x < 64; x++)
        if (owner[x] == (int) a)
          owner[x] = -1;
      slot[a] = fabric_tenant_new (f, next_id);
      id[a] = next_id++;
      uint32_t k = 1 + rnd (&s) % 6, n = 0, lo = rnd (&s) % 64;
      uint32_t nodes[64];
      for (uint32_t x = lo; x < 64 && n < k; x += 1 + rnd (&s) % 9)
        nodes[n++] = x;
      fabric_tenant_set (f, slot[a], NULL, 0, nodes, n);
      for (uint32_t i = 0; i < n; i++)
        owner[nodes[i]] = (int) a;
      memcpy (given[a], nodes, n * sizeof *nodes);
      n_given[a] = n;
      /* the round's second change: an uplink of the same leaf */
      fabric_fail_link (f, TOPO_UPLINK, first + 1);
      g_array_set_size (ids, 0);
      fabric_tenants_touched (f, ids);
      for (uint32_t i = 0; i < NR; i++)
        {
          gboolean over = FALSE;
          uint32_t mine[64], m = 0;
          for (uint32_t x = 0; x < 64; x++)
            if (owner[x] == (int) i)
              {
                over |= topo_node_su (t, x) == su0;
                mine[m++] = x;
              }
          gboolean want = over && fabric_tenant_multi_su (slot[i]);
          uint32_t hits = 0;
          for (guint q = 0; q < ids->len; q++)
            hits += g_array_index (ids, uint32_t, q) == id[i];
          assert_int_equal (hits, want || was[i] ? 1 : 0);
          checked += want;
          reborn_seen += want && i == a && a_touched;
          assert_int_equal (fabric_tenant_size (slot[i]), m);
          assert_true (fabric_tenant_bandwidth (f, slot[i])
                       == fabric_job_bandwidth (f, mine, m));
        }
      fabric_restore_link (f, TOPO_UPLINK, first);
      fabric_restore_link (f, TOPO_UPLINK, first + 1);
    }
  /* the walk did what it claims to test */
  assert_true (checked > 1000 && reborn_seen > 10);
  for (uint32_t i = 0; i < NR; i++)
    {
      fabric_tenant_set (f, slot[i], given[i], n_given[i], NULL, 0);
      fabric_tenant_free (f, slot[i]);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_node_rail), cmocka_unit_test (test_leaf_down),
    cmocka_unit_test (test_uplinks),   cmocka_unit_test (test_core),
    cmocka_unit_test (test_slowdown),  cmocka_unit_test (test_cut_off),
    cmocka_unit_test (test_planes),
    cmocka_unit_test (test_tenant_touched_under_change),
    cmocka_unit_test (test_tenant_equals_full),
    cmocka_unit_test (test_tenant_reuse),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
