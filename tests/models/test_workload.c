/* tests/models/test_workload.c - the synthetic workload (models/workload.h).
 *
 * Asserts: same (spec, seed) -> same jobs, another seed -> other jobs;
 * submit order; big jobs carried verbatim; the research stream's arrival
 * count is Poisson (mean rate x window, within 4 standard deviations), its
 * size mix follows the weights (binomial, 4 sd) and its durations follow
 * the Dist's CDF; the default table reproduces the field facts it was
 * derived from (field-data.md §2.1); draws of one purpose do not move
 * another's; bad specs are refused with a message naming the field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "workload.h"

static GArray *
drain (const WorkloadSpec *spec, uint64_t seed)
{
  Workload *w = workload_new (spec, seed, NULL);
  assert_non_null (w);
  GArray *a = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  WorkloadJob j;
  while (workload_next (w, &j))
    g_array_append_val (a, j);
  workload_free (w);
  return a;
}

static void
test_determinism_and_order (void **state)
{
  WorkloadBigJob big[2] = {
    { "pretrain", 2048, 1296, 3600, 900, 30, 300, 0.2, 10, false },
    { "early", 64, 10, 0, 0, 0, 600, 0.1, 5, true },
  };
  WorkloadSpec spec;
  workload_spec_init (&spec);
  spec.big = big;
  spec.n_big = 2;
  spec.research.horizon_s = 20 * 3600;
  spec.research.max_nodes = 512;
  GArray *a = drain (&spec, 7), *b = drain (&spec, 7), *c = drain (&spec, 8);
  assert_true (a->len > 1000);
  assert_int_equal (a->len, b->len);
  assert_memory_equal (a->data, b->data, a->len * sizeof (WorkloadJob));
  assert_true (a->len != c->len
               || memcmp (a->data, c->data, a->len * sizeof (WorkloadJob)));

  GHashTable *ids = g_hash_table_new (NULL, NULL);
  int seen_big = 0;
  for (guint i = 0; i < a->len; i++)
    {
      const WorkloadJob *j = &g_array_index (a, WorkloadJob, i);
      if (i > 0)
        assert_true (g_array_index (a, WorkloadJob, i - 1).submit_s
                     <= j->submit_s);
      assert_false (g_hash_table_contains (ids, GUINT_TO_POINTER (j->id)));
      g_hash_table_add (ids, GUINT_TO_POINTER (j->id));
      assert_true (j->work_h > 0);
      if (strcmp (j->name, "pretrain") == 0)
        {
          seen_big++;
          assert_int_equal (j->nodes, 2048); /* big jobs are not capped */
          assert_true (j->work_h == 1296 && j->submit_s == 3600);
          assert_true (j->checkpoint_every_s == 900);
          assert_true (j->checkpoint_cost_s == 30);
          assert_true (j->restart_s == 300 && j->comm_share == 0.2);
          assert_int_equal (j->priority, 10);
        }
      else if (strcmp (j->name, "early") == 0)
        {
          seen_big++;
          assert_int_equal (i, 0); /* submit 0: ties put big jobs first */
          assert_true (j->preemptible);
        }
      else
        {
          assert_true (j->submit_s > 0 && j->submit_s < 20 * 3600);
          assert_true (j->nodes >= 1 && j->nodes <= 512); /* capped */
        }
    }
  assert_int_equal (seen_big, 2);
  g_hash_table_destroy (ids);
  g_array_unref (a);
  g_array_unref (b);
  g_array_unref (c);
}

/* Arrivals, sizes and durations against their laws, on one long window. */
static void
test_research_statistics (void **state)
{
  uint32_t sizes[] = { 1, 4, 16 };
  double weights[] = { 6, 3, 1 };
  WorkloadSpec spec;
  workload_spec_init (&spec);
  const double rate = 50, hours = 400;
  spec.research.rate_per_h = rate;
  spec.research.horizon_s = hours * 3600;
  spec.research.n_sizes = 3;
  spec.research.size_nodes = sizes;
  spec.research.size_weight = weights;
  spec.research.duration_h = dist_exponential (2.0);
  GArray *a = drain (&spec, 2024);
  double mean_n = rate * hours; /* Poisson: variance = mean */
  assert_true (fabs (a->len - mean_n) < 4 * sqrt (mean_n));
  uint32_t count[3] = { 0 };
  uint32_t below = 0;
  for (guint i = 0; i < a->len; i++)
    {
      const WorkloadJob *j = &g_array_index (a, WorkloadJob, i);
      for (int k = 0; k < 3; k++)
        count[k] += j->nodes == sizes[k];
      below += j->work_h <= 2.0;
      assert_true (j->est_runtime_s == j->work_h * 3600); /* factor 1 */
    }
  double n = a->len;
  for (int k = 0; k < 3; k++)
    {
      double p = weights[k] / 10;
      assert_true (fabs (count[k] - n * p) < 4 * sqrt (n * p * (1 - p)));
    }
  double p = dist_cdf (&spec.research.duration_h, 2.0);
  assert_true (fabs (below - n * p) < 4 * sqrt (n * p * (1 - p)));

  /* Changing the size table leaves arrival times and durations alone. */
  double w2[] = { 1, 1, 1 };
  spec.research.size_weight = w2;
  GArray *b = drain (&spec, 2024);
  assert_int_equal (a->len, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      assert_true (g_array_index (a, WorkloadJob, i).submit_s
                   == g_array_index (b, WorkloadJob, i).submit_s);
      assert_true (g_array_index (a, WorkloadJob, i).work_h
                   == g_array_index (b, WorkloadJob, i).work_h);
    }
  g_array_unref (a);
  g_array_unref (b);
}

/* The default table against the RSC-1 facts it was derived from. */
static void
test_default_table (void **state)
{
  const uint32_t *nodes;
  const double *weight;
  size_t n;
  workload_default_sizes (&nodes, &weight, &n);
  double tot = 0, small = 0, time = 0, big_time = 0;
  for (size_t i = 0; i < n; i++)
    {
      tot += weight[i];
      small += nodes[i] * 8 <= 8 ? weight[i] : 0;
      time += weight[i] * nodes[i];
      big_time += nodes[i] * 8 >= 256 ? weight[i] * nodes[i] : 0;
    }
  assert_true (small / tot >= 0.90);                 /* >90% of jobs */
  assert_true (fabs (big_time / time - 0.66) < 0.01); /* 66% of GPU time */

  /* The default stream on an RSC-1-sized cluster (2,000 nodes) offers
   * about 83% of it: rate x E[nodes] x E[duration] / nodes. */
  WorkloadSpec spec;
  workload_spec_init (&spec);
  double load = spec.research.rate_per_h * (time / tot)
                * dist_mean (&spec.research.duration_h) / 2000;
  assert_true (fabs (load - 0.83) < 0.01);
}

static void
test_errors (void **state)
{
  WorkloadSpec spec;
  workload_spec_init (&spec);
  WorkloadBigJob big = { "pretrain", 0, 10, 0, 0, 0, 0, 0, 0, false };
  spec.big = &big;
  spec.n_big = 1;
  GError *err = NULL;
  assert_null (workload_new (&spec, 1, &err));
  assert_non_null (strstr (err->message, "'pretrain'"));
  assert_non_null (strstr (err->message, "nodes"));
  g_clear_error (&err);
  big.nodes = 8;
  big.comm_share = 1.5;
  assert_null (workload_new (&spec, 1, &err));
  assert_non_null (strstr (err->message, "comm_share"));
  g_clear_error (&err);
  big.comm_share = 0.5;

  uint32_t sizes[] = { 1, 0 };
  double weights[] = { 1, 1 };
  spec.research.size_nodes = sizes;
  spec.research.size_weight = weights;
  spec.research.n_sizes = 2;
  assert_null (workload_new (&spec, 1, &err));
  assert_non_null (strstr (err->message, "entry 2"));
  g_clear_error (&err);
  spec.research.n_sizes = 1;
  spec.research.rate_per_h = -1;
  assert_null (workload_new (&spec, 1, &err));
  assert_non_null (strstr (err->message, "rate_per_h"));
  g_clear_error (&err);

  /* No stream: just the big job. */
  spec.research.rate_per_h = 0;
  GArray *a = drain (&spec, 1);
  assert_int_equal (a->len, 1);
  g_array_unref (a);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_determinism_and_order),
    cmocka_unit_test (test_research_statistics),
    cmocka_unit_test (test_default_table),
    cmocka_unit_test (test_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
