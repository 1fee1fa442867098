/* tests/models/test_queueing.c - the scheduler in the simulator against
 * queueing theory (docs/validation.md §5).
 *
 * No failures; research jobs arrive as a Poisson stream and run for an
 * exponential time on a cluster of c nodes under the FIFO scheduler:
 *  1. one-node jobs on c = 8 nodes are an M/M/8 queue: the probability of
 *     waiting is Erlang's C formula and the mean wait C / (c mu - lambda);
 *  2. one-node jobs on one node are an M/M/1 queue: W_q = rho / (mu - lambda);
 *  3. gang jobs that need all 8 nodes at once are an M/M/1 queue too: the
 *     gang allocation must neither start a job early nor leave the cluster
 *     idle while one waits.
 * Expected values are computed here from the formulas; tolerances are
 * t(0.9995, n-1) times the standard error over independent replicas (the
 * waits within one run are correlated, so the replica means are the
 * samples), plus an allowance for the empty start of each run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <string.h>

#include "world.h"
#include "world_test.h"

#define REPLICAS 8
#define T999_7 5.408 /* t(0.9995, 7), NIST/SEMATECH e-Handbook 1.3.6.7.2 */

/* Erlang's C formula: the probability that an arrival waits in an M/M/c
 * queue with offered load a = lambda / mu (a < c), by the stable
 * recurrence on Erlang's B formula. */
static double
erlang_c (int c, double a)
{
  double b = 1.0;
  for (int k = 1; k <= c; k++)
    b = a * b / (k + a * b);
  double rho = a / c;
  return b / (1.0 - rho * (1.0 - b));
}

typedef struct
{
  double mean_wait_h; /* over jobs submitted after the warm-up */
  double p_wait;      /* share of them that waited at all */
  double jobs;
} Replica;

/* c nodes; jobs of `size` nodes arrive at lambda per hour and run an
 * exponential time of mean 1/mu hours; FIFO; length L hours; jobs
 * submitted before warm_h or after L - tail_h are not counted. */
static Replica
run_queue (uint32_t c, uint32_t size, double lambda, double mu, double L,
           double warm_h, uint64_t seed)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", c);
  wt_set_num (cfg, "cluster.gpus_per_node", 1);
  wt_set_num (cfg, "cluster.rails", 1);
  wt_set_num (cfg, "cluster.su_size", c);
  wt_set_num (cfg, "cluster.radix", 2 * c < 4 ? 4 : 2 * c);
  wt_set_num (cfg, "cluster.spares", 0);
  wt_set_str (cfg, "failures.source", "none");
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_str (cfg, "policy.sched", "fifo");
  wt_set_num (cfg, "workload.research_rate", lambda);
  g_autofree char *sizes = g_strdup_printf ("%u", size);
  wt_set_str (cfg, "workload.research_sizes", sizes);
  wt_set_num (cfg, "workload.research_max_nodes", size);
  wt_set_str (cfg, "workload.research_duration", "exponential");
  wt_set_num (cfg, "workload.research_mean", 3600.0 / mu);
  wt_set_num (cfg, "run.length", L * 3600);
  wt_set_num (cfg, "run.sample_every", L * 3600);

  GError *e = NULL;
  World *w = world_new (cfg, seed, &e);
  if (w == NULL)
    fail_msg ("world_new: %s", e->message);
  if (!world_run (w, &e))
    fail_msg ("world_run: %s", e->message);
  const Metrics *m = world_metrics (w);
  double sum = 0, waited = 0, n = 0;
  /* A job submitted near the end may not have started: only count jobs
   * submitted at least 50 mean waits plus services before the end. */
  double tail_h = 50.0 / mu;
  for (guint i = 0; i < m->job_rows->len; i++)
    {
      const MetricsJob *j = &g_array_index (m->job_rows, MetricsJob, i);
      if (j->submit_h < warm_h || j->submit_h > L - tail_h)
        continue;
      assert_false (isnan (j->first_start_h));
      assert_int_equal (j->nodes, size);
      double wq = j->first_start_h - j->submit_h;
      sum += wq;
      waited += wq > 1e-9;
      n++;
    }
  world_free (w);
  world_config_free (cfg);
  assert_true (n > 0);
  return (Replica) { sum / n, waited / n, n };
}

typedef struct
{
  double mean, se;
} Est;

static Est
est_of (const double *x)
{
  double m = 0, ss = 0;
  for (int i = 0; i < REPLICAS; i++)
    m += x[i];
  m /= REPLICAS;
  for (int i = 0; i < REPLICAS; i++)
    ss += (x[i] - m) * (x[i] - m);
  return (Est) { m, sqrt (ss / (REPLICAS - 1) / REPLICAS) };
}

/* Runs REPLICAS replicas and checks the mean wait (and, for c > 1, the
 * probability of waiting) against the theory. */
static void
check_queue (const char *what, uint32_t c, uint32_t size, double lambda,
             double mu, double want_wq, double want_pw, uint64_t base)
{
  /* About 20,000 jobs per replica; the first 2% of the run is warm-up
   * (the queue starts empty: the relaxation time here is a few hours). */
  double L = 20000.0 / lambda;
  double warm = 0.02 * L;
  double wq[REPLICAS], pw[REPLICAS], jobs = 0;
  for (int r = 0; r < REPLICAS; r++)
    {
      Replica x = run_queue (c, size, lambda, mu, L, warm, base + (uint64_t) r);
      wq[r] = x.mean_wait_h;
      pw[r] = x.p_wait;
      jobs += x.jobs;
    }
  Est a = est_of (wq), b = est_of (pw);
  /* Allowance for what the warm-up leaves of the empty start: 1% of the
   * expected wait. */
  double tol_wq = T999_7 * a.se + 0.01 * want_wq;
  double tol_pw = T999_7 * b.se + 0.01 * want_pw;
  print_message ("# %s: W_q theory %.4f h, simulated %.4f +- %.4f (t = %+.2f); "
                 "P(wait) theory %.4f, simulated %.4f +- %.4f; %.0f jobs/replica\n",
                 what, want_wq, a.mean, tol_wq, (a.mean - want_wq) / a.se,
                 want_pw, b.mean, tol_pw, jobs / REPLICAS);
  assert_true (fabs (a.mean - want_wq) <= tol_wq);
  assert_true (fabs (b.mean - want_pw) <= tol_pw);
}

/* 1. M/M/8 at rho = 0.8: lambda = 6.4/h, mu = 1/h. */
static void
test_mmc (void **state)
{
  (void) state;
  const int c = 8;
  double lambda = 6.4, mu = 1.0, a = lambda / mu;
  double C = erlang_c (c, a);
  check_queue ("M/M/8, rho 0.8", c, 1, lambda, mu, C / (c * mu - lambda), C,
               100);
}

/* 2. M/M/1 at rho = 0.6: P(wait) = rho, W_q = rho / (mu - lambda). */
static void
test_mm1 (void **state)
{
  (void) state;
  double lambda = 0.6, mu = 1.0, rho = lambda / mu;
  check_queue ("M/M/1, rho 0.6", 1, 1, lambda, mu, rho / (mu - lambda), rho,
               200);
}

/* 3. Gang jobs of all 8 nodes: the cluster serves one at a time, an
 * M/M/1 queue at rho = 0.6. */
static void
test_gang_mm1 (void **state)
{
  (void) state;
  double lambda = 0.6, mu = 1.0, rho = lambda / mu;
  check_queue ("8-node gangs on 8 nodes (M/M/1), rho 0.6", 8, 8, lambda, mu,
               rho / (mu - lambda), rho, 300);
}

/* Erlang C itself: c = 1 is rho; a textbook value (c = 2, a = 1: 1/3). */
static void
test_erlang_c (void **state)
{
  (void) state;
  assert_true (fabs (erlang_c (1, 0.6) - 0.6) < 1e-12);
  assert_true (fabs (erlang_c (2, 1.0) - 1.0 / 3.0) < 1e-12);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_erlang_c),
    cmocka_unit_test (test_mmc),
    cmocka_unit_test (test_mm1),
    cmocka_unit_test (test_gang_mm1),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
