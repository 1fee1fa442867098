/* tests/models/test_world.c - the world's blast radius on a small fabric
 * that can be checked by hand: 8 nodes of 2 GPUs, 2 rails, SUs of 4 nodes,
 * radix 8 (4 leaves with 4 uplinks each, 2 spines). Random failures are off
 * (failures.scale = 0); a scripted timer fails one component at 1 h, and
 * the repair of that mode is made to take forever, so what is measured is
 * the failure's effect alone. */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fabric.h"
#include "world.h"
#include "world_test.h"

typedef struct
{
  const char *target;
  int failed;
} Script;

static bool
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Script *s = user_data;
  s->failed = world_fail (w, s->target, NULL, error);
  return s->failed > 0;
}

static void
add_job (WorldConfig *cfg, const char *name, uint32_t nodes, double submit_s)
{
  WorldJobSpec j = { .name = name, .nodes = nodes, .submit_s = submit_s,
                     .checkpoint_every_s = 3600, .checkpoint_cost_s = 0,
                     .restart_s = 60, .comm_share = 0.2 };
  assert_true (world_config_add_job (cfg, &j, NULL));
}

/* The hand-checkable fabric, random failures off, 10 hours. */
static WorldConfig *
base_cluster (void)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", 8);
  wt_set_num (cfg, "cluster.gpus_per_node", 2);
  wt_set_num (cfg, "cluster.rails", 2);
  wt_set_num (cfg, "cluster.su_size", 4);
  wt_set_num (cfg, "cluster.radix", 8);
  wt_set_num (cfg, "failures.scale", 0);
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "run.length", 10 * 3600);
  return cfg;
}

static WorldConfig *
small_cluster (void)
{
  WorldConfig *cfg = base_cluster ();
  /* Repairs of the scripted modes never finish within the run. */
  const char *modes[] = { "faulty_gpu", "leaf", "spine" };
  for (size_t i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      WorldValue v = { .type = WORLD_VAL_NUMBER, .num = 1e9 };
      assert_true (world_config_failure_set (cfg, modes[i], "repair_time", &v, NULL));
    }
  world_config_at (cfg, SIM_H (1), 1);
  return cfg;
}

static const Metrics *
run (WorldConfig *cfg, Script *s, World **out)
{
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  WorldHooks hooks = { .timer = timer_cb, .user_data = s };
  world_set_hooks (w, &hooks);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  assert_true (s->failed > 0);
  *out = w;
  return world_metrics (w);
}

/* A GPU fault takes its node down: the job on it is interrupted, the job
 * on the other SU is not. */
static void
test_gpu_fault_interrupts_its_node_only (void **state)
{
  WorldConfig *cfg = small_cluster ();
  add_job (cfg, "a", 4, 0);
  add_job (cfg, "b", 4, 0);
  Script s = { "node0001/gpu1", 0 };
  World *w;
  const Metrics *m = run (cfg, &s, &w);
  assert_int_equal (wt_job_row (m, "a")->interruptions + wt_job_row (m, "b")->interruptions, 1);
  assert_int_equal (m->interruptions, 1);
  world_free (w);
  world_config_free (cfg);
}

/* A leaf is one rail of one SU: every job with a node in that SU is
 * interrupted; a job in the other SU is not. */
static void
test_leaf_takes_one_rail_of_one_su (void **state)
{
  WorldConfig *cfg = small_cluster ();
  wt_set_num (cfg, "cluster.spares", 0);
  add_job (cfg, "su0", 4, 0);
  add_job (cfg, "su1", 4, 0);
  Script s = { "leaf-su00-r1", 0 };
  World *w;
  const Metrics *m = run (cfg, &s, &w);
  const MetricsJob *a = wt_job_row (m, "su0"), *b = wt_job_row (m, "su1");
  /* Topology placement puts each 4-node job in one SU: exactly one of
   * them sits behind the failed leaf. */
  assert_int_equal (MIN (a->interruptions, b->interruptions), 0);
  assert_true (MAX (a->interruptions, b->interruptions) >= 1);
  world_free (w);
  world_config_free (cfg);
}

/* A spine carries half of every leaf's uplinks: a job spanning both SUs
 * keeps b = 1/2 of its bandwidth and runs (1 - c) + c / b = 1.2x slower
 * (c = 0.2) from 1 h to 10 h, without an interruption. */
static void
test_spine_slows_cross_su_job (void **state)
{
  WorldConfig *cfg = small_cluster ();
  add_job (cfg, "wide", 8, 0);
  Script s = { "spine-00", 0 };
  World *w;
  const Metrics *m = run (cfg, &s, &w);
  const MetricsJob *j = wt_job_row (m, "wide");
  assert_int_equal (j->interruptions, 0);
  double s_factor = fabric_slowdown (0.5, 0.2);
  assert_true (fabs (s_factor - 1.2) < 1e-12);
  /* Extra step time: 9 h of compute at 1.2x loses 9 (1 - 1/1.2) h of
   * progress. Checkpoints cost nothing here. */
  double want = 9.0 * (1.0 - 1.0 / s_factor);
  assert_true (fabs (j->slowdown_h - want) < 1e-3);
  assert_true (m->fabric_slowdown_gpu_hours > 0);
  world_free (w);
  world_config_free (cfg);
}

/* policy.degraded_nodes. 8 nodes of 2 rails, one 8-node job, no spares.
 * At 1 h leaf-su00-r1 fails for good: the job is interrupted and restarts
 * at once on nodes 0-3 with one rail dead (their ports are not disabled
 * yet), 1.2x slower. The policy disables those ports after its grace
 * period. At 2 h a GPU of node0005 fails and is reset in minutes; the job
 * needs all 8 nodes again. drain: nodes 0-3 are out until the leaf is
 * replaced, so the job waits to the end (8 h); use and when-short: it
 * restarts as soon as node0005 is back, on the degraded nodes. */
static bool
degraded_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  int *hits = user_data;
  int n = cb == 1 ? world_fail (w, "leaf-su00-r1", NULL, error)
                  : world_fail (w, "node0005/gpu0", "faulty_gpu", error);
  *hits += n;
  return n > 0;
}

static MetricsJob
degraded_run (const char *mode)
{
  WorldConfig *cfg = base_cluster ();
  wt_set_num (cfg, "cluster.spares", 0);
  WorldValue v = { .type = WORLD_VAL_NUMBER, .num = 1e9 };
  assert_true (world_config_failure_set (cfg, "leaf", "repair_time", &v, NULL));
  WorldValue m = { .type = WORLD_VAL_STRING, .str = mode };
  assert_true (world_config_set (cfg, "policy.degraded_nodes", &m, NULL));
  add_job (cfg, "all", 8, 0);
  world_config_at (cfg, SIM_H (1), 1);
  world_config_at (cfg, SIM_H (2), 2);
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  int hits = 0;
  WorldHooks hooks = { .timer = degraded_cb, .user_data = &hits };
  world_set_hooks (w, &hooks);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  assert_int_equal (hits, 2);
  MetricsJob row = *wt_job_row (world_metrics (w), "all");
  world_free (w);
  world_config_free (cfg);
  return row;
}

static void
test_degraded_nodes (void **state)
{
  (void) state;
  MetricsJob drain = degraded_run ("drain");
  MetricsJob use = degraded_run ("use");
  MetricsJob short_ = degraded_run ("when-short");
  assert_int_equal (drain.interruptions, 2);
  /* drain: queued from 2 h to the end */
  assert_true (fabs (drain.queue_h - 8.0) < 1e-6);
  /* use, when-short: back within the GPU reset (well under an hour), then
   * slowed by the dead rail */
  assert_true (use.queue_h > 0 && use.queue_h < 1.0);
  assert_true (fabs (short_.queue_h - use.queue_h) < 1e-9);
  assert_true (use.slowdown_h > drain.slowdown_h + 1.0);
  /* a bad value is refused where it is set (the config table is the one
   * validator), with the closest name, and leaves the key as it was */
  WorldConfig *cfg = world_config_new ();
  WorldValue m = { .type = WORLD_VAL_STRING, .str = "sometimes" };
  g_autoptr (GError) error = NULL;
  assert_false (world_config_set (cfg, "policy.degraded_nodes", &m, &error));
  assert_non_null (strstr (error->message, "unknown degraded_nodes value 'sometimes'"));
  assert_non_null (strstr (error->message, "drain, use, when-short"));
  g_clear_error (&error);
  m.str = "when_short";
  assert_false (world_config_set (cfg, "policy.degraded_nodes", &m, &error));
  assert_non_null (strstr (error->message, "did you mean 'when-short'"));
  g_autofree char *j = world_config_get_json (cfg, "policy.degraded_nodes");
  assert_string_equal (j, "\"drain\"");
  world_config_free (cfg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_gpu_fault_interrupts_its_node_only),
    cmocka_unit_test (test_leaf_takes_one_rail_of_one_su),
    cmocka_unit_test (test_spine_slows_cross_su_job),
    cmocka_unit_test (test_degraded_nodes),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
