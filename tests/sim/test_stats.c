/* tests/sim/test_stats.c - running statistics against direct computation.
 *
 * Welford against two-pass sums; the quantile sketch against the sorted
 * data (rank error within rel_err); the time average against a brute-force
 * area; the t quantile against numerical integration of the t density; the
 * 95% CI against its own promise (coverage over 2000 replicas). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <stdlib.h>

#include "dist.h"
#include "stats.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
test_online (void **state)
{
  enum { n = 10001 };
  double *x = g_new (double, n), sum = 0, ss = 0;
  Dist d = dist_lognormal (3.0, 1.0);
  RngStream s;
  StatsOnline all, a, b;

  rng_stream_init (&s, 3, "stats", "online");
  stats_online_init (&all);
  stats_online_init (&a);
  stats_online_init (&b);
  assert_true (isnan (stats_online_mean (&all)));
  assert_true (isnan (stats_online_variance (&all)));
  for (int i = 0; i < n; i++)
    {
      x[i] = 1e6 + dist_sample (&d, &s); /* offset: Welford's strength */
      sum += x[i];
      stats_online_add (&all, x[i]);
      stats_online_add (i < 3000 ? &a : &b, x[i]);
    }
  double mean = sum / n, lo = x[0], hi = x[0];
  for (int i = 0; i < n; i++)
    {
      ss += (x[i] - mean) * (x[i] - mean);
      lo = fmin (lo, x[i]);
      hi = fmax (hi, x[i]);
    }
  double var = ss / (n - 1);
  assert_true (fabs (stats_online_mean (&all) - mean) < 1e-12 * mean);
  assert_true (fabs (stats_online_variance (&all) - var) < 1e-9 * var);
  assert_true (fabs (stats_online_sd (&all) - sqrt (var)) < 1e-9 * sqrt (var));
  assert_true (all.min == lo && all.max == hi);
  /* Merging the two parts gives the whole. */
  stats_online_merge (&a, &b);
  assert_int_equal (a.n, n);
  assert_true (fabs (stats_online_mean (&a) - mean) < 1e-12 * mean);
  assert_true (fabs (stats_online_variance (&a) - var) < 1e-9 * var);
  assert_true (a.min == lo && a.max == hi);
  /* Merging into or from an empty accumulator. */
  StatsOnline e;
  stats_online_init (&e);
  stats_online_merge (&e, &all);
  assert_true (e.n == all.n && e.mean == all.mean);
  stats_online_init (&e);
  stats_online_merge (&all, &e);
  assert_int_equal (all.n, n);
  g_free (x);
}

/* Adds x[0..n) to a sketch and checks every reported quantile against the
 * sorted data: within rel_err of the value of rank floor(p (n-1)). */
static void
check_sketch (double *x, size_t n, double rel_err)
{
  StatsQuantile *q = stats_quantile_new (rel_err);
  assert_true (isnan (stats_quantile_get (q, 0.5)));
  for (size_t i = 0; i < n; i++)
    stats_quantile_add (q, x[i]);
  assert_int_equal (stats_quantile_count (q), n);
  qsort (x, n, sizeof *x, cmp_double);
  for (int k = 0; k <= 1000; k++)
    {
      double p = k / 1000.0;
      double truth = x[(size_t) floor (p * (double) (n - 1))];
      double est = stats_quantile_get (q, p);
      if (truth <= 1e-9)
        assert_true (est == 0.0);
      else
        {
          if (fabs (est - truth) > rel_err * truth * (1 + 1e-12))
            print_message ("# p %g: est %.17g truth %.17g\n", p, est, truth);
          assert_true (fabs (est - truth) <= rel_err * truth * (1 + 1e-12));
        }
    }
  stats_quantile_free (q);
}

static void
test_quantile (void **state)
{
  enum { n = 50000 };
  double *x = g_new (double, n);
  RngStream s;
  Dist d = dist_lognormal (0.0, 1.5);

  rng_stream_init (&s, 4, "stats", "quantile");
  for (int i = 0; i < n; i++)
    x[i] = dist_sample (&d, &s);
  check_sketch (x, n, 0.01);

  /* Twelve decades, arriving large values first so the bucket array grows
   * downwards too; a tenth of the values are exact zeros. */
  for (int i = 0; i < n; i++)
    x[i] = i % 10 == 0 ? 0.0 : pow (10.0, 6.0 - 12.0 * rng_uniform (&s));
  check_sketch (x, n, 0.005);
  for (int i = 0; i < n; i++)
    x[i] = (double) (n - i);
  check_sketch (x, n, 0.02);
  /* A single value. */
  x[0] = 42.0;
  check_sketch (x, 1, 0.01);
  stats_quantile_free (NULL);
  g_free (x);
}

/* A random step signal: the time average equals the area computed
 * segment by segment, divided by the span. */
static void
test_timeavg (void **state)
{
  StatsTimeAvg ta;
  RngStream s;
  double t = 5.0, v = 0.0, area = 0.0;

  stats_timeavg_init (&ta);
  assert_true (isnan (stats_timeavg_get (&ta, 10.0)));
  rng_stream_init (&s, 6, "stats", "timeavg");
  stats_timeavg_set (&ta, t, v);
  assert_true (isnan (stats_timeavg_get (&ta, t))); /* empty span */
  for (int i = 0; i < 1000; i++)
    {
      double dt = rng_uniform (&s) < 0.1 ? 0.0 : 3.0 * rng_uniform (&s);
      area += v * dt;
      t += dt;
      v = floor (100.0 * rng_uniform (&s));
      stats_timeavg_set (&ta, t, v);
    }
  double t_end = t + 2.0;
  area += v * 2.0;
  double want = area / (t_end - 5.0);
  assert_true (fabs (stats_timeavg_get (&ta, t_end) - want) < 1e-12 * want);
}

/* Student t density and its CDF by composite Simpson from 0 to t. */
static double
t_pdf (double x, double v)
{
  return exp (lgamma ((v + 1) / 2) - lgamma (v / 2) - 0.5 * log (v * G_PI)
              - (v + 1) / 2 * log1p (x * x / v));
}

static double
t_cdf (double t, double v)
{
  enum { m = 20000 };
  double h = t / m, s = t_pdf (0, v) + t_pdf (t, v);
  for (int i = 1; i < m; i++)
    s += (i % 2 ? 4 : 2) * t_pdf (i * h, v);
  return 0.5 + s * h / 3;
}

/* stats_t95 (df) is the 0.975 quantile: its quantile error, estimated as
 * (F(t) - 0.975) / f(t), is below 1e-4 (the brief asks 1e-3). */
static void
test_t95 (void **state)
{
  const uint64_t dfs[] = { 1, 2, 3, 4, 5, 7, 10, 15, 20, 29, 30, 31, 32, 40,
                           50, 60, 100, 120, 200, 1000, 100000 };
  double prev = INFINITY;
  for (size_t i = 0; i < G_N_ELEMENTS (dfs); i++)
    {
      double v = (double) dfs[i], t = stats_t95 (dfs[i]);
      double err = (t_cdf (t, v) - 0.975) / t_pdf (t, v);
      if (fabs (err) >= 1e-4)
        print_message ("# df %g: t %.6f quantile error %.2e\n", v, t, err);
      assert_true (fabs (err) < 1e-4);
      assert_true (t < prev); /* decreasing in df */
      prev = t;
    }
  assert_true (fabs (stats_t95 (UINT64_C (1) << 40) - 1.959963985) < 1e-6);
  assert_true (isnan (stats_ci95_halfwidth (1.0, 1)));
  assert_true (fabs (stats_ci95_halfwidth (2.0, 4) - stats_t95 (3)) < 1e-15);
}

/* Coverage: 2000 replicas of 10 normal samples (the log of a lognormal
 * draw is normal(mu, sigma)); the 95% t interval holds mu in 95% of them.
 * Binomial sd = sqrt(0.95 * 0.05 / 2000) = 0.49%: accept 93.5-96.5%
 * (about 3 sd). */
static void
test_ci_coverage (void **state)
{
  const double mu = 2.0, sigma = 3.0;
  Dist d = dist_lognormal (mu, sigma);
  RngStream s;
  int hits = 0;

  rng_stream_init (&s, 8, "stats", "coverage");
  for (int r = 0; r < 2000; r++)
    {
      StatsOnline o;
      stats_online_init (&o);
      for (int i = 0; i < 10; i++)
        stats_online_add (&o, log (dist_sample (&d, &s)));
      double h = stats_ci95_halfwidth (stats_online_sd (&o), o.n);
      hits += fabs (stats_online_mean (&o) - mu) <= h;
    }
  print_message ("# coverage %.2f%%\n", hits / 20.0);
  assert_true (hits >= 1870 && hits <= 1930);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_online),
    cmocka_unit_test (test_quantile),
    cmocka_unit_test (test_timeavg),
    cmocka_unit_test (test_t95),
    cmocka_unit_test (test_ci_coverage),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
