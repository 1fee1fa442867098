/* tests/sim/test_rng.c - the stream generator: reproducibility, stream
 * independence, uniformity of rng_uniform and rng_below.
 *
 * Statistical checks use fixed seeds and tolerances from theory (stated at
 * each check): a correct generator fails one of them with probability far
 * below 1e-4, a broken key derivation or a biased rng_below fails them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include <glib.h>

#include "rng.h"

#define N 200000

/* Same (seed, component, purpose): the same sequence, whether the stream
 * is built from names or from the key. */
static void
test_reproducible (void **state)
{
  RngStream a, b, c;
  rng_stream_init (&a, 7, "node0412/gpu5", "ttf");
  rng_stream_init (&b, 7, "node0412/gpu5", "ttf");
  rng_stream_init_key (&c, rng_key (7, "node0412/gpu5", "ttf"));
  for (int i = 0; i < 10000; i++)
    {
      uint64_t x = rng_next_u64 (&a);
      assert_int_equal (x, rng_next_u64 (&b));
      assert_int_equal (x, rng_next_u64 (&c));
    }
  /* Index keys are reproducible too, and NULL names mean "". */
  assert_int_equal (rng_key_index (3, 1, 99, "ttf"),
                    rng_key_index (3, 1, 99, "ttf"));
  assert_int_equal (rng_key (3, NULL, NULL), rng_key (3, "", ""));
}

/* Counts positions where two streams give the same 64-bit output; for
 * independent streams P(any equal in 1000) ~ 1000 / 2^64. */
static int
equal_positions (RngStream *a, RngStream *b, int n)
{
  int same = 0;
  for (int i = 0; i < n; i++)
    same += rng_next_u64 (a) == rng_next_u64 (b);
  return same;
}

static void
test_different_keys_differ (void **state)
{
  RngStream a, b;
  /* One-character changes in either name, the seed, or the index. */
  const char *pairs[][4] = {
    { "node0412/gpu5", "ttf", "node0412/gpu6", "ttf" },
    { "node0412/gpu5", "ttf", "node0412/gpu5", "ttg" },
    { "node0412/gpu5", "ttf", "ttf", "node0412/gpu5" }, /* swapped */
    { "a", "", "", "a" },
    { "leaf-su03-r5", "repair", "leaf-su03-r6", "repair" },
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    {
      rng_stream_init (&a, 1, pairs[i][0], pairs[i][1]);
      rng_stream_init (&b, 1, pairs[i][2], pairs[i][3]);
      assert_int_equal (equal_positions (&a, &b, 1000), 0);
    }
  rng_stream_init (&a, 1, "node0001", "ttf");
  rng_stream_init (&b, 2, "node0001", "ttf");
  assert_int_equal (equal_positions (&a, &b, 1000), 0);
  rng_stream_init_key (&a, rng_key_index (1, 0, 41, "ttf"));
  rng_stream_init_key (&b, rng_key_index (1, 0, 42, "ttf"));
  assert_int_equal (equal_positions (&a, &b, 1000), 0);
  rng_stream_init_key (&a, rng_key_index (1, 0, 42, "ttf"));
  rng_stream_init_key (&b, rng_key_index (1, 1, 42, "ttf"));
  assert_int_equal (equal_positions (&a, &b, 1000), 0);
}

/* Pearson correlation of paired uniforms from two streams; under
 * independence it is ~ N(0, 1/n), so |r| < 5/sqrt(n) (5 sigma). */
static double
paired_correlation (RngStream *a, RngStream *b, int n)
{
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (int i = 0; i < n; i++)
    {
      double x = rng_uniform (a), y = rng_uniform (b);
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
  double cov = sxy / n - (sx / n) * (sy / n);
  double vx = sxx / n - (sx / n) * (sx / n);
  double vy = syy / n - (sy / n) * (sy / n);
  return cov / sqrt (vx * vy);
}

static void
test_streams_uncorrelated (void **state)
{
  RngStream a, b;
  double lim = 5.0 / sqrt ((double) N);
  rng_stream_init (&a, 42, "node0001", "ttf");
  rng_stream_init (&b, 42, "node0002", "ttf");
  assert_true (fabs (paired_correlation (&a, &b, N)) < lim);
  rng_stream_init (&a, 42, "node0001", "ttf");
  rng_stream_init (&b, 42, "node0001", "repair");
  assert_true (fabs (paired_correlation (&a, &b, N)) < lim);
  /* Consecutive keys (seeds 0 and 1) are a classic weak spot. */
  rng_stream_init (&a, 0, "x", "y");
  rng_stream_init (&b, 1, "x", "y");
  assert_true (fabs (paired_correlation (&a, &b, N)) < lim);
  /* Lag-1 autocorrelation within one stream. */
  RngStream c;
  rng_stream_init (&c, 42, "node0001", "ttf");
  b = c;
  rng_next_u64 (&b);
  assert_true (fabs (paired_correlation (&c, &b, N)) < lim);
}

/* U(0,1): mean 1/2, variance 1/12. Standard errors: sqrt(1/12/n) for the
 * mean, sqrt((mu4 - sigma^4)/n) = sqrt((1/80 - 1/144)/n) for the variance;
 * tolerance 5 SE. */
static void
test_uniform_moments (void **state)
{
  RngStream s;
  rng_stream_init (&s, 11, "uniform", "moments");
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < N; i++)
    {
      double u = rng_uniform (&s);
      assert_true (u >= 0.0 && u < 1.0);
      sum += u;
      sum2 += u * u;
      lo = fmin (lo, u);
      hi = fmax (hi, u);
    }
  double mean = sum / N, var = sum2 / N - mean * mean;
  assert_true (fabs (mean - 0.5) < 5 * sqrt (1.0 / 12 / N));
  assert_true (fabs (var - 1.0 / 12) < 5 * sqrt ((1.0 / 80 - 1.0 / 144) / N));
  /* Range: P(min > 1e-4) = (1 - 1e-4)^N ~ 2e-9. */
  assert_true (lo < 1e-4 && hi > 1 - 1e-4);

  for (int i = 0; i < N; i++)
    {
      double u = rng_uniform_pos (&s);
      assert_true (u > 0.0 && u < 1.0);
    }
}

/* Chi-square statistic of bin counts against the exact expectation: bin b
 * of `bins` holds the v in [0, n) with floor(v bins / n) = b, that is
 * ceil((b+1) n / bins) - ceil(b n / bins) values of the n. */
static double
chi_square (const uint64_t *counts, int bins, uint64_t bound, uint64_t n)
{
  double x2 = 0;
  for (int b = 0; b < bins; b++)
    {
      __uint128_t hi = ((__uint128_t) (b + 1) * bound + bins - 1) / bins;
      __uint128_t lo = ((__uint128_t) b * bound + bins - 1) / bins;
      double e = (double) n * (double) (hi - lo) / (double) bound;
      x2 += ((double) counts[b] - e) * ((double) counts[b] - e) / e;
    }
  return x2;
}

/* rng_below (n) is uniform on [0, n). Chi-square over 10 bins (7 for
 * n = 7): the 0.999 quantiles are 27.88 (9 df) and 22.46 (6 df). The bound
 * 2/3 * 2^64 is the case a plain modulo gets wrong: values below
 * 2^64 - bound would be twice as likely (half of the bins doubled,
 * chi-square ~ 10^4). */
static void
test_below_unbiased (void **state)
{
  RngStream s;
  const uint64_t bounds[] = { 10, 7, 1000003, 0xAAAAAAAAAAAAAAAAULL,
                              (1ULL << 63) + 1 };
  rng_stream_init (&s, 5, "below", "chi2");
  for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++)
    {
      uint64_t n = bounds[k], counts[10] = { 0 };
      int bins = n < 10 ? (int) n : 10;
      double crit = bins == 10 ? 27.88 : 22.46;
      g_assert (bins == 10 || bins == 7);
      for (int i = 0; i < N; i++)
        {
          uint64_t v = rng_below (&s, n);
          assert_true (v < n);
          counts[(int) (((__uint128_t) v * bins) / n)]++;
        }
      double x2 = chi_square (counts, bins, n, N);
      if (x2 >= crit)
        print_message ("# bound %llu: chi-square %.2f\n",
                       (unsigned long long) n, x2);
      assert_true (x2 < crit);
    }
  assert_int_equal (rng_below (&s, 1), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_reproducible),
    cmocka_unit_test (test_different_keys_differ),
    cmocka_unit_test (test_streams_uncorrelated),
    cmocka_unit_test (test_uniform_moments),
    cmocka_unit_test (test_below_unbiased),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
