/* tests/models/test_remedy.c - remediation takes the documented time
 * (issue #13 item 2): the health policy's RESET_GPU, REBOOT and REIMAGE
 * take the time of their repair path, whose mean is the scenario key
 * cluster.reset_gpu_time / reboot_time / reimage_time (lognormal with the
 * catalogue's spread, docs/failure-modes.md); a mode's own repair_time wins
 * for its faults; BURNIN takes cluster.burnin_time; the rma path (a
 * ticket, or the policy's RMA action) takes cluster.rma_lead_time's
 * uniform distribution; the keys' defaults are the catalogue's
 * documented means.
 *
 * 256 one-GPU nodes, random failures off, unlimited technicians; at 1 h
 * every GPU (or node) fails with one mode; the test times each node from
 * the policy's action to the repair (or from BURNIN to healthy) and
 * compares the mean with the key within 4 standard errors. */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "failure.h"
#include "topo.h"
#include "world.h"
#include "world_test.h"

#define N_NODES 256

typedef struct
{
  const char *target, *mode;
  const char *action;             /* the action timed: "reboot", ... */
  SimTime start[N_NODES];         /* its start per node, -1 none */
  GArray *durations_h;            /* action start -> repaired/healthy */
  bool to_healthy;                /* BURNIN: until the node is healthy */
} Timing;

/* Fails t->target, or with target "nodes" every node by its name (a
 * glob "node*" would match the GPUs too). */
static WorldTimerResult
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Timing *t = user_data;
  if (strcmp (t->target, "nodes") != 0)
    return world_fail (w, t->target, t->mode, error) > 0 ? WORLD_TIMER_CONTINUE
                                                          : WORLD_TIMER_FAILED;
  for (uint32_t i = 0; i < world_nodes (w); i++)
    {
      char nb[64];
      topo_name (world_topo (w), TOPO_NODE, i, nb, sizeof nb);
      if (world_fail (w, nb, t->mode, error) <= 0)
        return WORLD_TIMER_FAILED;
    }
  return WORLD_TIMER_CONTINUE;
}

static void
listener (const WorldEvent *ev, void *ud)
{
  Timing *t = ud;
  if (ev->node < 0 || ev->node >= N_NODES)
    return;
  if (ev->kind == WEV_POLICY_ACTION && ev->action.action != NULL
      && strcmp (ev->action.action, t->action) == 0 && t->start[ev->node] < 0)
    t->start[ev->node] = ev->time;
  bool end = t->to_healthy
               ? ev->kind == WEV_NODE_STATE
                   && ev->node_state.to == WORLD_NODE_HEALTHY
               : ev->kind == WEV_COMPONENT_REPAIRED;
  if (end && t->start[ev->node] >= 0)
    {
      double h = simtime_to_h (ev->time - t->start[ev->node]);
      g_array_append_val (t->durations_h, h);
      t->start[ev->node] = -2; /* timed once */
    }
}

/* A cluster of N_NODES one-GPU nodes with no random failures, no
 * technicians and no lemons or precursors, running `days` days: the
 * failures are the ones a test's timer injects. */
static WorldConfig *
quiet_config (int days)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", N_NODES);
  wt_set_num (cfg, "cluster.gpus_per_node", 1);
  wt_set_num (cfg, "cluster.rails", 1);
  wt_set_num (cfg, "cluster.technicians", 0);
  wt_set_num (cfg, "failures.scale", 0);
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "failures.precursor_fraction", 0);
  wt_set_num (cfg, "run.length", days * 24 * 3600);
  return cfg;
}

/* Runs cfg (freed) with seed, the timer `timer` and the listener filling
 * t, whose durations_h it creates. */
static void
run_timed (WorldConfig *cfg, uint64_t seed,
           WorldTimerResult (*timer) (void *, World *, uint64_t, GError **), Timing *t)
{
  t->durations_h = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 0; i < N_NODES; i++)
    t->start[i] = -1;
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, seed, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  WorldHooks hooks = { .timer = timer, .user_data = t };
  world_set_hooks (w, &hooks);
  world_add_listener (w, listener, t);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  world_free (w);
  world_config_free (cfg);
}

/* Runs N_NODES failures of `mode` on `target` with the keys of `set`
 * (key, seconds; NULL-terminated) and returns the durations of `action`. */
static GArray *
time_action (const char *target, const char *mode, const char *action, bool to_healthy,
             const char *const *keys, const double *values, const char *mode_key,
             double mode_value)
{
  WorldConfig *cfg = quiet_config (30);
  for (int i = 0; keys != NULL && keys[i] != NULL; i++)
    wt_set_num (cfg, keys[i], values[i]);
  if (mode_key != NULL)
    wt_mode_num (cfg, mode, mode_key, mode_value);
  world_config_at (cfg, SIM_H (1), 1);
  Timing t = { .target = target, .mode = mode, .action = action, .to_healthy = to_healthy };
  run_timed (cfg, 11, timer_cb, &t);
  return t.durations_h;
}

/* The sample mean is within 4 standard errors of `mean_h` (the
 * distribution's sd is cv * mean); at least `min_n` nodes were timed. */
static void
assert_mean (GArray *d, double mean_h, double cv, guint min_n, const char *what)
{
  assert_true (d->len >= min_n);
  double sum = 0;
  for (guint i = 0; i < d->len; i++)
    sum += g_array_index (d, double, i);
  double m = sum / d->len, se = cv * mean_h / sqrt (d->len);

  print_message ("# %s: %u timed, mean %.3f h, expected %.3f h (se %.3f h)\n", what, d->len,
                 m, mean_h, se);
  assert_true (fabs (m - mean_h) < 4 * se + 1e-9);
  g_array_unref (d);
}

static double
path_cv (FlRepair path)
{
  Dist d = fl_failure_repair_default (path, NULL);
  return sqrt (dist_variance (&d)) / dist_mean (&d);
}

/* A fallen-off-the-bus GPU (Xid 79, reboot path): the REBOOT takes
 * cluster.reboot_time, here 3 h (the default is 2 h). */
static void
test_reboot_time (void **state)
{
  const char *k[] = { "cluster.reboot_time", NULL };
  const double v[] = { 3 * 3600.0 };
  assert_mean (time_action ("node*/gpu0", "faulty_gpu", "reboot", false, k, v, NULL, 0), 3.0,
               path_cv (FL_REPAIR_REBOOT), N_NODES / 2, "reboot, cluster.reboot_time = 3 h");
}

/* A double-bit ECC error (Xid 48, reset path): the RESET_GPU takes
 * cluster.reset_gpu_time (40 min); with the mode's own repair_time
 * (exponential, 5 min) that one. */
static void
test_reset_time (void **state)
{
  const char *k[] = { "cluster.reset_gpu_time", NULL };
  const double v[] = { 40 * 60.0 };
  assert_mean (time_action ("node*/gpu0", "hbm3", "reset_gpu", false, k, v, NULL, 0),
               40.0 / 60, path_cv (FL_REPAIR_RESET_GPU), N_NODES / 2,
               "reset, cluster.reset_gpu_time = 40 min");
  assert_mean (time_action ("node*/gpu0", "hbm3", "reset_gpu", false, k, v, "repair_time", 300),
               5.0 / 60, 1.0, N_NODES / 2, "reset, hbm3 repair_time = 5 min");
}

/* Host maintenance (heartbeat loss, reimage path): the REBOOT does not
 * fix it, the REIMAGE does, after cluster.reimage_time (1 h here). */
static void
test_reimage_time (void **state)
{
  const char *k[] = { "cluster.reimage_time", NULL };
  const double v[] = { 3600.0 };
  assert_mean (time_action ("nodes", "host_maintenance", "reimage", false, k, v, NULL, 0), 1.0,
               path_cv (FL_REPAIR_REIMAGE), N_NODES / 2, "reimage, cluster.reimage_time = 1 h");
}

/* A failed SSD (replace path) goes to a technician, then to burn-in for
 * cluster.burnin_time: 7 h here, exactly (a constant). */
static void
test_burnin_time (void **state)
{
  const char *k[] = { "cluster.burnin_time", NULL };
  const double v[] = { 7 * 3600.0 };
  GArray *d = time_action ("nodes", "ssd", "burnin", true, k, v, NULL, 0);
  assert_true (d->len >= N_NODES / 2);
  for (guint i = 0; i < d->len; i++)
    assert_true (fabs (g_array_index (d, double, i) - 7.0) < 1e-6);
  g_array_unref (d);
}

/* The policy's RMA action (a node that fails its burn-in goes back to
 * the vendor) takes the rma path's time, uniform over 0.75-1.25 of
 * cluster.rma_lead_time (the catalogue's 72-120 h at the default 96 h),
 * here 2 days. Every node's SSD fails at 1 h (a ticket, then a 12-day
 * burn-in); at 200 h, during the burn-in, its GPU gets a silent data
 * corruption the checks do not see (detect_delay 1e7 s), so the burn-in
 * fails and the policy sends the node back to the vendor. */
static WorldTimerResult
refail_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  (void) user_data;
  for (uint32_t i = 0; i < world_nodes (w); i++)
    {
      char nb[64];
      topo_name (world_topo (w), TOPO_NODE, i, nb, sizeof nb);
      if (cb == 2)
        g_strlcat (nb, "/gpu0", sizeof nb);
      if (world_fail (w, nb, cb == 1 ? "ssd" : "sdc", error) < 0)
        return WORLD_TIMER_FAILED; /* a node still broken is not failed again: 0 */
    }
  return WORLD_TIMER_CONTINUE;
}

static void
test_rma_lead_time (void **state)
{
  WorldConfig *cfg = quiet_config (40);
  wt_set_num (cfg, "cluster.burnin_time", 12 * 86400);
  wt_set_num (cfg, "cluster.rma_lead_time", 2 * 86400);
  world_config_at (cfg, SIM_H (1), 1);
  world_config_at (cfg, SIM_H (200), 2);
  wt_mode_num (cfg, "sdc", "detect_delay", 1e7);
  Timing t = { .target = "nodes", .mode = "ssd", .action = "rma" };
  run_timed (cfg, 13, refail_cb, &t);
  double s1 = 0, s2 = 0, n = t.durations_h->len;
  for (guint i = 0; i < t.durations_h->len; i++)
    {
      double h = g_array_index (t.durations_h, double, i);
      assert_true (h >= 36 - 1e-6 && h <= 60 + 1e-6); /* 0.75-1.25 of 48 h */
      s1 += h;
      s2 += h * h;
    }
  /* Spread as the uniform's (sd 48 x 0.144 = 6.9 h), not a fixed time. */
  double sd = sqrt ((s2 - s1 * s1 / n) / (n - 1));
  print_message ("# rma action: sd %.2f h, uniform's %.2f h\n", sd, 48.0 * path_cv (FL_REPAIR_RMA));
  assert_true (fabs (sd - 48.0 * path_cv (FL_REPAIR_RMA)) < 1.5);
  assert_mean (t.durations_h, 48.0, path_cv (FL_REPAIR_RMA), N_NODES / 2,
               "rma action, cluster.rma_lead_time = 2 d");
}

/* The keys' defaults are the catalogue's documented means. */
static void
test_defaults_are_the_catalogue (void **state)
{
  WorldConfig *cfg = world_config_new ();
  const struct
  {
    const char *key;
    FlRepair path;
  } k[] = {
    { "cluster.reset_gpu_time", FL_REPAIR_RESET_GPU },
    { "cluster.reboot_time", FL_REPAIR_REBOOT },
    { "cluster.reimage_time", FL_REPAIR_REIMAGE },
    { "cluster.rma_lead_time", FL_REPAIR_RMA },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (k); i++)
    {
      g_autofree char *json = world_config_get_json (cfg, k[i].key);
      assert_non_null (json);
      Dist d = fl_failure_repair_default (k[i].path, NULL);
      assert_true (fabs (g_ascii_strtod (json, NULL) - dist_mean (&d) * 3600) < 1e-6);
    }
  world_config_free (cfg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_reboot_time),
    cmocka_unit_test (test_reset_time),
    cmocka_unit_test (test_reimage_time),
    cmocka_unit_test (test_burnin_time),
    cmocka_unit_test (test_rma_lead_time),
    cmocka_unit_test (test_defaults_are_the_catalogue),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
