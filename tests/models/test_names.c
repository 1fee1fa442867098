/* tests/models/test_names.c - a component's name is made once per run and
 * reused (models/names.h, core_comp_name; issue #14), and is always the
 * name the topology gives it: for every kind and a sample of indices the
 * cached name equals topo_name's (or the "kind#index" of a component the
 * topology does not name), before a run and after thousands of failures,
 * repairs and port changes have filled the cache; a second call returns
 * the same pointer, also after the table grew and the store took new
 * blocks; and the events name the node or cable they carry.
 *
 * White-box: includes world-int.h for core_comp_name, the function every
 * event's component comes from. */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "names.h"
#include "topo.h"
#include "world-int.h"
#include "world.h"
#include "world_test.h"

/* The name a component must have: topo_name's, or kind#index when the
 * topology names no such component. */
static void
expected_name (const Topo *t, TopoKind k, uint32_t i, char *buf, size_t len)
{
  if (topo_name (t, k, i, buf, len) == 0)
    snprintf (buf, len, "%s#%u", topo_kind_name (k), i);
}

/* Names alone, over a fat tree of 2,048 nodes (16,384 GPUs): every GPU
 * and NIC named twice over, in an order that is not the index order, so
 * the table doubles many times and the store fills several 64 KiB blocks;
 * every name stays the topology's, at the address it was first given. */
static void
test_names_grow (void **state)
{
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 2048;
  g_autoptr (GError) error = NULL;
  Topo *t = topo_new_fattree (&p, &error);
  if (t == NULL)
    fail_msg ("topo: %s", error->message);
  Names *n = names_new (t);
  const TopoKind kinds[] = { TOPO_GPU, TOPO_NIC, TOPO_CABLE };
  uint32_t lim = topo_index_limit (t, TOPO_GPU);
  assert_int_equal (lim, 16384);
  const char **first = g_new0 (const char *, 3 * lim);
  size_t bytes = 0;
  for (int pass = 0; pass < 2; pass++)
    for (uint32_t j = 0; j < lim; j++)
      {
        uint32_t i = (uint32_t) (((uint64_t) j * 7919) % lim); /* 7919 is prime */
        for (int k = 0; k < 3; k++)
          {
            uint32_t kl = topo_index_limit (t, kinds[k]);
            if (i >= kl)
              continue;
            const char *a = names_get (n, kinds[k], i);
            char want[256];
            expected_name (t, kinds[k], i, want, sizeof want);
            assert_string_equal (a, want);
            if (pass == 0)
              {
                assert_null (first[k * lim + i]);
                first[k * lim + i] = a;
                bytes += strlen (a) + 1;
              }
            else
              assert_ptr_equal (a, first[k * lim + i]);
          }
      }
  uint32_t named = lim + topo_index_limit (t, TOPO_NIC) + topo_index_limit (t, TOPO_CABLE);
  assert_int_equal (names_count (n), named);
  assert_true (bytes > 4 * 65536); /* several blocks of the store */
  /* text interned once, the same pointer after; distinct from a
   * component's name of the same text only in address, never in bytes */
  const char *c1 = names_intern (n, "cooling-01");
  assert_string_equal (c1, "cooling-01");
  assert_ptr_equal (names_intern (n, "cooling-01"), c1);
  assert_ptr_not_equal (names_intern (n, "cooling-02"), c1);
  /* an index beyond any key (2^28 and over): named and kept all the same */
  const char *big = names_get (n, TOPO_GPU, 300000000u);
  assert_string_equal (big, "gpu#300000000");
  assert_ptr_equal (names_get (n, TOPO_GPU, 300000000u), big);
  assert_int_equal (names_count (n), named);
  g_free (first);
  names_free (n);
  topo_free (t);
}

/* A three-tier fat tree of 64 nodes (8 GPUs, 4 rails), 16-port switches
 * and SUs of 8 (so spines, cores, uplinks and corelinks exist), racks of 4 in rows of
 * 4: every TopoKind has components. Failures at 300 times the catalog's
 * rates, a job on most of the nodes. */
static WorldConfig *
busy_cluster (double hours)
{
  WorldConfig *cfg = wt_small_cluster (64, 8, 4, 8, 16, hours);
  wt_set_num (cfg, "cluster.tiers", 3);
  wt_set_num (cfg, "cluster.nodes_per_rack", 4);
  wt_set_num (cfg, "cluster.racks_per_row", 4);
  wt_set_num (cfg, "failures.scale", 300);
  wt_mode_num (cfg, "rack_pdu", "rate_scale", 300);
  wt_mode_num (cfg, "row_power", "rate_scale", 300);
  wt_mode_num (cfg, "cooling_loop", "rate_scale", 300);
  WorldJobSpec j = { .name = "big", .nodes = 48, .checkpoint_every_s = 3600,
                     .restart_s = 60, .comm_share = 0.2 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  return cfg;
}

/* One component: the cached name is the topology's, and asking again
 * gives the same pointer. */
static void
check_one (World *w, TopoKind k, uint32_t i)
{
  char want[256];
  expected_name (w->hw.topo, k, i, want, sizeof want);
  const char *a = core_comp_name (w, k, i);
  assert_non_null (a);
  assert_string_equal (a, want);
  assert_ptr_equal (core_comp_name (w, k, i), a);
}

/* Every index of a kind up to 64, else a stride of ~61 samples over its
 * whole range; then its last index and one past it. Returns how many
 * names were checked. */
static guint
check_all_kinds (World *w)
{
  guint checked = 0;
  for (int k = 0; k < TOPO_N_KINDS; k++)
    {
      uint32_t lim = topo_index_limit (w->hw.topo, (TopoKind) k);
      uint32_t step = lim <= 64 ? 1 : lim / 61;
      for (uint32_t i = 0; i < lim; i += step, checked++)
        check_one (w, (TopoKind) k, i);
      check_one (w, (TopoKind) k, lim - 1);
      check_one (w, (TopoKind) k, lim);
      checked += 2;
    }
  return checked;
}

static void
test_names_match_topology (void **state)
{
  WorldConfig *cfg = busy_cluster (1);
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  for (int k = 0; k < TOPO_N_KINDS; k++)
    assert_true (topo_index_limit (w->hw.topo, (TopoKind) k) > 0);
  assert_true (check_all_kinds (w) > 11 * 10);
  /* a node's name through the public call is the cached one */
  char nb[16];
  assert_string_equal (world_node_name (w, 3, nb, sizeof nb),
                       core_node_name (w, 3));
  /* a buffer too short truncates, as before */
  assert_int_equal (strlen (world_node_name (w, 3, nb, 4)), 3);
  world_free (w);
  world_config_free (cfg);
}

typedef struct
{
  const Topo *topo;
  guint named, node_named, cable_named;
  guint kinds[WEV_COUNT];
} Watch;

/* Each event that carries a node names it; a node's
 * link state names the node's cable on that rail. */
static void
listener (const WorldEvent *ev, void *ud)
{
  Watch *s = ud;
  s->kinds[ev->kind]++;
  if (ev->component == NULL)
    return;
  s->named++;
  char want[256];
  if (ev->kind == WEV_LINK_STATE && ev->node >= 0)
    {
      uint32_t cable = (uint32_t) ev->node * topo_rails (s->topo) + (uint32_t) ev->link.rail;
      expected_name (s->topo, TOPO_CABLE, cable, want, sizeof want);
      assert_string_equal (ev->component, want);
      s->cable_named++;
    }
  else if (ev->node >= 0 && ev->kind != WEV_LINK_STATE)
    {
      /* node_failed, node_state, a node's repair, an action on a node */
      expected_name (s->topo, TOPO_NODE, (uint32_t) ev->node, want, sizeof want);
      assert_string_equal (ev->component, want);
      s->node_named++;
    }
}

/* Thousands of events later the cache holds many names, and each is still
 * the topology's, at the same address as the event carried. */
static void
test_names_after_many_events (void **state)
{
  WorldConfig *cfg = busy_cluster (24 * 20);
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 11, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  /* addresses taken before the run stay valid and unchanged */
  const char *n0 = core_node_name (w, 0);
  const char *c5 = core_comp_name (w, TOPO_CABLE, 5);
  char n0_copy[64], c5_copy[128];
  g_strlcpy (n0_copy, n0, sizeof n0_copy);
  g_strlcpy (c5_copy, c5, sizeof c5_copy);
  Watch s = { .topo = w->hw.topo };
  world_add_listener (w, listener, &s);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  assert_true (s.named > 5000);
  assert_true (s.node_named > 1000);
  assert_true (s.cable_named > 100);
  assert_true (s.kinds[WEV_COMPONENT_FAILED] > 100);
  assert_true (s.kinds[WEV_COMPONENT_REPAIRED] > 100);
  assert_true (names_count (w->hw.names) > 100);
  assert_ptr_equal (core_node_name (w, 0), n0);
  assert_string_equal (n0, n0_copy);
  assert_ptr_equal (core_comp_name (w, TOPO_CABLE, 5), c5);
  assert_string_equal (c5, c5_copy);
  check_all_kinds (w);
  world_free (w);
  world_config_free (cfg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_names_grow),
    cmocka_unit_test (test_names_match_topology),
    cmocka_unit_test (test_names_after_many_events),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
