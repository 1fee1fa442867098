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
#include "topo.h"
#include "world.h"
#include "world_test.h"

typedef struct
{
  const char *target;
  int failed;
} Script;

static WorldTimerResult
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Script *s = user_data;
  s->failed = world_fail (w, s->target, NULL, error);
  return s->failed > 0 ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
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
  return wt_small_cluster (8, 2, 2, 4, 8, 10);
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
  World *w = wt_run (cfg, 7, timer_cb, s, NULL, NULL);
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
static WorldTimerResult
degraded_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  int *hits = user_data;
  int n = cb == 1 ? world_fail (w, "leaf-su00-r1", NULL, error)
                  : world_fail (w, "node0005/gpu0", "faulty_gpu", error);
  *hits += n;
  return n > 0 ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
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
  int hits = 0;
  World *w = wt_run (cfg, 7, degraded_cb, &hits, NULL, NULL);
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

/* failure_mode()'s keys are one table (world_mode_keys): every number key
 * has its range under failure_mode.KEY with the table's unit and every
 * failure_mode.* range is a key of the table; world_config_failure_set
 * accepts every name of a name key and the table's type only, and names
 * the valid names, the closest name and the closest key otherwise. */
static void
count_mode_ranges (const WorldRange *r, void *user_data)
{
  if (g_str_has_prefix (r->key, "failure_mode."))
    {
      assert_non_null (world_mode_key (r->key + strlen ("failure_mode.")));
      (*(int *) user_data)++;
    }
}

static void
test_mode_keys_one_table (void **state)
{
  (void) state;
  guint n;
  const WorldModeKey *keys = world_mode_keys (&n);
  assert_true (n >= 13);
  assert_string_equal (keys[0].key, "class"); /* a new mode needs it first */
  int numbers = 0, ranges = 0;
  world_range_foreach (count_mode_ranges, &ranges);
  for (guint i = 0; i < n; i++)
    {
      const WorldModeKey *k = &keys[i];
      assert_ptr_equal (world_mode_key (k->key), k);
      g_autofree char *rk = g_strconcat ("failure_mode.", k->key, NULL);
      const WorldRange *r = world_range (rk);
      if (k->type == WORLD_VAL_NUMBER)
        {
          numbers++;
          assert_non_null (r);
          assert_string_equal (r->unit, k->unit);
        }
      else
        assert_null (r);
      assert_true ((k->values != NULL) == (k->what != NULL));
      WorldConfig *cfg = world_config_new ();
      g_autoptr (GError) error = NULL;
      /* the wrong type is refused, naming the key */
      WorldValue wrong = k->type == WORLD_VAL_BOOL
                           ? (WorldValue) { .type = WORLD_VAL_NUMBER, .num = 1 }
                           : (WorldValue) { .type = WORLD_VAL_BOOL, .b = true };
      assert_false (world_config_failure_set (cfg, "hbm3", k->key, &wrong, &error));
      assert_non_null (strstr (error->message, "failure mode 'hbm3': "));
      assert_non_null (strstr (error->message, k->key));
      g_clear_error (&error);
      for (guint j = 0; k->values != NULL && k->values[j] != NULL; j++)
        {
          WorldValue v = { .type = WORLD_VAL_STRING, .str = k->values[j] };
          assert_true (world_config_failure_set (cfg, "hbm3", k->key, &v, &error));
        }
      if (k->values != NULL)
        {
          /* the first name with its last letter doubled: close to it */
          g_autofree char *typo = g_strdup_printf ("%s%c", k->values[0],
                                                   k->values[0][strlen (k->values[0]) - 1]);
          WorldValue v = { .type = WORLD_VAL_STRING, .str = typo };
          assert_false (world_config_failure_set (cfg, "hbm3", k->key, &v, &error));
          g_autofree char *want = g_strdup_printf ("unknown %s '%s', did you "
                                                   "mean '%s'? (valid: %s, ",
                                                   k->what, typo, k->values[0],
                                                   k->values[0]);
          assert_non_null (strstr (error->message, want));
          g_clear_error (&error);
        }
      world_config_free (cfg);
    }
  assert_int_equal (ranges, numbers);
  WorldConfig *cfg = world_config_new ();
  g_autoptr (GError) error = NULL;
  WorldValue v = { .type = WORLD_VAL_NUMBER, .num = 3600 };
  assert_false (world_config_failure_set (cfg, "hbm3", "mtfb", &v, &error));
  assert_non_null (strstr (error->message, "unknown key 'mtfb', did you mean 'mtbf'?"));
  world_config_free (cfg);
}

/* world_config_check makes world_new's checks without a world, with its
 * messages: a job that does not fit the cluster with its spares, nodes
 * given twice, a failure_mode() the catalogue refuses. Nodes read from a
 * file are counted only when world_new reads it. */
static void
check_both (const WorldConfig *cfg, WorldCheck what, const char *want)
{
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;
  assert_false (world_config_check (cfg, what, &e1));
  if (strstr (e1->message, want) == NULL)
    print_error ("'%s' lacks '%s'\n", e1->message, want);
  assert_non_null (strstr (e1->message, want));
  World *w = world_new (cfg, 1, &e2);
  assert_null (w);
  assert_string_equal (e2->message, e1->message);
}

static void
test_config_check (void **state)
{
  (void) state;
  WorldConfig *cfg = world_config_new ();
  assert_true (world_config_set_string (cfg, "cluster.nodes", "8", NULL));
  assert_true (world_config_set_string (cfg, "cluster.su_size", "4", NULL));
  assert_true (world_config_set_string (cfg, "run.length", "1h", NULL));
  WorldJobSpec job = { .name = "big", .nodes = 8, .work_s = 0,
                       .checkpoint_cost_s = 1, .restart_s = 1 };
  assert_true (world_config_add_job (cfg, &job, NULL));
  assert_true (world_config_check (cfg, WORLD_CHECK_ALL, NULL));
  assert_true (world_config_set_string (cfg, "cluster.spares", "1", NULL));
  check_both (cfg, WORLD_CHECK_CLUSTER, "job 'big' needs 8 nodes but the "
              "cluster has 8 (with 1 hot spares held back)");
  /* 20 GPUs of 8 per node: 3 nodes */
  assert_true (world_config_set_string (cfg, "cluster.gpus", "20", NULL));
  check_both (cfg, WORLD_CHECK_ALL, "but the cluster has 3 (with 1");
  assert_true (world_config_check (cfg, WORLD_CHECK_FAILURE_MODES, NULL));
  world_config_free (cfg);

  /* every node a hot spare: refused before any job is looked at */
  cfg = world_config_new ();
  assert_true (world_config_set_string (cfg, "cluster.nodes", "8", NULL));
  assert_true (world_config_set_string (cfg, "cluster.su_size", "4", NULL));
  assert_true (world_config_set_string (cfg, "run.length", "1h", NULL));
  assert_true (world_config_set_string (cfg, "cluster.spares", "7", NULL));
  assert_true (world_config_check (cfg, WORLD_CHECK_ALL, NULL));
  assert_true (world_config_set_string (cfg, "cluster.spares", "8", NULL));
  check_both (cfg, WORLD_CHECK_CLUSTER, "cluster.spares = 8 leaves no node "
              "for jobs (the cluster has 8 nodes)");
  assert_true (world_config_check (cfg, WORLD_CHECK_WORKLOAD, NULL));
  assert_true (world_config_set_string (cfg, "cluster.spares", "0", NULL));
  /* research_sizes: checked whatever the rate (0 here) */
  assert_true (world_config_set_string (cfg, "workload.research_sizes",
                                        "1:0.7, 4", NULL));
  assert_true (world_config_check (cfg, WORLD_CHECK_ALL, NULL));
  assert_true (world_config_set_string (cfg, "workload.research_sizes",
                                        "1:0.7,4:x", NULL));
  assert_true (world_config_check (cfg, WORLD_CHECK_CLUSTER, NULL));
  check_both (cfg, WORLD_CHECK_WORKLOAD, "workload.research_sizes: '4:x' is "
              "not NODES or NODES:WEIGHT");
  assert_true (world_config_set_string (cfg, "workload.research_sizes", "0",
                                        NULL));
  check_both (cfg, WORLD_CHECK_ALL, "workload.research_sizes: '0' is not");
  world_config_free (cfg);

  cfg = world_config_new ();
  assert_true (world_config_set_string (cfg, "cluster.ibnet", "x.ibnet", NULL));
  assert_true (world_config_set_string (cfg, "cluster.inventory", "y.json", NULL));
  check_both (cfg, WORLD_CHECK_CLUSTER, "cluster.ibnet and cluster.inventory "
              "both give the nodes: use one");
  /* one file: its nodes are not known yet, so any job passes */
  assert_true (world_config_set_string (cfg, "cluster.inventory", "", NULL));
  job.nodes = 1000000;
  assert_true (world_config_add_job (cfg, &job, NULL));
  assert_true (world_config_check (cfg, WORLD_CHECK_CLUSTER, NULL));
  world_config_free (cfg);

  cfg = world_config_new ();
  assert_true (world_config_set_string (cfg, "failures.source", "none", NULL));
  WorldValue v = { .type = WORLD_VAL_NUMBER, .num = 3600 };
  assert_true (world_config_failure_set (cfg, "hbm3", "mtbf", &v, NULL));
  assert_true (world_config_check (cfg, WORLD_CHECK_CLUSTER, NULL));
  check_both (cfg, WORLD_CHECK_FAILURE_MODES, "failure mode 'hbm3' is not a "
              "default mode: set its class first");
  world_config_free (cfg);
}

/* A periodic timer whose callback says DONE is not scheduled again: the
 * kernel stops it, so the hook runs exactly as often as it asked. One that
 * says CONTINUE fires every period to the end of the run. */
typedef struct
{
  int calls[2];
} Ticks;

static WorldTimerResult
tick_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Ticks *t = user_data;
  t->calls[cb]++;
  return cb == 0 && t->calls[0] == 3 ? WORLD_TIMER_DONE : WORLD_TIMER_CONTINUE;
}

static void
test_every_done_stops_in_kernel (void **state)
{
  WorldConfig *cfg = base_cluster ();
  world_config_every (cfg, SIM_H (1), SIM_H (1), 0);
  world_config_every (cfg, SIM_H (1), SIM_H (1), 1);
  Ticks t = { { 0, 0 } };
  World *w = wt_run (cfg, 7, tick_cb, &t, NULL, NULL);
  assert_int_equal (t.calls[0], 3);
  assert_int_equal (t.calls[1], 10); /* 1 h, 2 h, ..., 10 h */
  world_free (w);
  world_config_free (cfg);
}

/* A scripted repair of a spine does not bring back its uplink to a leaf
 * that is still down (the port has no far end); its uplinks to live leaves
 * come back. Leaf 0 and the spine at the far end of leaf 0's first uplink
 * fail at 1 h, the spine is repaired at 2 h, the uplinks are read at 3 h. */
typedef struct
{
  char leaf[64], spine[64], dead_up[96], live_up[96];
  const char *dead_state, *live_state;
} SpineRepair;

static WorldTimerResult
spine_repair_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  SpineRepair *s = user_data;
  if (cb == 1)
    return world_fail (w, s->leaf, NULL, error) > 0 && world_fail (w, s->spine, NULL, error) > 0
             ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
  if (cb == 2)
    return world_repair (w, s->spine, error) > 0 ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
  return world_component_state (w, s->dead_up, &s->dead_state, error)
             && world_component_state (w, s->live_up, &s->live_state, error)
           ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
}

static void
test_spine_repair_keeps_dead_leaf_link_down (void **state)
{
  WorldConfig *cfg = small_cluster ();
  world_config_at (cfg, SIM_H (2), 2);
  world_config_at (cfg, SIM_H (3), 3);
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  const Topo *t = world_topo (w);
  SpineRepair s = { 0 };
  /* leaf 0's first uplink gives the spine; another leaf's uplink to the
   * same spine is the live one */
  uint32_t spine = G_MAXUINT32, dead = G_MAXUINT32, live = G_MAXUINT32;
  for (uint32_t i = 0; i < topo_count (t, TOPO_UPLINK); i++)
    {
      const TopoLink *l = topo_link (t, TOPO_UPLINK, i);
      if (spine == G_MAXUINT32 && l->a == 0)
        spine = l->b, dead = i;
      else if (spine != G_MAXUINT32 && l->b == spine && l->a != 0 && live == G_MAXUINT32)
        live = i;
    }
  assert_true (dead != G_MAXUINT32 && live != G_MAXUINT32);
  topo_name (t, TOPO_LEAF, 0, s.leaf, sizeof s.leaf);
  topo_name (t, TOPO_SPINE, spine, s.spine, sizeof s.spine);
  topo_name (t, TOPO_UPLINK, dead, s.dead_up, sizeof s.dead_up);
  topo_name (t, TOPO_UPLINK, live, s.live_up, sizeof s.live_up);
  WorldHooks hooks = { .timer = spine_repair_cb, .user_data = &s };
  world_set_hooks (w, &hooks);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  assert_non_null (s.dead_state);
  assert_string_equal (s.dead_state, "down");
  assert_string_equal (s.live_state, "active");
  world_free (w);
  world_config_free (cfg);
}

typedef struct
{
  uint32_t before[6], after[6];
  uint32_t n_before, n_after;
} SwapSeen;

static WorldTimerResult
swap_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  SwapSeen *s = user_data;
  const uint32_t *nodes;
  uint32_t n;
  assert_true (world_job_nodes (w, "a", &nodes, &n));
  assert_true (n <= 6);
  if (cb == 1)
    {
      memcpy (s->before, nodes, n * sizeof *nodes);
      s->n_before = n;
      return world_fail (w, "node0004/gpu0", "faulty_gpu", error) > 0
               ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
    }
  memcpy (s->after, nodes, n * sizeof *nodes);
  s->n_after = n;
  return WORLD_TIMER_CONTINUE;
}

/* The one-node swap in the world: 16 nodes in SUs of 4, topology
 * placement; job x takes nodes 0-2, job a (6 nodes) 4-9. A GPU fault on
 * node 4 interrupts a, which restarts on its 5 other nodes plus node 10,
 * in an SU it already uses (not node 3, the best fit elsewhere). A full
 * re-placement would have given it 5-6 and 8-11. */
static void
test_interrupted_job_swaps_one_node (void **state)
{
  WorldConfig *cfg = wt_small_cluster (16, 2, 2, 4, 8, 10);
  WorldValue v = { .type = WORLD_VAL_NUMBER, .num = 1e9 };
  assert_true (world_config_failure_set (cfg, "faulty_gpu", "repair_time", &v, NULL));
  wt_set_str (cfg, "policy.sched", "topology");
  add_job (cfg, "x", 3, 0);
  add_job (cfg, "a", 6, 0);
  world_config_at (cfg, SIM_H (1), 1);
  world_config_at (cfg, SIM_H (5), 2);
  SwapSeen seen = { 0 };
  World *w = wt_run (cfg, 7, swap_cb, &seen, NULL, NULL);
  static const uint32_t before[] = { 4, 5, 6, 7, 8, 9 };
  static const uint32_t after[] = { 5, 6, 7, 8, 9, 10 };
  assert_int_equal (seen.n_before, 6);
  assert_memory_equal (seen.before, before, sizeof before);
  assert_int_equal (seen.n_after, 6);
  assert_memory_equal (seen.after, after, sizeof after);
  assert_true (wt_job_row (world_metrics (w), "a")->interruptions >= 1);
  assert_int_equal (wt_job_row (world_metrics (w), "x")->interruptions, 0);
  world_free (w);
  world_config_free (cfg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_gpu_fault_interrupts_its_node_only),
    cmocka_unit_test (test_interrupted_job_swaps_one_node),
    cmocka_unit_test (test_leaf_takes_one_rail_of_one_su),
    cmocka_unit_test (test_spine_slows_cross_su_job),
    cmocka_unit_test (test_degraded_nodes),
    cmocka_unit_test (test_mode_keys_one_table),
    cmocka_unit_test (test_config_check),
    cmocka_unit_test (test_every_done_stops_in_kernel),
    cmocka_unit_test (test_spine_repair_keeps_dead_leaf_link_down),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
