/* tests/sim/test_phold.c - PHOLD on the kernel and on the reference heap.
 *
 * Determinism: the same seed gives the same event count; the kernel (on
 * either queue) and the reference handle exactly the same number of events (they are the
 * same model draw for draw, see sim/phold.c).
 *
 * Theory: each of the L*M initial events starts a chain whose firing times
 * are a Poisson process of rate 1 per unit of time (first time Exp(1),
 * then i.i.d. Exp(1) gaps, whatever the targets), so the number of events
 * with time <= T is Poisson(L*M*T): mean L*M*T, standard deviation
 * sqrt(L*M*T). Rounding delays to microseconds shifts each gap by at most
 * 0.5e-6 units with zero mean, far below what is tested here.
 *  - each run: |n - LMT| < 5 sd (two-sided false alarm 5.7e-7 per run);
 *  - the mean of K runs with different seeds: within 4 sd / sqrt (K);
 *  - the sample variance of K = 40 runs: between 0.4 and 1.8 times LMT
 *    (for Poisson the variance equals the mean; (K-1) s^2 / var is close
 *    to chi-square with 39 dof, whose 0.0005 and 0.9995 quantiles are
 *    about 17.1 and 71.0, i.e. ratios 0.44 and 1.82). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>

#include "phold.h"

static void
test_same_seed_same_count (void **state)
{
  PholdParams p = { .lps = 500, .population = 8, .end = 10, .seed = 3 };
  PholdResult a, b, r;
  phold_run (&p, &a);
  phold_run (&p, &b);
  assert_int_equal (a.events, b.events);
  phold_run_reference (&p, &r);
  assert_int_equal (a.events, r.events);
  assert_true (a.events > 0);
  assert_true (a.maxrss_kb > 0 && r.maxrss_kb > 0);
  assert_true (a.seconds >= 0 && r.seconds >= 0);
  p.seed = 4;
  phold_run (&p, &b);
  assert_int_not_equal (a.events, b.events);
}

static void
test_both_heaps_agree (void **state)
{
  /* Odd sizes, one LP, M = 1, a large population: all must match. */
  const PholdParams cases[] = {
    { .lps = 1, .population = 1, .end = 50, .seed = 1 },
    { .lps = 7, .population = 3, .end = 13.5, .seed = 99 },
    { .lps = 2000, .population = 1, .end = 5, .seed = 5 },
    { .lps = 100, .population = 64, .end = 3, .seed = 11 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PholdResult a, h, r;
      PholdParams heap = cases[i];
      heap.queue = EVQ_HEAP;
      phold_run (&cases[i], &a);
      phold_run (&heap, &h);
      phold_run_reference (&cases[i], &r);
      assert_int_equal (a.events, r.events);
      assert_int_equal (h.events, r.events);
      assert_true (a.cpu_seconds >= 0 && r.cpu_seconds >= 0);
    }
}

static void
test_count_matches_poisson (void **state)
{
  enum { K = 40 };
  const double L = 1000, M = 4, T = 20;
  const double mean = L * M * T, sd = sqrt (mean);
  double sum = 0, sum2 = 0;
  for (int k = 0; k < K; k++)
    {
      PholdParams p = { .lps = (uint32_t) L, .population = (uint32_t) M,
                        .end = T, .seed = 1000 + (uint64_t) k };
      PholdResult r;
      phold_run (&p, &r);
      double n = (double) r.events;
      assert_true (fabs (n - mean) < 5 * sd);
      sum += n;
      sum2 += n * n;
    }
  double avg = sum / K;
  double var = (sum2 - K * avg * avg) / (K - 1);
  assert_true (fabs (avg - mean) < 4 * sd / sqrt (K));
  assert_true (var > 0.4 * mean && var < 1.8 * mean);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_same_seed_same_count),
    cmocka_unit_test (test_both_heaps_agree),
    cmocka_unit_test (test_count_matches_poisson),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
