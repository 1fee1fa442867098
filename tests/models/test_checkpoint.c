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
#include "world_test.h"

#define MIN_H (1.0 / 60.0)

typedef struct
{
  bool maintenance; /* else fail a GPU of node0000 */
  int hits;
} Script;

static WorldTimerResult
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Script *s = user_data;
  (void) cb;
  if (s->maintenance)
    s->hits = world_maintenance (w, "node0000", SIM_H (1), error);
  else
    s->hits = world_fail (w, "node0000/gpu0", NULL, error);
  return s->hits > 0 ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
}

/* 4 nodes of 1 GPU, one 2-node job of interval tau, cost delta, write W,
 * restart 6 min (minutes); a scripted event at `at_min` when >= 0. */
static WorldConfig *
config_n (uint32_t job_nodes, double tau, double delta, double W,
          double at_min, double hours)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", 4);
  wt_set_num (cfg, "cluster.gpus_per_node", 1);
  wt_set_num (cfg, "cluster.rails", 1);
  wt_set_num (cfg, "cluster.su_size", 4);
  wt_set_num (cfg, "cluster.radix", 8);
  wt_set_num (cfg, "failures.scale", 0);
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "run.length", hours * 3600);
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

/* ---- scripted timelines with several events ---- */

typedef struct
{
  const char *what[4]; /* "maint:NODE:SECONDS" or "fail:NODE:MODE" */
  int hits;
} Plan;

static WorldTimerResult
plan_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Plan *p = user_data;
  g_auto (GStrv) f = g_strsplit (p->what[cb], ":", 3);
  int n = strcmp (f[0], "maint") == 0
            ? world_maintenance (w, f[1], SIM_S (g_ascii_strtod (f[2], NULL)), error)
            : world_fail (w, f[1], f[2], error);
  p->hits += n > 0;
  return n > 0 ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
}

/* 5 nodes of 1 GPU, failures only as scripted; a 4-node job, checkpoints
 * every 10 min with no cost; modes "soft" (a node fault a reboot fixes)
 * and "hard" (a node fault that waits 1e6 s for a technician) and
 * "silent" (a node fault noticed only after 1 h); reboots take ~10 min. */
static MetricsJob
run_plan (Plan *p, const double *at_s, int n_at, double restart_s, double hours)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", 5);
  wt_set_num (cfg, "cluster.gpus_per_node", 1);
  wt_set_num (cfg, "cluster.rails", 1);
  wt_set_num (cfg, "cluster.su_size", 5);
  wt_set_num (cfg, "cluster.radix", 16);
  WorldValue none = { .type = WORLD_VAL_STRING, .str = "none" };
  assert_true (world_config_set (cfg, "failures.source", &none, NULL));
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "run.length", hours * 3600);
  wt_set_num (cfg, "cluster.reboot_time", 600); /* a reboot within minutes */
  const char *modes[] = { "soft", "hard", "silent" };
  const char *repair[] = { "reboot", "replace", "reboot" };
  for (int i = 0; i < 3; i++)
    {
      WorldValue c = { .type = WORLD_VAL_STRING, .str = "node" };
      WorldValue r = { .type = WORLD_VAL_STRING, .str = repair[i] };
      WorldValue d = { .type = WORLD_VAL_NUMBER, .num = i == 2 ? 3600 : 10 };
      assert_true (world_config_failure_set (cfg, modes[i], "class", &c, NULL));
      assert_true (world_config_failure_set (cfg, modes[i], "repair", &r, NULL));
      assert_true (world_config_failure_set (cfg, modes[i], "detect_delay", &d, NULL));
    }
  WorldValue rt = { .type = WORLD_VAL_NUMBER, .num = 1e6 };
  assert_true (world_config_failure_set (cfg, "hard", "repair_time", &rt, NULL));
  WorldJobSpec j = { .name = "train", .nodes = 4, .checkpoint_every_s = 600,
                     .restart_s = restart_s };
  assert_true (world_config_add_job (cfg, &j, NULL));
  for (int i = 0; i < n_at; i++)
    world_config_at (cfg, SIM_S (at_s[i]), (uint64_t) i);
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 1, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  WorldHooks hooks = { .timer = plan_cb, .user_data = p };
  world_set_hooks (w, &hooks);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  assert_int_equal (p->hits, n_at);
  MetricsJob row = g_array_index (world_metrics (w)->job_rows, MetricsJob, 0);
  world_free (w);
  world_config_free (cfg);
  return row;
}

/* A reboot of a node in maintenance does not end the maintenance. node0000
 * goes into a 2-h maintenance at 1,000 s (the job drains at once: no
 * checkpoint cost), a soft fault on it at 2,000 s is rebooted within
 * minutes, and node0001 fails hard at 2,001 s. The job needs 4 of the 5
 * nodes, so it must wait for the maintenance to end at 8,200 s. */
static void
test_maintenance_outlasts_actions (void **state)
{
  (void) state;
  Plan p = { .what = { "maint:node0000:7200", "fail:node0000:soft", "fail:node0001:hard" } };
  const double at[] = { 1000, 2000, 2001 };
  MetricsJob j = run_plan (&p, at, 3, 60, 4);
  assert_int_equal (j.interruptions, 1);
  assert_true (fabs (j.queue_h - (8200.0 - 2001.0) / 3600) < 1e-9);
}

/* A restart that fails to launch pays its restart time once. node0004
 * (idle) fails silently at 1,000 s; node0000 fails at 1,001 s; the job
 * restarts at once on node0004 and its launch fails at the end of the
 * 300-s restart (second interruption); it restarts again when node0000 is
 * back from its reboot, and that restart completes: 2 x 300 s of restart
 * in all (the failed launch used to be charged twice: 900 s). */
static void
test_failed_launch_charged_once (void **state)
{
  (void) state;
  Plan p = { .what = { "fail:node0004:silent", "fail:node0000:soft" } };
  const double at[] = { 1000, 1001 };
  MetricsJob j = run_plan (&p, at, 2, 300, 1);
  assert_int_equal (j.interruptions, 2);
  assert_true (fabs (j.restart_h - 600.0 / 3600) < 1e-9);
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
    cmocka_unit_test (test_maintenance_outlasts_actions),
    cmocka_unit_test (test_failed_launch_charged_once),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
