/* tests/models/test_superpod.c - topo_new_fattree() against NVIDIA's
 * published component counts, one test per table row:
 * DGX SuperPOD H100 RA Table 4 and the B200 RA scaling table, both in
 * /work/shared/data/field-data.md section 9.5. The expected numbers below are
 * copied from those tables, not from this code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "topo.h"

typedef struct
{
  uint32_t nodes, leaves, spines, cores;
  uint32_t node_leaf, leaf_spine, spine_core;
} Row;

static void
check_row (const Row *r)
{
  TopoParams p;
  topo_params_init (&p);
  p.nodes = r->nodes;
  g_autoptr (GError) error = NULL;
  g_autoptr (Topo) t = topo_new_fattree (&p, &error);
  assert_null (error);
  assert_non_null (t);
  assert_int_equal (topo_count (t, TOPO_NODE), r->nodes);
  assert_int_equal (topo_count (t, TOPO_GPU), r->nodes * 8);
  assert_int_equal (topo_count (t, TOPO_LEAF), r->leaves);
  assert_int_equal (topo_count (t, TOPO_SPINE), r->spines);
  assert_int_equal (topo_count (t, TOPO_CORE), r->cores);
  assert_int_equal (topo_count (t, TOPO_CABLE), r->node_leaf);
  assert_int_equal (topo_count (t, TOPO_UPLINK), r->leaf_spine);
  assert_int_equal (topo_count (t, TOPO_CORELINK), r->spine_core);
  assert_int_equal (topo_tiers (t), r->cores > 0 ? 3 : 2);
  /* no switch uses more ports than its radix */
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  for (int k = 0; k < 3; k++)
    for (uint32_t s = 0; s < topo_count (t, sk[k]); s++)
      {
        const TopoRef *refs;
        uint32_t n;
        topo_switch_links (t, sk[k], s, &refs, &n);
        assert_true (n <= 64);
      }
}

/* H100 SuperPOD Table 4: compute cables there include 4 UFM links per SU
 * group (252 = 31 x 8 + 4), which faultline does not model: node-leaf is
 * nodes x 8. */
static void test_h100_1su (void **s) { (void) s; check_row (&(Row) { 31, 8, 4, 0, 248, 256, 0 }); }
static void test_h100_2su (void **s) { (void) s; check_row (&(Row) { 63, 16, 8, 0, 504, 512, 0 }); }
static void test_h100_3su (void **s) { (void) s; check_row (&(Row) { 95, 24, 16, 0, 760, 768, 0 }); }
static void test_h100_4su (void **s) { (void) s; check_row (&(Row) { 127, 32, 16, 0, 1016, 1024, 0 }); }
/* B200 RA scaling table */
static void test_b200_2su (void **s) { (void) s; check_row (&(Row) { 64, 16, 8, 0, 512, 512, 0 }); }
static void test_b200_4su (void **s) { (void) s; check_row (&(Row) { 128, 32, 16, 0, 1024, 1024, 0 }); }
static void test_b200_8su (void **s) { (void) s; check_row (&(Row) { 256, 64, 32, 0, 2048, 2048, 0 }); }
static void test_b200_16su (void **s) { (void) s; check_row (&(Row) { 512, 128, 128, 64, 4096, 4096, 4096 }); }
static void test_b200_32su (void **s) { (void) s; check_row (&(Row) { 1024, 256, 256, 128, 8192, 8192, 8192 }); }
static void test_b200_64su (void **s) { (void) s; check_row (&(Row) { 2048, 512, 512, 256, 16384, 16384, 16384 }); }

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_h100_1su),  cmocka_unit_test (test_h100_2su),
    cmocka_unit_test (test_h100_3su),  cmocka_unit_test (test_h100_4su),
    cmocka_unit_test (test_b200_2su),  cmocka_unit_test (test_b200_4su),
    cmocka_unit_test (test_b200_8su),  cmocka_unit_test (test_b200_16su),
    cmocka_unit_test (test_b200_32su), cmocka_unit_test (test_b200_64su),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
