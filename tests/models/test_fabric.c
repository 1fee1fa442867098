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

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_node_rail), cmocka_unit_test (test_leaf_down),
    cmocka_unit_test (test_uplinks),   cmocka_unit_test (test_core),
    cmocka_unit_test (test_slowdown),  cmocka_unit_test (test_cut_off),
    cmocka_unit_test (test_planes),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
