/* tests/models/test_domain.c - a rack or row failure is one incident
 * (issue #13 item 3): all its nodes go down at one instant, the policy
 * sees them by one signal at one time, a job on them is interrupted once
 * and never restarts onto the domain's dead nodes.
 *
 * 16 nodes of 2 GPUs, 2 rails, racks of 4 nodes, rows of 2 racks; random
 * failures off; a 4-node job placed on rack-00 (nodes 0-3) and 4 spares;
 * rack-00 (or row-00) loses power at 1 h and stays down (the domain's
 * repair takes forever). */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"
#include "world_test.h"

typedef struct
{
  const char *target;
  int failed;
  int node_failed;
  SimTime first_down, last_down;  /* node_failed times */
  SimTime first_act, last_act;    /* the policy's first action per node */
  int acted;
  int acted_nodes[64];
} Watch;

static bool
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Watch *s = user_data;
  s->failed = world_fail (w, s->target, NULL, error);
  return s->failed > 0;
}

static void
listener (const WorldEvent *ev, void *ud)
{
  Watch *s = ud;
  if (ev->kind == WEV_NODE_FAILED)
    {
      if (s->node_failed++ == 0)
        s->first_down = ev->time;
      s->last_down = ev->time;
    }
  else if (ev->kind == WEV_POLICY_ACTION && ev->node >= 0 && ev->node < 64
           && !s->acted_nodes[ev->node])
    {
      s->acted_nodes[ev->node] = 1;
      if (s->acted++ == 0)
        s->first_act = ev->time;
      s->last_act = ev->time;
    }
}

static const Metrics *
run (const char *target, Watch *s, World **out, WorldConfig **cfg_out)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", 16);
  wt_set_num (cfg, "cluster.gpus_per_node", 2);
  wt_set_num (cfg, "cluster.rails", 2);
  wt_set_num (cfg, "cluster.su_size", 16);
  wt_set_num (cfg, "cluster.radix", 32);
  wt_set_num (cfg, "cluster.nodes_per_rack", 4);
  wt_set_num (cfg, "cluster.racks_per_row", 2);
  wt_set_num (cfg, "cluster.spares", 4);
  wt_set_num (cfg, "failures.scale", 0);
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "run.length", 10 * 3600);
  wt_mode_num (cfg, "rack_pdu", "repair_time", 1e9);
  wt_mode_num (cfg, "row_power", "repair_time", 1e9);
  WorldJobSpec j = { .name = "a", .nodes = 4, .checkpoint_every_s = 3600,
                     .restart_s = 300, .comm_share = 0.2 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  world_config_at (cfg, SIM_H (1), 1);
  s->target = target;
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  WorldHooks hooks = { .timer = timer_cb, .user_data = s };
  world_set_hooks (w, &hooks);
  world_add_listener (w, listener, s);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  *out = w;
  *cfg_out = cfg;
  return world_metrics (w);
}

static void
check_one_incident (const char *target, int nodes)
{
  Watch s = { 0 };
  World *w;
  WorldConfig *cfg;
  const Metrics *m = run (target, &s, &w, &cfg);
  assert_int_equal (s.failed, 1);
  /* every node of the domain down at the same instant */
  assert_int_equal (s.node_failed, nodes);
  assert_true (s.first_down == SIM_H (1) && s.last_down == SIM_H (1));
  /* detected together, by the same signal (heartbeat loss, 300 s) */
  assert_int_equal (s.acted, nodes);
  assert_true (s.first_act == s.last_act);
  assert_true (s.first_act == SIM_H (1) + simtime_from_s (300));
  /* the job on it: one interruption, restarted on the spares (it would
   * fail again on a dead node of the domain) */
  assert_int_equal (m->interruptions, 1);
  const MetricsJob *a = wt_job_row (m, "a");
  assert_int_equal (a->interruptions, 1);
  const MetricsInterruption *r = &g_array_index (m->interruption_rows, MetricsInterruption, 0);
  assert_true (fabs (r->detect_minutes - 5.0) < 1e-6);
  /* 300 s restart after the outage, then it computes to the end */
  assert_true (a->queue_h < 1e-9 + 0.0);
  world_free (w);
  world_config_free (cfg);
}

static void
test_rack_is_one_incident (void **state)
{
  check_one_incident ("rack-000", 4);
}

static void
test_row_is_one_incident (void **state)
{
  check_one_incident ("row-00", 8);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_rack_is_one_incident),
    cmocka_unit_test (test_row_is_one_incident),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
