/* tests/sim/test_dist.c - the samplers agree with their own closed forms.
 *
 * For every kind, n = 200000 draws from a fixed seed:
 *  - sample mean within 5 standard errors (sigma/sqrt(n)) of dist_mean;
 *  - sample variance within 5 standard errors of dist_variance, the SE of
 *    s^2 being sqrt((mu4 - sigma^4)/n) with mu4 estimated from the sample;
 *  - Kolmogorov-Smirnov distance to dist_cdf below 1.63/sqrt(n), the
 *    alpha = 0.01 critical value.
 * And: quantile/CDF round trips, scaling, copies, validation, names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"

#define N 200000

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Draws N samples of d and checks moments and the KS distance. */
static void
check_against_theory (const Dist *d, const char *key)
{
  char desc[128];
  RngStream s;
  double *x = g_new (double, N);
  double sum = 0;

  rng_stream_init (&s, 2024, key, "dist-test");
  for (int i = 0; i < N; i++)
    {
      x[i] = dist_sample (d, &s);
      assert_true (isfinite (x[i]));
      sum += x[i];
    }
  double mean = sum / N, m2 = 0, m4 = 0;
  for (int i = 0; i < N; i++)
    {
      double e = x[i] - mean;
      m2 += e * e;
      m4 += e * e * e * e;
    }
  m2 /= N;
  m4 /= N;
  double var = m2 * N / (N - 1.0);
  double mu = dist_mean (d), sigma2 = dist_variance (d);
  double se_mean = sqrt (sigma2 / N);
  double se_var = sqrt ((m4 - m2 * m2) / N);

  dist_describe (d, desc, sizeof desc);
  print_message ("# %s: mean %.6g (theory %.6g, %.2f SE), var %.6g "
                 "(theory %.6g, %.2f SE)\n", desc, mean, mu,
                 (mean - mu) / se_mean, var, sigma2, (var - sigma2) / se_var);
  assert_true (fabs (mean - mu) < 5 * se_mean);
  assert_true (fabs (var - sigma2) < 5 * se_var);

  qsort (x, N, sizeof *x, cmp_double);
  double D = 0;
  for (int i = 0; i < N; i++)
    {
      double F = dist_cdf (d, x[i]);
      D = fmax (D, fmax (F - (double) i / N, (double) (i + 1) / N - F));
    }
  print_message ("# %s: KS D = %.5f (critical %.5f)\n", desc, D,
                 1.63 / sqrt ((double) N));
  assert_true (D < 1.63 / sqrt ((double) N));
  g_free (x);
}

static void
test_exponential (void **state)
{
  Dist d = dist_exponential (3.0);
  check_against_theory (&d, "exponential");
}

static void
test_weibull (void **state)
{
  Dist d = dist_weibull (1.5, 2.0);
  check_against_theory (&d, "weibull-1.5");
  /* Infant mortality (k < 1): tgamma in the mean matters here. */
  d = dist_weibull (0.7, 100.0);
  check_against_theory (&d, "weibull-0.7");
}

static void
test_lognormal (void **state)
{
  Dist d = dist_lognormal (1.0, 0.5);
  check_against_theory (&d, "lognormal");
  /* The mean/sd constructor gives back the mean and sd asked for. */
  d = dist_lognormal_mean_sd (2.0, 1.0);
  assert_true (fabs (dist_mean (&d) - 2.0) < 1e-12);
  assert_true (fabs (sqrt (dist_variance (&d)) - 1.0) < 1e-12);
  check_against_theory (&d, "lognormal-mean-sd");
}

static void
test_uniform (void **state)
{
  Dist d = dist_uniform (2.0, 5.0);
  check_against_theory (&d, "uniform");
}

static void
test_empirical (void **state)
{
  const double x[] = { 0.0, 1.0, 3.0, 10.0 };
  const double F[] = { 0.0, 0.5, 0.8, 1.0 };
  Dist d;
  const char *why = NULL;
  assert_true (dist_empirical (&d, x, F, 4, &why));
  check_against_theory (&d, "empirical");
  /* The table was copied: dist_clear frees it, the caller's stays. */
  dist_clear (&d);
  assert_null (d.x);
}

static void
test_constant (void **state)
{
  Dist d = dist_constant (4.5);
  RngStream s, t;
  rng_stream_init (&s, 1, "c", "c");
  t = s;
  for (int i = 0; i < 100; i++)
    assert_true (dist_sample (&d, &s) == 4.5);
  assert_true (dist_mean (&d) == 4.5 && dist_variance (&d) == 0.0);
  assert_true (dist_cdf (&d, 4.4) == 0.0 && dist_cdf (&d, 4.5) == 1.0);
  /* One draw per sample whatever the kind. */
  for (int i = 0; i < 100; i++)
    rng_next_u64 (&t);
  assert_int_equal (rng_next_u64 (&s), rng_next_u64 (&t));
}

/* F(Q(p)) = p for the continuous kinds: checks the normal quantile (AS 241)
 * against libm's erfc to 1e-12 relative, and the other inversions. */
static void
test_quantile_roundtrip (void **state)
{
  const double ex[] = { 1.0, 2.0, 2.0, 7.0 };
  const double eF[] = { 0.0, 0.25, 0.6, 1.0 }; /* a jump at 2 */
  Dist ds[6];
  ds[0] = dist_exponential (0.5);
  ds[1] = dist_weibull (0.8, 10.0);
  ds[2] = dist_lognormal (-1.0, 2.0);
  ds[3] = dist_lognormal (3.0, 0.1);
  ds[4] = dist_uniform (-1.0, 1.0);
  assert_true (dist_empirical (&ds[5], ex, eF, 4, NULL));
  const double ps[] = { 1e-300, 1e-12, 1e-5, 0.01, 0.02425, 0.1, 0.3, 0.5,
                        0.7, 0.9, 0.97575, 0.99, 1 - 1e-9 };
  for (size_t k = 0; k < G_N_ELEMENTS (ds); k++)
    for (size_t i = 0; i < G_N_ELEMENTS (ps); i++)
      {
        double p = ps[i];
        double q = dist_quantile (&ds[k], p);
        double F = dist_cdf (&ds[k], q);
        if (k == 5 && p > 0.25 && p <= 0.6)
          {
            /* Inside the jump the quantile is the jump's x. */
            assert_true (q == 2.0);
            continue;
          }
        /* Relative 1e-12 (AS 241 is good to 1e-16 in z; the tails amplify
         * that by |z|^2 < 1500), absolute 1e-15 for rounding near p = 0. */
        if (fabs (F - p) > 1e-12 * p + 1e-15)
          print_message ("# kind %zu p %g: F(Q(p)) = %.17g\n", k, p, F);
        assert_true (fabs (F - p) <= 1e-12 * p + 1e-15);
      }
  dist_clear (&ds[5]);
  /* The median of a lognormal is exp(mu) exactly. */
  Dist l = dist_lognormal (1.0, 0.7);
  assert_true (fabs (dist_quantile (&l, 0.5) - exp (1.0)) < 1e-15 * exp (1.0));
}

static void
test_reproducible_draws (void **state)
{
  Dist d = dist_weibull (1.2, 50.0);
  RngStream a, b;
  rng_stream_init (&a, 9, "node0001", "ttf");
  rng_stream_init (&b, 9, "node0001", "ttf");
  for (int i = 0; i < 1000; i++)
    assert_true (dist_sample (&d, &a) == dist_sample (&d, &b));
}

/* dist_scale multiplies the time scale: mean by f, variance by f^2, and
 * F_scaled(f x) = F(x). */
static void
test_scale (void **state)
{
  const double x[] = { 0.0, 2.0, 5.0 };
  const double F[] = { 0.0, 0.4, 1.0 };
  Dist ds[6];
  ds[0] = dist_constant (2.0);
  ds[1] = dist_exponential (2.0);
  ds[2] = dist_weibull (2.0, 3.0);
  ds[3] = dist_lognormal (0.5, 0.8);
  ds[4] = dist_uniform (1.0, 4.0);
  assert_true (dist_empirical (&ds[5], x, F, 3, NULL));
  for (size_t k = 0; k < G_N_ELEMENTS (ds); k++)
    {
      Dist c = dist_copy (&ds[k]);
      double m = dist_mean (&c), v = dist_variance (&c);
      double F1 = dist_cdf (&c, 1.7);
      dist_scale (&c, 2.5);
      assert_true (fabs (dist_mean (&c) - 2.5 * m) <= 1e-12 * fabs (m) * 2.5);
      assert_true (fabs (dist_variance (&c) - 6.25 * v) <= 1e-12 * v * 6.25);
      assert_true (fabs (dist_cdf (&c, 1.7 * 2.5) - F1) < 1e-12);
      /* The original is untouched (deep copy for the empirical table). */
      assert_true (dist_mean (&ds[k]) == m);
      dist_clear (&c);
      dist_clear (&ds[k]);
    }
}

static void
test_validation (void **state)
{
  const char *why = NULL;
  Dist d;
  const double x[] = { 0.0, 2.0, 1.0 };
  const double F[] = { 0.0, 0.5, 1.0 };
  const double Fbad[] = { 0.0, 0.6, 0.5 };
  const double xok[] = { 0.0, 1.0, 2.0 };
  const double Fnot1[] = { 0.0, 0.5, 0.9 };

  assert_false (dist_empirical (&d, x, F, 3, &why));
  assert_non_null (why);
  assert_true (strstr (why, "x values") != NULL);
  assert_true (d.kind == DIST_CONSTANT && d.x == NULL);
  why = NULL;
  assert_false (dist_empirical (&d, xok, Fbad, 3, &why));
  assert_true (strstr (why, "probabilities") != NULL);
  assert_false (dist_empirical (&d, xok, Fnot1, 3, &why));
  assert_false (dist_empirical (&d, xok, F, 1, &why));

  assert_true (dist_is_valid (&(Dist) { .kind = DIST_EXPONENTIAL, .a = 1 },
                              NULL));
  why = NULL;
  d = dist_exponential (0.0);
  assert_false (dist_is_valid (&d, &why));
  assert_non_null (why);
  d = dist_weibull (-1.0, 2.0);
  assert_false (dist_is_valid (&d, NULL));
  d = dist_weibull (1.0, NAN);
  assert_false (dist_is_valid (&d, NULL));
  d = dist_uniform (3.0, 2.0);
  assert_false (dist_is_valid (&d, NULL));
  d = dist_lognormal (0.0, -0.1);
  assert_false (dist_is_valid (&d, NULL));
  d = dist_constant (INFINITY);
  assert_false (dist_is_valid (&d, NULL));
}

static void
test_names (void **state)
{
  char buf[64];
  for (int k = DIST_CONSTANT; k <= DIST_EMPIRICAL; k++)
    {
      DistKind back;
      assert_true (dist_kind_from_name (dist_kind_name (k), &back));
      assert_int_equal (back, k);
    }
  assert_false (dist_kind_from_name ("gaussian", NULL));
  Dist d = dist_weibull (0.7, 100.0);
  assert_string_equal (dist_describe (&d, buf, sizeof buf),
                       "weibull(shape=0.7, scale=100)");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_exponential),
    cmocka_unit_test (test_weibull),
    cmocka_unit_test (test_lognormal),
    cmocka_unit_test (test_uniform),
    cmocka_unit_test (test_empirical),
    cmocka_unit_test (test_constant),
    cmocka_unit_test (test_quantile_roundtrip),
    cmocka_unit_test (test_reproducible_draws),
    cmocka_unit_test (test_scale),
    cmocka_unit_test (test_validation),
    cmocka_unit_test (test_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
