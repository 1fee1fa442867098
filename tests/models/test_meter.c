/* tests/models/test_meter.c - a sample's node columns: the O(states)
 * counts (the policy's per-state counts and the world's count of faults
 * the policy has not noticed) equal one look at every node, at every
 * sample of a busy month, under each built-in policy that keeps counts
 * and under one that keeps none (the scan itself). */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "world-int.h"
#include "world_test.h"

typedef struct
{
  unsigned samples;
  unsigned with_unnoticed; /* samples with a fault the policy missed */
  unsigned with_states;    /* samples with nodes out of HEALTHY */
} Check;

static void
on_progress (World *w, SimTime now, SimTime end, void *user_data)
{
  Check *c = user_data;
  uint32_t fast[METRICS_NODE_STATES], scan[METRICS_NODE_STATES];
  (void) now;
  (void) end;
  meter_node_counts (w, fast);
  meter_node_counts_scan (w, scan);
  for (int k = 0; k < METRICS_NODE_STATES; k++)
    if (fast[k] != scan[k])
      fail_msg ("sample %u, column %s: counted %u, scan %u", c->samples,
                metrics_node_state_names[k], fast[k], scan[k]);
  /* and the sample just taken is those counts */
  GArray *ts = world_metrics (w)->timeseries;
  const MetricsSample *s = &g_array_index (ts, MetricsSample, ts->len - 1);
  assert_memory_equal (s->nodes, scan, sizeof scan);
  uint32_t total = 0;
  for (int k = 0; k < METRICS_NODE_STATES; k++)
    total += scan[k];
  assert_int_equal (total, 64);
  c->samples++;
  c->with_unnoticed += scan[METRICS_NODE_STATES - 1] > 0;
  c->with_states += scan[WORLD_NODE_HEALTHY] + scan[METRICS_NODE_STATES - 1] < 64;
}

static void
check_policy (const char *policy, bool counts)
{
  /* 64 nodes of 8 GPUs, failures 300 times the catalogue's rates, two
   * jobs, 30 days sampled every 10 minutes */
  WorldConfig *cfg = wt_small_cluster (64, 8, 2, 16, 32, 30 * 24);
  wt_set_num (cfg, "failures.scale", 300);
  wt_set_num (cfg, "failures.lemon_fraction", 0.05);
  wt_set_num (cfg, "run.sample_every", 600);
  wt_set_str (cfg, "policy.health", policy);
  for (int i = 0; i < 2; i++)
    {
      WorldJobSpec j = { .name = i == 0 ? "a" : "b", .nodes = 24, .submit_s = 0,
                         .checkpoint_every_s = 3600, .checkpoint_cost_s = 0,
                         .restart_s = 60, .comm_share = 0.2 };
      assert_true (world_config_add_job (cfg, &j, NULL));
    }
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  Check c = { 0 };
  world_set_progress (w, on_progress, &c);
  uint32_t probe[WORLD_NODE_N_STATES];
  assert_int_equal (care_node_state_counts (w, probe), counts);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  print_message ("%s: %u samples, %u with unnoticed faults, %u with nodes out of healthy\n",
                 policy, c.samples, c.with_unnoticed, c.with_states);
  /* the month did what the test claims to check */
  assert_true (c.samples >= 30 * 24 * 6);
  assert_true (c.with_unnoticed > 20 && c.with_states > 500);
  world_free (w);
  world_config_free (cfg);
}

static void
test_counts_reactive (void **state)
{
  (void) state;
  check_policy ("reactive", true);
}

static void
test_counts_standard (void **state)
{
  (void) state;
  check_policy ("standard", true);
}

static void
test_counts_proactive (void **state)
{
  (void) state;
  check_policy ("proactive", true);
}

static void
test_counts_scan_only (void **state)
{
  (void) state;
  check_policy ("slurm-nhc", false);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_counts_reactive),
    cmocka_unit_test (test_counts_standard),
    cmocka_unit_test (test_counts_proactive),
    cmocka_unit_test (test_counts_scan_only),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
