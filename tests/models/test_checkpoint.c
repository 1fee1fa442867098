/* tests/models/test_checkpoint.c - the world's checkpoint mechanics, on
 * timelines that can be worked out by hand: what an interruption loses
 * with a synchronous and with an asynchronous (background-written)
 * checkpoint, a checkpoint that must wait for the previous write, and a
 * planned maintenance that drains gracefully and keeps everything. Random failures are off
 * (failures.scale = 0); a scripted timer fails a GPU of the job or
 * starts a maintenance at a chosen time. The statistical check of
 * asynchronous checkpoints against theory is in test_checkpoint_theory.c. */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"

#define MIN_H (1.0 / 60.0)

typedef struct
{
  bool maintenance; /* else fail a GPU of node0000 */
  int hits;
} Script;

static bool
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Script *s = user_data;
  (void) cb;
  if (s->maintenance)
    s->hits = world_maintenance (w, "node0000", SIM_H (1), error);
  else
    s->hits = world_fail (w, "node0000/gpu0", NULL, error);
  return s->hits > 0;
}

static void
setn (WorldConfig *cfg, const char *key, double v)
{
  WorldValue val = { .type = WORLD_VAL_NUMBER, .num = v };
  g_autoptr (GError) e = NULL;
  if (!world_config_set (cfg, key, &val, &e))
    fail_msg ("%s: %s", key, e->message);
}

/* 4 nodes of 1 GPU, one 2-node job of interval tau, cost delta, write W,
 * restart 6 min (minutes); a scripted event at `at_min` when >= 0. */
static WorldConfig *
config_n (uint32_t job_nodes, double tau, double delta, double W,
          double at_min, double hours)
{
  WorldConfig *cfg = world_config_new ();
  setn (cfg, "cluster.nodes", 4);
  setn (cfg, "cluster.gpus_per_node", 1);
  setn (cfg, "cluster.rails", 1);
  setn (cfg, "cluster.su_size", 4);
  setn (cfg, "cluster.radix", 8);
  setn (cfg, "failures.scale", 0);
  setn (cfg, "failures.lemon_fraction", 0);
  setn (cfg, "run.length", hours * 3600);
  WorldJobSpec j = { .name = "train", .nodes = job_nodes,
                     .checkpoint_every_s = tau * 60,
                     .checkpoint_cost_s = delta * 60,
                     .checkpoint_write_s = W * 60, .restart_s = 6 * 60 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  if (at_min >= 0)
    world_config_at (cfg, SIM_MIN (at_min), 1);
  return cfg;
}

static WorldConfig *
config (double tau, double delta, double W, double at_min, double hours)
{
  return config_n (2, tau, delta, W, at_min, hours);
}

/* Runs cfg (seed 1) and copies the job's row out. */
static MetricsJob
run (WorldConfig *cfg, bool maintenance, bool scripted)
{
  g_autoptr (GError) error = NULL;
  Script s = { .maintenance = maintenance };
  World *w = world_new (cfg, 1, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  WorldHooks hooks = { .timer = timer_cb, .user_data = &s };
  world_set_hooks (w, &hooks);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  if (scripted)
    assert_int_equal (s.hits, 1);
  const Metrics *m = world_metrics (w);
  assert_int_equal (m->job_rows->len, 1);
  MetricsJob row = g_array_index (m->job_rows, MetricsJob, 0);
  world_free (w);
  world_config_free (cfg);
  return row;
}

/* Synchronous: tau 60, W 0. A failure at 70 min loses the 10 min since
 * the checkpoint taken at 60. */
static void
test_sync_loses_since_checkpoint (void **state)
{
  (void) state;
  MetricsJob j = run (config (60, 0, 0, 70, 4), false, true);
  assert_int_equal (j.interruptions, 1);
  assert_true (fabs (j.lost_h - 10 * MIN_H) < 1e-9);
}

/* Asynchronous: the checkpoint taken at 60 min is written until 90. A
 * failure at 70 min finds it unwritten: the restart point is the start,
 * so 60 + 10 min are lost. */
static void
test_async_loses_unwritten_checkpoint (void **state)
{
  (void) state;
  MetricsJob j = run (config (60, 0, 30, 70, 4), false, true);
  assert_int_equal (j.interruptions, 1);
  assert_true (fabs (j.lost_h - 70 * MIN_H) < 1e-9);
}

/* The same failure at 100 min comes after the write ended at 90: only
 * the 40 min since the snapshot are lost. */
static void
test_async_keeps_written_checkpoint (void **state)
{
  (void) state;
  MetricsJob j = run (config (60, 0, 30, 100, 4), false, true);
  assert_int_equal (j.interruptions, 1);
  assert_true (fabs (j.lost_h - 40 * MIN_H) < 1e-9);
}

/* A write longer than the interval: tau 10, delta 1, W 15, no failures.
 * Snapshot k ends at s_1 = 11 and, because checkpoint k is due at
 * s_(k-1) + 10 but waits for write k-1 to end at s_(k-1) + 15 and then
 * blocks 1 min, at s_k = s_(k-1) + 16; write k ends at s_k + 15. In 600
 * min, writes 1..36 end (the 36th at 26 + 35 * 16 = 586; the 37th at
 * 602), so 36 * 10 min = 6 h are productive. Blocked time: 1 min for the
 * first checkpoint, 6 min for each later one that starts by 600. */
static void
test_async_checkpoint_waits_for_write (void **state)
{
  (void) state;
  MetricsJob j = run (config (10, 1, 15, -1, 10), false, false);
  assert_int_equal (j.interruptions, 0);
  assert_true (fabs (j.productive_h - 6.0) < 1e-9);
  assert_true (fabs (j.ettr - 0.6) < 1e-9);
  /* The checkpoint due at s_k + 10 for k = 1..37 (s_37 = 587, due at
   * 597) blocks 6 min each but the last, cut at 600 after 3 min. */
  double blocked = 1 + 36 * 6 + 3;
  assert_true (fabs (j.checkpoint_h - blocked * MIN_H) < 1e-9);
}

/* A planned maintenance at 70 min, during the write of the 60-min
 * checkpoint (written until 90): the job drains gracefully. It waits for
 * that write, checkpoints its 70 min (delta = 0) and writes it for 30 min,
 * so it stops at 120 min with nothing lost; the 50 min of draining are
 * checkpoint time, the only checkpoint time of the run (delta = 0 and
 * W < tau elsewhere). */
static void
test_maintenance_drains_gracefully (void **state)
{
  (void) state;
  MetricsJob j = run (config (60, 0, 30, 70, 4), true, true);
  assert_true (fabs (j.lost_h) < 1e-12);
  assert_int_equal (j.preemptions, 1);
  assert_int_equal (j.interruptions, 0);
  assert_true (j.productive_h >= 70 * MIN_H - 1e-9);
  assert_true (fabs (j.checkpoint_h - 50 * MIN_H) < 1e-9);
}

/* The node comes back after its maintenance: a job on all 4 nodes drains
 * from 70 to 120 min as above, node0000 is in maintenance for 1 h from
 * 120, and the job, which needs every node, waits exactly that hour. */
static void
test_maintenance_returns_node (void **state)
{
  (void) state;
  MetricsJob j = run (config_n (4, 60, 0, 30, 70, 4), true, true);
  assert_int_equal (j.preemptions, 1);
  assert_true (fabs (j.queue_h - 1.0) < 1e-9);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sync_loses_since_checkpoint),
    cmocka_unit_test (test_async_loses_unwritten_checkpoint),
    cmocka_unit_test (test_async_keeps_written_checkpoint),
    cmocka_unit_test (test_async_checkpoint_waits_for_write),
    cmocka_unit_test (test_maintenance_drains_gracefully),
    cmocka_unit_test (test_maintenance_returns_node),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
